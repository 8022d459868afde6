"""WSGI entry point, for gunicorn: `gunicorn survmap.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survmap.settings")

application = get_wsgi_application()

from survmap.common.startup import warm_up  # noqa: E402 - needs the app set up first
from survmap.web.search import build_index_at_start  # noqa: E402

# Before gunicorn forks (preload_app): the workers share the search box's index.
build_index_at_start()
warm_up()
