"""Every stored object as a flat record: its fields, and the objects it refers to by id.

What the JSON API serves by id and in lists per body. A record's fields are
named after the model's (OParl's names in snake_case): a reference holds the
id of its target, a list of references the ids of its live targets. Only
live objects are records (deleted ones and placeholders are not found), and
the raw JSON is never read.

A list per body is paged by keys in the order we first stored the objects
(their id): the body's index on (body, id) serves each page without sorting,
the same on the first and the thousandth page. A client that keeps the time
of its last walk and passes it as `modified_since` next time reads only what
changed since (an object changed during a walk is in the next one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from typing import Any, Generic, TypeVar

from django.db import connection, models
from django.urls import reverse

from ratsblick.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Location,
    Meeting,
    Membership,
    OParlObject,
    Organization,
    Paper,
    Person,
)
from ratsblick.reader import NotFound
from ratsblick.reader.attachments import file_entries
from ratsblick.reader.cursors import BadCursor
from ratsblick.reader.files import file_page
from ratsblick.reader.keyset import AFTER, Cursor, Window, parse_cursor
from ratsblick.reader.lists import Counts, counts_by_body, last_successes


@dataclass(frozen=True)
class Record:
    """What every record has: our id, the council's (OParl) id and our page of it."""

    id: int
    oparl_id: str
    body: int | None
    page: str
    """Our page showing the object ("" when it has none)."""
    web: str
    """The object in the council's own system."""
    created: datetime | None
    modified: datetime | None


@dataclass(frozen=True)
class BodyRecord(Record):
    name: str
    short_name: str
    ags: str
    rgs: str
    website: str
    classification: str
    contact_email: str
    contact_name: str
    main_organization: int | None
    location: int | None
    counts: Counts
    last_success: datetime | None
    """When the last successful sync finished."""


@dataclass(frozen=True)
class OrganizationRecord(Record):
    name: str
    short_name: str
    organization_type: str
    classification: str
    start_date: date | None
    end_date: date | None
    website: str
    sub_organization_of: int | None
    location: int | None


@dataclass(frozen=True)
class PersonRecord(Record):
    name: str
    family_name: str
    given_name: str
    form_of_address: str
    affix: str
    title: list[str]
    gender: str
    status: list[str]
    location: int | None


@dataclass(frozen=True)
class MembershipRecord(Record):
    person: int | None
    organization: int | None
    role: str
    voting_right: bool | None
    start_date: date | None
    end_date: date | None
    on_behalf_of: int | None


@dataclass(frozen=True)
class MeetingRecord(Record):
    name: str
    meeting_state: str
    cancelled: bool | None
    start: datetime | None
    end: datetime | None
    location: int | None
    organizations: list[int]
    invitation: int | None
    results_protocol: int | None
    verbatim_protocol: int | None
    auxiliary_files: list[int]


@dataclass(frozen=True)
class AgendaItemRecord(Record):
    meeting: int | None
    number: str
    order: int | None
    name: str
    public: bool | None
    consultation: int | None
    result: str
    resolution_text: str
    resolution_file: int | None
    auxiliary_files: list[int]
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class PaperRecord(Record):
    name: str
    reference: str
    date: date | None
    paper_type: str
    main_file: int | None
    auxiliary_files: list[int]
    related_papers: list[int]
    originator_persons: list[int]
    originator_organizations: list[int]
    under_direction_of: list[int]


@dataclass(frozen=True)
class ConsultationRecord(Record):
    paper: int | None
    agenda_item: int | None
    meeting: int | None
    organizations: list[int]
    authoritative: bool | None
    role: str


@dataclass(frozen=True)
class FileRecord(Record):
    name: str
    file_name: str
    mime_type: str
    date: date | None
    size: int | None
    """Of our copy, else as the council states it."""
    access_url: str
    """The original at the council."""
    copy: str
    """Our stored copy ("" when we hold none)."""
    pages: int | None
    """Pages read (None: not read, or unreadable)."""
    ocr_pages: int


@dataclass(frozen=True)
class LocationRecord(Record):
    description: str
    street_address: str
    room: str
    postal_code: str
    sub_locality: str
    locality: str
    geojson: dict[str, Any] | None


AnyRecord = TypeVar("AnyRecord", bound=Record)


@dataclass(frozen=True)
class Kind(Generic[AnyRecord]):
    """One object type: its model, its record, and its name in URLs."""

    name: str
    model: type[OParlObject]
    record: type[AnyRecord]


