"""The demo site as a user meets it: built by `ratsblick demo --no-serve` into a
RATSBLICK_HOME of its own, served by the production server in a subprocess.

Shared by the browser tests and `bench/web.py`, so that both measure and click
through the same data and the same pages.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

RATSBLICK = [str(Path(sys.executable).with_name("ratsblick"))]
# The file that says a home was built to the end (a killed build leaves none).
BUILT = "demo-built"
REFERENCE = "159/2006"
TYPO = "Haushlat"  # "Haushalt" with two letters swapped: found nowhere, so it gets a suggestion


def free_port(pair: bool = False) -> int:
    """A loopback port nobody listens on; with `pair`, the next one is free too
    (`ratsblick demo` serves its two replays on a port and the next)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not pair or port == 65535:
            if not pair:
                return port
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


def environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a demo process: its own home on SQLite, nothing else inherited
    that would point it at another database or instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RATSBLICK_")}
    env.pop("DATABASE_URL", None)
    env |= {"RATSBLICK_HOME": str(home)} | extra
    return env


def build(home: Path) -> None:
    """Sync the bundled councils into `home`, read their files and index them (idempotent:
    a home built before is kept)."""
    if (home / BUILT).exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    env = environment(home, RATSBLICK_DEMO_REPLAY_PORT=str(free_port(pair=True)))
    log = home / "demo-build.log"
    with log.open("w") as out:
        done = subprocess.run(
            [*RATSBLICK, "demo", "--no-serve"],
            check=False,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if done.returncode:
        raise RuntimeError(f"ratsblick demo --no-serve failed, see {log}:\n{log.read_text()}")
    (home / BUILT).touch()


@contextmanager
def served(home: Path, command: Sequence[str] | None = None) -> Iterator[str]:
    """The built home served on a free loopback port; yields the base URL ("http://…:port").

    `command` (with `{port}` in it) replaces `ratsblick serve` (waitress), e.g. gunicorn.
    """
    port = free_port()
    argv = (
        [part.format(port=port) for part in command]
        if command
        else [*RATSBLICK, "serve", "--host", "127.0.0.1", "--port", str(port)]
    )
    log = (home / f"serve-{port}.log").open("w")
    process = subprocess.Popen(argv, env=environment(home), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, home / f"serve-{port}.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/robots.txt", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 120 s:\n{log.read_text()}")


@dataclass(frozen=True)
class MainPages:
    """The pages a visitor of the demo reads, as paths (chosen from the data, not guessed)."""

    body: str
    paper: str
    meeting: str
    organization: str
    person: str
    file: str
    calendar_month: str

    def all(self) -> dict[str, str]:
        """Every main page by a short name, the start and search pages included."""
        return {
            "start": "/",
            "body": self.body,
            "search": "/suche/?q=Haushalt",
            "suggestion": f"/suche/?q={TYPO}",
            "paper": self.paper,
            "meeting": self.meeting,
            "organization": self.organization,
            "person": self.person,
            "calendar": self.calendar_month,
            "file": self.file,
        }


def database(home: Path) -> sqlite3.Connection:
    """The built home's database, read-only."""
    return sqlite3.connect(f"file:{home / 'ratsblick.sqlite3'}?mode=ro", uri=True)


def scalar(db: sqlite3.Connection, sql: str, *args: object) -> object:
    """The first value `sql` finds in the demo data (LookupError if none)."""
    row = db.execute(sql, args).fetchone()
    if row is None:
        raise LookupError(f"nothing in the demo data for: {sql}")
    return row[0]


def main_pages(home: Path) -> MainPages:
    """Paper 159/2006, the meeting of its first consultation, that meeting's organization,
    the person with the most memberships, the file with the longest text and the month
    with the most meetings."""
    with closing(database(home)) as db:

        def one(sql: str, *args: object) -> int:
            return int(scalar(db, sql, *args))

        live = "deleted = 0 AND stub = 0"
        paper = one(f"SELECT id FROM council_paper WHERE reference = ? AND {live}", REFERENCE)
        meeting = one(
            "SELECT meeting_id FROM council_consultation WHERE paper_id = ? "
            "AND meeting_id IS NOT NULL ORDER BY id LIMIT 1",
            paper,
        )
        organization = one(
            "SELECT organization_id FROM council_meeting_organizations WHERE meeting_id = ? "
            "ORDER BY organization_id LIMIT 1",
            meeting,
        )
        person = one(
            f"SELECT person_id FROM council_membership WHERE {live} "
            "GROUP BY person_id ORDER BY count(*) DESC, person_id LIMIT 1"
        )
        body = one("SELECT body_id FROM council_paper WHERE id = ?", paper)
        file = one(
            "SELECT v.file_id FROM files_fileversion v JOIN files_extraction e "
            "ON e.blob_id = v.blob_id ORDER BY e.pages DESC, v.file_id LIMIT 1"
        )
        year, month = db.execute(
            f"SELECT strftime('%Y', start), strftime('%m', start) FROM council_meeting "
            f"WHERE {live} AND start IS NOT NULL GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return MainPages(
        body=f"/kommune/{body}/",
        paper=f"/vorlage/{paper}/",
        meeting=f"/sitzung/{meeting}/",
        organization=f"/gremium/{organization}/",
        person=f"/person/{person}/",
        file=f"/datei/{file}/",
        calendar_month=f"/kalender/?jahr={int(year)}&monat={int(month)}",
    )
