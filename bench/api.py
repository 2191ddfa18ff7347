"""API benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/api.py [--seconds 20] [--clients 8] [--server waitress|gunicorn]
                                  [--home DIR]

The demo home of `bench/web.py` (built once by `ratsblick demo --no-serve`,
`--home` reuses it) served by the production server in a subprocess, with the
API's rate limit lifted for the run (one benchmark client is one address).
`--clients` keep-alive connections request each API path for `--seconds` and
the requests/s, p50 and p99 are printed as a markdown table with the load
average (the machine is shared; other work skews every figure).

Then the CPU time each request costs in-process (Django's test client through
every middleware, `time.process_time`): less skewed by other work on the
machine than wall time, and the rate the cores could serve at most.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web import COMMON_WORD, RARE_WORD, Measured, drive, server_command  # noqa: E402
from tests.browser.site import RATSBLICK, REFERENCE, build, environment, served  # noqa: E402

GOAL_SEARCH, GOAL_LIST = 100, 150


def targets(base: str) -> list[tuple[str, str]]:
    """The paths to drive: searches, the lists of the largest body, single objects."""
    with urllib.request.urlopen(f"{base}/api/v1/bodies") as answer:
        bodies = json.load(answer)
    body = max(bodies, key=lambda b: b["counts"]["papers"])["id"]
    with urllib.request.urlopen(f"{base}/api/v1/bodies/{body}/papers?limit=1") as answer:
        paper = json.load(answer)["items"][0]["id"]
    return [
        ("search common", f"/api/v1/search?q={quote(COMMON_WORD)}"),
        ("search common, no snippets", f"/api/v1/search?q={quote(COMMON_WORD)}&snippets=false"),
        ("search rare", f"/api/v1/search?q={quote(RARE_WORD)}"),
        ("search reference", f"/api/v1/search?q={quote(REFERENCE)}"),
        ("list papers (50)", f"/api/v1/bodies/{body}/papers"),
        ("list meetings (50)", f"/api/v1/bodies/{body}/meetings"),
        ("list files (50)", f"/api/v1/bodies/{body}/files"),
        ("bodies", "/api/v1/bodies"),
        ("paper by id", f"/api/v1/papers/{paper}"),
    ]


def table(results: list[Measured], clients: int, server: str) -> str:
    lines = [
        f"| API request ({server}, {clients} clients) | req/s | p50 ms | p99 ms | errors | load "
        "| goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        goal = GOAL_SEARCH if r.name.startswith("search") else GOAL_LIST
        lines.append(
            f"| {r.name} `{r.path}` | {r.rate:.0f} | {r.quantile(0.5):.1f} | "
            f"{r.quantile(0.99):.1f} | {r.errors} | {r.load:.1f} | "
            f"{'met' if r.rate >= goal else 'missed'} (≥ {goal}/s) |"
        )
    return "\n".join(lines)


def cpu_per_request(home: Path, paths: list[tuple[str, str]], repeat: int) -> str:
    """CPU milliseconds per request in this process (after one to warm up), as a table."""
    os.environ.update(environment(home, RATSBLICK_API_RATE="100000000/s"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ratsblick.settings"
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    cores = os.cpu_count() or 1
    lines = [
        f"| API request (in-process, {repeat}×) | CPU ms each | at most req/s on {cores} cores |",
        "| --- | ---: | ---: |",
    ]
    for name, path in paths:
        assert client.get(path).status_code == 200, path
        began = time.process_time()
        for _ in range(repeat):
            client.get(path)
        each = (time.process_time() - began) / repeat * 1000
        lines.append(f"| {name} | {each:.1f} | {cores * 1000 / each:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per request path")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="waitress")
    parser.add_argument("--home", type=Path, help="build the demo here once and reuse it")
    parser.add_argument("--cpu-requests", type=int, default=50, help="per path, in-process")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="ratsblick-bench-api-"))
    print(f"Demo home: {home} (building it takes a few minutes the first time)", flush=True)
    build(home)
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    # `served` passes on no RATSBLICK_* setting of ours: the command sets the rate itself.
    server = server_command(args.server) or [
        *RATSBLICK, "serve", "--host", "127.0.0.1", "--port", "{port}"
    ]  # fmt: skip
    results = []
    with served(home, ["env", "RATSBLICK_API_RATE=100000000/s", *server]) as base:
        paths = targets(base)
        for name, path in paths:
            drive(base, name, path, args.clients, min(2.0, args.seconds))  # warm up
            results.append(drive(base, name, path, args.clients, args.seconds))
            print(f"  {name}: {results[-1].rate:.0f} req/s", flush=True)
    print()
    print(table(results, args.clients, args.server))
    print()
    print(cpu_per_request(home, paths, args.cpu_requests))
    print(f"Load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
