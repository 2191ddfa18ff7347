"""The real type of a file, from its bytes: servers send "pdf",
`application/octetstream`, or TIFFs labelled as PDF."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
GIF = "image/gif"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
RTF = "application/rtf"
HTML = "text/html"
TEXT = "text/plain"
ZIP = "application/zip"
UNKNOWN = "application/octet-stream"

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"{\\rtf", RTF),
)


def _zip_type(source: Path | IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, KeyError, OSError):
        return UNKNOWN
    return ZIP


def sniff(data: bytes) -> str:
    return _sniff(data[:2048], lambda: io.BytesIO(data))


def sniff_file(path: Path) -> str:
    """The type of a stored file, reading only its head unless it is a zip."""
    with path.open("rb") as handle:
        head = handle.read(2048)
    return _sniff(head, lambda: path)


def _sniff(head: bytes, whole: Callable[[], Path | IO[bytes]]) -> str:
    if b"%PDF-" in head[:1024]:
        return PDF
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(whole())
    if b"\x00" in head:
        return UNKNOWN
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<body" in lowered:
        return HTML
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end
            return TEXT if _mostly_latin1_text(head) else UNKNOWN
    return TEXT


def _mostly_latin1_text(head: bytes) -> bool:
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 160 for b in head)
    return printable / max(1, len(head)) > 0.95
