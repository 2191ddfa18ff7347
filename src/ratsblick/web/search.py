"""The search page: the form's parameters to a request, hits to links and labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from ratsblick.council.models import Body, Meeting, Organization, Paper
from ratsblick.search import Filters, Hit, Kind, SearchRequest, SearchResults, parse_day

PER_PAGE = 20
KIND_LABELS = {
    Kind.PAPER: "Vorlage",
    Kind.MEETING: "Sitzung",
    Kind.FILE: "Datei",
    Kind.PERSON: "Person",
    Kind.ORGANIZATION: "Gremium",
}
SORTS = {"relevanz": "relevance", "neueste": "date", "aelteste": "date_asc"}


def _int(value: str) -> int | None:
    """A row id or page number as typed: ASCII digits that fit a bigint, else None.

    `str.isdigit` accepts "²", which `int` refuses.
    """
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _ints(values: list[str]) -> list[int]:
    return [n for n in map(_int, values) if n is not None]


def _day(value: str | None, *, end: bool = False) -> date | None:
    return parse_day(value, end=end) if value else None


def request_from(params: QueryDict) -> SearchRequest:
    """Whatever the parameters hold, a valid request (bad values are dropped)."""
    page = _int(params.get("seite", "")) or 1
    year = params.get("jahr", "")
    return SearchRequest(
        text=params.get("q", "")[:500],
        filters=Filters(
            bodies=_ints(params.getlist("koerperschaft")),
            kinds=[Kind(k) for k in params.getlist("typ") if k in Kind.__members__.values()],
            organizations=_ints(params.getlist("gremium")),
            date_from=_day(year) or _day(params.get("von")),
            date_to=_day(year, end=True) or _day(params.get("bis"), end=True),
        ),
        sort=SORTS.get(params.get("sortierung", ""), "relevance"),
        offset=(max(1, min(page, 500)) - 1) * PER_PAGE,
        limit=PER_PAGE,
        facets=True,
    )


def with_param(params: QueryDict, name: str, value: str | None) -> str:
    """The current query string with `name` set to `value` (None removes it), page reset."""
    changed = params.copy()
    changed.pop("seite", None)
    changed.pop(name, None)
    if value is not None:
        changed[name] = value
    return "?" + urlencode(list(changed.lists()), doseq=True)


@dataclass
class FacetValue:
    label: str
    count: int
    url: str
    active: bool


def facet_values(results: SearchResults, params: QueryDict) -> dict[str, list[FacetValue]]:
    facets = results.facets
    bodies = Body.objects.in_bulk(_ints([k for k, _ in facets.get("body", [])]))
    organizations = Organization.objects.in_bulk(
        _ints([k for k, _ in facets.get("organization", [])])
    )
    labels = {
        "typ": {str(k): v for k, v in KIND_LABELS.items()},
        "koerperschaft": {str(pk): b.name for pk, b in bodies.items()},
        "gremium": {str(pk): o.name for pk, o in organizations.items()},
    }
    shown = {"typ": "kind", "koerperschaft": "body", "jahr": "year", "gremium": "organization"}
    out = {}
    for param, facet in shown.items():
        values = facets.get(facet, [])
        if facet == "year":
            values = sorted(values, reverse=True)
        out[param] = [
            FacetValue(
                labels.get(param, {}).get(key, key),
                count,
                with_param(params, param, None if params.get(param) == key else key),
                params.get(param) == key,
            )
            for key, count in values
        ]
    return out


def links(hits: list[Hit]) -> dict[str, str]:
    """Where each hit is shown; until the pages of the web issue exist, papers and
    meetings open their main document and the rest their body."""
    papers = Paper.objects.in_bulk([h.pk for h in hits if h.kind == Kind.PAPER])
    meetings = Meeting.objects.in_bulk([h.pk for h in hits if h.kind == Kind.MEETING])
    found = {}
    for hit in hits:
        file_pk: int | None = None
        if hit.kind == Kind.FILE:
            file_pk = hit.pk
        elif hit.kind == Kind.PAPER and hit.pk in papers:
            file_pk = papers[hit.pk].main_file_id
        elif hit.kind == Kind.MEETING and hit.pk in meetings:
            meeting = meetings[hit.pk]
            file_pk = meeting.results_protocol_id or meeting.invitation_id
        found[hit.key] = (
            reverse("web:file", args=[file_pk]) if file_pk else reverse("web:body", args=[hit.body])
        )
    return found
