"""Files that cost minutes, and extraction workers that outlive their parent.

Each fault goes through the real path: real worker processes, real signals,
files built here with the libraries that read them.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from ratsblick.extract import ExtractionError, Limits, OcrEngine, extract
from ratsblick.extract.blank import BLANK_NOTE
from ratsblick.extract.result import ReadMethod
from ratsblick.extract.sandbox import SandboxedExtractor, WorkerSettings
from ratsblick.extract.sniff import ODT
from ratsblick.replay.sample import SAMPLE_FILES

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
POINTS_PER_INCH = 72
SCAN_DPI = 300


@pytest.fixture(scope="module")
def ocr() -> OcrEngine:
    return OcrEngine()


# --- office XML: linear, depth capped, entities refused anywhere ---


def docx(document_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def docx_body(body: str) -> bytes:
    return docx(f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')


def odt_body(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODT)
        archive.writestr(
            "content.xml",
            "<office:document-content"
            ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>",
        )
    return buffer.getvalue()


def test_a_docx_of_200000_nested_paragraphs_is_refused_at_once() -> None:
    data = docx_body("<w:p>" * 200_000 + "<w:r><w:t>x</w:t></w:r>" + "</w:p>" * 200_000)
    assert len(data) < 4000  # a few KB that used to take minutes
    with pytest.raises(ExtractionError, match="zu tief verschachtelt"):
        extract(data)


def test_an_odt_of_200000_nested_paragraphs_is_refused_at_once() -> None:
    data = odt_body("<text:p>" * 200_000 + "x" + "</text:p>" * 200_000)
    with pytest.raises(ExtractionError, match="zu tief verschachtelt"):
        extract(data)


def test_nested_paragraphs_below_the_cap_each_keep_their_own_text() -> None:
    depth = 500
    body = "".join(f"<w:p><w:r><w:t>Ebene {level}</w:t></w:r>" for level in range(depth))
    assert extract(docx_body(body + "</w:p>" * depth)).text == "\n\n".join(
        f"Ebene {level}" for level in range(depth)
    )


def test_text_after_a_nested_paragraph_stays_with_its_own() -> None:
    word = docx_body(
        "<w:p><w:r><w:t>Vorlage </w:t></w:r>"
        "<w:p><w:r><w:t>Textfeld</w:t></w:r></w:p>"
        "<w:r><w:t>Radweg</w:t></w:r><w:r><w:instrText>PAGE</w:instrText></w:r></w:p>"
    )
    assert extract(word).text == "Vorlage Radweg\n\nTextfeld"
    document = odt_body(
        "<text:p>Antrag <text:span>der Fraktion</text:span>"
        "<text:note><text:note-body><text:p>Fußnote</text:p></text:note-body></text:note>"
        " zum Haushalt</text:p>"
    )
    assert extract(document).text == "Antrag der Fraktion zum Haushalt\n\nFußnote"


def test_an_entity_declared_after_a_long_preamble_is_refused() -> None:
    """The declaration may stand anywhere before the root, not only in the first 4 KB."""
    data = docx(
        '<?xml version="1.0"?><!--' + "x" * 10_000 + '--><!DOCTYPE w:document [<!ENTITY a "aa">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    with pytest.raises(ExtractionError, match="XML-Entitäten"):
        extract(data)


def test_broken_xml_is_a_readable_error() -> None:
    with pytest.raises(ExtractionError, match="Dokument nicht lesbar"):
        extract(docx_body("<w:p><w:r><w:t>offen</w:r></w:p>"))


# --- blank pages are not OCR'd; sparse real pages are ---


def pdf_bytes(pdf: pdfium.PdfDocument) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def scanned_pdf(images: list[Image.Image]) -> bytes:
    """One A4 page per image, the image filling the page like a scan."""
    pdf = pdfium.PdfDocument.new()
    for image in images:
        width, height = (side * POINTS_PER_INCH / SCAN_DPI for side in image.size)
        page = pdf.new_page(width, height)
        picture = pdfium.PdfImage.new(pdf)
        picture.set_bitmap(pdfium.PdfBitmap.from_pil(image))
        picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(picture)
        page.gen_content()
    return pdf_bytes(pdf)


A4_AT_300_DPI = (2480, 3508)


def empty_scan(seed: int = 1) -> Image.Image:
    """Grey paper with sensor noise and a few specks of dust, as a scanner delivers it."""
    rng = np.random.default_rng(seed)
    width, height = A4_AT_300_DPI
    paper = rng.normal(240, 6, (height, width))
    paper[rng.integers(0, height, 300), rng.integers(0, width, 300)] = 30  # dust
    return Image.fromarray(paper.clip(0, 255).astype(np.uint8))


def signature_scan() -> Image.Image:
    page = empty_scan()
    pen = ImageDraw.Draw(page)
    stroke = [(1400 + 3 * i, 2600 + int(40 * np.sin(i / 9)) + i // 5) for i in range(200)]
    pen.line(stroke, fill=40, width=3)
    return page


def one_line_scan() -> Image.Image:
    """The first printed line of the sample paper, alone on an empty scan."""
    source = pdfium.PdfDocument(SAMPLE_FILES / "born.pdf")[0]
    printed = source.render(scale=SCAN_DPI / POINTS_PER_INCH, grayscale=True).to_pil()
    ink_rows = np.flatnonzero((np.asarray(printed) < 128).any(axis=1))
    top = bottom = int(ink_rows[0])
    while bottom + 1 in ink_rows:
        bottom += 1
    page = np.asarray(empty_scan()).copy()
    line = np.asarray(printed.crop((0, top - 10, page.shape[1], bottom + 10)))
    page[1200 : 1200 + line.shape[0]] = np.minimum(page[1200 : 1200 + line.shape[0]], line)
    return Image.fromarray(page)


def test_2000_blank_pages_are_skipped_in_the_sandbox(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    for _ in range(2000):
        pdf.new_page(595, 842)
    path = tmp_path / "leer.pdf"
    path.write_bytes(pdf_bytes(pdf))
    with SandboxedExtractor() as sandbox:
        result = sandbox.extract(path)
    assert len(result.pages) == 2000
    assert {page.method for page in result.pages} == {ReadMethod.NONE}
    assert {page.note for page in result.pages} == {f"no text layer; {BLANK_NOTE}"}
    assert result.text == ""


def test_an_empty_noisy_scan_is_blank(ocr: OcrEngine) -> None:
    result = extract(scanned_pdf([empty_scan()]), ocr)
    assert [(p.method, p.note, p.text) for p in result.pages] == [
        (ReadMethod.NONE, f"no text layer; {BLANK_NOTE}", "")
    ]


def test_a_signature_page_and_a_one_line_page_are_read(ocr: OcrEngine) -> None:
    result = extract(scanned_pdf([signature_scan(), one_line_scan(), empty_scan(2)]), ocr)
    assert [p.method for p in result.pages] == [ReadMethod.OCR, ReadMethod.OCR, ReadMethod.NONE]
    assert "Aachen" in result.pages[1].text


def test_blank_frames_of_a_tiff_are_skipped(ocr: OcrEngine) -> None:
    tiff = io.BytesIO()
    first, *rest = [empty_scan(), one_line_scan()]
    first.save(tiff, format="TIFF", save_all=True, append_images=rest)
    result = extract(tiff.getvalue(), ocr)
    assert [(p.method, p.note) for p in result.pages] == [
        (ReadMethod.NONE, BLANK_NOTE),
        (ReadMethod.OCR, ""),
    ]
    assert "Aachen" in result.pages[1].text


# --- workers end with their parent and carry their own CPU limit ---

PARENT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ratsblick.extract import ExtractionError
    from ratsblick.extract.sandbox import SandboxedExtractor

    try:
        SandboxedExtractor(timeout=float(sys.argv[2])).extract(Path(sys.argv[1]))
    except ExtractionError as exc:
        print(exc, flush=True)
    """
)


