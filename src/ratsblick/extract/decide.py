"""Decide per page whether its text layer is good or the page needs OCR.

Cheap features of the text alone (no rendering): how much text, garbage
glyphs, the share of real German words, umlauts per 1,000 letters, and the
share of non-words that become words when a vowel becomes an umlaut
(`fur` -> `für`: the fingerprint of an English-model OCR layer or a font
that lost its umlauts).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORD_LISTS = (Path("/usr/share/dict/ngerman"),)
_WORD = re.compile(r"[^\W\d_]{2,}")
_UMLAUT_OF = {"a": "ä", "o": "ö", "u": "ü"}
_OK_CATEGORIES = {"L", "N", "P", "Z", "S"}


@cache
def german_words() -> frozenset[str]:
    """Debian's `wngerman` list, lower-cased; empty if not installed."""
    for path in WORD_LISTS:
        if path.is_file():
            return frozenset(w.strip().lower() for w in path.read_text(encoding="utf-8").split())
    return frozenset()


@dataclass(frozen=True)
class TextScore:
    chars: int
    letters: int
    garbage: float
    valid_words: float
    umlauts_per_1k: float
    fixable_words: float

    @property
    def quality(self) -> float:
        """Higher is better; compares a text layer with an OCR result."""
        return self.valid_words - 2 * self.garbage - self.fixable_words * 5


def _fixable(word: str, words: frozenset[str]) -> bool:
    for index, char in enumerate(word):
        umlaut = _UMLAUT_OF.get(char)
        if umlaut and word[:index] + umlaut + word[index + 1 :] in words:
            return True
    return False


def score(text: str) -> TextScore:
    visible = [c for c in text if not c.isspace()]
    garbage = sum(
        1 for c in visible
        if unicodedata.category(c)[0] not in _OK_CATEGORIES or c in "\ufffd\x02"
        or unicodedata.category(c) == "Co"
    )  # fmt: skip
    letters = sum(c.isalpha() for c in visible)
    umlauts = sum(c in "äöüÄÖÜß" for c in visible)
    words = [w.lower() for w in _WORD.findall(text)]
    dictionary = german_words()
    if words and dictionary:
        unknown = [w for w in words if w not in dictionary]
        valid = 1 - len(unknown) / len(words)
        fixable = sum(_fixable(w, dictionary) for w in unknown) / len(words)
    else:
        valid, fixable = (1.0 if not words else 0.5), 0.0
    return TextScore(
        chars=len(visible),
        letters=letters,
        garbage=garbage / len(visible) if visible else 0.0,
        valid_words=valid,
        umlauts_per_1k=1000 * umlauts / letters if letters else 0.0,
        fixable_words=fixable,
    )


@dataclass(frozen=True)
class Decision:
    ocr: bool
    reason: str


def needs_ocr(text_score: TextScore, image_share: float) -> Decision:
    s = text_score
    if s.chars < 30:
        return Decision(True, "no text layer")
    if s.garbage > 0.10:
        return Decision(True, f"garbage glyphs {s.garbage:.0%}")
    # Names, places and tables are no dictionary words: a low share alone is
    # fine while umlauts are there and glyphs are clean.
    if s.valid_words < 0.5 and (s.umlauts_per_1k < 2 or s.garbage > 0.02):
        return Decision(True, f"only {s.valid_words:.0%} German words")
    if s.letters >= 400 and (s.umlauts_per_1k < 2 or s.fixable_words > 0.03):
        return Decision(True, "umlauts missing (English OCR or broken font)")
    if image_share > 0.5 and s.chars < 200:
        return Decision(True, "mostly image")
    return Decision(False, "text layer good")
