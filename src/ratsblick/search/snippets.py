"""Highlighted passages from the original text, for the hits on the page shown.

Tantivy's snippet generator marks only the terms of the field it is given, so
a hit through a compound part ("Radweg" in "Radwegeplanung") would come back
unmarked. Here a regular expression finds the words that may carry a query
term (the stem with ä/ö/ü/ß spelled any way: "für", "fur", "fuer"; anywhere in the word), the
analyzer confirms them, and the passage with the most different terms wins.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from ratsblick.search.analysis import word_terms

WIDTH = 220
MAX_MARKS = 200
_WORD_END = re.compile(r"[\w-]*")
_FOLD = {"ss": "(?:ss|ß)", "a": "(?:ae|[aäAÄ])", "o": "(?:oe|[oöOÖ])", "u": "(?:ue|[uüUÜ])"}
_FOLDABLE = re.compile("|".join(_FOLD))


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: list[tuple[int, int]]
    """Character ranges in `text` to highlight."""
    page: int | None = None
    """1-based page of a file the passage is on."""
    clipped_start: bool = False
    clipped_end: bool = False

    def html(self) -> str:
        out, at = [], 0
        for start, end in self.marks:
            out += [html.escape(self.text[at:start]), "<mark>"]
            out += [html.escape(self.text[start:end]), "</mark>"]
            at = end
        out.append(html.escape(self.text[at:]))
        prefix = "… " if self.clipped_start else ""
        suffix = " …" if self.clipped_end else ""
        return prefix + "".join(out).strip() + suffix


def _stem_pattern(stem: str) -> str:
    """The stem as the text may spell it: "strass" also as "Straß", "burg" as "Bürg"."""
    pieces = _FOLDABLE.split(stem)
    folds = [_FOLD[m] for m in _FOLDABLE.findall(stem)]
    return "".join(re.escape(p) + f for p, f in zip(pieces, [*folds, ""], strict=True))


def term_finder(stems: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for where a word holding one of `stems` may be.

    Stems of three letters or fewer are looked for at the start of a word
    only: as parts of compounds they are rare, inside words everywhere.
    """
    alternatives = [
        rf"(?<![\w-])(?:{_stem_pattern(s)})" if len(s) <= 3 else _stem_pattern(s)
        for s in set(stems)
        if s
    ]
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)), re.IGNORECASE)


def _word_at(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole word around text[start:end]."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
        start -= 1
    word = _WORD_END.match(text, end)
    return start, word.end() if word else end


def find_marks(
    text: str,
    stems: set[str],
    finder: re.Pattern[str],
    width: int | None = WIDTH,
    span: tuple[int, int] | None = None,
) -> list[tuple[int, int, str]]:
    """(start, end, term) of the words in `text` (or its `span`) indexed under a query term.

    Stops at the first window of `width` that shows every term: no later
    window can show more. `width=None` finds all.
    """
    marks: list[tuple[int, int, str]] = []
    last_end = -1
    for match in finder.finditer(text, *(span or (0, len(text)))):
        if match.start() < last_end:
            continue
        start, end = _word_at(text, match.start(), match.end())
        last_end = end
        found = word_terms(text[start:end]) & stems
        if not found:
            continue
        marks.append((start, end, min(found)))
        if len(marks) >= MAX_MARKS:
            break
        if width is not None and len({m[2] for m in marks if m[0] >= end - width}) == len(stems):
            break
    return marks


def _best_window(marks: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """Indices [i, j) of the marks in the window with the most different terms."""
    best, best_score, j = (0, 1), (0, 0), 0
    for i, (start, _, _) in enumerate(marks):
        j = max(j, i + 1)
        while j < len(marks) and marks[j][1] - start <= width:
            j += 1
        score = (len({m[2] for m in marks[i:j]}), j - i)
        if score > best_score:
            best, best_score = (i, j), score
    return best


def _cut(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """A window of about `width` around [start, end), cut at spaces."""
    spare = max(0, width - (end - start))
    left = max(0, start - spare // 3)
    right = min(len(text), end + spare - (start - left))
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    return left, right


def make_snippet(
    text: str,
    stems: set[str],
    page_starts: list[int] | None = None,
    width: int = WIDTH,
) -> Snippet | None:
    """The passage of `text` that shows most of the query's terms, or None."""
    finder = term_finder(stems)
    marks = find_marks(text, stems, finder, width) if finder else []
    if not marks:
        return None
    i, j = _best_window(marks, width)
    left, right = _cut(text, marks[i][0], marks[j - 1][1], width)
    assert finder is not None
    flat = " ".join(text[left:right].split())
    # Every mark in the passage, mapped into the whitespace-collapsed passage.
    ranges = []
    for start, end, _ in find_marks(text, stems, finder, None, (left, right)):
        prefix = " ".join(text[left:start].split())
        gap = 1 if prefix and text[start - 1].isspace() else 0
        at = len(prefix) + gap
        ranges.append((at, at + len(" ".join(text[start:end].split()))))
    page = bisect_right(page_starts, marks[i][0]) if page_starts else None
    return Snippet(flat, ranges, page, left > 0, right < len(text))
