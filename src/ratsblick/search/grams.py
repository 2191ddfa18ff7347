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


def text_grams(*texts: str, prefix: str = "") -> str:
    """The common grams of each text in order, with a gap token wherever the
    next gram does not follow on (and between texts), space-separated."""
    out: list[str] = []
    for text in texts:
        previous_was_gram = False
        for gram in pairs(terms(text)) if text else []:
            if gram:
                out.append(prefix + gram)
            elif previous_was_gram:
                out.append(GAP)
            previous_was_gram = gram is not None
        if out and out[-1] != GAP:
            out.append(GAP)
    return " ".join(out)
