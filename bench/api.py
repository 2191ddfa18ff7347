"""API benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/api.py [--seconds 20] [--clients 8] [--server waitress|gunicorn]
                                  [--home DIR]

The demo home of `bench/web.py` (built once by `ratsblick demo --no-serve`,
`--home` reuses it) served by the production server in a subprocess, with the
API's rate limit lifted for the run (one benchmark client is one address).
`--clients` keep-alive connections request each API path for `--seconds` and
the requests/s, p50 and p99 are printed as a markdown table with the load
average (the machine is shared; other work skews every figure).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web import COMMON_WORD, RARE_WORD, Measured, drive, server_command  # noqa: E402
from tests.browser.site import RATSBLICK, REFERENCE, build, served  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per request path")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="waitress")
    parser.add_argument("--home", type=Path, help="build the demo here once and reuse it")
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
        for name, path in targets(base):
            drive(base, name, path, args.clients, min(2.0, args.seconds))  # warm up
            results.append(drive(base, name, path, args.clients, args.seconds))
            print(f"  {name}: {results[-1].rate:.0f} req/s", flush=True)
    print()
    print(table(results, args.clients, args.server))


if __name__ == "__main__":
    main()
