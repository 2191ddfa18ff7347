"""Fetching and reading every file of a synced body, from a loopback server."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import time_machine
from django.test import Client
from PIL import Image

from ratsblick.council.models import Body, File, Paper
from ratsblick.council.sync import sync_body
from ratsblick.extract import ExtractionError, Limits
from ratsblick.extract.sandbox import SandboxedExtractor
from ratsblick.files.models import Blob, Download, Extraction, FileVersion, PaperFacts
from ratsblick.files.pipeline import RETRY_BASE, process_files
from ratsblick.files.storage import blob_path
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.sample import ROOT, SAMPLE_FILES, sample_dataset
from ratsblick.replay.server import ReplayServer
from tests.helpers import HOSTILE, backdate_syncs, command, printed_lines, synced

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(request: pytest.FixtureRequest) -> RecordedDataset:
    """Born-digital papers only (fast), unless a test asks for more."""
    return sample_dataset(getattr(request, "param", (1, 4)))


@pytest.fixture
def server(sample: RecordedDataset) -> Iterator[ReplayServer]:
    with ReplayServer(sample) as replay:
        yield replay


@pytest.mark.parametrize("sample", [(1, 2, 3, 4)], indirect=True)
def test_every_file_is_fetched_once_and_read(server: ReplayServer, client: HttpClient) -> None:
    body = synced(server, client)
    counts = process_files(body, client)
    assert File.objects.filter(body=body).count() == 8
    assert counts == Counter({"fetched": 8, "extracted": 7, "facts": 4})
    assert Blob.objects.count() == 7  # the attachment of two papers is stored once
    assert Download.objects.filter(status=Download.Status.OK).count() == 8
    assert Extraction.objects.filter(status=Extraction.Status.OK).count() == 7
    scan = Extraction.objects.get(blob__versions__file__file_name="scan300.pdf")
    assert scan.ocr_pages == 3
    assert "Unterstützung" in scan.text
    born = Extraction.objects.get(blob__versions__file__file_name="born.pdf")
    assert born.ocr_pages == 0
    assert "¬" not in born.text
    assert "Ausdruck vom" not in born.text  # footers kept apart
    assert born.page_set.first().footer == (
        "Vorlage FB 02/0131/WP17 der Stadt Aachen, Ausdruck vom: 29.03.2018 Seite: 1/3"
    )
    # OParl's reference wins over the one printed in the scanned copy
    scanned = PaperFacts.objects.get(paper__reference="FB 02/0131/WP17-S")
    assert scanned.reference == "FB 02/0131/WP17"
    assert scanned.shown()["reference"] == "FB 02/0131/WP17-S"
    assert scanned.consultations == [
        {
            "date": "2018-04-11",
            "body": "Ausschuss für Arbeit, Wirtschaft und Wissenschaft",
            "role": "Kenntnisnahme",
        }
    ]
    # every paper's text was looked at once; the Thurgau protocol states no facts
    thurgau = PaperFacts.objects.get(paper__reference="20/MO 34/343")
    assert (thurgau.reference, thurgau.consultations, thurgau.resolution_proposal) == ("", [], "")
    # the page a user sees
    page = Client().get(f"/datei/{born.blob.versions.first().file_id}/").content.decode()
    assert "Eckdaten der Vorlage" in page
    assert "Beschlussvorschlag" in page
    assert "Seite 3" in page
    assert "Bürger-Portalen" in page
    assert "FB 02/0131/WP17" in page


def test_a_rerun_does_no_repeated_work(server: ReplayServer, client: HttpClient) -> None:
    body = synced(server, client)
    process_files(body, client)
    requests = server.requests
    assert process_files(body, client) == Counter()
    assert server.requests == requests


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def replaced_at_the_council(
    sample: RecordedDataset, body: Body, client: HttpClient, content: Path, name: str
) -> Counter[str]:
    """The council serves `content` as the Thurgau protocol under a new `name`
    (both attachments' records change); synced and processed again."""
    sample.files[f"{ROOT}/files/tg_abst.pdf"] = content
    paper = sample.lists[f"{ROOT}/body/1/paper"][-1]
    changed = [dict(f, name=name) for f in paper["auxiliaryFile"]]
    backdate_syncs(body)  # the change is stamped now: newer than the watermark
    sample.change(paper["id"], auxiliaryFile=changed)
    sync_body(body, client, margin=timedelta(0))
    return process_files(body, client)


def versions_of(name: str) -> list[str]:
    file = File.objects.get(name=name, file_name="tg_abst.pdf")
    return [v.blob.sha256 for v in FileVersion.objects.filter(file=file).order_by("pk")]


@pytest.mark.clock
def test_a_changed_file_is_read_again_and_the_old_version_kept(
    sample: RecordedDataset, server: ReplayServer, client: HttpClient
) -> None:
    body = synced(server, client)
    process_files(body, client)
    name = "Abstimmungsergebnisse (korrigiert)"
    counts = replaced_at_the_council(sample, body, client, SAMPLE_FILES / "tg_mitglieder.pdf", name)
    # the new bytes are a known blob: nothing to read
    assert counts == Counter({"fetched": 2})
    original, replaced = (
        sha256(SAMPLE_FILES / "tg_abst.pdf"),
        sha256(SAMPLE_FILES / "tg_mitglieder.pdf"),
    )
    assert versions_of(name) == [original, replaced]


@pytest.mark.clock
def test_a_file_restored_at_the_council_is_a_new_version_and_shown_again(
    sample: RecordedDataset, server: ReplayServer, client: HttpClient
) -> None:
    body = synced(server, client)
    process_files(body, client)
    replaced_at_the_council(sample, body, client, SAMPLE_FILES / "tg_mitglieder.pdf", "Ersetzt")
    replaced_at_the_council(sample, body, client, SAMPLE_FILES / "tg_abst.pdf", "Wiederhergestellt")
    original, replaced = (
        sha256(SAMPLE_FILES / "tg_abst.pdf"),
        sha256(SAMPLE_FILES / "tg_mitglieder.pdf"),
    )
    assert versions_of("Wiederhergestellt") == [original, replaced, original]
    file = File.objects.get(name="Wiederhergestellt", file_name="tg_abst.pdf")
    page = Client().get(f"/datei/{file.pk}/").content.decode()
    words = {
        sha: set(Extraction.objects.get(blob__sha256=sha).text.split())
        for sha in (original, replaced)
    }
    assert max(words[original] - words[replaced], key=len) in page
    assert max(words[replaced] - words[original], key=len) not in page
    # the same content fetched again (only the record changed) adds no version
    replaced_at_the_council(sample, body, client, SAMPLE_FILES / "tg_abst.pdf", "Umbenannt")
    assert versions_of("Umbenannt") == [original, replaced, original]


@pytest.mark.clock
def test_unreachable_originals_are_recorded_and_tried_again_later(
    server: ReplayServer, client: HttpClient
) -> None:
    body = synced(server, client)
    server.faults.not_found.add(f"{ROOT}/files/tg_abst.pdf")
    counts = process_files(body, client)
    assert counts == Counter({"fetched": 4, "extracted": 4, "facts": 2, "fetch failed": 1})
    download = Download.objects.get(file__file_name="tg_abst.pdf")
    assert (download.status, download.error, download.attempts) == (
        Download.Status.UNREACHABLE,
        "HTTP 404",
        1,
    )
    assert download.retry_at == download.attempted_at + RETRY_BASE
    page = Client().get(f"/datei/{download.file_id}/").content.decode()
    assert "Original nicht erreichbar" in page
    # not retried before its back-off has passed, then once more, twice as late
    with time_machine.travel(RETRY_BASE - timedelta(minutes=1)):
        assert process_files(body, client) == Counter()
    with time_machine.travel(RETRY_BASE + timedelta(minutes=1)):
        assert process_files(body, client) == Counter({"fetch failed": 1})
    download.refresh_from_db()
    assert download.attempts == 2
    assert download.retry_at == download.attempted_at + 2 * RETRY_BASE


def test_hostile_files_end_as_errors_and_the_rest_goes_on(
    sample: RecordedDataset, server: ReplayServer, client: HttpClient
) -> None:
    sample.files[f"{ROOT}/files/tg_abst.pdf"] = HOSTILE / "encrypted.pdf"
    body = synced(server, client)
    counts = process_files(body, client)
    # extracted: born, twocol, and two Thurgau PDFs
    assert counts == Counter({"fetched": 5, "extracted": 4, "extraction failed": 1, "facts": 2})
    failed = Extraction.objects.get(status=Extraction.Status.FAILED)
    assert failed.error == "PDF ist passwortgeschützt"
    assert Paper.objects.filter(deleted=False).count() == 2


def test_the_sandbox_kills_hangs_and_survives_memory_exhaustion(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    Image.new("RGB", (12000, 12000), "white").save(big)  # small file, 432 MB decoded
    extractor = SandboxedExtractor(timeout=60, memory=400 << 20, limits=Limits(max_pixels=10**9))
    with extractor, pytest.raises(ExtractionError, match="Speicherlimit"):
        extractor.extract(big)
    slow = SandboxedExtractor(timeout=0.5)
    with slow:
        with pytest.raises(ExtractionError, match="länger als"):
            slow.extract(SAMPLE_FILES / "scan300.pdf")  # OCR takes seconds
        slow.timeout = 60
        assert len(slow.extract(SAMPLE_FILES / "born.pdf").pages) == 3  # a fresh worker goes on


def test_image_files_are_ocrd(tmp_path: Path) -> None:
    # A page of the Aachen paper, as a council's scanner would send it.
    page = pdfium.PdfDocument(SAMPLE_FILES / "born.pdf")[0]
    path = tmp_path / "scan.tif"
    page.render(scale=300 / 72, grayscale=True).to_pil().save(path, format="TIFF")
    with SandboxedExtractor(timeout=120) as extractor:
        result = extractor.extract(path)
    assert result.mime == "image/tiff"
    assert [p.method for p in result.pages] == ["ocr"]
    form = (
        "Vorlage-Nr: FB 02/0131/WP17\nStatus: öffentlich\nAZ:\nDatum: 26.03.2018\nVerfasser: FB 02"
    )
    assert form in result.pages[0].text


def test_downloads_stream_to_disk_survive_a_5xx_and_respect_the_size_cap(
    server: ReplayServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    body = synced(server, client)
    server.faults.errors_5xx = 1
    server.faults.only_paths = "/files/born.pdf"
    monkeypatch.setenv("RATSBLICK_FILE_MAX_BYTES", "300000")  # tg_20230816.pdf is larger
    counts = process_files(body, client)
    assert server.faults.errors_5xx == 0
    assert counts == Counter({"fetched": 4, "fetch failed": 1, "extracted": 4, "facts": 1})
    born = Blob.objects.get(versions__file__file_name="born.pdf")
    assert blob_path(born.sha256).read_bytes() == (SAMPLE_FILES / "born.pdf").read_bytes()
    too_big = Download.objects.get(file__file_name="tg_20230816.pdf")
    assert too_big.status == Download.Status.FAILED
    assert too_big.error == "larger than 300000 bytes"
    assert list((Path(settings.HOME) / "blobs" / "incoming").iterdir()) == []


@pytest.mark.usefixtures("loopback_commands")
def test_extract_command_reports_per_body(server: ReplayServer, client: HttpClient) -> None:
    synced(server, client)
    assert printed_lines(command("extract")) == [
        "Beispielstadt (Testdaten): 5 extracted, 2 facts, 5 fetched (… s)",
        "Suchindex: 8 geschrieben, 0 entfernt (0 Änderungen, … s).",
    ]
    assert printed_lines(command("extract", "Beispielstadt (Testdaten)")) == [
        "Beispielstadt (Testdaten): nichts zu tun (… s)",
        "Suchindex: 0 geschrieben, 0 entfernt (0 Änderungen, … s).",
    ]
