"""Long lists paged by keys, not by offset.

A body may hold 300,000 papers: `OFFSET 250000` makes the database walk a
quarter of a million rows and `Paginator.count` counts them all on every
page. A window instead starts after (or before) the last row shown, given as
a cursor of that row's sort value and pk, and costs the same on every page.

Rows are ordered by one nullable column and the pk as tie-breaker; rows
without a value come last in either direction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from django.db import models

Row = TypeVar("Row", bound=models.Model)
Item = TypeVar("Item")

AFTER, BEFORE = "n", "v"  # "nach" the cursor row, "vor" it
_NULL = "-"


@dataclass(frozen=True)
class Cursor:
    direction: str
    value: date | datetime | None
    pk: int

    def token(self) -> str:
        value = _NULL if self.value is None else self.value.isoformat()
        return f"{self.direction}{value}_{self.pk}"


@dataclass(frozen=True)
class Window(Generic[Item]):
    """One page of a list and the cursors of its neighbours (None: there is none)."""

    items: Sequence[Item]
    earlier: str | None
    later: str | None

    @property
    def paged(self) -> bool:
        return self.earlier is not None or self.later is not None


def parse_cursor(token: str | None, value_type: type[date] | type[datetime]) -> Cursor | None:
    """A cursor from the URL; anything malformed is no cursor (the first page)."""
    if not token or token[0] not in (AFTER, BEFORE) or "_" not in token:
        return None
    raw_value, _, raw_pk = token[1:].rpartition("_")
    if not (raw_pk.isascii() and raw_pk.isdigit() and len(raw_pk) <= 18):
        return None
    if raw_value == _NULL:
        return Cursor(token[0], None, int(raw_pk))
    try:
        value = value_type.fromisoformat(raw_value)
    except ValueError:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        return None
    return Cursor(token[0], value, int(raw_pk))


def _beyond(field: str, cursor: Cursor, ascending: bool) -> models.Q:
    """Rows after the cursor row in the order (value asc/desc, pk the same, nulls last)."""
    later = "gt" if ascending else "lt"
    if cursor.value is None:
        return models.Q(**{f"{field}__isnull": True, f"pk__{later}": cursor.pk})
    return (
        models.Q(**{f"{field}__{later}": cursor.value})
        | models.Q(**{field: cursor.value, f"pk__{later}": cursor.pk})
        | models.Q(**{f"{field}__isnull": True})
    )


def window(
    rows: models.QuerySet[Row],
    field: str,
    token: str | None,
    size: int,
    item: Callable[[Row], Item],
    *,
    ascending: bool = False,
) -> Window[Item]:
    """The page of `rows` the cursor `token` points at, as items.

    One query: `size + 1` rows tell whether there is a further page.
    """
    value_type = (
        datetime if isinstance(rows.model._meta.get_field(field), models.DateTimeField) else date
    )
    cursor = parse_cursor(token, value_type)
    forward = (
        models.F(field).asc(nulls_last=True) if ascending else models.F(field).desc(nulls_last=True)
    )
    backward = (
        models.F(field).desc(nulls_first=True)
        if ascending
        else models.F(field).asc(nulls_first=True)
    )
    pk_forward, pk_backward = ("pk", "-pk") if ascending else ("-pk", "pk")
    if cursor is None:
        found = list(rows.order_by(forward, pk_forward)[: size + 1])
        earlier_exists, later_exists = False, len(found) > size
        found = found[:size]
    elif cursor.direction == AFTER:
        found = list(
            rows.filter(_beyond(field, cursor, ascending)).order_by(forward, pk_forward)[: size + 1]
        )
        earlier_exists, later_exists = True, len(found) > size
        found = found[:size]
    else:
        found = list(
            rows.filter(_before(field, cursor, ascending)).order_by(backward, pk_backward)[
                : size + 1
            ]
        )
        earlier_exists, later_exists = len(found) > size, True
        found = found[:size][::-1]
    if not found:
        return Window([], None, None)

    def cursor_of(row: Row, direction: str) -> str:
        return Cursor(direction, getattr(row, field), row.pk).token()

    return Window(
        [item(row) for row in found],
        cursor_of(found[0], BEFORE) if earlier_exists else None,
        cursor_of(found[-1], AFTER) if later_exists else None,
    )


def _before(field: str, cursor: Cursor, ascending: bool) -> models.Q:
    """Rows before the cursor row in the same order."""
    earlier = "lt" if ascending else "gt"
    if cursor.value is None:
        return models.Q(**{f"{field}__isnull": False}) | models.Q(
            **{f"{field}__isnull": True, f"pk__{earlier}": cursor.pk}
        )
    return models.Q(**{f"{field}__{earlier}": cursor.value}) | models.Q(
        **{field: cursor.value, f"pk__{earlier}": cursor.pk}
    )
