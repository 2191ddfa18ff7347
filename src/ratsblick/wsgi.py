"""WSGI entry point for `ratsblick serve` and any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratsblick.settings")
application = get_wsgi_application()
