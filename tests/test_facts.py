"""The facts of a paper, read from its text, born-digital or OCR'd."""

from __future__ import annotations

from datetime import date

import pytest

from ratsblick.extract import OcrEngine, extract
from ratsblick.extract.facts import Consultation, paper_facts
from ratsblick.replay.sample import SAMPLE_FILES

PROPOSAL = (
    "Der Ausschuss für Arbeit, Wirtschaft und Wissenschaft nimmt den Sachstandsbericht zur "
    "Interfraktionellen Arbeitsgruppe „Digitale Strategie“ zur Kenntnis."
)


@pytest.mark.parametrize("name", ["born.pdf", "scan300.pdf", "mixed.pdf"])
def test_facts_of_the_aachen_paper(name: str) -> None:
    pages = extract((SAMPLE_FILES / name).read_bytes(), OcrEngine()).pages
    facts = paper_facts([page.text for page in pages])
    assert facts.reference == "FB 02/0131/WP17"
    assert facts.date == date(2018, 3, 26)
    assert facts.status == "öffentlich"
    assert facts.lead_department == "Fachbereich Wirtschaft, Wissenschaft und Europa"
    assert facts.author == "FB 02"
    assert facts.consultations == [
        Consultation(date(2018, 4, 11), "Ausschuss für Arbeit, Wirtschaft und Wissenschaft",
                     "Kenntnisnahme")
    ]  # fmt: skip
    assert facts.resolution_proposal == PROPOSAL


def test_no_facts_in_other_documents() -> None:
    pages = extract((SAMPLE_FILES / "tg_abst.pdf").read_bytes()).pages
    assert paper_facts([page.text for page in pages]).empty is True


def test_labels_of_other_towns_and_wrapped_rows() -> None:
    page = (
        "Drucksache-Nr.: 1234/89\nErstellt am: 3.2.2024\nÖffentlichkeitsstatus: Öffentlich\n"
        "Federführend: Amt für Verkehr\nSachbearbeiterin: Frau Muster\n\n"
        "Beratungsfolge:\n\n12.03.2024 Bezirksvertretung\nMitte Anhörung\n"
        "21.03.2024 Rat der Stadt Entscheidung\n\n"
        "Beschlussvorschlag:\n\nDer Rat beschließt den Radweg.\n\nBegründung:\n\nWeil."
    )
    facts = paper_facts([page])
    assert facts.reference == "1234/89"
    assert facts.date == date(2024, 2, 3)
    assert facts.status == "öffentlich"
    assert facts.lead_department == "Amt für Verkehr"
    assert facts.author == "Frau Muster"
    assert [(c.body, c.role) for c in facts.consultations] == [
        ("Bezirksvertretung Mitte", "Anhörung"),
        ("Rat der Stadt", "Entscheidung"),
    ]
    assert facts.resolution_proposal == "Der Rat beschließt den Radweg."
