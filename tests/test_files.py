"""Fetching and reading every file of a synced body, from a loopback server."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from PIL import Image

from ratsblick.council.models import Body, File, Paper
from ratsblick.council.sync import add_body, sync_body
from ratsblick.extract import ExtractionError, Limits
from ratsblick.extract.sandbox import SandboxedExtractor
from ratsblick.files.models import Blob, Download, Extraction, FileVersion, PaperFacts
from ratsblick.files.pipeline import process_files
from ratsblick.files.storage import blob_path
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.sample import ROOT, SAMPLE_FILES, sample_dataset
from ratsblick.replay.server import ReplayServer

pytestmark = pytest.mark.django_db
HOSTILE = Path(__file__).parent / "fixtures" / "pdf"


@pytest.fixture
def sample(request: pytest.FixtureRequest) -> RecordedDataset:
    """Born-digital papers only (fast), unless a test asks for more."""
    return sample_dataset(getattr(request, "param", (1, 4)))


@pytest.fixture
def server(sample: RecordedDataset) -> Iterator[ReplayServer]:
    with ReplayServer(sample) as replay:
        yield replay


def synced(server: ReplayServer, client: HttpClient) -> Body:
    (body,) = add_body(server.system_url, client)
    sync_body(body, client)
    return body


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
    assert born.page_set.first().footer.endswith("Seite: 1/3")
    # OParl's reference wins over the one printed in the scanned copy
    scanned = PaperFacts.objects.get(paper__reference="FB 02/0131/WP17-S")
    assert scanned.reference == "FB 02/0131/WP17"
    assert scanned.shown()["reference"] == "FB 02/0131/WP17-S"
    assert scanned.consultations[0]["role"] == "Kenntnisnahme"
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


def test_a_changed_file_is_read_again_and_the_old_version_kept(
    sample: RecordedDataset, server: ReplayServer, client: HttpClient
) -> None:
    body = synced(server, client)
    process_files(body, client)
    # The council replaces the protocol: new bytes, a new name in the record.
    url = f"{ROOT}/files/tg_abst.pdf"
    sample.files[url] = SAMPLE_FILES / "tg_mitglieder.pdf"
    paper = sample.lists[f"{ROOT}/body/1/paper"][-1]
    changed = [dict(f, name="Abstimmungsergebnisse (korrigiert)") for f in paper["auxiliaryFile"]]
    sample.change(paper["id"], auxiliaryFile=changed)
    sync_body(body, client)
    counts = process_files(body, client)
    assert counts["fetched"] == 2  # both attachments' records changed
    assert counts["extracted"] == 0  # the new bytes are a known blob
    file = File.objects.get(name="Abstimmungsergebnisse (korrigiert)", file_name="tg_abst.pdf")
    assert FileVersion.objects.filter(file=file).count() == 2
    assert file.versions.first().blob.sha256 != file.versions.last().blob.sha256


def test_unreachable_originals_are_recorded(server: ReplayServer, client: HttpClient) -> None:
    body = synced(server, client)
    server.faults.not_found.add(f"{ROOT}/files/tg_abst.pdf")
    counts = process_files(body, client)
    assert counts["fetch failed"] == 1
    download = Download.objects.get(file__file_name="tg_abst.pdf")
    assert download.status == Download.Status.UNREACHABLE
    assert download.error == "HTTP 404"
    page = Client().get(f"/datei/{download.file_id}/").content.decode()
    assert "Original nicht erreichbar" in page
    # not retried before its back-off has passed
    assert process_files(body, client) == Counter()


def test_hostile_files_end_as_errors_and_the_rest_goes_on(
    sample: RecordedDataset, server: ReplayServer, client: HttpClient
) -> None:
    sample.files[f"{ROOT}/files/tg_abst.pdf"] = HOSTILE / "encrypted.pdf"
    body = synced(server, client)
    counts = process_files(body, client)
    assert counts["extraction failed"] == 1
    assert counts["extracted"] == 4  # born, twocol, and two Thurgau PDFs
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
        assert slow.extract(SAMPLE_FILES / "born.pdf").pages  # a fresh worker goes on


def test_image_files_are_ocrd(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("L", (200, 100), 255).save(buffer, format="TIFF")
    path = tmp_path / "leer.tif"
    path.write_bytes(buffer.getvalue())
    with SandboxedExtractor(timeout=60) as extractor:
        result = extractor.extract(path)
    assert result.mime == "image/tiff"
    assert [p.method for p in result.pages] == ["ocr"]


def test_downloads_stream_to_disk_survive_a_5xx_and_respect_the_size_cap(
    server: ReplayServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    body = synced(server, client)
    server.faults.errors_5xx = 1
    server.faults.only_paths = "/files/born.pdf"
    monkeypatch.setenv("RATSBLICK_FILE_MAX_BYTES", "300000")  # tg_20230816.pdf is larger
    counts = process_files(body, client)
    assert server.faults.errors_5xx == 0
    assert counts["fetched"] == 4
    born = Blob.objects.get(versions__file__file_name="born.pdf")
    assert blob_path(born.sha256).read_bytes() == (SAMPLE_FILES / "born.pdf").read_bytes()
    too_big = Download.objects.get(file__file_name="tg_20230816.pdf")
    assert too_big.status == Download.Status.FAILED
    assert too_big.error == "larger than 300000 bytes"
    assert list((Path(settings.HOME) / "blobs" / "incoming").iterdir()) == []


def test_extract_command_reports_per_body(
    server: ReplayServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSBLICK_ALLOW_PRIVATE_HOSTS", "1")
    synced(server, client)
    out = io.StringIO()
    call_command("extract", stdout=out)
    assert "Beispielstadt (Testdaten): 5 extracted, 2 facts, 5 fetched" in out.getvalue()
    out = io.StringIO()
    call_command("extract", "Beispielstadt (Testdaten)", stdout=out)
    assert "nichts zu tun" in out.getvalue()
