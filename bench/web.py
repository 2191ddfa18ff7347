"""Web benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/web.py [--seconds 20] [--clients 8] [--server waitress|gunicorn]
                                  [--home DIR] [--profile-only]

The demo data (Hürtgenwald and the sample body with its read PDFs, indexed) is
built by `ratsblick demo --no-serve` into a home of its own (`--home` keeps and
reuses it) and served on 127.0.0.1 by the production server in a subprocess:
gunicorn (one worker per core, 4 threads each; the default) or `ratsblick serve`
(waitress, 8 threads, one process). This process drives it with `--clients`
keep-alive connections for `--seconds` per page and prints requests/s, p50 and
p99 as markdown tables, with the load average (other work on the machine skews
every figure): once with every request rendered (a parameter of its own per
request, so the page cache never answers: the cost of a page nobody asked for
in the last minutes), once with the same page requested again and again (what
the page cache gives a popular page).

First, in-process (the Django test client through every middleware, no
server, each request a URL the page cache has not seen): a cProfile of
search requests, to show where a search's time goes, and the CPU time each
page costs, a figure other work on the machine barely moves.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import itertools
import os
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the demo site is shared with the browser tests

from tests.browser.site import (  # noqa: E402
    BUILT,
    RATSBLICK,
    REFERENCE,
    build,
    environment,
    free_port,
    main_pages,
    served,
)

if TYPE_CHECKING:
    from django.test import Client

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


def drive(
    base: str, name: str, path: str, clients: int, seconds: float, *, fresh: bool = False
) -> Measured:
    """`clients` threads, each on one keep-alive connection, request `path` for `seconds`.

    With `fresh`, each request adds a parameter of its own (`_=n`, which no page
    reads), so that the page cache never answers: every request is rendered.
    """
    address = urlsplit(base)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_line = threading.Barrier(clients + 1)
    stop_at = 0.0

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        start_line.wait()
        while (now := time.perf_counter()) < stop_at:
            target = unseen(path) if fresh else path
            try:
                connection.request("GET", target)
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


def ratsblick(home: Path, *args: str) -> None:
    """A command on `home`, as an operator upgrading it would run it (docs/deploy.md)."""
    subprocess.run(
        [*RATSBLICK, *args],
        env=environment(home, RATSBLICK_ALLOW_PRIVATE_HOSTS="1"),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def upgrade(home: Path) -> None:
    """A home built by an older version gets this one's tables and index (gunicorn does neither)."""
    ratsblick(home, "migrate", "--no-input")
    ratsblick(home, "reindex", "--if-needed")


def build_city(home: Path, papers: int, files: int) -> None:
    """The synthetic city (`ratsblick.replay --synthetic`) synced into `home` and indexed."""
    if (home / BUILT).exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "ratsblick.replay", "--synthetic", "--papers", str(papers),
         "--files", str(files), "--port", str(free_port())],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert server.stdout is not None
    try:
        ratsblick(home, "add-body", server.stdout.readline().strip())
        ratsblick(home, "sync")
    finally:
        server.terminate()
        server.wait()
    ratsblick(home, "reindex")
    (home / BUILT).touch()


def city_pages(home: Path) -> list[tuple[str, str]]:
    """The city's body, a paper with consultations, a meeting with its agenda, a search."""
    with closing(sqlite3.connect(f"file:{home / 'ratsblick.sqlite3'}?mode=ro", uri=True)) as db:
        (body,) = db.execute("SELECT id FROM council_body ORDER BY id LIMIT 1").fetchone()
        (paper,) = db.execute(
            "SELECT paper_id FROM council_consultation GROUP BY paper_id "
            "ORDER BY count(*) DESC, paper_id LIMIT 1"
        ).fetchone()
        (meeting,) = db.execute(
            "SELECT meeting_id FROM council_agendaitem GROUP BY meeting_id "
            "ORDER BY count(*) DESC, meeting_id LIMIT 1"
        ).fetchone()
    return [
        ("start", "/"),
        ("body", f"/kommune/{body}/"),
        ("search common", search_path("Haushalt")),
        ("paper", f"/vorlage/{paper}/"),
        ("meeting", f"/sitzung/{meeting}/"),
        ("calendar month", "/kalender/"),
    ]


