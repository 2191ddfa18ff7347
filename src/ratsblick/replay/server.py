"""A real HTTP server on loopback that serves a dataset as an OParl API.

It paginates, filters by `modified_since`, answers 404 for missing objects,
and can misbehave on demand like real council servers do (`Faults`).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ratsblick.replay.dataset import Dataset, parse_time

PAGE_SIZE = 25


@dataclass
class Faults:
    """Switchable misbehaviour. Counters count down once per request hit."""

    latency: float = 0.0  # seconds added to every response
    errors_5xx: int = 0  # the next N requests answer 500
    hangs: int = 0  # the next N requests stall for `hang_seconds`
    hang_seconds: float = 5.0
    broken_json: int = 0  # the next N JSON bodies are cut in half
    ignore_modified_since: bool = False
    drop_modified_since: bool = False  # next links lose the filter
    loop_at_page: int | None = None  # this page's next link points to page 1
    loop_fresh_urls: bool = False  # … under a URL never seen before
    not_found: set[str] = field(default_factory=set)  # object URLs answering 404
    empty_list_404: bool = False  # Sternberg: 404 with an error instead of []
    reject_encoded_query: bool = False  # SessionNet: 404 for %-encoded queries
    control_characters: bool = False  # ALLRIS: a raw tab opens every name
    only_paths: str = ""  # counters apply only to paths containing this
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, name: str, path: str) -> bool:
        """Consume one unit of a counted fault if it applies to `path`."""
        if self.only_paths and self.only_paths not in path:
            return False
        with self._lock:
            left: int = getattr(self, name)
            if left > 0:
                setattr(self, name, left - 1)
                return True
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (its timeout on a hang, a killed sync) is no fault of
        the server's: no traceback in the test output for it."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ReplayServer:
    """`with ReplayServer(dataset) as server:` serves at `server.base`."""

    def __init__(
        self,
        dataset: Dataset,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
    ) -> None:
        self.dataset = dataset
        self.faults = faults or Faults()
        self.requests = 0
        handler = type("Handler", (_Handler,), {"replay": self})
        self.httpd = _Server((host, port), handler)
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        api = urlsplit(dataset.api_root)
        self.root = self.base + api.path
        self._origin = f"{api.scheme}://{api.netloc}"
        self._thread: threading.Thread | None = None

    def url(self, original: str) -> str:
        """The served address of a URL in the dataset."""
        return original.replace(self.dataset.api_root, self.root, 1)

    @property
    def system_url(self) -> str:
        return self.url(self.dataset.system_url())

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def original(self, raw_path: str) -> str:
        """The dataset's URL for a request path (query dropped)."""
        return self._origin + urlsplit(raw_path).path

    def answer(self, raw_path: str) -> tuple[int, Any]:
        """Status and JSON body for a request path (with query)."""
        faults = self.faults
        parts = urlsplit(raw_path)
        if faults.reject_encoded_query and "%" in parts.query:
            return 404, {"error": "Not Found"}  # as Wuppertal's SessionNet answers
        url = self.original(raw_path)
        if self.dataset.is_list(url):
            return self._list(url, parse_qs(parts.query))
        obj = None if url in faults.not_found else self.dataset.lookup(url)
        if obj is None:
            return 404, {"error": "Not Found", "message": f"{parts.path} does not exist"}
        return 200, obj

    def _list(self, url: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        faults = self.faults
        page = max(1, int((query.get("page") or ["1"])[0] or 1))
        since_text = (query.get("modified_since") or [""])[0]
        since: datetime | None = None
        if since_text and not faults.ignore_modified_since:
            since = parse_time(since_text)
        start = (page - 1) * PAGE_SIZE
        chunk = self.dataset.list_slice(url, start, start + PAGE_SIZE, since)
        if faults.empty_list_404 and chunk.total == 0:
            return 404, {"error": "Keine Daten gefunden"}
        pages = max(1, -(-chunk.total // PAGE_SIZE))
        keep = ""
        if since_text and not faults.drop_modified_since:
            keep = f"&modified_since={quote(since_text, safe=':')}"

        def link(n: int) -> str:
            return f"{url}?page={n}{keep}"

        links = {"first": link(1), "self": link(page), "last": link(pages)}
        if faults.loop_at_page == page:
            links["next"] = link(1) + (f"&visit={self.requests}" if faults.loop_fresh_urls else "")
        elif page < pages:
            links["next"] = link(page + 1)
        body = {
            "data": chunk.items,
            "pagination": {
                "totalElements": chunk.total,
                "elementsPerPage": PAGE_SIZE,
                "currentPage": page,
                "totalPages": pages,
            },
            "links": links,
        }
        return 200, body


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "RatsblickReplay/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and benchmarks make thousands of requests."""

    def do_GET(self) -> None:
        replay = self.replay
        faults = replay.faults
        replay.requests += 1
        if faults.latency:
            time.sleep(faults.latency)
        path = self.path
        if faults.take("hangs", path):
            time.sleep(faults.hang_seconds)
        if faults.take("errors_5xx", path):
            self._send(500, b'{"error": "Internal Server Error"}')
            return
        original = replay.original(path)
        content = None if original in faults.not_found else replay.dataset.file_bytes(original)
        if content is not None:
            self._send(200, content, "application/pdf")
            return
        status, payload = replay.answer(path)
        text = json.dumps(payload, ensure_ascii=False).replace(replay.dataset.api_root, replay.root)
        if faults.control_characters:
            text = text.replace('"name": "', '"name": "\t')
        body = text.encode()
        if faults.take("broken_json", path):
            body = body[: len(body) // 2]
        self._send(status, body)

    def _send(
        self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8"
    ) -> None:
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
