"""From a request to a Tantivy query: which fields a word is looked up in, and how much each counts.

A word must match in one of title, reference, text or the compound parts;
a title match counts most, an exact word more than a compound part (so a
paper on "Strategie" ranks above one on "Digitalstrategie"). A word with
several tokens ("02/0131/WP17", "Bürger-Dialog") is a phrase. The whole
query, read as a reference number, is an extra boost: typing a Vorlage's
number puts that Vorlage first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

import tantivy

from ratsblick.search.analysis import terms
from ratsblick.search.grams import TITLE, pairs
from ratsblick.search.query import Clause, parse, searchable_dates
from ratsblick.search.schema import exact_reference
from ratsblick.search.types import Filters, SearchRequest

BOOSTS = {"title": 3.0, "reference": 4.0, "text": 1.0, "parts": 0.3}
PHRASE_FIELDS = ("title", "reference", "text")
EXACT_REFERENCE_BOOST = 20.0

Occur = tantivy.Occur
Should, Must, MustNot = Occur.Should, Occur.Must, Occur.MustNot


@dataclass
class Compiled:
    query: tantivy.Query | None
    stems: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    return (
        queries[0]
        if len(queries) == 1
        else tantivy.Query.boolean_query([(Should, q) for q in queries])
    )


def clause_query(schema: tantivy.Schema, clause: Clause) -> tuple[tantivy.Query, list[str]] | None:
    tokens = terms(clause.text)
    if not tokens:
        return None
    if len(tokens) == 1:
        fields = [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(schema, name, tokens[0], index_option="freq"), boost
            )
            for name, boost in BOOSTS.items()
        ]
    else:
        grams = pairs(tokens)
        if all(grams):
            return _gram_phrase(schema, [g for g in grams if g]), tokens
        words = list[str | tuple[int, str]](tokens)
        fields = [
            tantivy.Query.boost_query(tantivy.Query.phrase_query(schema, name, words), BOOSTS[name])
            for name in PHRASE_FIELDS
        ]
    return _any_of(fields), tokens


def _grams_query(schema: tantivy.Schema, grams: list[str]) -> tantivy.Query:
    if len(grams) == 1:
        return tantivy.Query.term_query(schema, "grams", grams[0], index_option="freq")
    return tantivy.Query.phrase_query(schema, "grams", list[str | tuple[int, str]](grams))


def _gram_phrase(schema: tantivy.Schema, grams: list[str]) -> tantivy.Query:
    """A phrase made of common grams: matched on the grams, in the title it counts more."""
    title = _grams_query(schema, [TITLE + g for g in grams])
    return tantivy.Query.boolean_query(
        [
            (Must, _grams_query(schema, grams)),
            (Should, tantivy.Query.boost_query(title, BOOSTS["title"])),
        ]
    )


def _filters(schema: tantivy.Schema, filters: Filters) -> list[tantivy.Query]:
    out = []
    sets: dict[str, list[str] | list[int]] = {
        "kind": [str(k) for k in filters.kinds],
        "body": filters.bodies,
        "paper_type": filters.paper_types,
        "organization": filters.organizations,
    }
    for name, values in sets.items():
        if values:
            out.append(tantivy.Query.term_set_query(schema, name, sorted(set(values))))
    if filters.date_from or filters.date_to:
        lower = datetime.combine(filters.date_from, time()) if filters.date_from else None
        upper = datetime.combine(filters.date_to, time()) if filters.date_to else None
        out.append(tantivy.Query.range_query(schema, "date", tantivy.FieldType.Date, lower, upper))
    return out


def compile_query(schema: tantivy.Schema, request: SearchRequest) -> Compiled:
    parsed = parse(request.text)
    requested, notes = searchable_dates(request.filters)
    compiled = Compiled(None, warnings=[*notes, *parsed.warnings])
    clauses: list[tuple[Occur, tantivy.Query]] = []
    for group in parsed.required:
        alternatives = []
        for clause in group:
            found = clause_query(schema, clause)
            if found:
                alternatives.append(found[0])
                compiled.stems.update(found[1])
        if alternatives:
            clauses.append((Must, _any_of(alternatives)))
    for clause in parsed.excluded:
        found = clause_query(schema, clause)
        if found:
            clauses.append((MustNot, found[0]))
    # The request's filters, with those typed into the query added.
    filters = _filters(schema, requested.merged(parsed.filters))
    clauses += [(Must, f) for f in filters]
    has_positive = any(occur == Must for occur, _ in clauses)
    if not has_positive:
        if not filters and not any(occur == MustNot for occur, _ in clauses):
            if request.text.strip():
                compiled.warnings.append("Die Suche enthält kein Wort, nach dem sich suchen lässt.")
            return compiled
        clauses.append((Must, tantivy.Query.all_query()))
    reference = exact_reference(request.text)
    if any(ch.isdigit() for ch in reference):
        boost = tantivy.Query.term_query(schema, "reference_exact", reference)
        clauses.append((Should, tantivy.Query.const_score_query(boost, EXACT_REFERENCE_BOOST)))
    compiled.query = tantivy.Query.boolean_query(clauses)
    return compiled
