"""A polite, defensive HTTP client for OParl servers and file hosts.

Council servers are slow, flaky and sometimes hostile, and the URLs we follow
come from their data. So every request has a timeout, a bounded number of
retries with jittered exponential backoff, a per-host concurrency limit, a
size cap, a redirect limit, and a guard that refuses private, loopback and
link-local addresses (unless explicitly allowed, as tests and the demo do).

The guard sits where the socket is opened (`_VettingBackend`): the host is
resolved once, every answer vetted, and the connection goes to a vetted
answer, so a name that changes its answer (DNS rebinding) cannot slip past.
TLS and the `Host` header still use the host name.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from ratsblick import __version__
from ratsblick.oparl.addresses import (
    NonPublicAddress,
    Resolver,
    UnresolvableHost,
    system_resolver,
    vetted_addresses,
)

USER_AGENT = f"Ratsblick/{__version__} (OParl aggregator; +https://github.com/ratsblick/ratsblick)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

T = TypeVar("T")


class FetchError(Exception):
    """A URL could not be fetched; `status` is the last HTTP status, if any."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class NotFound(FetchError):
    """The server answered 404 or 410: retrying will not help."""


class BlockedAddress(FetchError):
    """The URL points at an address we refuse to contact (SSRF guard)."""


class InvalidJSON(FetchError):
    """The body was not valid JSON even after retries."""


@dataclass(frozen=True)
class ClientConfig:
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    backoff_max: float = 30.0
    per_host: int = 4
    max_redirects: int = 5
    max_bytes: int = 64 * 1024 * 1024
    allow_private: bool = False
    user_agent: str = USER_AGENT
    resolver: Resolver = system_resolver


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes


def check_url(url: str) -> None:
    """Refuse URLs that are not http(s) with a host (addresses are vetted on connect)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedAddress(url, "only http and https URLs with a host are fetched")


@contextmanager
def _refusals_for(url: str) -> Iterator[None]:
    """Name `url` in the guard's refusals raised while connecting to it."""
    try:
        yield
    except NonPublicAddress as exc:
        raise BlockedAddress(
            url,
            f"host resolves to non-public address {exc.address} "
            "(set RATSBLICK_ALLOW_PRIVATE_HOSTS=1 to allow)",
        ) from exc
    except UnresolvableHost as exc:
        raise FetchError(url, f"cannot resolve host: {exc.reason}") from exc


class _VettingBackend(httpcore.SyncBackend):
    """Opens TCP connections only to addresses the guard vetted.

    httpcore hands over the URL's host name; it is resolved here, once, and
    the socket is opened to the vetted address itself. httpcore then starts
    TLS with the host name for SNI and the certificate check.
    """

    def __init__(self, resolver: Resolver, *, allow_private: bool) -> None:
        self._resolver = resolver
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = vetted_addresses(host, self._resolver, allow_private=self._allow_private)
        for address in addresses[:-1]:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        return super().connect_tcp(addresses[-1], port, timeout, local_address, socket_options)


class _VettingTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on a `_VettingBackend`.

    httpx 0.28 takes no network backend, so the pool it builds is replaced
    by an equal one that has ours.
    """

    def __init__(self, backend: httpcore.NetworkBackend, limits: httpx.Limits) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class HostLimiter(Protocol):
    """Bounds the requests in flight to one host (`netloc`).

    The client holds a slot for the whole of each request. The default counts
    the threads of this process; `ratsblick.jobs` shares one count between all
    workers of a deployment (in Redis).
    """

    def slot(self, host: str) -> AbstractContextManager[None]: ...


class ThreadHostLimiter:
    """At most `per_host` requests per host from the threads of this process."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with semaphore:
            yield


