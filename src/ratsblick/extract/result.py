"""What extraction produces: text per page, and how each page was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ExtractionError(Exception):
    """A file that cannot be read; the message is shown to users and admins."""


@dataclass(frozen=True)
class Limits:
    max_pages: int = 2000
    max_pixels: int = 60_000_000  # per rendered or decoded image
    max_unpacked: int = 200 * 1024 * 1024  # office files are zips: bombs


class ReadMethod(StrEnum):
    """How a page's text was read."""

    TEXT = "text"  # the file's own text: a PDF's text layer, an office or plain-text file
    OCR = "ocr"  # Tesseract on the rendered page or the image
    NONE = "none"  # nothing to read: a blank page, skipped before OCR


@dataclass(frozen=True)
class Page:
    number: int
    text: str
    header: str = ""
    footer: str = ""
    method: str = ReadMethod.TEXT  # a ReadMethod (plain `str` when it comes back from the worker)
    note: str = ""
    confidence: float | None = None

    @property
    def full(self) -> str:
        """The page as printed: running header, text, running footer."""
        return "\n\n".join(part for part in (self.header, self.text, self.footer) if part)


@dataclass(frozen=True)
class Extraction:
    mime: str
    pages: list[Page] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages if page.text)
