"""Blank pages, recognised on the page image before OCR.

Tesseract spends about 0.4 s even on an empty page, so a file of a few
thousand blank pages used up its whole time limit. A page is blank when
almost none of it is ink: on the image reduced to about 75 dpi (isolated
specks of scanner noise average out, pen strokes and letters stay dark)
fewer than 1 in 20,000 pixels are darker than mid-grey. Measured on that
image: a hard, noisy scan's empty band 0, a signature alone 1 in 4,000, a
single typed line 1 in 800, every scanned page of the test PDFs 1 in 75
or more.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

INK_LEVEL = 128  # grey values below this are ink
MAX_INK_SHARE = 1 / 20_000
BLANK_NOTE = "leere Seite, keine OCR"
_SAMPLE_LONG_SIDE = 900  # pixels: an A4 page at about 75 dpi


def is_blank(image: Image.Image) -> bool:
    gray = image.convert("L")
    sample = np.asarray(gray.reduce(max(1, round(max(gray.size) / _SAMPLE_LONG_SIDE))))
    return int(np.count_nonzero(sample < INK_LEVEL)) < MAX_INK_SHARE * sample.size
