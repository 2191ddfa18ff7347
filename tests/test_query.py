"""The query language: what a citizen types, and that nothing they type breaks it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratsblick.search import Kind, SearchDocument, SearchIndex, SearchRequest
from ratsblick.search.query import Clause, parse


def test_words_phrases_exclusions_and_alternatives() -> None:
    query = parse('Radweg "digitale Strategie" -Windkraft -"neue Satzung" Kita OR Kindergarten')
    assert query.required == [
        [Clause("Radweg")],
        [Clause("digitale Strategie", phrase=True)],
        [Clause("Kita"), Clause("Kindergarten")],
    ]
    assert query.excluded == [Clause("Windkraft"), Clause("neue Satzung", phrase=True)]
    assert parse("Kita ODER Hort | Krippe").required == [
        [Clause("Kita"), Clause("Hort"), Clause("Krippe")]
    ]


def test_filters() -> None:
    query = parse('typ:vorlage art:"Antrag der Fraktion" von:2020 bis:5.3.2021 Haushalt')
    assert query.filters.kinds == [Kind.PAPER]
    assert query.filters.paper_types == ["Antrag der Fraktion"]
    assert (query.filters.date_from, query.filters.date_to) == (date(2020, 1, 1), date(2021, 3, 5))
    assert query.required == [[Clause("Haushalt")]]
    year = parse("jahr:2019")
    assert (year.filters.date_from, year.filters.date_to) == (date(2019, 1, 1), date(2019, 12, 31))


def test_unreadable_filters_warn_in_german_and_are_ignored() -> None:
    query = parse("typ:raumschiff von:gestern bis:31.02.2020 Haushalt")
    assert query.filters.kinds == []
    assert query.filters.date_from is None
    assert len(query.warnings) == 3
    assert "Unbekannter Typ „raumschiff“" in query.warnings[0]
    assert query.required == [[Clause("Haushalt")]]


def test_unknown_prefixes_and_urls_are_words() -> None:
    assert parse("https://example.org").required == [[Clause("https://example.org")]]
    assert parse("Ziffer:3").required == [[Clause("Ziffer:3")]]


def test_unclosed_quotes_and_dangling_operators() -> None:
    assert parse('"offene Phrase').required == [[Clause("offene Phrase", phrase=True)]]
    assert parse("OR Haus OR").required == [[Clause("Haus")]]
    assert parse('- "" OR').required == [[Clause("-")]]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    built = SearchIndex(tmp_path_factory.mktemp("index"))
    with built.rebuild() as writer:
        writer.add(
            [
                SearchDocument(Kind.PAPER, 1, 1, "Radwegeplanung", "Text", "FB 02/0131/WP17"),
                SearchDocument(Kind.FILE, 2, 1, "Haushalt", "Straße 1 2 3", date=date(2020, 1, 1)),
            ]
        )
    return built


QUERY_TEXT = st.text(
    alphabet=st.sampled_from(
        list('ab ÄßxyzRadweg"-:|()[]{}*?~^!\\/+&.0123456789\t\nORODERtypjahr')
    ),
    max_size=60,
) | st.text(max_size=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=QUERY_TEXT, sort=st.sampled_from(["relevance", "date", "date_asc", "x"]))
def test_no_input_raises(index: SearchIndex, text: str, sort: str) -> None:
    """Any text, parsed, compiled and run against a real index: results or a message."""
    results = index.search(SearchRequest(text, sort=sort, facets=True))
    assert results.total >= 0
    assert all(isinstance(w, str) for w in results.warnings)
