"""Clean extracted text: Unicode, ligatures, hyphenation across lines.

A hyphen at the end of a line joins the next line's word: without the
hyphen when that word goes on in lower case (`wün-` + `schenswert`), with
it when it starts with a capital (`Bürger-` + `Portalen`, a real compound
hyphen). `¬`, soft hyphens and PDFium's break marker count as hyphens.
"""

from __future__ import annotations

import re
import unicodedata

LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
     "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\ufffe": "\x02", "\u2010": "-",
     "\u2011": "-", "\u200b": None, "\ufeff": None}
)  # fmt: skip
BREAK_HYPHENS = "-\x02¬\u00ad"
_SPACES = re.compile(r"[ \t]+")
# soft hyphens and break markers that are not at a line end are invisible
_INNER_SOFT = re.compile(r"[\x02\u00ad](?=\S)")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text.translate(LIGATURES))
    return _SPACES.sub(" ", _INNER_SOFT.sub("", text))


def ends_with_break_hyphen(text: str) -> bool:
    return len(text) >= 2 and text[-1] in BREAK_HYPHENS and text[-2].isalpha()


def join_wrapped(first: str, second: str) -> str:
    """Two pieces of one paragraph that a line break separated."""
    first, second = first.rstrip(), second.lstrip()
    if not first:
        return second
    if not second:
        return first
    if ends_with_break_hyphen(first):
        if second[0].islower():
            return first[:-1] + second
        return first[:-1] + "-" + second
    return first + " " + second


def finish(text: str) -> str:
    """Remaining markers out, trailing spaces off, at most one blank line."""
    text = text.replace("\x02", "-").replace("\u00ad", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
