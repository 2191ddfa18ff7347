"""The 12 OParl object types and how they refer to each other.

Only the relations we store are listed; inverse lists that a server may
also send (Organization.membership, File.paper, Location.meetings, …) are
derivable from the stored side and stay in the raw JSON. `body` is not
listed either: every object belongs to the body whose lists it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ObjectType(StrEnum):
    SYSTEM = "System"
    BODY = "Body"
    LEGISLATIVE_TERM = "LegislativeTerm"
    ORGANIZATION = "Organization"
    PERSON = "Person"
    MEMBERSHIP = "Membership"
    MEETING = "Meeting"
    AGENDA_ITEM = "AgendaItem"
    PAPER = "Paper"
    CONSULTATION = "Consultation"
    FILE = "File"
    LOCATION = "Location"

    @classmethod
    def from_type_url(cls, value: object) -> ObjectType | None:
        """`https://schema.oparl.org/1.0/Paper` (or 1.1, or a bare name) -> PAPER."""
        if not isinstance(value, str) or not value:
            return None
        name = value.rstrip("/").rsplit("/", 1)[-1]
        try:
            return cls(name)
        except ValueError:
            return None


@dataclass(frozen=True)
class Relation:
    """A property whose value is another object (embedded) or its URL.

    `back` names the child's property that points at the parent when the
    child is embedded in it (a Meeting's agendaItem has an implied `meeting`).
    """

    name: str
    target: ObjectType
    many: bool = False
    back: str | None = None


T = ObjectType

RELATIONS: dict[ObjectType, tuple[Relation, ...]] = {
    T.SYSTEM: (),
    T.BODY: (
        Relation("system", T.SYSTEM),
        Relation("legislativeTerm", T.LEGISLATIVE_TERM, many=True),
        Relation("location", T.LOCATION),
        Relation("mainOrganization", T.ORGANIZATION),
    ),
    T.LEGISLATIVE_TERM: (),
    T.ORGANIZATION: (
        Relation("subOrganizationOf", T.ORGANIZATION),
        Relation("location", T.LOCATION),
    ),
    T.PERSON: (
        Relation("location", T.LOCATION),
        Relation("membership", T.MEMBERSHIP, many=True, back="person"),
    ),
    T.MEMBERSHIP: (
        Relation("person", T.PERSON),
        Relation("organization", T.ORGANIZATION),
        Relation("onBehalfOf", T.ORGANIZATION),
    ),
    T.MEETING: (
        Relation("location", T.LOCATION),
        Relation("organization", T.ORGANIZATION, many=True),
        Relation("participant", T.PERSON, many=True),
        Relation("invitation", T.FILE),
        Relation("resultsProtocol", T.FILE),
        Relation("verbatimProtocol", T.FILE),
        Relation("auxiliaryFile", T.FILE, many=True),
        Relation("agendaItem", T.AGENDA_ITEM, many=True, back="meeting"),
    ),
    T.AGENDA_ITEM: (
        Relation("meeting", T.MEETING),
        Relation("consultation", T.CONSULTATION),
        Relation("resolutionFile", T.FILE),
        Relation("auxiliaryFile", T.FILE, many=True),
    ),
    T.PAPER: (
        Relation("relatedPaper", T.PAPER, many=True),
        Relation("superordinatedPaper", T.PAPER, many=True),
        Relation("subordinatedPaper", T.PAPER, many=True),
        Relation("mainFile", T.FILE),
        Relation("auxiliaryFile", T.FILE, many=True),
        Relation("location", T.LOCATION, many=True),
        Relation("originatorPerson", T.PERSON, many=True),
        Relation("underDirectionOf", T.ORGANIZATION, many=True),
        Relation("originatorOrganization", T.ORGANIZATION, many=True),
        Relation("consultation", T.CONSULTATION, many=True, back="paper"),
    ),
    T.CONSULTATION: (
        Relation("paper", T.PAPER),
        Relation("agendaItem", T.AGENDA_ITEM),
        Relation("meeting", T.MEETING),
        Relation("organization", T.ORGANIZATION, many=True),
    ),
    T.FILE: (
        Relation("masterFile", T.FILE),
        Relation("derivativeFile", T.FILE, many=True),
    ),
    T.LOCATION: (),
}

# The lists a Body links to, in the order a sync walks them: referenced
# objects first so that fewer placeholders are needed. OParl 1.1 names the
# location and legislative term lists `locationList` / `legislativeTermList`.
BODY_LISTS: tuple[tuple[str, ObjectType], ...] = (
    ("legislativeTermList", T.LEGISLATIVE_TERM),
    ("locationList", T.LOCATION),
    ("organization", T.ORGANIZATION),
    ("person", T.PERSON),
    ("membership", T.MEMBERSHIP),
    ("meeting", T.MEETING),
    ("agendaItem", T.AGENDA_ITEM),
    ("paper", T.PAPER),
    ("consultation", T.CONSULTATION),
    ("file", T.FILE),
)
