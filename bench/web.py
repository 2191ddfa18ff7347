"""Web benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/web.py [--seconds 20] [--clients 8] [--server waitress|gunicorn]
                                  [--home DIR] [--profile-only]

The demo data (Hürtgenwald and the sample body with its read PDFs, indexed) is
built by `ratsblick demo --no-serve` into a home of its own (`--home` keeps and
reuses it) and served on 127.0.0.1 by the production server in a subprocess:
`ratsblick serve` (waitress, 8 threads) or gunicorn (one worker per core, 4 threads
each). This process drives it with `--clients` keep-alive connections for
`--seconds` per page and prints requests/s, p50 and p99 as a markdown table, with
the load average (other work on the machine skews every figure).

First it profiles search requests in-process with cProfile (the Django test
client through every middleware, no server), to show where a search's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import os
import pstats
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the demo site is shared with the browser tests

from tests.browser.site import REFERENCE, build, environment, main_pages, served  # noqa: E402

COMMON_WORD = "Gemeinde"  # in nearly every Hürtgenwald title
RARE_WORD = "Freiwilligenarbeit"  # once, in a Thurgau protocol of the sample body
GOAL_SEARCH, GOAL_PAGE, GOAL_P99_MS = 100, 200, 100


@dataclass(frozen=True)
class Measured:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    load: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def search_path(words: str) -> str:
    return f"/suche/?q={quote(words)}"


def drive(base: str, name: str, path: str, clients: int, seconds: float) -> Measured:
    """`clients` threads, each on one keep-alive connection, request `path` for `seconds`."""
    address = urlsplit(base)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_line = threading.Barrier(clients + 1)
    stop_at = 0.0

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        start_line.wait()
        while (now := time.perf_counter()) < stop_at:
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
                continue
            latencies[index].append((time.perf_counter() - now) * 1000)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    load = os.getloadavg()[0]
    began = time.perf_counter()
    stop_at = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [ms for per_client in latencies for ms in per_client]
    return Measured(name, path, len(every), sum(errors), elapsed, every, load)


def profile_search(home: Path, words: str, repeat: int) -> str:
    """cProfile of `repeat` search requests through Django (after one to warm up)."""
    os.environ.update(environment(home))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ratsblick.settings"
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    path = search_path(words)
    warm = client.get(path)
    assert warm.status_code == 200, warm
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    per_request = (time.perf_counter() - began) / repeat * 1000
    out = io.StringIO()
    out.write(f"{repeat} × GET {path}: {per_request:.1f} ms each (in-process, profiled)\n")
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def server_command(server: str) -> list[str] | None:
    if server == "waitress":
        return None  # `ratsblick serve`
    workers = str(os.cpu_count() or 2)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return [gunicorn, "-b", "127.0.0.1:{port}", "-w", workers, "--threads", "4",
            "-k", "gthread", "--log-level", "warning", "ratsblick.wsgi:application"]  # fmt: skip


def table(results: list[Measured], clients: int, server: str) -> str:
    lines = [
        f"| page ({server}, {clients} clients) | req/s | p50 ms | p99 ms | errors | load | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        goal = GOAL_SEARCH if r.name.startswith("search") else GOAL_PAGE
        met = r.rate >= goal and r.quantile(0.99) < GOAL_P99_MS
        lines.append(
            f"| {r.name} `{r.path}` | {r.rate:.0f} | {r.quantile(0.5):.1f} | "
            f"{r.quantile(0.99):.1f} | {r.errors} | {r.load:.1f} | "
            f"{'met' if met else 'missed'} (≥ {goal}/s, p99 < {GOAL_P99_MS} ms) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per page")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="waitress")
    parser.add_argument("--home", type=Path, help="build the demo here once and reuse it")
    parser.add_argument("--profile-requests", type=int, default=50)
    parser.add_argument("--profile-only", action="store_true")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="ratsblick-bench-web-"))
    print(f"Demo home: {home} (building it takes a few minutes the first time)", flush=True)
    build(home)
    pages = main_pages(home)
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    print(profile_search(home, COMMON_WORD, args.profile_requests), flush=True)
    if args.profile_only:
        return
    targets = [
        ("start", "/"),
        ("search common", search_path(COMMON_WORD)),
        ("search rare", search_path(RARE_WORD)),
        ("search reference", search_path(REFERENCE)),
        ("paper", pages.paper),
        ("meeting", pages.meeting),
        ("file 48 pages", pages.file),
        ("calendar month", pages.calendar_month),
    ]
    results = []
    with served(home, server_command(args.server)) as base:
        for name, path in targets:
            drive(base, name, path, args.clients, min(2.0, args.seconds))  # warm up
            results.append(drive(base, name, path, args.clients, args.seconds))
            print(f"  {name}: {results[-1].rate:.0f} req/s", flush=True)
    print()
    print(table(results, args.clients, args.server))


if __name__ == "__main__":
    main()
