"""`ratsblick demo --no-serve` as a new user runs it: both bundled councils synced,
their files read (the scan by OCR) and indexed, the pages served.

Checked on the demo home the browser tests click through (built once per run),
so that the suite builds the demo once instead of twice; no browser needed.
"""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from ratsblick.files.models import Download, Extraction
from tests.browser.site import database, scalar

HUERTGENWALD = "Gemeinde Hürtgenwald"
SAMPLES = "Beispielstadt (Testdaten)"


def get(site: str, path: str, **query: str) -> tuple[int, str]:
    url = site + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def db(demo_home: Path) -> Iterator[sqlite3.Connection]:
    with closing(database(demo_home)) as connection:
        yield connection


def test_the_demo_synced_both_councils(db: sqlite3.Connection) -> None:
    bodies = dict(db.execute("SELECT name, id FROM council_body WHERE subscribed"))
    assert set(bodies) == {HUERTGENWALD, SAMPLES}
    papers = "SELECT count(*) FROM council_paper WHERE body_id = ? AND NOT deleted AND NOT stub"
    assert scalar(db, papers, bodies[HUERTGENWALD]) == 2097
    # The crawl has no file bytes: every file ends as "original not reachable".
    downloads = "SELECT count(*) FROM files_download WHERE status = ?"
    assert scalar(db, downloads, Download.Status.UNREACHABLE.value) == 6947
    extractions = "SELECT count(*) FROM files_extraction WHERE status = ?"
    assert scalar(db, extractions, Extraction.Status.OK.value) == 7


def test_the_demo_pages_show_what_was_read(db: sqlite3.Connection, site: str) -> None:
    body = scalar(db, "SELECT id FROM council_body WHERE name = ?", HUERTGENWALD)
    scan = scalar(db, "SELECT id FROM council_file WHERE file_name = 'scan300.pdf'")
    status, page = get(site, f"/datei/{scan}/")
    assert status == 200
    assert "(Texterkennung)" in page
    assert "Unterstützung" in page
    status, html = get(site, f"/kommune/{body}/")
    assert status == 200
    assert '<html lang="de">' in html
    assert "Vorlagen (2097)" in html
    assert "Sitzungen (346)" in html
    assert get(site, f"/kommune/{body}/", vorlagen="42")[0] == 200
    assert HUERTGENWALD in get(site, "/")[1]
    assert get(site, "/kommune/999999/")[0] == 404


def test_the_demo_search_finds_a_word_of_the_scan_on_its_page(
    db: sqlite3.Connection, site: str
) -> None:
    scan = scalar(db, "SELECT id FROM council_file WHERE file_name = 'scan300.pdf'")
    status, results = get(site, "/suche/", q="Unterstützung", typ="datei")
    assert status == 200
    # The best passage of the scan is on its page 2.
    assert f'href="/datei/{scan}/?q=Unterst%C3%BCtzung#seite-2"' in results
    assert "<mark>Unterstützung</mark>" in results
