"""Flatten OParl JSON into one record per object.

OParl embeds objects (a Paper carries its Consultations and Files, a
Meeting its AgendaItems). We store every object once, keyed by its `id`,
so embedded objects are lifted out and replaced by their id; the child
learns its implied parent (a Consultation embedded in a Paper gets
`paper`). The raw JSON is kept as received.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ratsblick.oparl.schema import RELATIONS, ObjectType, Relation


class InvalidObject(ValueError):
    """An entry that cannot be stored, e.g. without an `id`."""


@dataclass
class Record:
    type: ObjectType
    id: str
    data: dict[str, Any]
    raw: dict[str, Any]
    position: int = 0

    @property
    def deleted(self) -> bool:
        return self.data.get("deleted") is True


def _reference(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _lift(item: object, rel: Relation, parent_id: str, index: int, out: list[Record]) -> str | None:
    """Return the id `item` stands for, appending embedded objects to `out`."""
    if not isinstance(item, dict):
        return _reference(item)
    child_id = _reference(item.get("id")) or f"{parent_id}#{rel.name}/{index}"
    implied = {rel.back: parent_id} if rel.back else {}
    out.extend(flatten(item, rel.target, implied=implied, position=index, fallback_id=child_id))
    return child_id


def flatten(
    obj: object,
    expected: ObjectType,
    *,
    implied: dict[str, str] | None = None,
    position: int = 0,
    fallback_id: str | None = None,
) -> list[Record]:
    """The object itself first, then every object embedded in it, depth first.

    `expected` is the type the list or reference promises; the object's own
    `type` wins when it names a known type (typeless deleted entries rely on
    `expected`).
    """
    if not isinstance(obj, dict):
        raise InvalidObject(f"expected an object, got {type(obj).__name__}")
    kind = ObjectType.from_type_url(obj.get("type")) or expected
    object_id = _reference(obj.get("id")) or fallback_id
    if object_id is None:
        raise InvalidObject(f"{kind} without an id")
    data = dict(obj)
    for key, parent in (implied or {}).items():
        if _reference(data.get(key)) is None:
            data[key] = parent
    embedded: list[Record] = []
    for rel in RELATIONS[kind]:
        if rel.name not in data:
            continue
        value = data[rel.name]
        if rel.many:
            items = value if isinstance(value, list) else [value]
            ids = [_lift(item, rel, object_id, i, embedded) for i, item in enumerate(items)]
            data[rel.name] = [i for i in ids if i is not None]
        else:
            if isinstance(value, list):
                value = value[0] if value else None
            data[rel.name] = _lift(value, rel, object_id, 0, embedded)
    return [Record(kind, object_id, data, obj, position), *embedded]


def iter_references(record: Record) -> Iterator[tuple[Relation, str]]:
    """Every (relation, target id) the record points at."""
    for rel in RELATIONS[record.type]:
        value = record.data.get(rel.name)
        if rel.many and isinstance(value, list):
            for target in value:
                yield rel, target
        elif isinstance(value, str):
            yield rel, value
