"""Values from councils, parsed once at the edge into what a column holds.

Councils send what their systems hold, typos included: a paper dated
9999-12-31 or 0201-03-05, a meeting starting "0000-00-00", a file of size
"²" (a digit to `str.isdigit()`, none to `int()`) or 10**30 bytes. A
converter returns the column's value or raises `BadValue`; the writer then
stores the field as unknown (None) and notes why, so one bad field costs
that field only. The value itself is not lost: every object's JSON is kept
as received in `raw`.

Only converters of nullable columns raise; an absent value (None, "") is
no bad value. The accepted ranges are the same on SQLite and PostgreSQL:

- dates and datetimes are ISO 8601 (what OParl prescribes; "31.12.2021" is
  refused, not guessed) in the years `EARLIEST.year`–`LATEST.year`. Python
  and both databases could hold more, but no council paper, meeting or
  membership lies outside these years, and "open end" sentinels such as
  9999-12-31 mean the same as an absent end date;
- integers must fit the column (32 or 64 bit signed, as PostgreSQL's
  columns; SQLite would hold 64 bit in any integer column).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from ratsblick.oparl.walker import parse_datetime

EARLIEST = date(1800, 1, 1)
LATEST = date(2199, 12, 31)
_OUTSIDE = f"is outside {EARLIEST.year}–{LATEST.year}"
_MAX_DIGITS = 20  # more than any 64 bit integer has
_SHOWN = 60  # characters of a bad value quoted in a note

Converter = Callable[[Any], Any]


class BadValue(ValueError):
    """A value the column cannot hold; the field is stored as unknown."""

    def __init__(self, value: object, why: str) -> None:
        shown = repr(value)
        if len(shown) > _SHOWN:
            shown = shown[: _SHOWN - 1] + "…"
        super().__init__(f"{shown} {why}")


def text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def date_value(value: Any) -> date | None:
    """A date, also from the date part of a datetime ("2021-03-05T10:00:00+01:00")."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadValue(value, "is no date")
    written = value.strip()
    if not written:
        return None
    try:
        day = date.fromisoformat(written[:10])
    except ValueError:
        raise BadValue(value, "is no ISO 8601 date") from None
    if not EARLIEST <= day <= LATEST:
        raise BadValue(value, _OUTSIDE)
    return day


def datetime_value(value: Any) -> datetime | None:
    """An aware datetime (UTC when the council names no offset)."""
    if value is None:
        return None
    moment = parse_datetime(value)
    if moment is None:
        if isinstance(value, str) and not value.strip():
            return None
        raise BadValue(value, "is no ISO 8601 date and time")
    if not EARLIEST.year <= moment.year <= LATEST.year:  # as written: UTC could overflow
        raise BadValue(value, _OUTSIDE)
    return moment


def optional_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise BadValue(value, "is no boolean")


def flag(value: Any) -> bool:
    """A non-null boolean column: only `true` sets it."""
    return value is True


def integer_converter(field: models.IntegerField[Any, Any]) -> Converter:
    """Integers in the range of `field`'s column; ASCII digit strings count."""
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]

    def convert(value: Any) -> int | None:
        if value is None:
            return None
        if type(value) is int:  # not bool, a subclass
            number = value
        elif isinstance(value, str):
            digits = value.strip()
            if not digits:
                return None
            if not (digits.isascii() and digits.isdigit()):
                raise BadValue(value, "is no integer")
            if len(digits) > _MAX_DIGITS:  # int() refuses very long strings
                raise BadValue(value, "does not fit the column")
            number = int(digits)
        else:
            raise BadValue(value, "is no integer")
        if not low <= number <= high:
            raise BadValue(value, "does not fit the column")
        return number

    return convert


def json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def json_value(value: Any) -> Any:
    return value


def has_nul(value: Any) -> bool:
    """Whether a NUL character (U+0000) is in any string of `value`, keys included."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def without_nul(value: Any) -> Any:
    """`value` with every NUL character removed from its strings, keys included.

    PostgreSQL's text and jsonb columns refuse U+0000 where SQLite stores it:
    a council system leaking one from a C string would cost the object on
    PostgreSQL only. Removed at the edge, both databases hold the same.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def converter_for(field: models.Field[Any, Any]) -> Converter:
    if isinstance(field, models.DateTimeField):
        return datetime_value
    if isinstance(field, models.DateField):
        return date_value
    if isinstance(field, models.BooleanField):
        return optional_bool if field.null else flag
    if isinstance(field, models.IntegerField):
        return integer_converter(field)
    if isinstance(field, models.JSONField):
        return json_list if field.default is list else json_value
    if isinstance(field, models.CharField) and field.max_length:
        limit = field.max_length
        return lambda v: text(v)[:limit]
    return text
