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


@dataclass(frozen=True)
class Parent:
    """The paper or meeting a file belongs to, as its hit shows it: stored with the
    file, so that a hit of files only needs no second lookup (it cost 0.4 ms)."""

    key: str
    title: str = ""
    reference: str = ""
    date: date | None = None


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
    parent: Parent | None = None
    """For files: the paper or meeting they belong to. A search shows the parent
    as one hit with its matching files inside."""

    @property
    def key(self) -> str:
        return document_key(self.kind, self.pk)


def document_key(kind: Kind | str, pk: int) -> str:
    return f"{kind}:{pk}"


_KIND_CODES = {kind: code for code, kind in enumerate(Kind, start=1)}
_CODE_BITS = 56


def group_code(key: str) -> int:
    """A key as one number ("paper:12" → 1·2⁵⁶ + 12), for the index's numeric `group`
    fast field: Tantivy reads numbers for many hits at once, text only one stored
    document at a time."""
    kind, pk = key.split(":", 1)
    return _KIND_CODES[Kind(kind)] << _CODE_BITS | int(pk)


def group_key(code: int) -> str:
    """The key `group_code` made `code` of."""
    kind = list(_KIND_CODES)[(code >> _CODE_BITS) - 1]
    return document_key(kind, code & ((1 << _CODE_BITS) - 1))


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
    files_per_hit: int = 3
    """Matching files shown inside their paper's or meeting's hit."""


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
    matched: bool = True
    """False for a paper or meeting shown only because files of it matched."""
    files: list[Hit] = field(default_factory=list)
    """Its best matching files (at most the request's `files_per_hit`), best first."""
    files_matched: int = 0
    """How many of its files matched among the documents looked at (≥ len(files))."""


@dataclass
class SearchResults:
    """A page of hits, one per paper or meeting with its matching files inside.

    `total` counts matching documents (a paper and each of its files count
    once each); `groups` counts the hits they make, known exactly when every
    match was looked at (else None); `more` says whether a next page exists.
    """

    total: int
    hits: list[Hit]
    groups: int | None = None
    more: bool = False
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    suggestion: str | None = None
    """The query with a better spelling of each word that (nearly) matched
    nothing, for "Meinten Sie …" (first page only); None if there is none."""
