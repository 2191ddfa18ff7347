"""A small sample council whose papers carry real PDFs with known text.

Served by the replay server beside the Hürtgenwald crawl (which has no file
bytes), so that the demo shows extracted and OCR'd text: the Aachen paper
FB 02/0131/WP17 born-digital, scanned and mixed, and Thurgau protocols.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ratsblick.replay.dataset import RecordedDataset

SAMPLE_FILES = Path(__file__).with_name("data") / "sample"
ROOT = "https://ris.beispielstadt.example/oparl/v1.1"
SCHEMA = "https://schema.oparl.org/1.1/"
BODY = f"{ROOT}/body/1"
CREATED = "2024-01-15T09:00:00+01:00"

# (reference, date, paper type, name, [(file name, title), …])
PAPERS = (
    (
        "FB 02/0131/WP17",
        "2018-03-26",
        "Mitteilungsvorlage",
        "Sachstandsbericht zur Interfraktionellen Arbeitsgruppe „Digitale Strategie“",
        [("born.pdf", "Vorlage"), ("twocol.pdf", "Anlage: Modellfachbereich FB 02")],
    ),
    (
        "FB 02/0131/WP17-S",
        "2018-03-26",
        "Mitteilungsvorlage",
        "Sachstandsbericht „Digitale Strategie“ (eingescannte Fassung)",
        [("scan300.pdf", "Vorlage (Scan)"), ("twocol.pdf", "Anlage: Modellfachbereich FB 02")],
    ),
    (
        "FB 02/0131/WP17-M",
        "2018-04-11",
        "Mitteilungsvorlage",
        "Sachstandsbericht „Digitale Strategie“ mit gescannten Anlagen",
        [("mixed.pdf", "Vorlage mit Anlagen")],
    ),
    (
        "20/MO 34/343",
        "2023-08-16",
        "Protokoll",
        "Protokoll des Grossen Rates vom 16. August 2023",
        [
            ("tg_20230816.pdf", "Protokoll"),
            ("tg_abst.pdf", "Abstimmungsergebnisse"),
            ("tg_mitglieder.pdf", "Mitgliederliste"),
        ],
    ),
)


def _file(paper: int, name: str, title: str) -> dict[str, Any]:
    """Files of different papers are different OParl Files, even with the same bytes."""
    return {
        "id": f"{ROOT}/file/{paper}-{name}",
        "type": SCHEMA + "File",
        "name": title,
        "fileName": name,
        "mimeType": "application/pdf",
        "accessUrl": f"{ROOT}/files/{name}",
        "created": CREATED,
        "modified": CREATED,
    }


def sample_dataset(papers: tuple[int, ...] = (1, 2, 3, 4)) -> RecordedDataset:
    """The sample with the given papers of `PAPERS` (1-based; scans make it slow)."""
    system: dict[str, Any] = {
        "id": f"{ROOT}/system",
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "name": "Ratsblick-Beispieldaten",
        "body": f"{ROOT}/bodies",
    }
    body: dict[str, Any] = {
        "id": BODY,
        "type": SCHEMA + "Body",
        "name": "Beispielstadt (Testdaten)",
        "paper": f"{BODY}/paper",
        "organization": f"{BODY}/organization",
        "created": CREATED,
        "modified": CREATED,
    }
    council = {
        "id": f"{BODY}/organization/1",
        "type": SCHEMA + "Organization",
        "name": "Ausschuss für Arbeit, Wirtschaft und Wissenschaft",
        "created": CREATED,
        "modified": CREATED,
    }
    listed: list[dict[str, Any]] = []
    for number, (reference, date, kind, name, attached) in enumerate(PAPERS, start=1):
        if number not in papers:
            continue
        main, *auxiliary = (_file(number, *f) for f in attached)
        listed.append(
            {
                "id": f"{BODY}/paper/{number}",
                "type": SCHEMA + "Paper",
                "name": name,
                "reference": reference,
                "date": date,
                "paperType": kind,
                "mainFile": main,
                "auxiliaryFile": auxiliary,
                "underDirectionOf": [council["id"]],
                "created": CREATED,
                "modified": CREATED,
            }
        )
    files = {f"{ROOT}/files/{path.name}": path for path in SAMPLE_FILES.glob("*.pdf")}
    lists: dict[str, list[dict[str, Any]]] = {
        system["body"]: [body],
        body["paper"]: listed,
        body["organization"]: [council],
    }
    return RecordedDataset(system, lists, set(), files)
