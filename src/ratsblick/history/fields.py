"""Which fields of an object changed between two versions of its raw JSON, in German.

The raw JSON is what the council published; an embedded object counts as
its id (its own changes are its own history), and the bookkeeping
properties (`id`, `type`, `modified`, …) are left out: every change bumps
`modified`, that is when it happened, not what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from ratsblick.history.textdiff import WordDiff, word_diff
from ratsblick.oparl.schema import RELATIONS, ObjectType

_IGNORED = frozenset({"id", "type", "created", "modified", "deleted", "body", "@context"})

LABELS: dict[str, str] = {
    "name": "Bezeichnung",
    "reference": "Drucksachen-Nr.",
    "date": "Datum",
    "paperType": "Art",
    "mainFile": "Hauptdokument",
    "auxiliaryFile": "Anlagen",
    "relatedPaper": "Verwandte Vorlagen",
    "superordinatedPaper": "Übergeordnete Vorlagen",
    "subordinatedPaper": "Untergeordnete Vorlagen",
    "location": "Ort",
    "originatorPerson": "Urheber (Personen)",
    "originatorOrganization": "Urheber (Gremien)",
    "underDirectionOf": "Federführung",
    "consultation": "Beratung",
    "meetingState": "Status",
    "cancelled": "Abgesagt",
    "start": "Beginn",
    "end": "Ende",
    "organization": "Gremium",
    "participant": "Teilnehmende",
    "invitation": "Einladung",
    "resultsProtocol": "Ergebnisprotokoll",
    "verbatimProtocol": "Wortprotokoll",
    "agendaItem": "Tagesordnungspunkt",
    "meeting": "Sitzung",
    "number": "Nummer",
    "order": "Reihenfolge",
    "public": "Öffentlich",
    "result": "Ergebnis",
    "resolutionText": "Beschlusstext",
    "resolutionFile": "Beschlussdokument",
    "paper": "Vorlage",
    "authoritative": "Beschließend",
    "role": "Rolle",
    "keyword": "Schlagworte",
    "web": "Webseite",
    "license": "Lizenz",
}

# The order fields are listed in: as a reader looks at the object, the rest after.
_ORDER = {name: rank for rank, name in enumerate(LABELS)}
_LONG_TEXT = 80
"""Text longer than this is shown as a word diff rather than old and new side by side."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class FieldChange:
    name: str
    """The OParl property."""
    label: str
    old: str
    """As shown; "" when the field was absent or empty."""
    new: str
    words: WordDiff | None = None
    """For long text: the words added and removed."""


def _id_of(value: Any) -> Any:
    return value.get("id", value) if isinstance(value, dict) else value


def normalised(raw: dict[str, Any]) -> dict[str, Any]:
    """The properties that say what the object is, embedded objects as their ids."""
    return {
        key: [_id_of(v) for v in value] if isinstance(value, list) else _id_of(value)
        for key, value in raw.items()
        if key not in _IGNORED
    }


def _moment(value: str) -> str:
    if _DATE.match(value):
        return f"{date.fromisoformat(value):%d.%m.%Y}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%d.%m.%Y, %H:%M} Uhr"


def _reference_list(value: Any) -> str:
    count = len(value) if isinstance(value, list) else int(bool(value))
    return "" if not count else f"{count} Verweis" + ("e" if count != 1 else "")


def shown(value: Any) -> str:
    """A scalar value as a reader sees it."""
    if value is None or value in ("", []):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, str):
        return _moment(value) if _DATETIME.match(value) or _DATE.match(value) else value
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    return str(value)


def _reference(old: Any, new: Any, many: bool) -> tuple[str, str]:
    """References are URLs: for lists how many, with what was added and removed."""
    if not many:
        if old and new:
            return "ein Objekt", "ein anderes Objekt"
        return ("verknüpft" if old else ""), ("verknüpft" if new else "")
    before = set(old) if isinstance(old, list) else set()
    after = set(new) if isinstance(new, list) else set()
    detail = []
    if after - before:
        detail.append(f"{len(after - before)} neu")
    if before - after:
        detail.append(f"{len(before - after)} entfernt")
    new_text = _reference_list(new)
    return _reference_list(
        old
    ), f"{new_text} ({', '.join(detail)})" if new_text and detail else new_text


def field_changes(kind: ObjectType, old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ between two raw versions of an object of `kind`."""
    before, after = normalised(old), normalised(new)
    relations = {r.name: r.many for r in RELATIONS[kind]}
    changes = []
    for name in sorted(before.keys() | after.keys(), key=lambda n: (_ORDER.get(n, len(_ORDER)), n)):
        a, b = before.get(name), after.get(name)
        if a == b or (shown(a) == "" and shown(b) == ""):
            continue
        label = LABELS.get(name, name)
        if name in relations:
            old_text, new_text = _reference(a, b, relations[name])
            changes.append(FieldChange(name, label, old_text, new_text))
            continue
        old_text, new_text = shown(a), shown(b)
        words = None
        if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > _LONG_TEXT:
            words = word_diff(a, b)
        changes.append(FieldChange(name, label, old_text, new_text, words))
    return changes
