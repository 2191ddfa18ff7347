"""Common grams: bigrams with a very frequent word, so that phrases stay fast.

A phrase of frequent words ("öffentliche Sitzung", "Beschlussvorschlag der
Verwaltung") makes Tantivy check positions in most documents: 34 ms at one
million. Lucene's answer (CommonGrams), which this follows, is to index each
pair of adjacent terms in which one is a common word as one term of its own.
A phrase made only of such pairs is then a phrase of pairs, and pairs are
rare. The pairs keep their places: a gap token stands between pairs that
are not adjacent in the text, so a phrase of pairs matches only where the
words stand side by side.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise

from ratsblick.search.analysis import terms
from ratsblick.search.compounds import word_list

SEPARATOR = "_"
GAP = "|"
TITLE = "^"
"""Marks the title's grams, indexed once more, so a phrase in the title can
count more without a position check in the (larger) title field."""


@cache
def common_terms() -> frozenset[str]:
    return frozenset(t for word in word_list("common_words.txt") for t in terms(word))


def pairs(tokens: list[str]) -> list[str | None]:
    """For each adjacent pair of `tokens`, its common gram, or None."""
    common = common_terms()
    return [
        f"{a}{SEPARATOR}{b}" if a in common or b in common else None for a, b in pairwise(tokens)
    ]


def document_grams(title: str, text: str, reference: str) -> str:
    """The common grams of title, text and reference in order, then the title's
    once more marked `TITLE`, space-separated, with a gap token wherever the next
    gram does not follow on (and after each text).

    One pass per text, the title analyzed once: this runs for every document
    indexed, in Python, beside the index's own analysis of the same text.
    """
    out: list[str] = []
    title_terms = terms(title) if title else []
    _add_grams(out, title_terms, "")
    for other in (text, reference):
        if other:
            _add_grams(out, terms(other), "")
    _add_grams(out, title_terms, TITLE)
    return " ".join(out)


def _add_grams(out: list[str], tokens: list[str], prefix: str) -> None:
    common = common_terms()
    previous_was_gram = False
    for a, b in pairwise(tokens):
        if a in common or b in common:
            out.append(f"{prefix}{a}{SEPARATOR}{b}")
            previous_was_gram = True
        elif previous_was_gram:
            out.append(GAP)
            previous_was_gram = False
    if out and out[-1] != GAP:
        out.append(GAP)