def django_client(home: Path) -> Client:
    """The Django test client on the demo home, every middleware, no server."""
    os.environ.update(environment(home))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ratsblick.settings"
    import django

    django.setup()
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1")


_UNSEEN = itertools.count()


def unseen(path: str) -> str:
    """`path` with a parameter no page reads and no request had before, so that the
    page cache has not seen it (what a page costs that nobody asked for lately;
    figures shared by many pages, such as a body's counts, are still made once per
    data version)."""
    return f"{path}{'&' if '?' in path else '?'}_={next(_UNSEEN)}"


def profile_search(client: Client, words: str, repeat: int) -> str:
    """cProfile of `repeat` search requests through Django (after one to warm up)."""
    path = search_path(words)
    warm = client.get(path)
    assert warm.status_code == 200, warm
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        client.get(unseen(path))
    profiler.disable()
    per_request = (time.perf_counter() - began) / repeat * 1000
    out = io.StringIO()
    out.write(f"{repeat} × GET {path}: {per_request:.1f} ms each (in-process, profiled)\n")
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def cpu_costs(client: Client, targets: list[tuple[str, str]], repeat: int) -> str:
    """CPU time one rendering of each page costs (the process's, its threads included).

    Other work on the machine barely moves this figure, unlike requests/s; two
    cores serve at most 2000 / (ms per page) renderings per second.
    """
    lines = [
        "| page, rendered in-process | CPU ms | wall ms | at most req/s on 2 cores |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, path in targets:
        assert client.get(path).status_code == 200, path
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(repeat):
            client.get(unseen(path))
        cpu_ms = (time.process_time() - cpu) / repeat * 1000
        wall_ms = (time.perf_counter() - wall) / repeat * 1000
        lines.append(f"| {name} `{path}` | {cpu_ms:.1f} | {wall_ms:.1f} | {2000 / cpu_ms:.0f} |")
    return "\n".join(lines)


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
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="gunicorn")
    parser.add_argument("--home", type=Path, help="build the demo here once and reuse it")
    parser.add_argument("--profile-requests", type=int, default=50)
    parser.add_argument("--profile-only", action="store_true", help="profile and CPU costs only")
    parser.add_argument(
        "--city",
        type=int,
        metavar="PAPERS",
        help="instead of the demo: the synthetic city with this many papers (3 files each), "
        "CPU cost per page only",
    )
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="ratsblick-bench-web-"))
    if args.city:
        print(f"City home: {home} ({args.city} papers; built once)", flush=True)
        build_city(home, args.city, args.city * 3)
        upgrade(home)
        print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
        client = django_client(home)
        print(cpu_costs(client, city_pages(home), max(5, args.profile_requests // 5)))
        return
    print(f"Demo home: {home} (building it takes a few minutes the first time)", flush=True)
    build(home)
    upgrade(home)
    pages = main_pages(home)
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
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    client = django_client(home)
    print(profile_search(client, COMMON_WORD, args.profile_requests), flush=True)
    print(cpu_costs(client, targets, max(5, args.profile_requests // 5)), flush=True)
    if args.profile_only:
        return
    for fresh, title in ((True, "every request rendered"), (False, "repeated pages (page cache)")):
        results = []
        with served(home, server_command(args.server)) as base:
            for name, path in targets:
                drive(base, name, path, args.clients, min(2.0, args.seconds), fresh=fresh)  # warm
                results.append(drive(base, name, path, args.clients, args.seconds, fresh=fresh))
                print(f"  {name}: {results[-1].rate:.0f} req/s", flush=True)
        print(f"\n{title}:\n{table(results, args.clients, args.server)}\n", flush=True)


if __name__ == "__main__":
    main()
