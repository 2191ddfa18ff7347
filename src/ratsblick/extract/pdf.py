"""PDFs: the text layer where it is good, German OCR where it is not, page by page."""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ratsblick.extract.blank import BLANK_NOTE, is_blank
from ratsblick.extract.decide import needs_ocr, score
from ratsblick.extract.layout import page_text, running_lines
from ratsblick.extract.ocr import OCR_DPI, OcrEngine
from ratsblick.extract.result import ExtractionError, Limits, Page, ReadMethod
from ratsblick.extract.textlayer import Line, PageLayer, read_layer

# A page as read: lines, page height, ReadMethod, note, OCR confidence.
PageRead = tuple[list[Line], float, str, str, float | None]


def _render_scale(page: pdfium.PdfPage, limits: Limits) -> float:
    width, height = page.get_size()
    scale = OCR_DPI / 72
    pixels = width * height * scale * scale
    if pixels > limits.max_pixels:
        scale *= (limits.max_pixels / pixels) ** 0.5
    return scale


def _text_of(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)


def extract_pdf(data: bytes, ocr: OcrEngine | None, limits: Limits) -> list[Page]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise ExtractionError("PDF ist passwortgeschützt") from exc
        raise ExtractionError(f"PDF nicht lesbar: {reason}") from exc
    try:
        if len(pdf) > limits.max_pages:
            raise ExtractionError(f"PDF hat {len(pdf)} Seiten, mehr als {limits.max_pages}")
        read: list[PageRead] = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                read.append(_read_page(page, ocr, limits))
            finally:
                page.close()
    finally:
        pdf.close()
    running = running_lines([(lines, height) for lines, height, *_ in read])
    pages = []
    for number, (lines, height, method, note, confidence) in enumerate(read, start=1):
        text = page_text(lines, height, running)
        pages.append(Page(number, text.body, text.header, text.footer, method, note, confidence))
    return pages


def _draws_nothing(page: pdfium.PdfPage) -> bool:
    """No content and no annotations: blank without rendering it."""
    return not pdfium_c.FPDFPage_CountObjects(page) and not pdfium_c.FPDFPage_GetAnnotCount(page)


def _layer(layer: PageLayer, note: str) -> PageRead:
    return layer.lines, layer.height, ReadMethod.TEXT, note, None


def _blank(layer: PageLayer, reason: str) -> PageRead:
    """A page without ink keeps what its layer has: OCR would find nothing on it."""
    note = f"{reason}; {BLANK_NOTE}"
    return _layer(layer, note) if layer.lines else ([], layer.height, ReadMethod.NONE, note, None)


def _read_page(page: pdfium.PdfPage, ocr: OcrEngine | None, limits: Limits) -> PageRead:
    layer = read_layer(page)
    layer_score = score(_text_of(layer.lines))
    decision = needs_ocr(layer_score, layer.image_share)
    if not decision.ocr:
        return _layer(layer, decision.reason)
    if ocr is None:
        return _layer(layer, f"{decision.reason}; OCR nicht verfügbar")
    if _draws_nothing(page):
        return _blank(layer, decision.reason)
    scale = _render_scale(page, limits)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = bitmap.to_pil()
        if is_blank(image):
            return _blank(layer, decision.reason)
        lines, confidence = ocr.lines(image, scale=scale)
    finally:
        bitmap.close()
    # A text layer that merely looked bad (an English page) stays if OCR is no better.
    if layer_score.chars >= 30 and score(_text_of(lines)).quality <= layer_score.quality:
        return _layer(layer, f"{decision.reason}; OCR nicht besser")
    return lines, layer.height, ReadMethod.OCR, decision.reason, confidence
