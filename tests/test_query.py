"""The query language: what a citizen types, and that nothing they type breaks it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratsblick.search import Filters, Kind, SearchDocument, SearchIndex, SearchRequest
from ratsblick.search.query import Clause, parse
from ratsblick.search.schema import to_tantivy


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


def test_years_the_index_cannot_hold_get_a_note_instead_of_a_filter() -> None:
    for typed in ("jahr:9999", "von:0201", "bis:1677", "jahr:2262", "von:1.1.0001"):
        query = parse(f"{typed} Haushalt")
        value = typed.split(":", 1)[1]
        assert query.warnings == [
            f"Datum „{value}“ liegt nicht zwischen 1678 und 2261 und wird ignoriert."
        ]
        assert query.filters == Filters()
        assert query.required == [[Clause("Haushalt")]]
    edges = parse("von:1678 bis:2261")
    assert (edges.filters.date_from, edges.filters.date_to) == (
        date(1678, 1, 1),
        date(2261, 12, 31),
    )
    assert edges.warnings == []


def test_request_dates_the_index_cannot_hold_get_a_note(index: SearchIndex) -> None:
    """As the web form's jahr/von/bis and `ratsblick search --from/--to` send them."""
    request = SearchRequest(
        "Haushalt", Filters(date_from=date(9999, 1, 1), date_to=date(201, 3, 5))
    )
    results = index.search(request)
    assert results.warnings == [
        "Datum „1.1.9999“ liegt nicht zwischen 1678 und 2261 und wird ignoriert.",
        "Datum „5.3.201“ liegt nicht zwischen 1678 und 2261 und wird ignoriert.",
    ]
    assert [h.key for h in results.hits] == ["file:2"]  # searched without the dropped dates
    assert request.filters.date_from == date(9999, 1, 1)  # the caller's request is left alone


def test_huge_and_negative_pages_are_clamped(index: SearchIndex) -> None:
    assert [h.key for h in index.search(SearchRequest("Haushalt", offset=-5, limit=-1)).hits] == [
        "file:2"
    ]
    assert index.search(SearchRequest("Haushalt", offset=10**30, limit=10**30)).hits == []
    assert index.search(SearchRequest("Haushalt", offset=10**30)).total == 1


HUGE = st.integers(min_value=-(10**20), max_value=10**20)
DATE_FILTER = st.builds(
    "{} {}:{}".format,
    QUERY_TEXT,
    st.sampled_from(["jahr", "von", "bis"]),
    st.integers(-99999, 99999).map(str) | st.dates().map(lambda d: f"{d.day}.{d.month}.{d.year}"),
)
REQUESTS = st.builds(
    SearchRequest,
    text=QUERY_TEXT | DATE_FILTER,
    filters=st.builds(Filters, date_from=st.none() | st.dates(), date_to=st.none() | st.dates()),
    sort=st.sampled_from(["relevance", "date", "date_asc", ""]),
    offset=HUGE,
    limit=HUGE,
    facets=st.booleans(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=REQUESTS)
def test_no_request_raises(index: SearchIndex, request: SearchRequest) -> None:
    """Generated query text, years, days and pages through parse and a real index."""
    results = index.search(request)
    assert 0 <= len(results.hits) <= min(max(request.limit, 1), 100)
    assert results.total >= len(results.hits)


@settings(max_examples=200, deadline=None)
@given(day=st.none() | st.dates())
def test_any_date_can_be_indexed(day: date | None) -> None:
    stored = to_tantivy(SearchDocument(Kind.PAPER, 1, 1, "Haushalt", date=day)).to_dict()
    assert ("date" in stored) == (day is not None and 1678 <= day.year <= 2261)
