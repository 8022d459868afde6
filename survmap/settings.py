"""Django settings for survmap: one file, every deployment difference read from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A site that runs with a known key lets anyone forge sessions and CSRF tokens.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment "
            "(or set DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form posted with an expired token gets a page in the site's style that keeps what was typed.
CSRF_FAILURE_VIEW = "survmap.common.csrf.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "survmap.geo",
    "survmap.records",
    "survmap.maps",
    "survmap.web",
    "survmap.common",
    "csp",
    "survmap.submissions",
    "survmap.research",
    "survmap.changelog",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "survmap.api",
    "survmap.imports",
    "survmap.platereaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "survmap.common.middleware.FormReferrerPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, so that preflight answers carry the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    # Compresses pages and JSON (the map's counts); whitenoise above serves static files itself.
    "django.middleware.gzip.GZipMiddleware",
    # 304 Not Modified for If-None-Match / If-Modified-Since, on answers from the page cache
    # too (it sits outside it); after GZip, so the ETag is that of the uncompressed page.
    "survmap.common.middleware.ConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "survmap.common.middleware.DatabaseUnavailableMiddleware",
    "survmap.common.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Attributes every history record to the user who made the change.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Locks out repeated failed logins; django-axes wants it last.
    "axes.middleware.AxesMiddleware",
]

# django-axes first, so a locked-out username and address are refused even with the password.
# Then the lockout per account (survmap.common.logins), for guesses from many addresses.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "survmap.common.logins.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failed logins of one username from every address, within AXES_COOLOFF_HOURS, before it is
# refused from addresses that never logged into it (survmap.common.logins); 0 turns it off.
SURVMAP_LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "15"))
# Reverse proxies in front of the server that append to X-Forwarded-For (0: none, the header is
# ignored). Rate limits and the login lockout key on the client address it gives.
SURVMAP_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# An IPv6 client counts as its network of this many bits in every limit (a host gets a /64).
SURVMAP_IPV6_LIMIT_PREFIX = int(os.environ.get("IPV6_LIMIT_PREFIX", "64"))
AXES_CLIENT_IP_CALLABLE = "survmap.common.client_ip.client_bucket"

# Submissions accepted per address, e.g. "5/hour"; counted in the cache.
SURVMAP_SUBMIT_RATE = os.environ.get("SURVMAP_SUBMIT_RATE", "5/hour")
# Research checks (survmap.research): a check older than this many months is shown as stale and
# its agency and technology are researched again; a volunteer's claim on a task lasts this long.
SURVMAP_RESEARCH_STALE_MONTHS = int(os.environ.get("SURVMAP_RESEARCH_STALE_MONTHS", "18"))
SURVMAP_RESEARCH_CLAIM_HOURS = int(os.environ.get("SURVMAP_RESEARCH_CLAIM_HOURS", "72"))
# A partnership still said to be in place (active, a pilot, approved...) whose status no source has
# confirmed for this many years is marked "not confirmed for N years" on pages and in exports.
SURVMAP_STATUS_STALE_YEARS = int(os.environ.get("SURVMAP_STATUS_STALE_YEARS", "3"))

# Files the importers read (import_csv, import_atlas): the most bytes once decompressed, and
# the most rows; a larger file is refused before anything is written (survmap.imports.readers).
SURVMAP_IMPORT_MAX_BYTES = int(os.environ.get("SURVMAP_IMPORT_MAX_BYTES", str(128 * 1024 * 1024)))
SURVMAP_IMPORT_MAX_ROWS = int(os.environ.get("SURVMAP_IMPORT_MAX_ROWS", "250000"))

# Expensive answers (map files, share images, embeds, filtered pages the page cache misses):
# units each client may spend per window, survmap.common.allowance; 0 turns it off.
SURVMAP_COSTLY_ALLOWANCE = int(os.environ.get("SURVMAP_COSTLY_ALLOWANCE", "120"))
SURVMAP_COSTLY_WINDOW_SECONDS = int(os.environ.get("SURVMAP_COSTLY_WINDOW_SECONDS", "600"))

ROOT_URLCONF = "survmap.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "survmap.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'survmap.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers keep reading while an import writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Answers as a miss while Redis is down, so the site serves from the database.
            "BACKEND": "survmap.common.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain files where collectstatic has not run.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Privacy: no third-party host is contacted by default. Map tiles are opt-in and self-hostable.
SURVMAP_TILE_URL = os.environ.get("SURVMAP_TILE_URL", "")
SURVMAP_TILE_ATTRIBUTION = os.environ.get("SURVMAP_TILE_ATTRIBUTION", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
# Pages whose forms post back to us get "same-origin" instead: with no-referrer, browsers send
# "Origin: null" with the post and Django's CSRF check refuses it. Other hosts still get nothing.
SURVMAP_SAME_ORIGIN_REFERRER_PATHS = ("/admin/", "/submit/", "/research/")
X_FRAME_OPTIONS = "DENY"

# Production transport security (check --deploy passes with DEBUG off). Behind a proxy that ends
# TLS, set SECURE_PROXY_SSL_HEADER=1 so Django trusts its X-Forwarded-Proto; for a plain-HTTP
# test on loopback, set SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True


def tile_origin(url: str) -> str:
    """The origin the map's tiles come from, as CSP needs it ({s} subdomains become *)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Content-Security-Policy (django-csp): our own origin only; no inline script; tiles only from
