"""Bulk dumps: a synced city and the sample body (files read) dumped, read
back and counted against the database; a failing dump leaves the previous
one served; the data page and the download."""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from pytest_django import DjangoDbBlocker

from ratsblick.council.models import OPARL_MODELS, Body
from ratsblick.dumps import writer
from ratsblick.files.pipeline import process_files
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.sample import sample_dataset
from ratsblick.replay.server import ReplayServer
from ratsblick.replay.synthetic import SyntheticCity
from tests.conftest import FAST
from tests.helpers import command, synced

pytestmark = pytest.mark.django_db

CITY = {"papers": 120, "files": 300, "meetings": 40, "persons": 25, "organizations": 8}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def bodies(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, home: Path
) -> Iterator[tuple[Body, Body]]:
    with django_db_blocker.unblock(), override_settings(HOME=home):
        try:
            with HttpClient(FAST) as client:
                with ReplayServer(SyntheticCity(**CITY)) as server:
                    city = synced(server, client)
                with ReplayServer(sample_dataset((1,))) as server:
                    sample = synced(server, client)
                    process_files(sample, client)
            yield city, sample
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def at_home(home: Path, settings: Any) -> Path:
    settings.HOME = home
    return home


def read(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def expected_counts(body: Body) -> Counter[str]:
    """What a dump of the body must hold: every object but placeholders."""
    return Counter(
        {
            kind.value: model.objects.filter(body=body, stub=False).count()
            for kind, model in OPARL_MODELS.items()
            if kind.value not in ("System", "Body")
        }
    )


def test_dump_reads_back_with_the_counts_of_the_database(
    bodies: tuple[Body, Body], at_home: Path
) -> None:
    city, sample = bodies
    printed = command("dump")
    assert f"kommune-{city.pk}.jsonl.gz" in printed
    assert "ratsblick-alle.jsonl.gz" in printed
    for body in bodies:
        found = read(at_home / "dumps" / f"kommune-{body.pk}.jsonl.gz")
        counts: Counter[str] = Counter(line["type"] for line in found)
        for line in found:
            counts.update(child["type"] for child in line.get("agendaItem", []))
            counts.update(child["type"] for child in line.get("consultation", []))
        expected = expected_counts(body)
        # Agenda items and consultations travel inside their meeting and paper.
        assert +counts == +expected, body
    papers = [
        line
        for line in read(at_home / "dumps" / f"kommune-{city.pk}.jsonl.gz")
        if line["type"] == "Paper"
    ]
    assert all(p["consultation"] and isinstance(p["underDirectionOf"], list) for p in papers)
    files = [
        line
        for line in read(at_home / "dumps" / f"kommune-{sample.pk}.jsonl.gz")
        if line["type"] == "File"
    ]
    assert any(f["storedCopy"] and "Digital" in f["text"] for f in files)
    everything = read(at_home / "dumps" / "ratsblick-alle.jsonl.gz")
    assert len(everything) == sum(
        len(read(at_home / "dumps" / f"kommune-{b.pk}.jsonl.gz")) for b in bodies
    )


def test_a_failing_dump_leaves_the_previous_one(
    bodies: tuple[Body, Body], at_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    city, _ = bodies
    first = writer.dump_body(city.pk)
    before = first.path.read_bytes()
    lines = writer.lines

    def breaks_halfway(body: int) -> Iterator[dict[str, Any]]:
        for number, line in enumerate(lines(body)):
            if number == 100:
                raise OSError("Datenträger voll")
            yield line

    monkeypatch.setattr(writer, "lines", breaks_halfway)
    with pytest.raises(OSError, match="Datenträger voll"):
        writer.dump_body(city.pk)
    assert first.path.read_bytes() == before
    assert [p.name for p in first.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_what_a_killed_dump_left_is_removed_by_the_next(
    bodies: tuple[Body, Body], at_home: Path
) -> None:
    city, _ = bodies
    folder = at_home / "dumps"
    folder.mkdir(exist_ok=True)
    stale = folder / f".kommune-{city.pk}.jsonl.gz.abc123.tmp"
    fresh = folder / f".kommune-{city.pk}.jsonl.gz.def456.tmp"
    for leftover in (stale, fresh):
        leftover.write_bytes(b"half a dump")
    day_and_more = stale.stat().st_mtime - writer.STALE_SECONDS - 60
    os.utime(stale, (day_and_more, day_and_more))
    writer.dump_body(city.pk)
    assert not stale.exists()
    assert fresh.exists()  # perhaps another dump still writing it
    fresh.unlink()


def test_the_data_page_lists_the_dumps_and_serves_them(
    bodies: tuple[Body, Body], at_home: Path
) -> None:
    writer.dump()
    web = Client()
    html = web.get("/daten/").content.decode()
    assert "Offene Daten" in html
    assert 'aria-current="page">Kommunen' not in html  # the data page is no body page
    assert "Alle Kommunen" in html
    for body in bodies:
        assert f'href="/daten/kommune-{body.pk}.jsonl.gz"' in html
        assert body.name in html
    response = web.get("/daten/ratsblick-alle.jsonl.gz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert (
        int(response["Content-Length"])
        == (at_home / "dumps" / "ratsblick-alle.jsonl.gz").stat().st_size
    )
    assert "Last-Modified" in response
    assert web.get("/daten/kommune-999.jsonl.gz").status_code == 404
    assert web.get("/daten/..%2Fsecret_key").status_code == 404
