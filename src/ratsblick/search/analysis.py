"""The one analyzer for index and query: what a word becomes in the index.

Text is NFC-normalised first (an OParl title may arrive decomposed, and the
tokenizer would cut "u" + combining diaeresis in two), then split on
non-alphanumerics, lower-cased, stemmed with Snowball German (which also maps
ä→a, ö→o, ü→u and ß→ss) and folded to ASCII for the rest (é→e). Digits stay
tokens, so "02/0131/WP17" becomes 02, 0131, wp17, searched as a phrase.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

import tantivy

from ratsblick.search.compounds import CompoundSplitter, default_splitter, runs

ANALYZER = "ratsblick_de"
GRAMS_ANALYZER = "ratsblick_grams"  # the common grams arrive analyzed: split at spaces only
ANALYSIS_VERSION = 4
"""Raise when the analyzer or the compound dictionary changes meaning.

2: the dictionary from german-nouns and wordfreq, parts looked up folded;
undated persons and organizations as recent as today (`schema.to_tantivy`).
3: particles as first parts, lexicalised nouns judged by their head, long rare parts.
4: nouns german-nouns lacks derived from verbs and nouns (-ung, -ende, -er, -schaft)."""

MAX_TOKEN = 60  # longer "words" are OCR noise or base64


@cache
def german_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("german"))
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def register(index: tantivy.Index) -> None:
    """Tantivy forgets custom analyzers on `Index.open`: call after every open."""
    index.register_tokenizer(ANALYZER, german_analyzer())
    index.register_tokenizer(
        GRAMS_ANALYZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order."""
    return list(german_analyzer().analyze(normalize(text)))


@lru_cache(maxsize=100_000)
def word_terms(word: str, splitter: CompoundSplitter | None = None) -> frozenset[str]:
    """Every term a single word is indexed under: its stem and its compound runs."""
    found = set(terms(word))
    for run in runs((splitter or default_splitter()).split(word)):
        found.update(terms(run))
    return frozenset(found)
