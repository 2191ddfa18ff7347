"""Task durations and outcomes of every Celery worker, kept in Redis for `/metrics`.

Hooked to Celery's own signals, so that the tasks need no code for it; the
figures live in the broker's Redis (one hash per task), so every worker
process on every machine adds to the same numbers and any web process can
serve them. Each task also logs under its task id as correlation id.
"""

from __future__ import annotations

import logging
import time
from contextvars import Token
from dataclasses import dataclass
from typing import Any

import redis
from celery import signals

from ratsblick.jobs import broker
from ratsblick.logs import bind_correlation_id, unbind_correlation_id

log = logging.getLogger(__name__)

KEY = "ratsblick:metrics:task:"
# Upper bounds in seconds: a fetch takes well under a second, an OCR'd scan minutes.
BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0)

_started: dict[str, tuple[float, Token[str]]] = {}


def record(client: redis.Redis, task: str, seconds: float, state: str) -> None:
    """Add one run of `task` (`state` as Celery names it: SUCCESS, RETRY, FAILURE)."""
    pipe = client.pipeline()
    key = KEY + task
    pipe.hincrbyfloat(key, "sum", seconds)
    pipe.hincrby(key, f"state:{state}", 1)
    for bound in BUCKETS:
        if seconds <= bound:
            pipe.hincrby(key, f"le:{bound}", 1)
    pipe.execute()


@dataclass(frozen=True)
class TaskFigures:
    task: str
    seconds: float
    buckets: dict[float, int]  # cumulative, as Prometheus wants them
    states: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.states.values())


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def read(client: redis.Redis) -> list[TaskFigures]:
    figures = []
    for key in sorted(client.scan_iter(match=KEY + "*", count=100)):
        data = {_text(k): _text(v) for k, v in client.hgetall(key).items()}
        figures.append(
            TaskFigures(
                task=_text(key).removeprefix(KEY),
                seconds=float(data.get("sum", 0)),
                buckets={b: int(data.get(f"le:{b}", 0)) for b in BUCKETS},
                states={
                    k.removeprefix("state:"): int(v)
                    for k, v in sorted(data.items())
                    if k.startswith("state:")
                },
            )
        )
    return figures


def _prerun(task_id: str, **kwargs: Any) -> None:
    _started[task_id] = (time.monotonic(), bind_correlation_id(task_id))


def _postrun(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    started = _started.pop(task_id, None)
    if started is None:
        return
    begin, token = started
    try:
        record(broker.connect(), task.name, time.monotonic() - begin, state or "UNKNOWN")
    except redis.RedisError:
        log.warning("task metrics not recorded: Redis unreachable", exc_info=True)
    finally:
        unbind_correlation_id(token)


def connect() -> None:
    signals.task_prerun.connect(_prerun, dispatch_uid="ratsblick.jobs.prerun", weak=False)
    signals.task_postrun.connect(_postrun, dispatch_uid="ratsblick.jobs.postrun", weak=False)
