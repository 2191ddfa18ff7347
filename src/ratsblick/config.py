"""Every setting, read from the environment in one place.

Each setting is documented in docs/settings.md; a test checks that the
documentation names every setting declared here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean (1/0, true/false), got {text!r}")


def _log_format(text: str) -> str:
    value = text.strip().lower()
    if value not in ("json", "console"):
        raise ValueError(f"expected json or console, got {text!r}")
    return value


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str
    parse: Callable[[str], T]
    default: T
    doc: str

    def get(self) -> T:
        text = os.environ.get(self.name)
        if text is None or text == "":
            return self.default
        try:
            return self.parse(text)
        except ValueError as exc:
            raise ValueError(f"{self.name}: {exc}") from exc


HOME = Setting("RATSBLICK_HOME", Path, Path("data"), "Folder for all data of this instance.")
DATABASE_URL = Setting(
    "DATABASE_URL", str, "", "PostgreSQL URL; empty means SQLite in RATSBLICK_HOME."
)
SECRET_KEY = Setting("RATSBLICK_SECRET_KEY", str, "", "Django secret key (generated if empty).")
DEBUG = Setting("RATSBLICK_DEBUG", _bool, False, "Django debug mode.")
ALLOWED_HOSTS = Setting(
    "RATSBLICK_ALLOWED_HOSTS", str, "127.0.0.1,localhost", "Comma-separated host names served."
)
ALLOW_PRIVATE_HOSTS = Setting(
    "RATSBLICK_ALLOW_PRIVATE_HOSTS",
    _bool,
    False,
    "Allow fetching from private, loopback and link-local addresses.",
)
HTTP_TIMEOUT = Setting("RATSBLICK_HTTP_TIMEOUT", float, 30.0, "Seconds per HTTP request.")
HTTP_RETRIES = Setting("RATSBLICK_HTTP_RETRIES", int, 4, "Retries after a 5xx or timeout.")
HTTP_BACKOFF = Setting("RATSBLICK_HTTP_BACKOFF", float, 0.5, "First retry delay in seconds.")
HTTP_PER_HOST = Setting("RATSBLICK_HTTP_PER_HOST", int, 4, "Concurrent requests per host.")
SYNC_MARGIN = Setting(
    "RATSBLICK_SYNC_MARGIN_MINUTES",
    int,
    60,
    "Incremental syncs ask for changes since the last good sync minus this margin.",
)
DEMO_REPLAY_PORT = Setting(
    "RATSBLICK_DEMO_REPLAY_PORT",
    int,
    8765,
    "Loopback port of the replay server that `ratsblick demo` syncs the sample from.",
)
FILE_MAX_BYTES = Setting(
    "RATSBLICK_FILE_MAX_BYTES", int, 200 * 1024 * 1024, "Largest file downloaded, in bytes."
)
EXTRACT_TIMEOUT = Setting(
    "RATSBLICK_EXTRACT_TIMEOUT", float, 600.0, "Seconds one file may take to be read."
)
EXTRACT_MEMORY_MB = Setting(
    "RATSBLICK_EXTRACT_MEMORY_MB", int, 2048, "Address space of an extraction worker, in MiB."
)
EXTRACT_WORKERS = Setting(
    "RATSBLICK_EXTRACT_WORKERS", int, 0, "Extraction worker processes; 0 means one per core."
)
BACKGROUND_JOBS = Setting(
    "RATSBLICK_BACKGROUND_JOBS",
    _bool,
    True,
    "`ratsblick serve` syncs, reads and indexes in the background (off behind Celery workers).",
)
SYNC_INTERVAL = Setting(
    "RATSBLICK_SYNC_INTERVAL_SECONDS",
    float,
    3600.0,
    "Seconds between incremental syncs of every body (embedded pipeline and Celery beat).",
)
FULL_SYNC_INTERVAL = Setting(
    "RATSBLICK_FULL_SYNC_INTERVAL_SECONDS",
    float,
    7 * 24 * 3600.0,
    "Seconds between full consistency syncs of every body (Celery beat).",
)
REINDEX_INTERVAL = Setting(
    "RATSBLICK_REINDEX_INTERVAL_SECONDS",
    float,
    24 * 3600.0,
    "Seconds between index reconciles (Celery beat).",
)
BROKER_URL = Setting(
    "RATSBLICK_BROKER_URL", str, "redis://127.0.0.1:6379/0", "Redis URL of the Celery broker."
)
BROKER_VISIBILITY_TIMEOUT = Setting(
    "RATSBLICK_BROKER_VISIBILITY_TIMEOUT",
    float,
    3600.0,
    "Seconds before a task of a vanished worker is handed to another one.",
)
TASK_RETRIES = Setting(
    "RATSBLICK_TASK_RETRIES", int, 5, "Retries of a failing task before its dead letter."
)
TASK_BACKOFF = Setting(
    "RATSBLICK_TASK_BACKOFF_SECONDS", int, 60, "Largest first delay before a task is retried."
)
LOG_FORMAT = Setting(
    "RATSBLICK_LOG_FORMAT",
    _log_format,
    "console",
    "`json` for one JSON object per log line (with the correlation id), `console` for plain text.",
)
LOG_LEVEL = Setting("RATSBLICK_LOG_LEVEL", str, "WARNING", "Level of the `ratsblick` loggers.")
WEB_CONNECTION_LIMIT = Setting(
    "RATSBLICK_WEB_CONNECTION_LIMIT",
    int,
    1000,
    "Open connections the embedded web server (`serve`) accepts at once.",
)
WEB_CHANNEL_TIMEOUT = Setting(
    "RATSBLICK_WEB_CHANNEL_TIMEOUT",
    float,
    20.0,
    "Seconds the embedded web server keeps a connection that sends nothing.",
)
BEHIND_PROXY = Setting(
    "RATSBLICK_BEHIND_PROXY",
    _bool,
    False,
    "Trust the proxy's X-Forwarded-Proto (only behind a proxy that sets it).",
)
METRICS_TOKEN = Setting(
    "RATSBLICK_METRICS_TOKEN", str, "", "Bearer token `/metrics` requires (empty: none)."
)
CACHE_URL = Setting(
    "RATSBLICK_CACHE_URL",
    str,
    "",
    "Redis URL of a cache shared by all web processes; empty means one in each process's memory.",
)
PAGE_CACHE_SECONDS = Setting(
    "RATSBLICK_PAGE_CACHE_SECONDS",
    int,
    300,
    "Longest time a rendered public page is reused; 0 renders every request.",
)
API_RATE = Setting(
    "RATSBLICK_API_RATE",
    str,
    "600/m",
    "Requests one client may make to the JSON API: a number per s, m, h or d.",
)


def _smtp_tls(text: str) -> str:
    value = text.strip().lower()
    if value not in ("none", "starttls", "ssl"):
        raise ValueError(f"expected none, starttls or ssl, got {text!r}")
    return value


BASE_URL = Setting(
    "RATSBLICK_BASE_URL",
    str,
    "http://127.0.0.1:8000",
    "The site's public address, for the absolute links in mails.",
)
MAIL_FROM = Setting(
    "RATSBLICK_MAIL_FROM", str, "Ratsblick <ratsblick@localhost>", "Sender of alert mails."
)
SMTP_URL = Setting(
    "RATSBLICK_SMTP_URL",
    str,
    "",
    "smtp://user:password@host:port (STARTTLS) or smtps://… (TLS); overrides the SMTP_* parts.",
)
SMTP_HOST = Setting(
    "RATSBLICK_SMTP_HOST", str, "", "SMTP server; empty (and no URL): mails go to a folder."
)
SMTP_PORT = Setting("RATSBLICK_SMTP_PORT", int, 587, "Port of the SMTP server.")
SMTP_USER = Setting("RATSBLICK_SMTP_USER", str, "", "SMTP login; empty: no login.")
SMTP_PASSWORD = Setting("RATSBLICK_SMTP_PASSWORD", str, "", "SMTP password.")
SMTP_TLS = Setting(
    "RATSBLICK_SMTP_TLS", _smtp_tls, "starttls", "none, starttls or ssl (TLS from the start)."
)
SMTP_TIMEOUT = Setting("RATSBLICK_SMTP_TIMEOUT", float, 20.0, "Seconds per SMTP operation.")
MAIL_CLAIM_SECONDS = Setting(
    "RATSBLICK_MAIL_CLAIM_SECONDS",
    float,
    600.0,
    "A mail taken for sending but never marked sent (a crash) is sent again after this.",
)
ALERTS_INTERVAL = Setting(
    "RATSBLICK_ALERTS_INTERVAL_SECONDS",
    float,
    300.0,
    "Seconds between alert mail rounds (Celery beat; embedded: after every pipeline round).",
)
ALERTS_CLIENT_LIMIT = Setting(
    "RATSBLICK_ALERTS_CLIENT_LIMIT", int, 20, "Alert requests per client address and hour."
)
ALERTS_ADDRESS_LIMIT = Setting(
    "RATSBLICK_ALERTS_ADDRESS_LIMIT", int, 5, "Confirmation or link mails per address and day."
)

ALL: tuple[Setting[object], ...] = (
    HOME,
    DATABASE_URL,
    SECRET_KEY,
    DEBUG,
    ALLOWED_HOSTS,
    ALLOW_PRIVATE_HOSTS,
    HTTP_TIMEOUT,
    HTTP_RETRIES,
    HTTP_BACKOFF,
    HTTP_PER_HOST,
    SYNC_MARGIN,
    DEMO_REPLAY_PORT,
    FILE_MAX_BYTES,
    EXTRACT_TIMEOUT,
    EXTRACT_MEMORY_MB,
    EXTRACT_WORKERS,
    BACKGROUND_JOBS,
    SYNC_INTERVAL,
    FULL_SYNC_INTERVAL,
    REINDEX_INTERVAL,
    BROKER_URL,
    BROKER_VISIBILITY_TIMEOUT,
    TASK_RETRIES,
    TASK_BACKOFF,
    LOG_FORMAT,
    LOG_LEVEL,
    WEB_CONNECTION_LIMIT,
    WEB_CHANNEL_TIMEOUT,
    BEHIND_PROXY,
    METRICS_TOKEN,
    CACHE_URL,
    PAGE_CACHE_SECONDS,
    API_RATE,
    BASE_URL,
    MAIL_FROM,
    SMTP_URL,
    SMTP_HOST,
    SMTP_PORT,
    SMTP_USER,
    SMTP_PASSWORD,
    SMTP_TLS,
    SMTP_TIMEOUT,
    MAIL_CLAIM_SECONDS,
    ALERTS_INTERVAL,
    ALERTS_CLIENT_LIMIT,
    ALERTS_ADDRESS_LIMIT,
)  # type: ignore[assignment]
