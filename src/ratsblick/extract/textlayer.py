"""The text layer of a PDF page as lines with their position.

PDFium's text rectangles follow the content stream, which keeps the reading
order of born-digital documents (two columns stay two columns; sorting by
position would interleave them). Rectangles on one baseline are one line.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# PDFium marks a hyphen it takes for a line-break hyphen with U+0002.
LINE_BREAK_HYPHEN = "\x02"


@dataclass(frozen=True)
class Line:
    text: str
    left: float
    right: float
    top: float  # distance from the top of the page, in points
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class PageLayer:
    lines: list[Line]
    width: float
    height: float
    image_share: float  # part of the page covered by images


def _image_share(page: pdfium.PdfPage, width: float, height: float) -> float:
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        covered += max(0.0, min(right, width) - max(left, 0.0)) * max(
            0.0, min(top, height) - max(bottom, 0.0)
        )
    return min(1.0, covered / (width * height)) if width and height else 0.0


def _char_lines(textpage: pdfium.PdfTextPage, height: float) -> list[Line]:
    """Lines from PDFium's character stream (its line breaks, its spaces).

    `get_text_bounded` re-derives text from positions and breaks words of
    finely kerned PDFs apart ("Re to" for "Reto"); the stream does not.
    """
    lines: list[Line] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []  # left, bottom, right, top (PDF)

    def close() -> None:
        text = "".join(chars).strip(" ")
        if text.strip() and boxes:
            lines.append(
                Line(
                    text,
                    min(b[0] for b in boxes),
                    max(b[2] for b in boxes),
                    height - max(b[3] for b in boxes),
                    height - min(b[1] for b in boxes),
                )
            )
        chars.clear()
        boxes.clear()

    raw = textpage.raw
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        if code in (0x0D, 0x0A):
            if code == 0x0A or not chars:
                close()
            continue
        char = LINE_BREAK_HYPHEN if code in (0x02, 0xFFFE) else chr(code)
        chars.append(char)
        if not pdfium_c.FPDFText_IsGenerated(raw, index) and not char.isspace():
            boxes.append(textpage.get_charbox(index, loose=True))
        if char == LINE_BREAK_HYPHEN:
            close()
    close()
    return lines


def merge_baselines(lines: list[Line]) -> list[Line]:
    """Pieces of one visual line that follow each other (header left and right)."""
    merged: list[Line] = []
    for line in lines:
        previous = merged[-1] if merged else None
        overlap = min(previous.bottom, line.bottom) - max(previous.top, line.top) if previous else 0
        if (
            previous
            and line.left > previous.right
            and overlap > 0.5 * min(previous.height, line.height)
        ):
            merged[-1] = Line(
                previous.text.rstrip() + " " + line.text.lstrip(),
                previous.left,
                line.right,
                min(previous.top, line.top),
                max(previous.bottom, line.bottom),
            )
        else:
            merged.append(line)
    return merged


def read_layer(page: pdfium.PdfPage) -> PageLayer:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        lines = merge_baselines(_char_lines(textpage, height))
    finally:
        textpage.close()
    return PageLayer(lines, width, height, _image_share(page, width, height))
