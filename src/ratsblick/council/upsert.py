"""Write flattened OParl records into the models, a page at a time.

One `write()` is one transaction and a handful of bulk statements per
model, whatever the page holds:

1. look up every id the page holds or refers to;
2. type by type, in an order where targets mostly come before the objects
   that refer to them: insert placeholders (`stub=True`) for referenced ids
   stored nowhere yet, so that every reference resolves to a row and is
   never dropped; insert-or-update the records whose content changed (by
   content hash; unchanged ones cost nothing); replace their many-to-many
   rows.

Writing the same page twice leaves the database as it was: a sync killed at
any point and run again ends where an uninterrupted run ends.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, TypeVar

from django.db import DataError, IntegrityError, connection, models, transaction
from django.utils import timezone

from ratsblick.council.models import (
    HISTORY_KINDS,
    OPARL_MODELS,
    Body,
    OParlObject,
    Revision,
    record_changes,
)
from ratsblick.council.notes import Notes
from ratsblick.council.values import BadValue, Converter, converter_for, has_nul, without_nul
from ratsblick.oparl.records import Record, iter_references
from ratsblick.oparl.schema import ObjectType

# Columns the sync owns that are not OParl properties.
_OWN_FIELDS = frozenset(
    {
        "id",
        "oparl_id",
        "body",
        "stub",
        "fetch_error",
        "raw",
        "content_hash",
        "substance_hash",
        "synced_at",
        "subscribed",
    }
)
_DELETION_FIELDS = ["deleted", "modified", "content_hash", "substance_hash", "stub", "fetch_error"]
_QUERY_CHUNK = 500
_Id = TypeVar("_Id", str, int)
T = ObjectType
WRITE_ORDER = (
    T.SYSTEM, T.LOCATION, T.BODY, T.FILE, T.LEGISLATIVE_TERM, T.ORGANIZATION, T.PERSON,
    T.MEMBERSHIP, T.MEETING, T.AGENDA_ITEM, T.PAPER, T.CONSULTATION,
)  # fmt: skip
_WRITE_RANK = {kind: rank for rank, kind in enumerate(WRITE_ORDER)}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class ScalarField:
    attname: str
    source: str
    convert: Converter


@dataclass(frozen=True)
class RelationField:
    name: str
    source: str
    target: type[OParlObject]
    many: bool


@dataclass(frozen=True)
class Mapping:
    model: type[OParlObject]
    scalars: tuple[ScalarField, ...]
    relations: tuple[RelationField, ...]

    @property
    def update_fields(self) -> list[str]:
        own = ["raw", "content_hash", "substance_hash", "stub", "fetch_error", "body", "synced_at"]
        single = [r.name for r in self.relations if not r.many]
        return [*own, *(s.attname for s in self.scalars), *self.model.derived, *single]


@cache
def mapping_for(kind: ObjectType) -> Mapping:
    model = OPARL_MODELS[kind]
    scalars: list[ScalarField] = []
    relations: list[RelationField] = []
    for field in model._meta.get_fields():
        if field.auto_created or (not field.concrete and not field.many_to_many):
            continue
        if field.name in _OWN_FIELDS or field.name in model.derived:
            continue
        source = model.oparl_names.get(field.name, _camel(field.name))
        if field.is_relation:
            target = field.related_model
            assert isinstance(target, type)
            assert issubclass(target, OParlObject)
            relations.append(RelationField(field.name, source, target, bool(field.many_to_many)))
        else:
            assert isinstance(field, models.Field)
            scalars.append(ScalarField(field.attname, source, converter_for(field)))
    return Mapping(model, tuple(scalars), tuple(relations))


def _digest(data: dict[str, Any]) -> str:
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(encoded.encode(), digest_size=16).hexdigest()


def content_hash(record: Record) -> str:
    return _digest(record.data)


def substance_hash(record: Record) -> str:
    """The hash of what the record says, without when it says it changed."""
    return _digest({k: v for k, v in record.data.items() if k != "modified"})


@dataclass(frozen=True)
class Stored:
    pk: int
    content_hash: str
    stub: bool
    deleted: bool
    substance_hash: str = ""

    def revised_by(self, record: Record, substance: str) -> bool:
        """Whether writing `record` over this object keeps a revision of it: not for
        a deleted object deleted again, nor when only `modified` differs (an object
        stored before substance hashes were kept has none: it gets one)."""
        if self.deleted and record.deleted:
            return False
        return self.substance_hash != substance or self.deleted != record.deleted


def _chunks(ids: Iterable[_Id]) -> Iterable[list[_Id]]:
    batch = list(ids)
    for start in range(0, len(batch), _QUERY_CHUNK):
        yield batch[start : start + _QUERY_CHUNK]


def _lookup(model: type[OParlObject], ids: Iterable[str]) -> dict[str, Stored]:
    found: dict[str, Stored] = {}
    for chunk in _chunks(ids):
        rows = model.objects.filter(oparl_id__in=chunk).values_list(
            "oparl_id", "pk", "content_hash", "stub", "deleted", "substance_hash"
        )
        for oparl_id, pk, digest, stub, deleted, substance in rows:
            found[oparl_id] = Stored(pk, digest, stub, deleted, substance)
    return found


# What makes one object unwritable (a value a JSON column refuses, text no
# encoding holds) as opposed to a database that is gone or locked
# (`OperationalError`), which ends the run.
_OBJECT_ERRORS = (DataError, IntegrityError, ValueError, OverflowError)
_REASON_LENGTH = 300


class _Tally:
    """What one attempt at a page did; kept only when its transaction commits."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.notes: list[str] = []


