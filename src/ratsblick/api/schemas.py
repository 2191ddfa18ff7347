"""The API's answers beyond the read layer's records: errors and pages of a list."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field, create_model

from ratsblick.reader.objects import KINDS, Record


class Error(Schema):
    """Every answer that is not a success: a German message, and what was wrong."""

    detail: str
    errors: list[dict[str, Any]] = Field(default_factory=list)


def _page(record: type[Record]) -> type[Schema]:
    return create_model(
        f"{record.__name__.removesuffix('Record')}Page",
        __base__=Schema,
        __doc__="One page of a list; `next_cursor` continues it (None: the last page).",
        items=(list[record], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, ...),
    )


PAGES: dict[str, type[Schema]] = {name: _page(kind.record) for name, kind in KINDS.items()}
