"""The structured facts a council paper states on its first pages.

Vorlagen print a form block (`Vorlage-Nr: …`, `Datum: …`, `Status: …`,
`Federführende Dienststelle: …`, `Verfasser: …`), a Beratungsfolge table
(date, body, role) and the Beschlussvorschlag. Labels vary between
vendors and towns; each fact lists the labels we know. OParl data wins
over these where both exist (the caller decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

_DATE = r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})"
LABELS = {
    "reference": (
        r"Vorlage(?:n)?[- ]?(?:Nr\.?|Nummer)|Drucksache(?:n)?[- ]?(?:Nr\.?|Nummer)?|Aktenzeichen"
    ),
    "date": r"Datum|Vorlagedatum|Erstellt am",
    "status": r"Status|Öffentlichkeitsstatus",
    "lead_department": (
        r"Federführende Dienststelle|Federführend|Federführendes Amt|Amt|Fachbereich"
    ),
    "author": r"Verfasser(?:/in|in)?|Bearbeiter(?:/in|in)?|Sachbearbeiter(?:/in|in)?",
}
ROLES = (
    "Kenntnisnahme", "Entscheidung", "Vorberatung", "Beratung", "Beschlussfassung",
    "Anhörung", "Empfehlung", "Zustimmung", "Beschluss",
)  # fmt: skip
SECTION_END = re.compile(
    r"^(?:Beschlussvorschlag|Begründung|Erläuterungen?|Sachverhalt|Finanzielle Auswirkungen|"
    r"Anlage(?:n|/n)?|Problembeschreibung|Beratungsergebnis)\s*:?\s*$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Consultation:
    date: date | None
    body: str
    role: str


@dataclass(frozen=True)
class PaperFacts:
    reference: str = ""
    date: date | None = None
    status: str = ""
    lead_department: str = ""
    author: str = ""
    consultations: list[Consultation] = field(default_factory=list)
    resolution_proposal: str = ""

    @property
    def empty(self) -> bool:
        return self == PaperFacts()


def _to_date(match: re.Match[str] | None) -> date | None:
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups()[:3])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _field(text: str, labels: str) -> str:
    match = re.search(rf"^(?:{labels})\s*:[ \t]*(.*)$", text, re.MULTILINE | re.IGNORECASE)
    return match.group(1).strip() if match else ""


def _section(text: str, heading: str) -> str:
    """Text after a heading line ("Beratungsfolge:"), up to the next section."""
    start = re.search(rf"^{heading}\s*:?\s*$", text, re.MULTILINE)
    if start is None:
        return ""
    rest = text[start.end() :]
    end = SECTION_END.search(rest)
    return rest[: end.start() if end else len(rest)].strip()


def _consultations(section: str) -> list[Consultation]:
    """Rows of the Beratungsfolge: each starts with a date; cells may wrap."""
    section = section.split("Beschlussvorschlag", maxsplit=1)[0]
    flat = " ".join(section.split())
    roles = "|".join(ROLES)
    found = []
    for row in re.split(rf"(?={_DATE})", flat):
        match = re.match(_DATE, row)
        if not match:
            continue
        rest = row[match.end() :]
        role = re.search(rf"\b({roles})\b", rest)
        body = (rest[: role.start()] + rest[role.end() :]) if role else rest
        found.append(Consultation(_to_date(match), " ".join(body.split()), role[1] if role else ""))
    return found


def paper_facts(pages: list[str]) -> PaperFacts:
    """Facts from the body text of a paper's main file, page by page.

    A section ends at its page's end: what follows is the next page's text.
    """
    text = "\n\n".join(pages)
    status = _field(text, LABELS["status"])
    consultations: list[Consultation] = []
    proposal = ""
    for page in pages:
        consultations = consultations or _consultations(_section(page, "Beratungsfolge"))
        proposal = proposal or _section(page, "Beschlussvorschlag")
    return PaperFacts(
        reference=_field(text, LABELS["reference"]),
        date=_to_date(re.search(_DATE, _field(text, LABELS["date"]))),
        status=status.lower() if status else "",
        lead_department=_field(text, LABELS["lead_department"]),
        author=_field(text, LABELS["author"]),
        consultations=consultations,
        resolution_proposal=proposal,
    )
