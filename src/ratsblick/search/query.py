"""The query language a citizen can type, read without ever failing.

    Radweg Planung          both words (stemmed, compound parts found)
    "digitale Strategie"    the phrase
    -Windkraft              without the word (also -"a phrase")
    Kita OR Kindergarten    either (also ODER, |)
    typ:vorlage art:Antrag  filters: typ (vorlage, sitzung, datei, person,
    von:2020 bis:31.12.2021 gremium), art (paper type), jahr, von, bis

Anything else is a word; an unknown `name:value` is searched as words; a
filter with a value it cannot read is ignored with a German warning. Quotes
need not be closed. The parser builds plain data; `engine` turns it into a
Tantivy query, so Tantivy's own query syntax never sees user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from ratsblick.search.types import FIRST_YEAR, LAST_YEAR, Filters, Kind, searchable_day

OR_WORDS = frozenset({"OR", "ODER", "|"})

KIND_NAMES: dict[str, Kind] = {
    "vorlage": Kind.PAPER,
    "vorlagen": Kind.PAPER,
    "drucksache": Kind.PAPER,
    "paper": Kind.PAPER,
    "sitzung": Kind.MEETING,
    "sitzungen": Kind.MEETING,
    "meeting": Kind.MEETING,
    "datei": Kind.FILE,
    "dateien": Kind.FILE,
    "dokument": Kind.FILE,
    "file": Kind.FILE,
    "person": Kind.PERSON,
    "personen": Kind.PERSON,
    "gremium": Kind.ORGANIZATION,
    "gremien": Kind.ORGANIZATION,
    "organisation": Kind.ORGANIZATION,
    "organization": Kind.ORGANIZATION,
}

FILTERS = frozenset({"typ", "type", "art", "jahr", "von", "bis"})

_TOKEN = re.compile(
    r'\s*(?:(?P<name>[A-Za-zäöüÄÖÜ]+):(?:"(?P<fquoted>[^"]*)"?|(?P<fvalue>[^\s"]\S*))'
    r'|(?P<neg>-?)(?:"(?P<quoted>[^"]*)"?|(?P<word>\S+)))'
)
_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})")


@dataclass(frozen=True)
class Clause:
    text: str
    phrase: bool = False


@dataclass
class ParsedQuery:
    required: list[list[Clause]] = field(default_factory=list)
    """Every inner list must match with at least one of its clauses."""
    excluded: list[Clause] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    warnings: list[str] = field(default_factory=list)

    @property
    def clauses(self) -> list[Clause]:
        return [c for group in self.required for c in group]


def parse_day(value: str, *, end: bool = False) -> date | None:
    """ "2021", "2021-03-05" or "5.3.2021"; a bare year is its first or last day."""
    match = _DAY.fullmatch(value.strip())
    if not match:
        return None
    try:
        if match[1]:
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match[4]:
            return date(int(match[4]), int(match[5]), int(match[6]))
        year = int(match[7])
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        return None


def _apply_filter(query: ParsedQuery, name: str, value: str) -> None:
    """Add a filter, or a warning when `value` cannot be read."""
    value = value.strip()
    if name in ("typ", "type"):
        kind = KIND_NAMES.get(value.lower())
        if kind is None:
            query.warnings.append(
                f"Unbekannter Typ „{value}“: möglich sind vorlage, sitzung, datei, person, gremium."
            )
            return
        query.filters.kinds.append(kind)
    elif name == "art":
        if value:
            query.filters.paper_types.append(value)
    elif name in ("von", "bis", "jahr"):
        start, end = parse_day(value), parse_day(value, end=True)
        if start is None or end is None:
            query.warnings.append(f"Datum „{value}“ nicht erkannt (z. B. 2021 oder 31.12.2021).")
            return
        if not (searchable_day(start) and searchable_day(end)):
            query.warnings.append(_out_of_range(value))
            return
        if name in ("von", "jahr"):
            query.filters.date_from = start
        if name in ("bis", "jahr"):
            query.filters.date_to = end


def _out_of_range(value: str) -> str:
    return f"Datum „{value}“ liegt nicht zwischen {FIRST_YEAR} und {LAST_YEAR} und wird ignoriert."


def searchable_dates(filters: Filters) -> tuple[Filters, list[str]]:
    """The filters without a date the index cannot hold, with a note for each one dropped.

    For dates given with a request (the web form, `ratsblick search --from`);
    those typed into the query are checked by `parse`.
    """
    days = (filters.date_from, filters.date_to)
    notes = [
        _out_of_range(f"{day.day}.{day.month}.{day.year}")
        for day in days
        if day and not searchable_day(day)
    ]
    usable = replace(
        filters,
        date_from=searchable_day(filters.date_from),
        date_to=searchable_day(filters.date_to),
    )
    return usable, notes


def parse(text: str) -> ParsedQuery:
    query = ParsedQuery()
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, quoted, word = match["neg"] == "-", match["quoted"], match["word"]
        if match["name"]:
            if match["name"].lower() in FILTERS:
                value = match["fquoted"] if match["fquoted"] is not None else match["fvalue"]
                _apply_filter(query, match["name"].lower(), value)
                continue
            word = match[0].strip()
        elif quoted is None and word is None:
            continue
        if word is not None and word in OR_WORDS and not negated:
            pending_or = bool(query.required)
            continue
        clause = Clause(quoted, phrase=True) if quoted is not None else Clause(word or "")
        if not clause.text.strip():
            continue
        if negated:
            query.excluded.append(clause)
        elif pending_or:
            query.required[-1].append(clause)
        else:
            query.required.append([clause])
        pending_or = False
    filters = query.filters
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        query.warnings.append("„von“ liegt nach „bis“: die Daten wurden getauscht.")
        filters.date_from, filters.date_to = filters.date_to, filters.date_from
    return query
