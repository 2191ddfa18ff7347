"""Word (DOCX), OpenDocument (ODT), RTF, HTML and plain text: one page each."""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

from striprtf.striprtf import rtf_to_text

from ratsblick.extract.cleanup import finish, normalize
from ratsblick.extract.result import ExtractionError, Limits, Page

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _member(data: bytes, name: str, limits: Limits) -> bytes:
    """One file of a zip, refusing archives that unpack to more than allowed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limits.max_unpacked:
                raise ExtractionError(f"Archiv entpackt zu {unpacked} Bytes (Zip-Bombe?)")
            with archive.open(name) as handle:
                content = handle.read(limits.max_unpacked + 1)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ExtractionError(f"Dokument nicht lesbar: {exc}") from exc
    if len(content) > limits.max_unpacked:
        raise ExtractionError("Dokument entpackt zu groß (Zip-Bombe?)")
    return content


def _paragraphs(root: ElementTree.Element, paragraph_tags: set[str], text_tag: str) -> str:
    paragraphs = []
    for element in root.iter():
        if element.tag in paragraph_tags:
            text = (
                "".join(element.itertext())
                if text_tag == "*"
                else "".join(t.text or "" for t in element.iter(text_tag))
            )
            if text.strip():
                paragraphs.append(normalize(text).strip())
    return finish("\n\n".join(paragraphs))


def _xml(content: bytes) -> ElementTree.Element:
    if b"<!ENTITY" in content[:4096]:
        raise ExtractionError("Dokument enthält XML-Entitäten (abgelehnt)")
    try:
        return ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise ExtractionError(f"Dokument nicht lesbar: {exc}") from exc


def extract_docx(data: bytes, limits: Limits) -> list[Page]:
    root = _xml(_member(data, "word/document.xml", limits))
    return [Page(1, _paragraphs(root, {W + "p"}, W + "t"))]


def extract_odt(data: bytes, limits: Limits) -> list[Page]:
    root = _xml(_member(data, "content.xml", limits))
    return [Page(1, _paragraphs(root, {TEXT_NS + "p", TEXT_NS + "h"}, "*"))]


def extract_rtf(data: bytes, limits: Limits) -> list[Page]:
    text: str = rtf_to_text(decode(data), errors="ignore")  # type: ignore[no-untyped-call]
    return [Page(1, finish(normalize(text)))]


class _HtmlText(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def extract_html(data: bytes, limits: Limits) -> list[Page]:
    parser = _HtmlText()
    parser.feed(decode(data))
    blocks = [" ".join(b.split()) for b in "".join(parser.parts).split("\n\n")]
    return [Page(1, finish(normalize("\n\n".join(b for b in blocks if b))))]


def extract_text(data: bytes, limits: Limits) -> list[Page]:
    return [Page(1, finish(normalize(decode(data).replace("\r\n", "\n"))))]


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
