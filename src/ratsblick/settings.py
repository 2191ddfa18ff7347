"""Django settings: everything comes from `ratsblick.config` (the environment)."""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.functional import lazy

from ratsblick import config
from ratsblick.logs import logging_config

# Nothing is created on import: the SQLite backend makes RATSBLICK_HOME when it
# first opens the database, the blob store and the index their own folders.
HOME: Path = config.HOME.get().resolve()


@cache
def _secret_key() -> str:
    """The configured key, else one generated on first need and kept in RATSBLICK_HOME.

    Written under a temporary name and linked into place, so that two
    processes starting at once agree on one key and none reads half a file.
    """
    configured = config.SECRET_KEY.get()
    if configured:
        return configured
    path = HOME / "secret_key"
    if not path.exists():
        HOME.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}")
        draft.touch(mode=0o600)
        draft.write_text(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its key counts
        finally:
            draft.unlink()
    return path.read_text().strip()


# Lazy: only what signs something (none of our pages do yet) needs the key.
SECRET_KEY = lazy(_secret_key, str)()
DEBUG = config.DEBUG.get()
ALLOWED_HOSTS = [h.strip() for h in config.ALLOWED_HOSTS.get().split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "csp",
    "ratsblick.council",
    "ratsblick.files",
    "ratsblick.indexing",
    "ratsblick.history",
    "ratsblick.reader",
    "ratsblick.web",
    "ratsblick.api",
    "ratsblick.oparlout",
    "ratsblick.feeds",
    "ratsblick.dumps",
    "ratsblick.alerts",
    "ratsblick.demo",
    "ratsblick.jobs",
    "ratsblick.ops",
]

MIDDLEWARE = [
    # First, so that everything logged for a request carries its id.
    "ratsblick.ops.middleware.CorrelationIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Our own assets only (no CDN), served by the app itself in embedded mode.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The operator's login is the one form that changes state.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
            "ENGINE": "ratsblick.sqlite",
            "NAME": str(HOME / "ratsblick.sqlite3"),
            # Said explicitly, so that pytest-xdist workers (which rename file
            # databases per worker) each keep a private in-memory one.
            "TEST": {"NAME": ":memory:"},
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

# Rendered pages (and rate-limit counters): in each process's memory on a
# laptop; in Redis, shared by every web process, in production.
CACHES: dict[str, dict[str, Any]]
if config.CACHE_URL.get():
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": config.CACHE_URL.get(),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
# Requests one client may make to the JSON API, counted in that cache.
RATSBLICK_API_RATE = config.API_RATE.get()

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

LOGGING = logging_config(config.LOG_FORMAT.get(), config.LOG_LEVEL.get())
# Behind nginx (deploy/nginx.conf.example sets it): the login form's CSRF
# origin check needs to know the request came in over HTTPS. Without a proxy
# that overwrites the header, any client could claim HTTPS with it.
if config.BEHIND_PROXY.get():
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
LOGIN_URL = "ops:login"
LOGIN_REDIRECT_URL = "ops:status"
