"""Lines with positions to paragraphs; running headers and footers apart.

A paragraph ends where the gap to the next line is clearly larger than
the usual line gap, or where a list item begins. Inside a paragraph a line
that stops well short of the text's right edge keeps its line break (form
fields, table rows, addresses); full lines are joined.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from ratsblick.extract.cleanup import ends_with_break_hyphen, finish, join_wrapped, normalize
from ratsblick.extract.textlayer import Line

_BULLET = re.compile(r"^\s*[•◦▪‣●·]\s")
_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|[-–])\s")
# "Status: öffentlich": a form field, always on a line of its own
_LABEL = re.compile(r"^[A-ZÄÖÜ][\w\-/. ]{1,40}:(\s|$)")
_DIGITS = re.compile(r"\d+")
MARGIN_SHARE = 0.09  # headers and footers live in the top and bottom 9 %


@dataclass(frozen=True)
class PageText:
    body: str
    header: str
    footer: str


def _key(line: Line) -> str:
    return _DIGITS.sub("#", normalize(line.text).strip())


def running_lines(pages: list[tuple[list[Line], float]]) -> set[str]:
    """Keys of lines in the page margins that recur on at least half the pages."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines, height in pages:
        keys = {
            _key(line)
            for line in lines
            if line.top < MARGIN_SHARE * height or line.bottom > (1 - MARGIN_SHARE) * height
        }
        counts.update(keys)
    return {key for key, n in counts.items() if n >= max(2, len(pages) / 2)}


def _first_word(text: str) -> str:
    return text.split(maxsplit=1)[0] if text.split() else ""


def _groups(lines: list[Line]) -> list[list[Line]]:
    """Split lines into paragraphs: a larger line pitch, a column change, a list item.

    A number opens a list item only after a finished sentence: "(FB" / "02) in
    der Sitzung" is one sentence wrapped.
    """
    pitches = [b.top - a.top for a, b in itertools.pairwise(lines) if b.top > a.top]
    usual = statistics.median(pitches) if pitches else 0.0
    groups = [[lines[0]]]
    for previous, line in itertools.pairwise(lines):
        pitch = line.top - previous.top
        text = normalize(line.text)
        breaks = (
            pitch > 1.3 * usual
            or pitch <= 0  # a new column, or back up the page
            or _BULLET.match(text) is not None
            or (_NUMBERED.match(text) is not None
                and normalize(previous.text).rstrip().endswith((".", ":", ";", "!", "?")))
        )  # fmt: skip
        if breaks:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _group_text(group: list[Line]) -> str:
    """Join wrapped lines; keep deliberate breaks (the next word would have fit)."""
    right = max(line.right for line in group)
    text = normalize(group[0].text).strip()
    for previous, line in itertools.pairwise(group):
        piece = normalize(line.text).strip()
        char_width = (previous.right - previous.left) / max(1, len(previous.text))
        room = right - previous.right
        fits = room > char_width * (len(_first_word(piece)) + 1.5)
        deliberate = (fits or _LABEL.match(piece)) and not ends_with_break_hyphen(
            normalize(previous.text).rstrip()
        )
        if deliberate:
            text += "\n" + piece
        else:
            head, newline, last = text.rpartition("\n")
            text = head + newline + join_wrapped(last, piece)
    return text


def paragraphs(lines: list[Line]) -> str:
    if not lines:
        return ""
    return finish("\n\n".join(_group_text(group) for group in _groups(lines)))


def page_text(lines: list[Line], height: float, running: set[str]) -> PageText:
    running_here = [line for line in lines if _key(line) in running]
    header = [line for line in running_here if line.top < MARGIN_SHARE * height]
    footer = [line for line in running_here if line.bottom > (1 - MARGIN_SHARE) * height]
    margins = {id(line) for line in header + footer}
    body = [line for line in lines if id(line) not in margins]
    return PageText(
        paragraphs(body),
        finish("\n".join(normalize(line.text) for line in header)),
        finish("\n".join(normalize(line.text) for line in footer)),
    )
