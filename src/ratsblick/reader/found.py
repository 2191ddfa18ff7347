"""Search results as data: the hits of a search with ids, facets, and a cursor onwards.

The query text is the citizen's query language (words, "phrases",
-exclusions, OR, `typ:` `art:` `jahr:` `von:` `bis:`), the same as on the
search page; the filters given beside it narrow it further. The engine pages
by offset (a result list is ranked, it has no key to continue from), so the
cursor is the offset of the next hit, opaque to clients and bounded like the
search page's last page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from ratsblick.council.models import Body, Organization
from ratsblick.indexing.service import search
from ratsblick.reader.cursors import BadCursor
from ratsblick.reader.search import PAGES
from ratsblick.search import Filters, Hit, Kind, SearchRequest, Snippet

LAST_OFFSET = 10_000
"""The deepest a search pages (the search page's 500 pages of 20)."""
SORTS = ("relevance", "date", "date_asc")
_CURSOR_PREFIX = "o"


@dataclass(frozen=True)
class Query:
    text: str = ""
    kinds: list[Kind] = field(default_factory=list)
    bodies: list[int] = field(default_factory=list)
    organizations: list[int] = field(default_factory=list)
    paper_types: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    cursor: str | None = None
    limit: int = 20
    snippets: bool = True
    """Passages with the words marked: most of a search's time (cut from the texts)."""


@dataclass(frozen=True)
class FoundFile:
    """A matching file inside its paper's or meeting's hit."""

    id: int
    title: str
    page: str
    snippet: Snippet | None


@dataclass(frozen=True)
class Found:
    kind: Kind
    id: int
    page: str
    """Our page of it."""
    title: str
    reference: str
    date: date | None
    body: int
    snippet: Snippet | None
    matched: bool
    """False: listed for its matching files only."""
    files: list[FoundFile]
    files_matched: int


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facets:
    kind: list[FacetValue]
    body: list[FacetValue]
    organization: list[FacetValue]
    paper_type: list[FacetValue]
    year: list[FacetValue]


@dataclass(frozen=True)
class SearchAnswer:
    total: int
    """Matching documents (a paper and each of its files count once each)."""
    groups: int | None
    """Hits they make; None when not every match was looked at."""
    results: list[Found]
    facets: Facets
    warnings: list[str]
    next_cursor: str | None


def offset_of(cursor: str | None) -> int:
    """Where the cursor continues; `BadCursor` for anything not handed out by `found`."""
    if cursor is None:
        return 0
    digits = cursor[len(_CURSOR_PREFIX) :]
    if not (
        cursor.startswith(_CURSOR_PREFIX)
        and digits.isascii()
        and digits.isdigit()
        and int(digits) <= LAST_OFFSET
    ):
        raise BadCursor(cursor)
    return int(digits)


def _found(hit: Hit) -> Found:
    return Found(
        kind=hit.kind,
        id=hit.pk,
        page=reverse(PAGES[hit.kind], args=[hit.pk]),
        title=hit.title,
        reference=hit.reference,
        date=hit.date,
        body=hit.body,
        snippet=hit.snippet,
        matched=hit.matched,
        files=[
            FoundFile(f.pk, f.title, reverse("web:file", args=[f.pk]), f.snippet) for f in hit.files
        ],
        files_matched=hit.files_matched,
    )


def _facets(counted: dict[str, list[tuple[str, int]]]) -> Facets:
    def named(facet: str, model: type[Body] | type[Organization]) -> list[FacetValue]:
        values = counted.get(facet, [])
        pks = [int(v) for v, _ in values if v.isdigit()]
        names = dict(model.objects.filter(pk__in=pks).values_list("pk", "name"))
        return [FacetValue(v, names.get(int(v), v) if v.isdigit() else v, n) for v, n in values]

    def plain(facet: str) -> list[FacetValue]:
        return [FacetValue(v, v, n) for v, n in counted.get(facet, [])]

    return Facets(
        kind=plain("kind"),
        body=named("body", Body),
        organization=named("organization", Organization),
        paper_type=plain("paper_type"),
        year=sorted(plain("year"), key=lambda y: y.value, reverse=True),
    )


def found(query: Query) -> SearchAnswer:
    """One page of hits; `IndexMissing` when there is no index yet, `BadCursor`."""
    offset = offset_of(query.cursor)
    results = search(
        SearchRequest(
            text=query.text,
            filters=Filters(
                kinds=query.kinds,
                bodies=query.bodies,
                organizations=query.organizations,
                paper_types=query.paper_types,
                date_from=query.date_from,
                date_to=query.date_to,
            ),
            sort=query.sort,
            offset=offset,
            limit=query.limit,
            snippets=query.snippets,
            facets=True,
        )
    )
    following = offset + query.limit
    return SearchAnswer(
        total=results.total,
        groups=results.groups,
        results=[_found(hit) for hit in results.hits],
        facets=_facets(results.facets),
        warnings=list(results.warnings),
        next_cursor=f"{_CURSOR_PREFIX}{following}"
        if results.more and following <= LAST_OFFSET
        else None,
    )