KINDS: dict[str, Kind[Any]] = {
    kind.name: kind
    for kind in (
        Kind("bodies", Body, BodyRecord),
        Kind("organizations", Organization, OrganizationRecord),
        Kind("persons", Person, PersonRecord),
        Kind("memberships", Membership, MembershipRecord),
        Kind("meetings", Meeting, MeetingRecord),
        Kind("agenda-items", AgendaItem, AgendaItemRecord),
        Kind("papers", Paper, PaperRecord),
        Kind("consultations", Consultation, ConsultationRecord),
        Kind("files", File, FileRecord),
        Kind("locations", Location, LocationRecord),
    )
}
LISTED_PER_BODY = tuple(name for name in KINDS if name != "bodies")
_COMPUTED = {"id", "page", "counts", "last_success", "copy", "pages", "ocr_pages"}


@dataclass(frozen=True)
class _Column:
    name: str
    attname: str
    json: str | None
    """For a JSON column, what the record holds: "list" (of texts) or "object"."""


@cache
def _columns(kind: Kind[Any]) -> tuple[tuple[_Column, ...], tuple[str, ...]]:
    """The record's stored fields: columns to load, and many-to-many relations."""
    columns: list[_Column] = []
    related: list[str] = []
    for declared in (f for f in fields(kind.record) if f.name not in _COMPUTED):
        field = kind.model._meta.get_field(declared.name)
        if field.many_to_many:
            related.append(declared.name)
            continue
        assert isinstance(field, models.Field)
        json = None
        if isinstance(field, models.JSONField):
            json = "list" if str(declared.type).startswith("list") else "object"
        columns.append(_Column(declared.name, field.attname, json))
    return tuple(columns), tuple(related)


def _rows(kind: Kind[Any]) -> models.QuerySet[Any]:
    columns, _ = _columns(kind)
    rows = kind.model.objects.live().only("pk", *(c.name for c in columns))
    return rows.filter(pk__in=Body.objects.filter(subscribed=True)) if kind.model is Body else rows


@cache
def _link_selects(kind: Kind[Any]) -> tuple[str, ...]:
    """Per many-to-many relation of the record, the SQL of its (source, live target) id
    pairs for the sources in `{sources}`."""
    quote = connection.ops.quote_name
    selects = []
    for number, name in enumerate(_columns(kind)[1]):
        field = kind.model._meta.get_field(name)
        assert isinstance(field, models.ManyToManyField)
        target = field.related_model
        assert isinstance(target, type)
        assert issubclass(target, models.Model)
        table = quote(field.m2m_db_table())
        source, to = quote(field.m2m_column_name()), quote(field.m2m_reverse_name())
        targets, key = quote(target._meta.db_table), quote(target._meta.pk.attname)
        selects.append(
            f"SELECT {number}, l.{source}, l.{to} FROM {table} l "
            f"JOIN {targets} t ON t.{key} = l.{to} "
            f"WHERE l.{source} IN ({{sources}}) AND NOT t.deleted AND NOT t.stub"
        )
    return tuple(selects)


def _links(kind: Kind[Any], pks: list[int]) -> dict[str, dict[int, list[int]]]:
    """The live targets of each many-to-many relation of each of `pks`, by id.

    One query for all relations, of id pairs. Prefetching built a manager and
    a model per row and target and a query per relation, and even querysets
    of pairs spent ten times the query's own time on building it: together
    most of a list's time.
    """
    names = _columns(kind)[1]
    links: dict[str, dict[int, list[int]]] = {name: {pk: [] for pk in pks} for name in names}
    if not names or not pks:
        return links
    marks = ", ".join(["%s"] * len(pks))
    selects = [select.format(sources=marks) for select in _link_selects(kind)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), pks * len(selects))
        pairs = sorted(cursor.fetchall())
    for number, of, to in pairs:
        links[names[number]][of].append(to)
    return links


_OWN_PAGES = {
    Body: "web:body",
    Organization: "web:organization",
    Person: "web:person",
    Meeting: "web:meeting",
    Paper: "web:paper",
    File: "web:file",
}
_PROBE = 918273645


def _pages(kind: Kind[Any]) -> Callable[[OParlObject], str]:
    """Our page of a row: for a page of its own, reversed once and filled in per row
    (reversing it per row was a tenth of a list's time); else what the model says."""
    name = _OWN_PAGES.get(kind.model)
    if name is not None:
        before, _, after = reverse(name, args=[_PROBE]).partition(str(_PROBE))
        return lambda row: f"{before}{row.pk}{after}"
    return _model_page


