"""Pure text extraction: bytes in, clean German text per page out. No Django.

`extract()` sniffs the real type and hands the bytes to the reader for it;
a new format is a new entry in `READERS`, not a new branch.
"""

from __future__ import annotations

from collections.abc import Callable

from ratsblick.extract import sniff as types
from ratsblick.extract.images import extract_image
from ratsblick.extract.ocr import OcrEngine
from ratsblick.extract.office import (
    extract_docx,
    extract_html,
    extract_odt,
    extract_rtf,
    extract_text,
)
from ratsblick.extract.pdf import extract_pdf
from ratsblick.extract.result import Extraction, ExtractionError, Limits, Page

__all__ = ["Extraction", "ExtractionError", "Limits", "OcrEngine", "Page", "extract"]

Reader = Callable[[bytes, OcrEngine | None, Limits], list[Page]]


def _without_ocr(reader: Callable[[bytes, Limits], list[Page]]) -> Reader:
    return lambda data, _ocr, limits: reader(data, limits)


READERS: dict[str, Reader] = {
    types.PDF: extract_pdf,
    types.PNG: extract_image,
    types.JPEG: extract_image,
    types.TIFF: extract_image,
    types.GIF: extract_image,
    types.DOCX: _without_ocr(extract_docx),
    types.ODT: _without_ocr(extract_odt),
    types.RTF: _without_ocr(extract_rtf),
    types.HTML: _without_ocr(extract_html),
    types.TEXT: _without_ocr(extract_text),
}


def extract(data: bytes, ocr: OcrEngine | None = None, limits: Limits | None = None) -> Extraction:
    """Read `data`; raises `ExtractionError` with a readable reason."""
    mime = types.sniff(data)
    reader = READERS.get(mime)
    if reader is None:
        raise ExtractionError(f"Dateityp {mime} wird nicht gelesen")
    return Extraction(mime, reader(data, ocr, limits or Limits()))
