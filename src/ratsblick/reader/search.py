"""The search page: the URL's parameters to a search, its results to a typed page.

The URL is the whole state (`q`, `typ`, `kommune`, `gremium`, `art`, `jahr`,
`von`, `bis`, `sortierung`, `seite`): the form, the chips that remove a
filter, the sort and the page links all build URLs from the same
parameters. A bad value is dropped, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from ratsblick.council.models import Body, Organization
from ratsblick.indexing.service import search
from ratsblick.search import (
    KIND_NAMES,
    Filters,
    Hit,
    Kind,
    SearchRequest,
    SearchResults,
    Snippet,
    parse_day,
)

PER_PAGE = 20
LAST_PAGE = 500
KIND_PARAMS = {
    Kind.PAPER: "vorlage",
    Kind.MEETING: "sitzung",
    Kind.FILE: "datei",
    Kind.PERSON: "person",
    Kind.ORGANIZATION: "gremium",
}
KIND_LABELS = {
    Kind.PAPER: "Vorlage",
    Kind.MEETING: "Sitzung",
    Kind.FILE: "Datei",
    Kind.PERSON: "Person",
    Kind.ORGANIZATION: "Gremium",
}
PAGES = {
    Kind.PAPER: "web:paper",
    Kind.MEETING: "web:meeting",
    Kind.FILE: "web:file",
    Kind.PERSON: "web:person",
    Kind.ORGANIZATION: "web:organization",
}
SORTS = {"relevanz": "relevance", "neueste": "date", "aelteste": "date_asc"}
SORT_LABELS = {"relevanz": "Relevanz", "neueste": "Neueste zuerst", "aelteste": "Älteste zuerst"}
LIST_FILTERS = ("typ", "kommune", "gremium", "art")
"""Parameters that may repeat (checkboxes); `jahr`, `von`, `bis` are single."""


def _int(value: str) -> int | None:
    """A row id or page number as typed: ASCII digits that fit a bigint, else None.

    `str.isdigit` accepts "²", which `int` refuses.
    """
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _ints(values: list[str]) -> list[int]:
    return [n for n in map(_int, values) if n is not None]


def _day(value: str | None, *, end: bool = False) -> date | None:
    return parse_day(value, end=end) if value else None


def _kinds(values: list[str]) -> list[Kind]:
    return [KIND_NAMES[v.lower()] for v in values if v.lower() in KIND_NAMES]


def request_from(params: QueryDict) -> SearchRequest:
    """Whatever the parameters hold, a valid request (bad values are dropped)."""
    page = min(_int(params.get("seite", "")) or 1, LAST_PAGE)
    year = params.get("jahr", "")
    return SearchRequest(
        text=params.get("q", "")[:500],
        filters=Filters(
            kinds=_kinds(params.getlist("typ")),
            bodies=_ints(params.getlist("kommune")),
            organizations=_ints(params.getlist("gremium")),
            paper_types=[t[:200] for t in params.getlist("art") if t.strip()],
            date_from=_day(year) or _day(params.get("von")),
            date_to=_day(year, end=True) or _day(params.get("bis"), end=True),
        ),
        sort=SORTS.get(params.get("sortierung", ""), "relevance"),
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
        facets=True,
    )


def _url(params: QueryDict, **changes: list[str]) -> str:
    """The search page's URL with some parameters replaced (an empty list drops one),
    back on the first page."""
    changed = params.copy()
    changed.pop("seite", None)
    for name, values in changes.items():
        changed.setlist(name, values)
    query = urlencode([(k, v) for k, vs in changed.lists() for v in vs if v], doseq=True)
    return reverse("web:search") + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Option:
    """One value of a filter: a checkbox or a choice of a select."""

    value: str
    label: str
    count: int | None  # matching documents; None for a chosen value with no match left
    selected: bool


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    options: tuple[Option, ...]
    multiple: bool  # checkboxes; else a select with one choice


@dataclass(frozen=True)
class Chip:
    """An active filter, with the URL of the page without it."""

    label: str
    remove_url: str


@dataclass(frozen=True)
class SortChoice:
    value: str
    label: str
    url: str
    selected: bool


@dataclass(frozen=True)
class FileMatch:
    """A matching file shown inside its paper's or meeting's result."""

    title: str
    url: str  # the file page with the search terms, at the snippet's page
    snippet: Snippet | None


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    title: str
    url: str
    reference: str
    date: date | None
    body: str
    snippet: Snippet | None
    matched: bool  # False: shown for its files only
    files: tuple[FileMatch, ...]
    more_files: int  # matching files not listed


@dataclass(frozen=True)
class SearchPage:
    q: str
    searched: bool  # False: the empty form
    total: int  # matching documents (a paper and each of its files count)
    groups: int | None  # results they make; None when not every match was looked at
    results: tuple[Result, ...]
    first_rank: int
    page: int
    previous_url: str | None
    next_url: str | None
    warnings: tuple[str, ...]
    facets: tuple[Facet, ...]
    chips: tuple[Chip, ...]
    sorts: tuple[SortChoice, ...]
    date_from: str  # the `von`/`bis` inputs as typed
    date_to: str
    suggestion: str | None = None  # "Meinten Sie …": the query spelled better
    suggestion_url: str | None = None


def _file_url(hit: Hit, q: str) -> str:
    url = reverse("web:file", args=[hit.pk]) + "?" + urlencode({"q": q})
    page = hit.snippet.page if hit.snippet else None
    return url + (f"#seite-{page}" if page else "")


def _result(hit: Hit, q: str, bodies: dict[int, Body]) -> Result:
    url = _file_url(hit, q) if hit.kind == Kind.FILE else reverse(PAGES[hit.kind], args=[hit.pk])
    return Result(
        kind=KIND_PARAMS[hit.kind],
        kind_label=KIND_LABELS[hit.kind],
        title=hit.title,
        url=url,
        reference=hit.reference,
        date=hit.date,
        body=bodies[hit.body].name if hit.body in bodies else "",
        snippet=hit.snippet,
        matched=hit.matched,
        files=tuple(FileMatch(f.title, _file_url(f, q), f.snippet) for f in hit.files),
        more_files=hit.files_matched - len(hit.files),
    )


def _options(
    counted: list[tuple[str, int]], chosen: list[str], labels: dict[str, str]
) -> tuple[Option, ...]:
    """The counted values, and the chosen ones even when nothing matches them now
    (so that they can be unticked)."""
    counts = dict(counted)
    values = [*counts, *(v for v in chosen if v not in counts)]
    return tuple(Option(v, labels.get(v, v), counts.get(v), v in chosen) for v in values)


def _facets(
    results: SearchResults, params: QueryDict, bodies: dict[int, Body]
) -> tuple[Facet, ...]:
    found = results.facets
    organizations = Organization.objects.only("name").in_bulk(
        _ints([*(k for k, _ in found.get("organization", [])), *params.getlist("gremium")])
    )
    known = {str(k): k for k in Kind}
    kinds = [(KIND_PARAMS[known[k]], n) for k, n in found.get("kind", []) if k in known]
    chosen_kinds = [KIND_PARAMS[k] for k in _kinds(params.getlist("typ"))]
    years = sorted(found.get("year", []), reverse=True)
    year = params.get("jahr", "")
    return (
        Facet(
            "typ",
            "Art des Treffers",
            _options(kinds, chosen_kinds, {KIND_PARAMS[k]: v for k, v in KIND_LABELS.items()}),
            multiple=True,
        ),
        Facet(
            "kommune",
            "Kommune",
            _options(
                found.get("body", []),
                [str(pk) for pk in _ints(params.getlist("kommune"))],
                {str(pk): b.name for pk, b in bodies.items()},
            ),
            multiple=True,
        ),
        Facet(
            "gremium",
            "Gremium",
            _options(
                found.get("organization", []),
                [str(pk) for pk in _ints(params.getlist("gremium"))],
                {str(pk): o.name for pk, o in organizations.items()},
            ),
            multiple=True,
        ),
        Facet(
            "art",
            "Vorlagenart",
            _options(found.get("paper_type", []), params.getlist("art"), {}),
            multiple=True,
        ),
        Facet("jahr", "Jahr", _options(years, [year] if _day(year) else [], {}), multiple=False),
    )


def _chips(params: QueryDict, facets: tuple[Facet, ...]) -> tuple[Chip, ...]:
    chips = []
    for facet in facets:
        for option in facet.options:
            if option.selected:
                rest = [o.value for o in facet.options if o.selected and o is not option]
                label = f"{facet.label}: {option.label}"
                chips.append(Chip(label, _url(params, **{facet.param: rest})))
    for param, label in (("von", "ab"), ("bis", "bis")):
        value = params.get(param, "")
        if _day(value) and not _day(params.get("jahr", "")):
            chips.append(Chip(f"{label} {value}", _url(params, **{param: []})))
    return tuple(chips)


def search_page(params: QueryDict) -> SearchPage:
    """The page for these parameters; `IndexMissing` when there is no index yet."""
    request = request_from(params)
    page = request.offset // PER_PAGE + 1
    searched = bool(request.text.strip()) or any(params.getlist(p) for p in (*LIST_FILTERS, "jahr"))
    sort = next((k for k, v in SORTS.items() if v == request.sort), "relevanz")
    sorts = tuple(
        SortChoice(k, v, _url(params, sortierung=[] if k == "relevanz" else [k]), k == sort)
        for k, v in SORT_LABELS.items()
    )
    if not searched:
        return SearchPage(
            request.text, False, 0, None, (), 1, 1, None, None, (), (), (), sorts, "", ""
        )
    results = search(request)
    body_pks = {h.body for h in results.hits}
    body_pks.update(_ints([k for k, _ in results.facets.get("body", [])]))
    body_pks.update(_ints(params.getlist("kommune")))
    bodies = Body.objects.only("name").in_bulk(body_pks)
    facets = _facets(results, params, bodies)
    page_url = _url(params)
    joiner = "&" if "?" in page_url else "?"
    return SearchPage(
        q=request.text,
        searched=True,
        total=results.total,
        groups=results.groups,
        results=tuple(_result(h, request.text, bodies) for h in results.hits),
        first_rank=request.offset + 1,
        page=page,
        previous_url=(page_url if page == 2 else f"{page_url}{joiner}seite={page - 1}")
        if page > 1
        else None,
        next_url=f"{page_url}{joiner}seite={page + 1}"
        if results.more and page < LAST_PAGE
        else None,
        warnings=tuple(results.warnings),
        facets=facets,
        chips=_chips(params, facets),
        sorts=sorts,
        date_from=params.get("von", "")[:20],
        date_to=params.get("bis", "")[:20],
        suggestion=results.suggestion,
        suggestion_url=_url(params, q=[results.suggestion]) if results.suggestion else None,
    )
