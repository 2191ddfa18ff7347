"""What changed in council objects, rebuilt from the versions the sync kept.

`council.Revision` holds the raw JSON an object had before each change; the
version after a change is the next revision's, or the object's current raw.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ratsblick.council.models import OPARL_MODELS, Change, Revision
from ratsblick.history.fields import FieldChange, field_changes
from ratsblick.oparl.schema import ObjectType


@dataclass(frozen=True)
class ObjectChange:
    kind: ObjectType
    object_pk: int
    revision_pk: int
    at: datetime
    fields: tuple[FieldChange, ...]
    deleted: bool
    """The council deleted the object (its last content is kept)."""
    restored: bool
    """The council publishes it again after deleting it."""
    name: str
    """The object's name after the change (its raw `name`), "" when it has none."""


def changes_of(kind: ObjectType, pks: Iterable[int]) -> list[ObjectChange]:
    """Every recorded change of these objects of `kind`, newest first (two queries)."""
    wanted = set(pks)
    if not wanted:
        return []
    revisions: dict[int, list[tuple[int, datetime, dict[str, Any], bool]]] = defaultdict(list)
    rows = (
        Revision.objects.filter(kind=kind.lower(), object_pk__in=wanted)
        .order_by("recorded_at", "pk")
        .values_list("object_pk", "pk", "recorded_at", "previous", "deleted")
    )
    for object_pk, pk, at, previous, deleted in rows:
        revisions[object_pk].append((pk, at, previous, deleted))
    if not revisions:
        return []
    current = dict(OPARL_MODELS[kind].objects.filter(pk__in=revisions).values_list("pk", "raw"))
    changes = []
    for object_pk, chain in revisions.items():
        versions = [previous for _, _, previous, _ in chain] + [current.get(object_pk, {})]
        for index, (pk, at, previous, deleted) in enumerate(chain):
            after = versions[index + 1]
            fields = () if deleted else tuple(field_changes(kind, previous, after))
            restored = index > 0 and chain[index - 1][3] and not deleted
            if not (fields or deleted or restored):
                continue  # only bookkeeping changed (`modified` bumped)
            changes.append(
                ObjectChange(
                    kind=kind,
                    object_pk=object_pk,
                    revision_pk=pk,
                    at=at,
                    fields=fields,
                    deleted=deleted,
                    restored=restored,
                    name=str(after.get("name") or ""),
                )
            )
    changes.sort(key=lambda c: (c.at, c.revision_pk), reverse=True)
    return changes


def recent_changes(body_pk: int, limit: int) -> list[ObjectChange]:
    """The body's `limit` newest changes of any kind, newest first (at most 9 queries)."""
    recent = list(
        Revision.objects.filter(body_id=body_pk)
        .order_by("-recorded_at", "-pk")
        .values_list("pk", "kind", "object_pk")[:limit]
    )
    by_kind: dict[ObjectType, set[int]] = defaultdict(set)
    for _, kind, object_pk in recent:
        by_kind[Change.KINDS[kind]].add(object_pk)
    wanted = {pk for pk, _, _ in recent}
    found = [
        change
        for kind, pks in by_kind.items()
        for change in changes_of(kind, pks)
        if change.revision_pk in wanted
    ]
    found.sort(key=lambda c: (c.at, c.revision_pk), reverse=True)
    return found
