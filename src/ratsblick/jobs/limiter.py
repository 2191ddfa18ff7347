"""A per-host request limit shared by every worker of a deployment, in Redis.

Each host has a sorted set of leases (member: a random token, score: when
the lease expires, by the Redis server's clock). Taking a slot drops expired
leases and adds one if fewer than the limit remain, atomically in one Lua
script; giving it back removes the token. A worker killed while holding a
slot frees it when its lease runs out, so a crash never blocks a host for
good.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

_TAKE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
  return 1
end
return 0
"""


class RedisHostLimiter:
    """At most `per_host` requests in flight per host, across all processes sharing Redis.

    `lease` bounds how long a slot of a vanished holder stays taken; it is
    longer than any request should take (the HTTP timeout applies per read).
    """

    PREFIX = "ratsblick:host:"

    def __init__(
        self, client: redis.Redis, per_host: int, *, lease: float = 300.0, poll: float = 0.02
    ) -> None:
        self.client = client
        self.per_host = per_host
        self.lease = lease
        self.poll = poll
        self._take = client.register_script(_TAKE)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        key = self.PREFIX + host
        token = uuid.uuid4().hex
        while not self._take(keys=[key], args=[self.per_host, self.lease, token]):
            time.sleep(random.uniform(self.poll / 2, self.poll * 1.5))
        try:
            yield
        finally:
            self.client.zrem(key, token)
