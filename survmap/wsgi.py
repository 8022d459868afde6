"""WSGI entry point, for gunicorn: `gunicorn survmap.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survmap.settings")

application = get_wsgi_application()

from survmap.common.startup import warm_up  # noqa: E402 - needs the app set up first

warm_up()
