"""The package's data: what goes into the index, what a search asks for and what it answers.

Kept apart from `engine`, which opens the index, so that `query`, `ranking`
and every caller can name these types without the I/O (and without the
import cycle `engine` → `ranking` → `engine` there was).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any

from ratsblick.search.snippets import Snippet

FIRST_YEAR, LAST_YEAR = 1678, 2261
"""The years of the dates the index holds: Tantivy counts nanoseconds since 1970
in 64 bits (21.9.1677 to 11.4.2262), whole years inside that. A document dated
outside is indexed without a date; a date filter outside is dropped with a note."""


def searchable_day(day: date | None) -> date | None:
    """`day` when the index can hold it, else None."""
    return day if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR else None


class Kind(StrEnum):
    PAPER = "paper"
    MEETING = "meeting"
    FILE = "file"
    PERSON = "person"
    ORGANIZATION = "organization"


@dataclass
class SearchDocument:
    """One searchable thing. `key` ("paper:12") is its identity in the index."""

    kind: Kind
    pk: int
    body: int
    title: str
    text: str = ""
    reference: str = ""
    date: date | None = None
    paper_type: str = ""
    organizations: list[int] = field(default_factory=list)
    page_starts: list[int] = field(default_factory=list)
    """For files: where each page starts in `text`, to name a snippet's page."""

    @property
    def key(self) -> str:
        return document_key(self.kind, self.pk)


def document_key(kind: Kind | str, pk: int) -> str:
    return f"{kind}:{pk}"


@dataclass
class Filters:
    """What a search is narrowed to: typed into the query (`typ:`, `art:`, `jahr:`,
    `von:`, `bis:`) or given with the request (the web form, the command's options).

    A list filter matches any of its values; an empty list or None does not filter.
    """

    kinds: list[Kind] = field(default_factory=list)
    bodies: list[int] = field(default_factory=list)
    paper_types: list[str] = field(default_factory=list)
    organizations: list[int] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None

    def merged(self, other: Filters) -> Filters:
        """Both: lists joined, a single value of `self` before `other`'s.

        Generic over the fields, so that a new filter needs no code here.
        """
        values: dict[str, Any] = {}
        for name in (f.name for f in fields(self)):
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, list):
                values[name] = [*mine, *theirs]
            else:
                values[name] = theirs if mine is None else mine
        return Filters(**values)


@dataclass
class SearchRequest:
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    """"relevance", "date" (newest first) or "date_asc"."""
    offset: int = 0
    limit: int = 20
    snippets: bool = True
    facets: bool = False


@dataclass
class Hit:
    kind: Kind
    pk: int
    key: str
    body: int
    title: str
    score: float
    reference: str = ""
    date: date | None = None
    snippet: Snippet | None = None


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
