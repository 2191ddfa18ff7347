""" "Meinten Sie …": a better spelling of a query word, taken from the index's own terms.

A word that matches no document, or very few, is compared with the terms of
the index that share its first three letters, else its first two: those
within edit distance 1 or 2
(Damerau's optimal string alignment, computed by rapidfuzz: a swap of two
letters counts once) and found in many more documents are candidates; the
nearest wins, then the most frequent. Terms
are stems, so the suggestion is spelled as the word stands in the title of
a document that has it, the form nearest to what was typed. Tantivy walks
its term dictionary in Rust (`terms_with_prefix`), limited to the most
frequent terms of that prefix.
"""

from __future__ import annotations

import re

import tantivy
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ratsblick.search.analysis import normalize, terms
from ratsblick.search.query import parse

FIELDS = ("title", "text")
"""Where candidates come from; a word also counts as found as a compound part."""
COUNTED = (*FIELDS, "parts")
FEW = 2
"""A word in at most this many documents gets a suggestion (a typo)."""
BETTER = 5
"""A suggestion must be in this many times more documents than the word."""
CANDIDATES = 5_000
"""The most frequent terms of the prefix that are compared."""
_WORD = re.compile(r"\w+")


def document_count(searcher: tantivy.Searcher, term: str) -> int:
    return max(int(searcher.doc_freq(name, term)) for name in COUNTED)


def better_term(searcher: tantivy.Searcher, term: str) -> str | None:
    """The index term nearest to `term` that is in many more documents, or None."""
    if len(term) < 4 or not term.isalpha():
        return None
    have = document_count(searcher, term)
    if have > FEW:
        return None
    for prefix in (3, 2):  # typos are rarer at the start, and 3 letters are faster
        found = _nearest(searcher, term, prefix, max(1, BETTER * have))
        if found:
            return found
    return None


def _nearest(searcher: tantivy.Searcher, term: str, prefix: int, at_least: int) -> str | None:
    """The nearest term (then the most frequent) sharing `prefix` letters with `term`
    and in at least `at_least` documents."""
    counts: dict[str, int] = {}
    for name in FIELDS:
        for candidate, count in searcher.terms_with_prefix(name, term[:prefix], limit=CANDIDATES):
            counts[candidate] = max(counts.get(candidate, 0), int(count))
    pool = [c for c, n in counts.items() if n >= at_least and abs(len(c) - len(term)) <= 2]
    near = process.extract(term, pool, scorer=OSA.distance, score_cutoff=2, limit=None)
    best = min(near, key=lambda found: (found[1], -counts[found[0]], found[0]), default=None)
    return best[0] if best else None


def spelled(
    searcher: tantivy.Searcher, schema: tantivy.Schema, term: str, typed: str
) -> str | None:
    """`term` as a word of a title that has it, the one nearest to `typed`
    ("kindergart", "Kindergarden" → "Kindergarten" rather than "Kindergärten")."""
    query = tantivy.Query.term_query(schema, "title", term)
    words = {
        word
        for _, address in searcher.search(query, 5).hits
        for word in _WORD.findall(normalize(str(searcher.doc(address).get_first("title") or "")))
        if terms(word) == [term]
    }
    return min(words, key=lambda w: (OSA.distance(w.lower(), typed.lower()), w), default=None)


def suggestion(index: tantivy.Index, text: str, matches: int) -> str | None:
    """`text` with each word that (nearly) matches nothing replaced by a better
    spelling from the index, or None when there is none.

    With more than `FEW` `matches` and no alternatives (OR) every word of the
    query is in each match: none can be a typo, and no term is looked up.
    """
    parsed = parse(text)
    if matches > FEW and all(len(group) == 1 for group in parsed.required):
        return None
    searcher = index.searcher()
    changed = text
    for clause in parsed.clauses:
        if clause.phrase or len(terms(clause.text)) != 1:
            continue
        (term,) = terms(clause.text)
        better = better_term(searcher, term)
        word = spelled(searcher, index.schema, better, clause.text) if better else None
        if word:
            changed = changed.replace(clause.text, word, 1)
    return changed if changed != text else None
