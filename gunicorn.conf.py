"""gunicorn settings for survmap in production: `gunicorn -c gunicorn.conf.py survmap.wsgi`.

Every knob comes from the environment, like the Django settings:
GUNICORN_BIND (default 127.0.0.1:8000: put a TLS proxy in front), GUNICORN_WORKERS (default
2 x cores + 1), GUNICORN_THREADS (default 2), GUNICORN_TIMEOUT (30 s), GUNICORN_ACCESS_LOG
("-" = stdout, empty = off), GUNICORN_LOG_LEVEL (info), FORWARDED_ALLOW_IPS (127.0.0.1: the
proxy whose X-Forwarded-Proto gunicorn trusts to mark a request as https).
"""

import os

from survmap.common.serving import gunicorn_workers

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# The system check `check --deploy` reads the same number (survmap.common.serving).
workers = gunicorn_workers()
# Threads let a worker keep serving cached pages while another request waits on the database.
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# No client addresses in the access log: the people reading the map are watched enough.
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
# Nor the contributors' private status tokens (their status page's only key).
logger_class = "survmap.common.accesslog.RedactingLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Load the app before forking: workers share its memory and a broken deploy fails at once.
preload_app = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