# the configured tile server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *filter(None, [tile_origin(SURVMAP_TILE_URL)])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The embeddable map (/embed/) is the one page other sites may frame: its CSP frame-ancestors,
# space- or comma-separated origins ("https://news.example.org https://*.example.com"), any
# site by default. Every other page answers X-Frame-Options: DENY and frame-ancestors 'none'.
SURVMAP_EMBED_FRAME_ANCESTORS = os.environ.get("SURVMAP_EMBED_FRAME_ANCESTORS", "*").replace(
    ",", " "
).split() or ["*"]

# Whole-page cache for anonymous GETs (survmap/common/page_cache.py); 0 turns it off.
SURVMAP_PAGE_CACHE_SECONDS = int(os.environ.get("SURVMAP_PAGE_CACHE_SECONDS", "60"))
# How long a process trusts its fingerprint of the data before reading it again from the
# database (survmap/common/data_version.py). Any write through the ORM forgets it at once.
SURVMAP_DATA_VERSION_SECONDS = int(os.environ.get("SURVMAP_DATA_VERSION_SECONDS", "30"))
SURVMAP_PAGE_CACHE_EXCLUDE = ("/admin/",)
# The largest page the page cache keeps, in bytes as stored (gzipped for gzip readers): a page
# bigger than this costs more cache memory than it saves in work, and is computed each time.
# Where share images (og:image PNGs) are kept, one folder per data version, so that each is drawn
# once for every worker and restart; empty: in the cache (shared only with REDIS_URL). Old
# versions' folders can be removed at any time.
SURVMAP_SHARE_IMAGE_DIR = os.environ.get("SURVMAP_SHARE_IMAGE_DIR", "")
# After a data change the search box keeps answering from its previous index while a thread
# builds the new one (survmap/web/search.py); off, the first search after a change builds it.
SURVMAP_SEARCH_INDEX_IN_BACKGROUND = env_bool("SURVMAP_SEARCH_INDEX_IN_BACKGROUND", default=True)
SURVMAP_PAGE_CACHE_MAX_BYTES = int(os.environ.get("SURVMAP_PAGE_CACHE_MAX_BYTES", "1000000"))

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
# Every handler redacts private links (status, claim and check tokens: survmap.common.redaction)
# from what it writes. Django's own loggers lose their default handlers (a console one in DEBUG
# that would print "Not Found: /submissions/<token>/" unfiltered) and pass their records to ours.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_private_links": {"()": "survmap.common.redaction.RedactingFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_private_links"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_private_links"],
        },
    },
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # runserver's request lines.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# The public data API (survmap.api): read-only, anonymous, throttled, JSON errors.
SURVMAP_API_ANON_RATE = os.environ.get("SURVMAP_API_ANON_RATE", "120/min")
# The whole-set exports' own allowance per client (each costs seconds at 100,000 rows);
# unfiltered exports answered from the latest release file are not counted.
SURVMAP_API_EXPORT_RATE = os.environ.get("SURVMAP_API_EXPORT_RATE", "20/hour")
SURVMAP_API_MAX_AGE = int(os.environ.get("SURVMAP_API_MAX_AGE", "300"))
SURVMAP_API_PAGE_SIZE = int(os.environ.get("SURVMAP_API_PAGE_SIZE", "50"))
SURVMAP_RELEASES_DIR = Path(os.environ.get("SURVMAP_RELEASES_DIR", str(BASE_DIR / "releases")))
SURVMAP_DATA_LICENSE = os.environ.get("SURVMAP_DATA_LICENSE", "CC BY 4.0")
SURVMAP_DATA_LICENSE_URL = os.environ.get(
    "SURVMAP_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["survmap.api.throttling.AnonymousThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "survmap.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "survmap API",
    "DESCRIPTION": (
        "Read-only, public data on partnerships between US police agencies and surveillance "
        "vendors. Every record cites its sources."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page is served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "survmap.records.models.AgencyKind",
        "PolicyEventKindEnum": "survmap.records.models.PolicyEventKind",
        "PartnershipStatusEnum": "survmap.records.models.PartnershipStatus",
        "TechnologyCategoryEnum": "survmap.records.models.TechnologyCategory",
        "DatePrecisionEnum": "survmap.common.dates.DatePrecision",
    },
}
# Public data, readable from any web page; never with cookies.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
