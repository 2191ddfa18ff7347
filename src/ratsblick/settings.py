"""Django settings: everything comes from `ratsblick.config` (the environment)."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from ratsblick import config

HOME: Path = config.HOME.get().resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, else one generated once and kept in RATSBLICK_HOME."""
    configured = config.SECRET_KEY.get()
    if configured:
        return configured
    path = HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = config.DEBUG.get()
ALLOWED_HOSTS = [h.strip() for h in config.ALLOWED_HOSTS.get().split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "csp",
    "ratsblick.council",
    "ratsblick.files",
    "ratsblick.indexing",
    "ratsblick.web",
    "ratsblick.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Our own assets only (no CDN), served by the app itself in embedded mode.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ratsblick.urls"
WSGI_APPLICATION = "ratsblick.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

if config.DATABASE_URL.get():
    DATABASES = {"default": dj_database_url.parse(config.DATABASE_URL.get(), conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "ratsblick.sqlite3"),
            "OPTIONS": {
                # One writer at a time, readers never blocked (WAL); writers
                # take the lock up front instead of failing on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "de-de"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# Served straight from the apps' static folders: no collectstatic step to
# forget, and the set is small enough to scan at start.
WHITENOISE_USE_FINDERS = True

# Every page's scripts, styles and images come from us; council data (URLs,
# text) can never bring in active content.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"ratsblick": {"handlers": ["console"], "level": "WARNING"}},
}
