"""`/healthz`: can this process serve? Database, broker (Celery mode only), index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from ratsblick.indexing.service import search_index
from ratsblick.jobs import broker


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _broker() -> str:
    broker.connect().ping()
    return "ping"


def _index() -> str:
    return f"{search_index().num_docs()} Dokumente"


def _run(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, True, probe())
    except Exception as exc:  # any failure is the answer, not an error of the check
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def checks() -> list[Check]:
    probes: list[tuple[str, Callable[[], str]]] = [("database", _database)]
    if broker.celery_mode():
        probes.append(("broker", _broker))
    probes.append(("index", _index))
    return [_run(name, probe) for name, probe in probes]
