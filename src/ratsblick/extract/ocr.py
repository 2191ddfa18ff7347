"""German OCR with Tesseract through its C API (tesserocr), one engine reused.

Tesseract runs single-threaded (`OMP_THREAD_LIMIT=1`, set before it loads):
its OpenMP threads multiplied by worker processes oversubscribe the cores;
files run in parallel instead, one engine per worker process. A 3×3 median
filter and deskewing before recognition rescue bad scans.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from pathlib import Path

import numpy as np
import tesserocr
from PIL import Image, ImageFilter, ImageOps

from ratsblick.extract.textlayer import Line, merge_baselines

TESSDATA_CANDIDATES = (
    os.environ.get("TESSDATA_PREFIX", ""),
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)
OCR_DPI = 300
_SKEW_ANGLES = np.arange(-3.0, 3.01, 0.25)


class OcrUnavailable(RuntimeError):
    """The language model is missing (install Debian's tesseract-ocr-deu)."""


def tessdata_path(lang: str = "deu") -> str:
    for candidate in TESSDATA_CANDIDATES:
        if candidate and (Path(candidate) / f"{lang}.traineddata").is_file():
            return candidate
    raise OcrUnavailable(
        f"no {lang}.traineddata found in {', '.join(filter(None, TESSDATA_CANDIDATES))}"
    )


def skew_angle(image: Image.Image) -> float:
    """Degrees to rotate by so that text lines are level (projection profile)."""
    small = image.convert("L")
    small.thumbnail((800, 800))
    ink = ImageOps.invert(small).point(lambda v: 255 if v > 100 else 0)
    best, best_score = 0.0, -1.0
    for angle in _SKEW_ANGLES:
        rows = np.asarray(ink.rotate(float(angle), resample=Image.Resampling.NEAREST)).sum(axis=1)
        score = float(np.square(np.diff(rows.astype(np.float64))).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def prepare(image: Image.Image) -> Image.Image:
    gray = image.convert("L").filter(ImageFilter.MedianFilter(3))
    angle = skew_angle(gray)
    if angle:
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return gray


class OcrEngine:
    """One Tesseract instance; not thread-safe, use one per worker."""

    def __init__(self, lang: str = "deu") -> None:
        self.api = tesserocr.PyTessBaseAPI(path=tessdata_path(lang), lang=lang)

    def close(self) -> None:
        self.api.End()

    def lines(self, image: Image.Image, scale: float = 1.0) -> tuple[list[Line], float]:
        """Text lines (positions divided by `scale`) and mean word confidence 0-100."""
        self.api.SetImage(prepare(image))
        self.api.Recognize()
        lines: list[Line] = []
        level = tesserocr.RIL.TEXTLINE
        iterator = self.api.GetIterator()
        if iterator is None:  # nothing recognised: an empty page
            return lines, 0.0
        for item in tesserocr.iterate_level(iterator, level):
            try:
                text = (item.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # tesserocr's "No text returned" for an empty line
                continue
            box = item.BoundingBox(level)
            if text and box:
                left, top, right, bottom = (v / scale for v in box)
                lines.append(Line(text, left, right, top, bottom))
        return merge_baselines(lines), float(self.api.MeanTextConf())
