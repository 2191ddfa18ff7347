"""Scanned images (TIFF with several pages, JPEG, PNG, GIF): OCR each frame."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageSequence

from ratsblick.extract.blank import BLANK_NOTE, is_blank
from ratsblick.extract.layout import page_text
from ratsblick.extract.ocr import OcrEngine
from ratsblick.extract.result import ExtractionError, Limits, Page, ReadMethod


def extract_image(data: bytes, ocr: OcrEngine | None, limits: Limits) -> list[Page]:
    if ocr is None:
        raise ExtractionError("Bild ohne Texterkennung (OCR nicht verfügbar)")
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            pages = []
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number > limits.max_pages:
                    raise ExtractionError(f"Bild hat mehr als {limits.max_pages} Seiten")
                if is_blank(frame):
                    pages.append(Page(number, "", method=ReadMethod.NONE, note=BLANK_NOTE))
                    continue
                lines, confidence = ocr.lines(frame.copy())
                text = page_text(lines, float(frame.height), set())
                pages.append(Page(number, text.body, method=ReadMethod.OCR, confidence=confidence))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ExtractionError(f"Bild zu groß: {exc}") from exc
    except (OSError, SyntaxError) as exc:
        raise ExtractionError(f"Bild nicht lesbar: {exc}") from exc
    return pages