def _model_page(row: OParlObject) -> str:
    absolute_url = getattr(row, "get_absolute_url", None)
    return str(absolute_url()) if absolute_url else ""


def _values(
    kind: Kind[Any], row: OParlObject, page: Callable[[OParlObject], str]
) -> dict[str, Any]:
    columns, _ = _columns(kind)
    values: dict[str, Any] = {"id": row.pk, "page": page(row)}
    for column in columns:
        values[column.name] = _plain(getattr(row, column.attname), column.json)
    return values


def _plain(value: Any, json: str | None) -> Any:
    """A JSON column as its record declares it, whatever the council sent: a list of
    texts (anything else is an empty list), or an object (anything else is None)."""
    if json == "list":
        return [str(v) for v in value if v is not None] if isinstance(value, list) else []
    if json == "object":
        return value if isinstance(value, dict) else None
    return value


def _records(kind: Kind[AnyRecord], rows: Sequence[OParlObject]) -> list[AnyRecord]:
    """Records of `rows`, with what they need from elsewhere (a query per relation, and
    three for bodies or files)."""
    extras: dict[int, dict[str, Any]] = {row.pk: {} for row in rows}
    for name, targets_of in _links(kind, list(extras)).items():
        for pk, targets in targets_of.items():
            extras[pk][name] = targets
    if kind.model is Body:
        counts = counts_by_body(extras)
        synced = last_successes(extras)
        for pk, extra in extras.items():
            extra.update(counts=counts[pk], last_success=synced.get(pk))
    elif kind.model is File:
        for pk, entry in file_entries(rows).items():  # type: ignore[arg-type]
            copy = reverse("web:file_copy", args=[pk]) if entry.loaded else ""
            extras[pk].update(
                size=entry.size, copy=copy, pages=entry.pages, ocr_pages=entry.ocr_pages
            )
    page = _pages(kind)
    return [kind.record(**(_values(kind, row, page) | extras[row.pk])) for row in rows]


def record(kind_name: str, pk: int) -> Record:
    """The live object of that kind; `NotFound` for anything else."""
    kind = KINDS[kind_name]
    row = _rows(kind).filter(pk=pk).first()
    if row is None:
        raise NotFound(pk)
    found: Record = _records(kind, [row])[0]
    return found


def bodies() -> list[BodyRecord]:
    """Every body we follow, by name."""
    kind = KINDS["bodies"]
    return _records(kind, list(_rows(kind).order_by("name", "pk")))


def records_of_body(
    kind_name: str,
    body_pk: int,
    *,
    modified_since: datetime | None,
    cursor: str | None,
    size: int,
) -> Window[Record]:
    """The body's objects of that kind by id, after the `cursor` row.

    `NotFound` when we do not follow the body, `BadCursor` for a cursor not
    handed out here. With `modified_since`, only objects modified since then
    (objects without a `modified` time are left out).
    """
    after = _after(cursor)
    if not Body.objects.filter(pk=body_pk, subscribed=True).exists():
        raise NotFound(body_pk)
    kind = KINDS[kind_name]
    rows = _rows(kind).filter(body=body_pk)
    if modified_since is not None:
        rows = rows.filter(modified__gte=modified_since)
    if after is not None:
        rows = rows.filter(pk__gt=after)
    found = list(rows.order_by("pk")[: size + 1])
    later = Cursor(AFTER, None, found[size - 1].pk).token() if len(found) > size else None
    return Window(_records(kind, found[:size]), None, later)


def _after(token: str | None) -> int | None:
    """The id a list's cursor continues after (None: from the start)."""
    if token is None:
        return None
    cursor = parse_cursor(token, datetime)
    if cursor is None or cursor.direction != AFTER or cursor.value is not None:
        raise BadCursor(token)
    return cursor.pk


@dataclass(frozen=True)
class PageText:
    number: int
    text: str
    """Paragraphs apart by a blank line."""
    ocr: bool
    """Read by OCR (a scan), not from the file's text layer."""


@dataclass(frozen=True)
class FileText:
    id: int
    pages: list[PageText]
    """Empty when the file is not read (yet) or could not be read."""


def file_text(pk: int) -> FileText:
    """The text of the live file, page by page, as its page shows it."""
    page = file_page(pk)
    return FileText(
        pk,
        [
            PageText(
                p.number,
                "\n\n".join("".join(s.text for s in paragraph) for paragraph in p.paragraphs),
                p.ocr,
            )
            for p in page.pages
        ],
    )
