"""A deterministic large city, generated page by page (nothing held in memory).

Shaped like the recorded Sternberg data: papers embed their files and
consultations, meetings their agenda items, persons their memberships.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ratsblick.replay.dataset import ListSlice

ROOT = "https://ris.grossstadt.example/oparl/v1.1"
SCHEMA = "https://schema.oparl.org/1.1/"
MODIFIED = "2024-06-01T12:00:00+02:00"
_MODIFIED_AT = datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
_WORDS = [
    "Antrag",
    "Bebauungsplan",
    "Digitalstrategie",
    "Radwegeplanung",
    "Sachstandsbericht",
    "Haushalt",
    "Schulentwicklung",
    "Feuerwehrbedarfsplan",
    "Kindertagesstätte",
    "Straßenausbau",
    "Klimaschutz",
    "Bürgerbeteiligung",
    "Grundschule",
    "Sanierung",
    "Friedhofssatzung",
    "Gewerbegebiet",
    "Jugendhilfe",
]


class SyntheticCity:
    def __init__(
        self,
        papers: int = 300_000,
        files: int = 1_000_000,
        meetings: int = 20_000,
        persons: int = 500,
        organizations: int = 60,
    ) -> None:
        self.api_root = ROOT
        self.counts = {
            "paper": papers,
            "meeting": meetings,
            "person": persons,
            "organization": organizations,
        }
        self.files = files
        self.body_id = f"{ROOT}/body/1"
        self.system = {
            "id": f"{ROOT}/system",
            "type": SCHEMA + "System",
            "oparlVersion": SCHEMA,
            "name": "Synthetische Großstadt",
            "body": f"{ROOT}/bodies",
        }

    def system_url(self) -> str:
        return str(self.system["id"])

    def _body(self) -> dict[str, Any]:
        lists = {name: f"{self.body_id}/{name}" for name in self.counts}
        return {
            "id": self.body_id,
            "type": SCHEMA + "Body",
            "name": "Großstadt",
            **lists,
            "ags": "09162000",
            "modified": MODIFIED,
        }

    def lookup(self, url: str) -> dict[str, Any] | None:
        if url == self.system_url():
            return self.system
        if url == self.body_id:
            return self._body()
        kind, _, index = url.removeprefix(self.body_id + "/").partition("/")
        if kind in self.counts and index.isdigit() and int(index) < self.counts[kind]:
            return self._make(kind, int(index))
        return None

    def is_list(self, url: str) -> bool:
        return url == self.system["body"] or url.removeprefix(self.body_id + "/") in self.counts

    def file_bytes(self, url: str) -> bytes | None:
        return None

    def list_slice(self, url: str, start: int, stop: int, since: datetime | None) -> ListSlice:
        if url == self.system["body"]:
            return ListSlice([self._body()][start:stop], 1)
        kind = url.removeprefix(self.body_id + "/")
        total = 0 if since is not None and since > _MODIFIED_AT else self.counts[kind]
        return ListSlice([self._make(kind, i) for i in range(start, min(stop, total))], total)

    def _make(self, kind: str, i: int) -> dict[str, Any]:
        obj: dict[str, Any] = getattr(self, "_" + kind)(i, random.Random(f"{kind}{i}"))
        obj.update(
            id=f"{self.body_id}/{kind}/{i}",
            type=SCHEMA + kind.title(),
            created=MODIFIED,
            modified=MODIFIED,
        )
        return obj

    def _org(self, rng: random.Random) -> str:
        return f"{self.body_id}/organization/{rng.randrange(self.counts['organization'])}"

    def _organization(self, i: int, rng: random.Random) -> dict[str, Any]:
        return {"name": f"Ausschuss für {rng.choice(_WORDS)} {i}", "organizationType": "Gremium"}

    def _person(self, i: int, rng: random.Random) -> dict[str, Any]:
        memberships = [
            {
                "id": f"{self.body_id}/membership/{i}-{m}",
                "type": SCHEMA + "Membership",
                "organization": self._org(rng),
                "role": "Mitglied",
            }
            for m in range(3)
        ]
        return {"name": f"Person {i}", "familyName": f"Muster{i}", "membership": memberships}

    def _meeting(self, i: int, rng: random.Random) -> dict[str, Any]:
        start = datetime(2010, 1, 1, 18, tzinfo=UTC) + timedelta(days=i % 5000)
        items = [
            {
                "id": f"{self.body_id}/agendaitem/{i}-{n}",
                "type": SCHEMA + "AgendaItem",
                "number": str(n + 1),
                "name": " ".join(rng.choices(_WORDS, k=3)),
            }
            for n in range(8)
        ]
        return {
            "name": f"Sitzung {i}",
            "start": start.isoformat(),
            "organization": [self._org(rng)],
            "agendaItem": items,
        }

    def _file(self, paper: int, n: int) -> dict[str, Any]:
        url = f"{self.body_id}/file/{paper}-{n}"
        return {
            "id": url,
            "type": SCHEMA + "File",
            "name": f"Anlage {n}",
            "mimeType": "application/pdf",
            "accessUrl": url + "/download.pdf",
        }

    def _paper(self, i: int, rng: random.Random) -> dict[str, Any]:
        papers = self.counts["paper"]
        count = self.files // papers + (1 if i < self.files % papers else 0)
        files = [self._file(i, n) for n in range(count)]
        meeting = rng.randrange(self.counts["meeting"])
        consultation = {
            "id": f"{self.body_id}/consultation/{i}",
            "type": SCHEMA + "Consultation",
            "meeting": f"{self.body_id}/meeting/{meeting}",
            "agendaItem": f"{self.body_id}/agendaitem/{meeting}-{rng.randrange(8)}",
            "organization": [self._org(rng)],
            "role": "Entscheidung",
        }
        return {
            "name": " ".join(rng.choices(_WORDS, k=5)),
            "reference": f"{i % 9000 + 1000}/{2010 + i % 15}",
            "date": f"{2010 + i % 15}-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
            "paperType": rng.choice(["Beschlussvorlage", "Antrag", "Mitteilung"]),
            "mainFile": files[0] if files else None,
            "auxiliaryFile": files[1:],
            "underDirectionOf": [self._org(rng)],
            "consultation": [consultation],
        }
