"""Word (DOCX), OpenDocument (ODT), RTF, HTML and plain text: one page each."""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser
from xml.parsers import expat

from striprtf.striprtf import rtf_to_text

from ratsblick.extract.cleanup import finish, normalize
from ratsblick.extract.result import ExtractionError, Limits, Page

NS_END = "}"  # expat names a namespaced tag "<namespace>}<local name>"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main" + NS_END
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0" + NS_END


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


class _Paragraphs:
    """Paragraph texts from one pass over the XML, linear in its size.

    Each piece of text belongs to the innermost open paragraph only (the
    text of a text box is its own paragraph, not a copy inside the one
    around it); paragraphs keep the order in which they start. Nesting
    deeper than `MAX_DEPTH` is refused: no real document comes near it,
    a hostile one would only cost memory.
    """

    MAX_DEPTH = 1000

    def __init__(self, paragraph_tags: frozenset[str], text_tags: frozenset[str]) -> None:
        self.paragraph_tags = paragraph_tags
        self.text_tags = text_tags
        self.paragraphs: list[list[str]] = []
        self.open: list[list[str]] = []
        self.depth = 0
        self.in_text = 0 if text_tags else 1  # no text tags: all text in a paragraph counts

    def start(self, tag: str, _attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > self.MAX_DEPTH:
            raise ExtractionError(f"Dokument zu tief verschachtelt (über {self.MAX_DEPTH} Ebenen)")
        if tag in self.paragraph_tags:
            self.paragraphs.append([])
            self.open.append(self.paragraphs[-1])
        if tag in self.text_tags:
            self.in_text += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        if tag in self.paragraph_tags:
            self.open.pop()
        if tag in self.text_tags:
            self.in_text -= 1

    def data(self, text: str) -> None:
        if self.open and self.in_text:
            self.open[-1].append(text)

    def text(self) -> str:
        texts = ("".join(parts) for parts in self.paragraphs)
        return finish("\n\n".join(normalize(t).strip() for t in texts if t.strip()))


def _refuse_entities(*_declaration: object) -> None:
    raise ExtractionError("Dokument enthält XML-Entitäten (abgelehnt)")


def _paragraph_text(
    content: bytes, paragraph_tags: frozenset[str], text_tags: frozenset[str] = frozenset()
) -> str:
    """The paragraphs of an office XML part, separated by blank lines."""
    paragraphs = _Paragraphs(paragraph_tags, text_tags)
    parser = expat.ParserCreate(namespace_separator=NS_END)
    parser.StartElementHandler = paragraphs.start
    parser.EndElementHandler = paragraphs.end
    parser.CharacterDataHandler = paragraphs.data
    parser.EntityDeclHandler = _refuse_entities  # every declaration, wherever it stands
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise ExtractionError(f"Dokument nicht lesbar: {exc}") from exc
    return paragraphs.text()


def extract_docx(data: bytes, limits: Limits) -> list[Page]:
    content = _member(data, "word/document.xml", limits)
    return [Page(1, _paragraph_text(content, frozenset({W + "p"}), frozenset({W + "t"})))]


def extract_odt(data: bytes, limits: Limits) -> list[Page]:
    content = _member(data, "content.xml", limits)
    return [Page(1, _paragraph_text(content, frozenset({TEXT_NS + "p", TEXT_NS + "h"})))]


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
