"""What operations read from the Celery broker (Redis): is it there, how long are the queues.

Celery mode is a deployment whose web processes run no background pipeline
(`RATSBLICK_BACKGROUND_JOBS=0`): the workers do the work, through the broker.
"""

from __future__ import annotations

import redis

from ratsblick import config
from ratsblick.jobs.app import QUEUES

# kombu's Redis transport keeps a list per queue and priority step; the
# default priority 0 uses the bare queue name.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)
TIMEOUT = 2.0

BrokerUnavailable = redis.RedisError
"""What a broker call raises when Redis cannot answer (callers need not know Redis)."""


def celery_mode() -> bool:
    return not config.BACKGROUND_JOBS.get()


def connect() -> redis.Redis:
    return redis.Redis.from_url(
        config.BROKER_URL.get(), socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
    )


def queue_lengths(client: redis.Redis) -> dict[str, int]:
    """Tasks waiting per queue (taken but unacknowledged ones are not counted)."""
    pipe = client.pipeline()
    for queue in QUEUES:
        pipe.llen(queue)
        for step in PRIORITY_STEPS:
            pipe.llen(f"{queue}{PRIORITY_SEPARATOR}{step}")
    lengths = pipe.execute()
    per_queue = 1 + len(PRIORITY_STEPS)
    return {
        queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(QUEUES)
    }
