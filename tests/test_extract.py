"""Text extraction against PDFs whose text we know."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from ratsblick.extract import ExtractionError, Limits, OcrEngine, extract
from ratsblick.extract.sniff import DOCX, HTML, ODT, PDF, PNG, RTF, TEXT, TIFF, sniff
from ratsblick.replay.sample import SAMPLE_FILES

PDFS = SAMPLE_FILES
HOSTILE = Path(__file__).parent / "fixtures" / "pdf"


def squash(text: str) -> str:
    return " ".join(text.split())


def cer(got: str, truth: str) -> float:
    return Levenshtein.distance(squash(got), squash(truth)) / len(squash(truth))


def full_text(name: str, ocr: OcrEngine | None = None) -> str:
    result = extract((PDFS / name).read_bytes(), ocr)
    return "\n\n".join(page.full for page in result.pages)


@pytest.fixture(scope="module")
def ocr() -> OcrEngine:
    return OcrEngine()


def test_born_digital_is_exact_and_keeps_paragraphs() -> None:
    result = extract((PDFS / "born.pdf").read_bytes())
    assert [p.method for p in result.pages] == ["text"] * 3
    assert cer(full_text("born.pdf"), (PDFS / "born.txt").read_text()) < 0.005
    first = result.pages[0]
    assert first.header == "Stadt Aachen – Der Oberbürgermeister Vorlage FB 02/0131/WP17"
    assert first.footer.endswith("Seite: 1/3")
    assert "Ausdruck vom" not in result.text  # running footers are metadata
    assert "Status: öffentlich\nAZ:\nDatum: 26.03.2018" in first.text  # form lines kept
    assert result.text.count("\n\n") == 30  # paragraphs, not one flattened line
    assert "• Prüfung vorgeschlagener Kollaborationsplattform" in result.text


def test_line_break_hyphens() -> None:
    text = extract((PDFS / "born.pdf").read_bytes()).text
    for before, after, _how in json.loads((PDFS / "hyphenations.json").read_text()):
        first, second = before.rstrip("-\u00ad"), after.rstrip(",.")
        if second[0].isupper():  # a real compound hyphen
            assert f"{first}-{second}" in text
        else:
            assert f"{first}{second}" in text
    assert "Bürger-Portalen" in text
    assert "Bürgerintegration und -partizipation" in text
    assert not set(text) & {"¬", "\u00ad", "\x02", "\ufffe"}


def test_two_columns_stay_in_reading_order() -> None:
    assert cer(full_text("twocol.pdf"), (PDFS / "twocol.txt").read_text()) < 0.005


def test_each_page_of_a_mixed_pdf_is_decided_on_its_own(ocr: OcrEngine) -> None:
    result = extract((PDFS / "mixed.pdf").read_bytes(), ocr)
    assert [p.method for p in result.pages] == ["text", "ocr", "text", "ocr", "ocr", "ocr"]
    # an old English-model OCR layer
    assert result.pages[3].note.startswith("umlauts missing (English OCR or broken font)")
    assert cer(full_text("mixed.pdf", ocr), (PDFS / "mixed.txt").read_text()) < 0.015


def test_scans_are_read_in_german(ocr: OcrEngine) -> None:
    text = full_text("scan300.pdf", ocr)
    truth = (PDFS / "scan.txt").read_text()
    assert cer(text, truth) < 0.015
    umlaut_words = {w for w in squash(truth).split() if set(w) & set("äöüÄÖÜß")}
    kept = umlaut_words & set(squash(text).split())
    assert len(kept) / len(umlaut_words) >= 0.99
    assert "Unterstützung" in text  # the seed OCR read "Unterstitzung"


def test_without_ocr_a_scan_says_so() -> None:
    result = extract((PDFS / "mixed.pdf").read_bytes(), None)
    assert [p.method for p in result.pages] == ["text"] * 6  # what there is, kept
    assert result.pages[1].note == "no text layer; OCR nicht verfügbar"
    assert result.pages[5].note == "garbage glyphs 15%; OCR nicht verfügbar"


def test_real_table_pdf() -> None:
    result = extract((PDFS / "tg_abst.pdf").read_bytes())
    assert len(result.pages) == 3
    assert result.text.startswith("Grosser Rat\n\nTraktandum:\n\nDatum:\n\nJa:\nNein:\n")
    # the table's rows in reading order: number, group, vote
    assert "Nr. Fraktion Stimme 303 GLP Keine Stimmabgabe 402 SVP Keine Stimmabgabe" in result.text


def docx(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return buffer.getvalue()


def odt(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
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


def test_office_formats() -> None:
    word = docx("<w:p><w:r><w:t>Beschluss</w:t></w:r><w:r><w:t>vorschlag:</w:t></w:r></w:p>"
                "<w:p><w:r><w:t>Der Rat stimmt zu.</w:t></w:r></w:p>")  # fmt: skip
    assert extract(word).text == "Beschlussvorschlag:\n\nDer Rat stimmt zu."
    document = odt("<text:h>Antrag</text:h><text:p>Die Fraktion beantragt Radwege.</text:p>")
    assert extract(document).text == "Antrag\n\nDie Fraktion beantragt Radwege."
    rtf = rb"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0 Stra\'dfenausbau\par}"
    assert extract(rtf).text == "Straßenausbau"
    html = "<html><body><h1>Tagesordnung</h1><p>Haushalt&nbsp;2026</p><script>x()</script>"
    assert extract(html.encode()).text == "Tagesordnung\n\nHaushalt 2026"
    assert extract("Gebührensatzung".encode("cp1252")).text == "Gebührensatzung"


def test_real_type_from_the_bytes() -> None:
    assert sniff(b"\r\n%PDF-1.7 ...") == PDF
    tiff = io.BytesIO()
    Image.new("L", (10, 10), 255).save(tiff, format="TIFF")
    assert sniff(tiff.getvalue()) == TIFF  # a TIFF that a server labelled PDF
    png = io.BytesIO()
    Image.new("L", (10, 10), 255).save(png, format="PNG")
    assert sniff(png.getvalue()) == PNG
    assert sniff(docx("")) == DOCX
    assert sniff(odt("")) == ODT
    assert sniff(rb"{\rtf1 x}") == RTF
    assert sniff(b"<!DOCTYPE html><html></html>") == HTML
    assert sniff(b"Sitzung") == TEXT


def blank_pdf(pages: int) -> bytes:
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>\ntrailer<<>>\n%%EOF", Limits(), "PDF nicht lesbar"),
        ((PDFS / "born.pdf").read_bytes()[:5000], Limits(), "PDF nicht lesbar"),
        (blank_pdf(60), Limits(max_pages=50), "60 Seiten"),
        (docx("<w:p><w:r><w:t>" + "A" * 2_000_000 + "</w:t></w:r></w:p>"),
         Limits(max_unpacked=1_000_000), "Zip-Bombe"),
        (b"PK\x03\x04broken zip", Limits(), "nicht gelesen"),
        (b"\x00\x01\x02 binary", Limits(), "nicht gelesen"),
    ],
)  # fmt: skip
def test_hostile_files_end_as_readable_errors(data: bytes, limits: Limits, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract(data, None, limits)


def test_decompression_bomb_image(ocr: OcrEngine) -> None:
    png = io.BytesIO()
    Image.new("1", (12000, 12000), 1).save(png, format="PNG")  # small file, 144 M pixels
    with pytest.raises(ExtractionError, match="zu groß"):
        extract(png.getvalue(), ocr, Limits(max_pixels=20_000_000))


def test_xml_entities_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>",
        )
    with pytest.raises(ExtractionError, match="XML-Entitäten"):
        extract(buffer.getvalue())


def test_encrypted_pdf() -> None:
    with pytest.raises(ExtractionError, match="passwortgeschützt"):
        extract((HOSTILE / "encrypted.pdf").read_bytes())
