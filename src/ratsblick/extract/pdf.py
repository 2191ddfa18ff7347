"""PDFs: the text layer where it is good, German OCR where it is not, page by page."""

from __future__ import annotations

import pypdfium2 as pdfium

from ratsblick.extract.decide import needs_ocr, score
from ratsblick.extract.layout import page_text, running_lines
from ratsblick.extract.ocr import OCR_DPI, OcrEngine
from ratsblick.extract.result import ExtractionError, Limits, Page
from ratsblick.extract.textlayer import Line, read_layer


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
        read: list[tuple[list[Line], float, str, str, float | None]] = []
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


def _read_page(
    page: pdfium.PdfPage, ocr: OcrEngine | None, limits: Limits
) -> tuple[list[Line], float, str, str, float | None]:
    layer = read_layer(page)
    layer_score = score(_text_of(layer.lines))
    decision = needs_ocr(layer_score, layer.image_share)
    if not decision.ocr:
        return layer.lines, layer.height, "text", decision.reason, None
    if ocr is None:
        return layer.lines, layer.height, "text", f"{decision.reason}; OCR nicht verfügbar", None
    scale = _render_scale(page, limits)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        lines, confidence = ocr.lines(bitmap.to_pil(), scale=scale)
    finally:
        bitmap.close()
    # A text layer that merely looked bad (an English page) stays if OCR is no better.
    if layer_score.chars >= 30 and score(_text_of(lines)).quality <= layer_score.quality:
        return layer.lines, layer.height, "text", f"{decision.reason}; OCR nicht besser", None
    return lines, layer.height, "ocr", decision.reason, confidence