@pytest.fixture(scope="module")
def slow_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """15 scanned pages: about 20 s of OCR."""
    source = pdfium.PdfDocument(SAMPLE_FILES / "scan300.pdf")
    pdf = pdfium.PdfDocument.new()
    for _ in range(5):
        pdf.import_pages(source)
    path = tmp_path_factory.mktemp("slow") / "scan.pdf"
    path.write_bytes(pdf_bytes(pdf))
    return path


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name; None when it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return text.rpartition(")")[2].split()


def _gone(pid: int) -> bool:
    fields = _stat(pid)
    return fields is None or fields[0] in ("Z", "X")  # a zombie nobody reaped has ended


def _cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    assert fields is not None, "worker ended early"
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _child_of(parent: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if (
                entry.name.isdigit()
                and (fields := _stat(int(entry.name)))
                and fields[1] == str(parent)
            ):
                return int(entry.name)
        time.sleep(0.05)
    raise AssertionError(f"process {parent} started no worker")


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def busy_worker(
    slow_pdf: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A parent reading the slow PDF in a sandbox, and its worker, busy with OCR."""
    timeout = getattr(request, "param", 300)
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(slow_pdf), str(timeout)],
        stdout=subprocess.PIPE,
        text=True,
    )
    worker = _child_of(parent.pid)
    try:
        assert _wait(lambda: _cpu_seconds(worker) >= 2.0, timeout=60)
        yield parent, worker
    finally:
        parent.kill()
        parent.wait()
        if not _gone(worker):
            os.kill(worker, signal.SIGKILL)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_worker_dies_with_its_killed_parent(
    busy_worker: tuple[subprocess.Popen[str], int], how: signal.Signals
) -> None:
    parent, worker = busy_worker
    os.kill(parent.pid, how)
    parent.wait()
    assert _wait(lambda: _gone(worker), timeout=10), "worker outlived its parent"


@pytest.mark.parametrize("busy_worker", [10], indirect=True)
def test_a_worker_of_a_stopped_parent_ends_at_its_cpu_limit(
    busy_worker: tuple[subprocess.Popen[str], int],
) -> None:
    """Ctrl-Z on `ratsblick extract` stops its wall clock, not the worker's CPU limit."""
    parent, worker = busy_worker
    os.kill(parent.pid, signal.SIGSTOP)
    try:
        assert _wait(lambda: _gone(worker), timeout=90), "worker ran past its CPU limit"
    finally:
        os.kill(parent.pid, signal.SIGCONT)
    out, _ = parent.communicate(timeout=30)
    assert out.strip() == "Auslesen brauchte mehr als 10 s Rechenzeit"


def test_a_worker_whose_parent_is_gone_before_it_starts_exits(tmp_path: Path) -> None:
    """The parent can die before the worker asked for the parent-death signal."""
    text = tmp_path / "sitzung.txt"
    text.write_text("Sitzung")
    not_its_parent = os.getppid()
    command = WorkerSettings(not_its_parent, 2 << 30, 60.0, Limits()).command()
    done = subprocess.run(
        command, check=False, input=f"{text}\n", capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (1, "")


def test_a_worker_ends_itself_at_its_cpu_limit_for_a_file(tmp_path: Path, slow_pdf: Path) -> None:
    """Quick files are answered one after the other; the slow one ends the worker (SIGXCPU)."""
    text = tmp_path / "sitzung.txt"
    text.write_text("Sitzung")
    command = WorkerSettings(os.getpid(), 2 << 30, 2.0, Limits()).command()
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as worker:
        assert worker.stdin is not None
        assert worker.stdout is not None
        for _ in range(3):
            worker.stdin.write(f"{text}\n")
            worker.stdin.flush()
            assert '"text": "Sitzung"' in worker.stdout.readline()
        worker.stdin.write(f"{slow_pdf}\n")
        worker.stdin.flush()
        assert worker.wait(timeout=60) == -signal.SIGXCPU
