"""Whole stored objects, type by type, for re-publication and bulk dumps.

The pages show a paper with what a reader needs; OParl out and the dumps
need every object as we hold it: every OParl property the models store,
references as primary keys (an interface turns them into its own URLs),
deleted objects included (with what we last knew of them), placeholders
left out (we hold nothing of them). A file also carries the text we read
from our copy of it.

Lists are ordered by primary key and paged by it (`pk > after`): no OFFSET,
so page 3,000 of a large city costs what page 1 costs. A page costs a fixed
number of queries whatever its size: one for the rows, one per
many-to-many property, one for the texts of files.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import models
from django.db.models.functions import Cast

from ratsblick.council.models import OPARL_MODELS, Body, OParlObject
from ratsblick.council.upsert import mapping_for
from ratsblick.files.models import FileVersion
from ratsblick.oparl.schema import ObjectType
from ratsblick.reader import NotFound

# The OParl type names a body has lists of, in the order a sync reads them.
BODY_KINDS: tuple[str, ...] = (
    "LegislativeTerm",
    "Location",
    "Organization",
    "Person",
    "Membership",
    "Meeting",
    "AgendaItem",
    "Paper",
    "Consultation",
    "File",
)
KINDS: tuple[str, ...] = ("System", "Body", *BODY_KINDS)
MAX_PAGE = 1000


@dataclass(frozen=True)
class Since:
    """List filters of OParl: `created_since`, `modified_since`, `modified_until`."""

    created_since: datetime | None = None
    modified_since: datetime | None = None
    modified_until: datetime | None = None

    def q(self) -> models.Q:
        q = models.Q()
        if self.created_since is not None:
            q &= models.Q(created__gte=self.created_since)
        if self.modified_since is not None:
            # An object without a date of change may have changed at any time.
            q &= models.Q(modified__gte=self.modified_since) | models.Q(modified__isnull=True)
        if self.modified_until is not None:
            q &= models.Q(modified__lte=self.modified_until)
        return q


@dataclass(frozen=True)
class Item:
    """One stored object.

    `values` holds its OParl properties by OParl name (`paperType`), empty ones
    left out; `refs` the primary keys of the objects it refers to by property
    (a single reference is a tuple of one), their types in `REFERENCES`.
    """

    kind: str
    pk: int
    body: int | None
    oparl_id: str
    deleted: bool
    values: Mapping[str, Any]
    refs: Mapping[str, tuple[int, ...]]
    text: str = ""  # a File: the text we read from our copy
    copy: bool = False  # a File: we hold its content

    def ref(self, name: str) -> int | None:
        found = self.refs.get(name, ())
        return found[0] if found else None


@dataclass(frozen=True)
class ItemPage:
    items: Sequence[Item]
    after: int | None  # the pk to continue after; None on the last page


@dataclass(frozen=True)
class _Shape:
    """How one type's rows become items."""

    model: type[OParlObject]
    scalars: tuple[tuple[str, str], ...]  # (column, OParl name)
    singles: tuple[tuple[str, str], ...]  # (FK column, OParl name)
    many: tuple[tuple[models.ManyToManyField[Any, Any], str], ...]
    references: Mapping[str, Reference] = field(default_factory=dict)
    json_columns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reference:
    """What a property refers to: the type, and whether it holds a list."""

    kind: str
    many: bool


@cache
def _shape(kind: str) -> _Shape:
    mapping = mapping_for(ObjectType(kind))
    model = mapping.model
    scalars = tuple(
        (s.attname, s.source) for s in mapping.scalars if s.attname not in ("deleted", "subscribed")
    )
    singles = tuple((f"{r.name}_id", r.source) for r in mapping.relations if not r.many)
    many: list[tuple[models.ManyToManyField[Any, Any], str]] = []
    for r in mapping.relations:
        if r.many:
            m2m = model._meta.get_field(r.name)
            assert isinstance(m2m, models.ManyToManyField)
            many.append((m2m, r.source))
    references = {r.source: Reference(r.target.oparl_type.value, r.many) for r in mapping.relations}
    json_columns = frozenset(
        c for c, _ in scalars if isinstance(model._meta.get_field(c), models.JSONField)
    )
    return _Shape(model, scalars, singles, tuple(many), references, json_columns)


def _json(raw: str | None) -> Any:
    """A JSON column read as text: most are empty lists, which need no parsing
    (decoding every row's `keyword` cost a tenth of a list page)."""
    if raw is None or raw in ("[]", "{}", "null", '""'):
        return None
    return json.loads(raw)


def references(kind: str) -> Mapping[str, Reference]:
    """{OParl property: what it refers to} for one type."""
    return _shape(kind).references


# What a column holds when the council said nothing (compared by ==, in C).
_EMPTY: tuple[object, ...] = (None, "", [], {})