class Upserter:
    """Writes records of one body; `counts[type][outcome]` adds up what it did.

    A value a column cannot hold is stored as unknown and noted; an object
    that cannot be written at all is counted `failed`, noted and remembered
    in `failed` (what refers to it keeps a placeholder), and the rest of its
    page is written.
    """

    def __init__(self, body: Body | None, notes: Notes | None = None) -> None:
        self.body = body
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.notes = Notes() if notes is None else notes
        self.failed: set[str] = set()

    def _body_for(self, model: type[OParlObject]) -> Body | None:
        return None if model.oparl_type in (ObjectType.SYSTEM, ObjectType.BODY) else self.body

    def write(self, records: Iterable[Record]) -> None:
        """Write a page in one transaction, or object by object when that fails.

        Only a page holding an unwritable object pays for the second pass.
        """
        batch = [self._without_nul(record) for record in records]
        try:
            self._write_page(batch)
        except _OBJECT_ERRORS as exc:
            if len(batch) == 1:
                self._failed(batch[0], exc)
                return
            for record in sorted(batch, key=lambda r: _WRITE_RANK[r.type]):
                try:
                    self._write_page([record])
                except _OBJECT_ERRORS as exc:
                    self._failed(record, exc)

    def _without_nul(self, record: Record) -> Record:
        """The record with NUL characters removed (PostgreSQL stores none), noted."""
        if not (has_nul(record.raw) or has_nul(record.data) or has_nul(record.id)):
            return record
        self.notes.add(f"{record.type.value} {without_nul(record.id)}: NUL characters removed")
        return replace(
            record,
            id=without_nul(record.id),
            data=without_nul(record.data),
            raw=without_nul(record.raw),
        )

    def _failed(self, record: Record, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:_REASON_LENGTH]
        self.counts[record.type.value]["failed"] += 1
        self.failed.add(record.id)
        self.notes.add(f"{record.type.value} {record.id} not stored: {reason}")

    def _write_page(self, records: list[Record]) -> None:
        by_type: dict[ObjectType, dict[str, Record]] = defaultdict(dict)
        for record in records:
            by_type[record.type][record.id] = record
        needed: dict[type[OParlObject], set[str]] = defaultdict(set)
        for kind, batch in by_type.items():
            needed[OPARL_MODELS[kind]].update(batch)
            for record in batch.values():
                for rel, target in iter_references(record):
                    needed[OPARL_MODELS[rel.target]].add(target)
        tally = _Tally()
        with transaction.atomic():
            stored = {model: _lookup(model, ids) for model, ids in needed.items()}
            for kind in WRITE_ORDER:
                if kind in by_type:
                    self._add_stubs(kind, by_type, stored)
                    self._write_type(kind, by_type[kind], stored, tally)
        for kind_name, counts in tally.counts.items():
            self.counts[kind_name].update(counts)
        self.notes.extend(tally.notes)

    def _add_stubs(
        self,
        kind: ObjectType,
        by_type: dict[ObjectType, dict[str, Record]],
        stored: dict[type[OParlObject], dict[str, Stored]],
    ) -> None:
        """Placeholders for what records of `kind` refer to that is not stored (yet).

        A reference that is no column (a Meeting's list of its agenda items:
        the item's `meeting` column holds it) needs none when the target is
        written later in this batch anyway.
        """
        columns = {r.source for r in mapping_for(kind).relations}
        absent_by_model: dict[type[OParlObject], set[str]] = defaultdict(set)
        for record in by_type[kind].values():
            for rel, target in iter_references(record):
                model = OPARL_MODELS[rel.target]
                if target in stored[model]:
                    continue
                if rel.name not in columns and target in by_type.get(rel.target, {}):
                    continue
                absent_by_model[model].add(target)
        for model, absent in absent_by_model.items():
            body = self._body_for(model)
            model.objects.bulk_create(
                [model(oparl_id=i, body=body, stub=True) for i in absent],
                ignore_conflicts=True,
            )
            stored[model].update(_lookup(model, absent))

    def _write_type(
        self,
        kind: ObjectType,
        batch: dict[str, Record],
        stored: dict[type[OParlObject], dict[str, Stored]],
        tally: _Tally,
    ) -> None:
        mapping = mapping_for(kind)
        model = mapping.model
        counts = tally.counts[kind.value]
        live: list[OParlObject] = []
        gone: list[OParlObject] = []
        revised: dict[int, bool] = {}  # pk of a changed object -> whether it is deleted now
        for record in batch.values():
            digest = content_hash(record)
            before = stored[model].get(record.id)
            if before and not before.stub and before.content_hash == digest:
                counts["unchanged"] += 1
                continue
            is_new = before is None or before.stub
            substance = substance_hash(record)
            if before and not is_new and before.revised_by(record, substance):
                revised[before.pk] = record.deleted
            if record.deleted:
                counts["unchanged" if before and before.deleted else "deleted"] += 1
                gone.append(self._deletion(mapping, record, (digest, substance), tally))
            else:
                counts["new" if is_new else "changed"] += 1
                live.append(self._instance(mapping, record, (digest, substance), stored, tally))
        if revised and kind in HISTORY_KINDS:
            self._keep_previous(kind, revised)
        if live:
            model.objects.bulk_create(
                live,
                update_conflicts=True,
                unique_fields=["oparl_id"],
                update_fields=mapping.update_fields,
            )
            self._remember(live, stored[model])
            self._write_many(mapping, live, batch, stored)
            record_changes(kind, (stored[model][o.oparl_id].pk for o in live))
        if gone:
            model.objects.bulk_create(
                gone,
                update_conflicts=True,
                unique_fields=["oparl_id"],
                update_fields=[*_DELETION_FIELDS, "synced_at"],
            )
            self._remember(gone, stored[model])
            record_changes(kind, (stored[model][o.oparl_id].pk for o in gone))

    @staticmethod
    def _keep_previous(kind: ObjectType, revised: dict[int, bool]) -> None:
        """Copy the raw JSON the changed objects have now into revisions, before
        it is overwritten; objects that did not change cost nothing here.

        One INSERT … SELECT per chunk: the JSON never passes through Python,
        which made it 10× cheaper (2,115 papers: 0.15 s instead of 1.4 s).
        """
        table = connection.ops.quote_name(OPARL_MODELS[kind]._meta.db_table)
        revisions = connection.ops.quote_name(Revision._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            for deleted in (False, True):
                pks = [pk for pk, is_deleted in revised.items() if is_deleted is deleted]
                for chunk in _chunks(pks):
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"INSERT INTO {revisions} "  # table names from the models, values bound
                        "(body_id, kind, object_pk, recorded_at, previous, deleted) "
                        f"SELECT body_id, %s, id, %s, raw, %s FROM {table} WHERE id IN ({marks})",
                        [kind.lower(), now, deleted, *chunk],
                    )

    @staticmethod
    def _remember(written: list[OParlObject], stored: dict[str, Stored]) -> None:
        """Django sets the primary keys of upserted rows (RETURNING)."""
        for obj in written:
            assert obj.pk is not None
            stored[obj.oparl_id] = Stored(
                obj.pk, obj.content_hash, False, obj.deleted, obj.substance_hash
            )

    @staticmethod
    def _value(record: Record, scalar: ScalarField, tally: _Tally) -> Any:
        """The column's value; unknown (None) and noted when the council's is bad."""
        try:
            return scalar.convert(record.data.get(scalar.source))
        except BadValue as exc:
            tally.notes.append(
                f"{record.type.value} {record.id}: {scalar.source} {exc}, stored as unknown"
            )
            return None

    def _deletion(
        self, mapping: Mapping, record: Record, digests: tuple[str, str], tally: _Tally
    ) -> OParlObject:
        times = {
            s.attname: self._value(record, s, tally)
            for s in mapping.scalars
            if s.attname in ("modified", "created")
        }
        return mapping.model(
            oparl_id=record.id,
            body=self._body_for(mapping.model),
            deleted=True,
            raw=record.raw,
            content_hash=digests[0],
            substance_hash=digests[1],
            **times,
        )

    def _instance(
        self,
        mapping: Mapping,
        record: Record,
        digests: tuple[str, str],
        stored: dict[type[OParlObject], dict[str, Stored]],
        tally: _Tally,
    ) -> OParlObject:
        data = record.data
        try:
            values = {s.attname: s.convert(data.get(s.source)) for s in mapping.scalars}
        except BadValue:  # rare: convert again, field by field, noting each
            values = {s.attname: self._value(record, s, tally) for s in mapping.scalars}
        if "order" in values and values["order"] is None:
            values["order"] = record.position
        for name, derive in mapping.model.derived.items():
            values[name] = derive(values)
        for rel in mapping.relations:
            if not rel.many:
                target = data.get(rel.source)
                found = stored[rel.target].get(target) if isinstance(target, str) else None
                values[f"{rel.name}_id"] = found.pk if found else None
        return mapping.model(
            oparl_id=record.id,
            body=self._body_for(mapping.model),
            raw=record.raw,
            content_hash=digests[0],
            substance_hash=digests[1],
            stub=False,
            fetch_error="",
            **values,
        )

    @staticmethod
    def _write_many(
        mapping: Mapping,
        written: list[OParlObject],
        batch: dict[str, Record],
        stored: dict[type[OParlObject], dict[str, Stored]],
    ) -> None:
        """Replace the many-to-many rows of `written` with those the records name."""
        own = [stored[mapping.model][obj.oparl_id].pk for obj in written]
        for rel in mapping.relations:
            if not rel.many:
                continue
            field = mapping.model._meta.get_field(rel.name)
            assert isinstance(field, models.ManyToManyField)
            through = field.remote_field.through
            assert through is not None
            source = field.m2m_field_name() + "_id"
            target = field.m2m_reverse_field_name() + "_id"
            through._default_manager.filter(**{f"{source}__in": own}).delete()
            rows: list[models.Model] = []
            for pk, obj in zip(own, written, strict=True):
                names = batch[obj.oparl_id].data.get(rel.source) or []
                pks = {stored[rel.target][n].pk for n in names if n in stored[rel.target]}
                rows.extend(through(**{source: pk, target: t}) for t in sorted(pks))
            through._default_manager.bulk_create(rows)
