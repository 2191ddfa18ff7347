"""Stored objects as OParl 1.1 JSON, with our URLs as ids.

Built from the columns we hold (the vendors' values as `council.values`
parsed them, their known faults already repaired by the sync), never from
the raw JSON a council sent. What OParl 1.1 requires and a council left out
is filled in here (a body's name, an agenda item's order), values the
schema would refuse are left out (a `web` that is no URL), and each file
points at our stored copy and carries the text we read from it.

Embedded objects follow the specification: a body embeds its legislative
terms and location, a meeting its location, files and agenda items, an
agenda item its files, a paper its files, locations and consultations, an
organization its location, a person its memberships. Everything else is a
URL. Embedding costs a fixed number of queries per list page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ratsblick.reader import records
from ratsblick.reader.records import Item

TYPE_URL = "https://schema.oparl.org/1.1/"
_SPACE = re.compile(r"\s")
# The types that name their body (`body` in the schema).
_WITH_BODY = frozenset({"LegislativeTerm", "Organization", "Person", "Paper"})
_URL_PROPERTIES = frozenset(
    {"web", "website", "fileLicense", "externalServiceUrl", "accessUrl", "downloadUrl"}
)
_STRING_LISTS = frozenset(
    {"keyword", "post", "title", "phone", "email", "status", "equivalent", "otherOparlVersions"}
)


@dataclass(frozen=True)
class Embed:
    """An embedded property: the objects it refers to, or (with `parent`) the
    objects of `kind` whose `parent` reference points back at this one."""

    kind: str
    parent: str | None = None


EMBEDS: Mapping[str, Mapping[str, Embed]] = {
    "Body": {"legislativeTerm": Embed("LegislativeTerm", "body"), "location": Embed("Location")},
    "Organization": {"location": Embed("Location")},
    "Person": {"membership": Embed("Membership", "person")},
    "Meeting": {
        "location": Embed("Location"),
        "invitation": Embed("File"),
        "resultsProtocol": Embed("File"),
        "verbatimProtocol": Embed("File"),
        "auxiliaryFile": Embed("File"),
        "agendaItem": Embed("AgendaItem", "meeting"),
    },
    "AgendaItem": {"resolutionFile": Embed("File"), "auxiliaryFile": Embed("File")},
    "Paper": {
        "mainFile": Embed("File"),
        "auxiliaryFile": Embed("File"),
        "location": Embed("Location"),
        "consultation": Embed("Consultation", "paper"),
    },
}


def segment(kind: str) -> str:
    """The path segment of a type (`agendaitem`)."""
    return kind.lower()


@dataclass(frozen=True)
class Urls:
    """Absolute URLs of our objects, from prefixes resolved once per request."""

    system: str
    object_prefixes: Mapping[str, str]  # type -> ".../oparl/v1.1/paper/"
    copy_prefix: str  # ".../datei/" of "/datei/<pk>/kopie/"

    def of(self, kind: str, pk: int) -> str:
        return f"{self.object_prefixes[kind]}{pk}/"

    def copy(self, pk: int) -> str:
        return f"{self.copy_prefix}{pk}/kopie/"


def _is_url(value: object) -> bool:
    """An absolute http(s) URL with a host (what the schema's `url` format means)."""
    return (
        isinstance(value, str)
        and value.startswith(("http://", "https://"))
        and len(value) > value.index("//") + 2
        and value[value.index("//") + 2] not in "/?#"
        and _SPACE.search(value) is None
    )


def _clean(name: str, value: Any) -> Any:
    """The value as the schema wants it, or None to leave it out."""
    if name in _URL_PROPERTIES:
        return value if _is_url(value) else None
    if name in _STRING_LISTS:
        items = value if isinstance(value, list) else [value]
        kept = [str(v) for v in items if isinstance(v, str | int | float) and str(v).strip()]
        return kept or None
    if name == "geojson":
        return value if isinstance(value, dict) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class Renderer:
    """Renders items of one request; `render` embeds what the spec embeds."""

    def __init__(self, urls: Urls) -> None:
        self.urls = urls

    def render(self, kind: str, items: Sequence[Item]) -> list[dict[str, Any]]:
        embedded = self._embedded(kind, [i for i in items if not i.deleted])
        return [self._object(item, embedded) for item in items]

    def _embedded(
        self, kind: str, items: Sequence[Item]
    ) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """{property: {owner pk: [embedded objects]}} for every embedded property."""
        out: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for name, embed in EMBEDS.get(kind, {}).items():
            if embed.parent is not None:
                groups = records.children(embed.kind, embed.parent, (i.pk for i in items))
                out[name] = self._grouped(embed.kind, groups)
                continue
            targets = records.by_pk(embed.kind, (pk for i in items for pk in i.refs.get(name, ())))
            rendered = dict(
                zip(targets, self.render(embed.kind, list(targets.values())), strict=True)
            )
            out[name] = {
                i.pk: [rendered[pk] for pk in i.refs.get(name, ()) if pk in rendered] for i in items
            }
        return out

    def _grouped(
        self, kind: str, groups: Mapping[int, list[Item]]
    ) -> dict[int, list[dict[str, Any]]]:
        live = [(owner, item) for owner, found in groups.items() for item in found]
        live = [(owner, item) for owner, item in live if not item.deleted]
        rendered = self.render(kind, [item for _, item in live])
        out: dict[int, list[dict[str, Any]]] = {}
        for (owner, _), obj in zip(live, rendered, strict=True):
            out.setdefault(owner, []).append(obj)
        return out

    def _object(
        self, item: Item, embedded: Mapping[str, Mapping[int, list[dict[str, Any]]]]
    ) -> dict[str, Any]:
        kind = item.kind
        obj: dict[str, Any] = {"id": self.urls.of(kind, item.pk), "type": TYPE_URL + kind}
        if item.body is not None and kind in _WITH_BODY:
            obj["body"] = self.urls.of("Body", item.body)
        if item.deleted:
            # What a deleted object must still say; the rest is gone.
            for name in ("created", "modified"):
                if name in item.values:
                    obj[name] = _clean(name, item.values[name])
            obj["deleted"] = True
            return obj
        for name, value in item.values.items():
            cleaned = _clean(name, value)
            if cleaned is not None:
                obj[name] = cleaned
        for name, reference in records.references(kind).items():
            if name in embedded:
                continue
            pks = item.refs.get(name, ())
            if pks:
                urls = [self.urls.of(reference.kind, pk) for pk in pks]
                obj[name] = urls if reference.many else urls[0]
        for name, by_owner in embedded.items():
            many = name not in records.references(kind) or records.references(kind)[name].many
            found = by_owner.get(item.pk, [])
            if found:
                obj[name] = found if many else found[0]
        _repair(kind, item, obj, self.urls)
        return obj


def _repair(kind: str, item: Item, obj: dict[str, Any], urls: Urls) -> None:
    """What OParl 1.1 requires of a type, where the council left it out."""
    if kind == "Body":
        obj["system"] = urls.system  # we publish it, whoever published it before
        obj["name"] = obj.get("name") or obj.get("shortName") or item.oparl_id
        obj.setdefault("legislativeTerm", [])
        for name in records.BODY_KINDS:
            obj[list_property(name)] = f"{urls.of('Body', item.pk)}{segment(name)}/"
    elif kind == "AgendaItem":
        obj.setdefault("order", 0)
    elif kind == "File":
        if item.copy:
            obj["accessUrl"] = obj["downloadUrl"] = urls.copy(item.pk)
        obj["accessUrl"] = obj.get("accessUrl") or urls.copy(item.pk)
        if item.text:
            obj["text"] = item.text


def list_property(kind: str) -> str:
    """The Body property that links to a list of `kind` (`legislativeTermList`)."""
    if kind in ("LegislativeTerm", "Location"):
        return kind[0].lower() + kind[1:] + "List"
    return kind[0].lower() + kind[1:]
