"""Log records that carry a correlation id, as JSON lines or plain text.

The id lives in a context variable: the web middleware
(`ratsblick.ops.middleware`) binds one per request, a task binds one per
run with `correlated(task_id)`. Threads and Celery pool processes each have
their own context, so ids never leak between requests or tasks. Pure
standard library (plus python-json-logger): any layer may import it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

_correlation_id: ContextVar[str] = ContextVar("ratsblick_correlation_id", default="-")

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(message)s"


def correlation_id() -> str:
    """The id of the request or task this code runs for; "-" outside of one."""
    return _correlation_id.get()


def bind_correlation_id(value: str | None = None) -> Token[str]:
    """Log under `value` (a new uuid when None) until `unbind_correlation_id(token)`.

    For code with separate start and end hooks (Celery's task signals);
    elsewhere `correlated` is simpler.
    """
    return _correlation_id.set(value or uuid.uuid4().hex)


def unbind_correlation_id(token: Token[str]) -> None:
    _correlation_id.reset(token)


@contextmanager
def correlated(value: str | None = None) -> Iterator[str]:
    """Log everything inside under `value` (a new uuid when None); restore after."""
    token = bind_correlation_id(value)
    try:
        yield _correlation_id.get()
    finally:
        unbind_correlation_id(token)


class CorrelationFilter(logging.Filter):
    """Puts the current correlation id on every record (`%(correlation_id)s`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = _correlation_id.get()
        return True


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The `LOGGING` dict of the settings: one console handler, JSON or plain text."""
    formatter: dict[str, Any] = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "format": JSON_FIELDS}
        if log_format == "json"
        else {"format": CONSOLE_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"correlation": {"()": CorrelationFilter}},
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["correlation"],
                "formatter": "main",
            }
        },
        "loggers": {"ratsblick": {"handlers": ["console"], "level": level.upper()}},
    }