def _items(kind: str, rows: models.QuerySet[Any]) -> list[Item]:
    """The items of `rows` (already ordered and cut), with their references and texts."""
    shape = _shape(kind)
    columns = [c for c, _ in shape.scalars if c not in shape.json_columns]
    columns += [c for c, _ in shape.singles]
    as_text = {f"{c}__text": Cast(c, models.TextField()) for c in shape.json_columns}
    found = list(rows.values("pk", "body_id", "oparl_id", "deleted", *columns, **as_text))
    for row in found:
        for c in shape.json_columns:
            row[c] = _json(row.pop(f"{c}__text"))
    pks = [row["pk"] for row in found]
    linked: dict[str, dict[int, list[int]]] = {}
    for m2m, name in shape.many:
        through = m2m.remote_field.through
        assert through is not None
        source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
        by_source: dict[int, list[int]] = defaultdict(list)
        pairs = (
            through._default_manager.filter(**{f"{source}__in": pks})
            .order_by(source, target)
            .values_list(source, target)
        )
        for a, b in pairs:
            by_source[a].append(b)
        linked[name] = by_source
    texts = _file_texts(pks) if kind == "File" and pks else {}
    items = []
    for row in found:
        values = {name: row[c] for c, name in shape.scalars if row[c] not in _EMPTY}
        refs: dict[str, tuple[int, ...]] = {
            name: (row[c],) for c, name in shape.singles if row[c] is not None
        }
        refs.update({name: tuple(by[row["pk"]]) for name, by in linked.items() if by[row["pk"]]})
        has_copy, text = texts.get(row["pk"], (False, ""))
        items.append(
            Item(
                kind,
                row["pk"],
                row["body_id"],
                row["oparl_id"],
                row["deleted"],
                values,
                refs,
                text,
                has_copy,
            )
        )
    return items


def _file_texts(pks: Iterable[int]) -> dict[int, tuple[bool, str]]:
    """{file pk: (we hold a copy, the text read from the newest)} in one query."""
    out: dict[int, tuple[bool, str]] = {}
    versions = (
        FileVersion.objects.filter(file_id__in=list(pks))
        .order_by("file_id", "-fetched_at")
        .values_list("file_id", "blob__extraction__status", "blob__extraction__text")
    )
    for file_pk, status, text in versions:
        if file_pk not in out:
            out[file_pk] = (True, text if status == "ok" and text else "")
    return out


def _rows(kind: str) -> models.QuerySet[Any]:
    """Every object of the type we hold (deleted ones too), placeholders not."""
    if kind == "Body":
        return Body.objects.filter(stub=False, subscribed=True)
    return OPARL_MODELS[ObjectType(kind)].objects.filter(stub=False)


def published_bodies() -> list[int]:
    return list(_rows("Body").order_by("pk").values_list("pk", flat=True))


def page(
    kind: str,
    body: int | None,
    *,
    after: int | None = None,
    size: int = 100,
    since: Since | None = None,
) -> ItemPage:
    """One page of a body's list of `kind` (of every body with `body=None`)."""
    rows = _rows(kind)
    if body is not None:
        rows = rows.filter(body_id=body)
    if since is not None:
        rows = rows.filter(since.q())
    if after is not None:
        rows = rows.filter(pk__gt=after)
    size = max(1, min(size, MAX_PAGE))
    found = _items(kind, rows.order_by("pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return ItemPage(found, found[-1].pk if more else None)


def chunks(kind: str, body: int | None, *, size: int = MAX_PAGE) -> Iterator[Sequence[Item]]:
    """Every object of `kind` of one body (or all), a key-set page at a time:
    memory holds one page, whatever the size of the body."""
    after: int | None = None
    while True:
        current = page(kind, body, after=after, size=size)
        if current.items:
            yield current.items
        if current.after is None:
            return
        after = current.after


@dataclass(frozen=True)
class PublishedBody:
    pk: int
    name: str
    license: str  # the council's licence of its data, if it names one


def published() -> list[PublishedBody]:
    """The bodies we publish (those synced), by pk."""
    rows = _rows("Body").order_by("pk").values_list("pk", "name", "short_name", "license")
    return [
        PublishedBody(pk, name or short or f"Kommune {pk}", lic) for pk, name, short, lic in rows
    ]


def one(kind: str, pk: int) -> Item:
    found = _items(kind, _rows(kind).filter(pk=pk))
    if not found:
        raise NotFound(pk)
    return found[0]


def by_pk(kind: str, pks: Iterable[int]) -> dict[int, Item]:
    """The objects among `pks` that we hold, by pk (for embedding)."""
    wanted = sorted(set(pks))
    if not wanted:
        return {}
    return {i.pk: i for i in _items(kind, _rows(kind).filter(pk__in=wanted).order_by("pk"))}


def children(kind: str, parent: str, parents: Iterable[int]) -> dict[int, list[Item]]:
    """Objects of `kind` whose reference `parent` (a column) is one of `parents`.

    Agenda items come in their order, everything else by pk. `parent` is
    `body` or a reference column of `kind` (`meeting`, `paper`, `person`).
    """
    wanted = sorted(set(parents))
    if not wanted:
        return {}
    order = ("order", "pk") if kind == "AgendaItem" else ("pk",)
    rows = _rows(kind).filter(**{f"{parent}__in": wanted}).order_by(*order)
    out: dict[int, list[Item]] = defaultdict(list)
    if parent == "body":
        for item in _items(kind, rows):
            out[item.body or 0].append(item)
        return out
    name = dict(_shape(kind).singles)[f"{parent}_id"]
    for item in _items(kind, rows):
        out[item.refs[name][0]].append(item)
    return out


def json_value(value: Any) -> Any:
    """A column's value as JSON: dates and datetimes in ISO 8601."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