class HttpClient:
    """Thread-safe; share one instance between the threads of a sync."""

    def __init__(
        self, config: ClientConfig | None = None, limiter: HostLimiter | None = None
    ) -> None:
        self.config = config or ClientConfig()
        self.limiter = limiter or ThreadHostLimiter(self.config.per_host)
        backend = _VettingBackend(self.config.resolver, allow_private=self.config.allow_private)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        self._client = httpx.Client(
            timeout=self.config.timeout,
            follow_redirects=False,
            headers={"User-Agent": self.config.user_agent, "Accept": "application/json, */*"},
            transport=_VettingTransport(backend, limits),
        )
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _once(self, url: str, max_bytes: int, sink: BinaryIO | None = None) -> Response:
        """One request with redirects followed (each hop checked), body size capped.

        With a `sink`, a successful body is written there (from its start)
        instead of being returned.
        """
        current = url
        for _ in range(self.config.max_redirects + 1):
            check_url(current)
            with (
                self.limiter.slot(urlsplit(current).netloc),
                _refusals_for(current),
                self._client.stream("GET", current) as resp,
            ):
                self.requests += 1
                if resp.status_code in REDIRECT_STATUSES and "location" in resp.headers:
                    current = urljoin(current, resp.headers["location"])
                    continue
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(current, f"larger than {max_bytes} bytes", resp.status_code)
                to_sink = sink is not None and resp.status_code < 300
                if to_sink:
                    assert sink is not None
                    sink.seek(0)
                    sink.truncate()
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(
                            current, f"larger than {max_bytes} bytes", resp.status_code
                        )
                    if to_sink:
                        assert sink is not None
                        sink.write(chunk)
                    else:
                        chunks.append(chunk)
                return Response(current, resp.status_code, resp.headers, b"".join(chunks))
        raise FetchError(url, f"more than {self.config.max_redirects} redirects")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), self.config.backoff_max)
        cap = min(self.config.backoff_max, self.config.backoff * 2**attempt)
        return random.uniform(cap / 2, cap)

    def _with_retries(
        self,
        url: str,
        parse: Callable[[Response], T],
        max_bytes: int,
        sink: BinaryIO | None = None,
    ) -> T:
        last = FetchError(url, "not attempted")
        retry_after: str | None = None
        for attempt in range(self.config.retries + 1):
            if attempt:
                time.sleep(self._delay(attempt - 1, retry_after))
            retry_after = None
            try:
                resp = self._once(url, max_bytes, sink)
            except httpx.TimeoutException as exc:
                last = FetchError(url, f"timed out ({type(exc).__name__})")
                continue
            except httpx.TransportError as exc:
                last = FetchError(url, f"connection failed ({type(exc).__name__}: {exc})")
                continue
            if resp.status in (404, 410):
                raise NotFound(url, f"HTTP {resp.status}", resp.status)
            if resp.status in RETRY_STATUSES:
                last = FetchError(url, f"HTTP {resp.status}", resp.status)
                retry_after = resp.headers.get("retry-after")
                continue
            if resp.status >= 400:
                raise FetchError(url, f"HTTP {resp.status}", resp.status)
            try:
                return parse(resp)
            except InvalidJSON as exc:
                last = exc
        raise last

    def get(self, url: str, *, max_bytes: int | None = None) -> Response:
        return self._with_retries(url, lambda r: r, max_bytes or self.config.max_bytes)

    def download(self, url: str, sink: BinaryIO, *, max_bytes: int | None = None) -> Response:
        """GET a file into `sink` (rewritten on each retry); memory stays small."""
        return self._with_retries(url, lambda r: r, max_bytes or self.config.max_bytes, sink)

    def get_json(self, url: str) -> Any:
        """GET and decode JSON, retrying truncated or garbled bodies.

        `strict=False` accepts raw control characters inside strings, which
        some vendors (CC e-gov ALLRIS) emit unescaped.
        """

        def parse(resp: Response) -> Any:
            try:
                return json.loads(resp.content.decode("utf-8", errors="replace"), strict=False)
            except ValueError as exc:
                raise InvalidJSON(url, f"invalid JSON: {exc}", resp.status) from exc

        return self._with_retries(url, parse, self.config.max_bytes)
