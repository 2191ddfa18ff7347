"""What a paper's main file says about the paper, as the paper and file pages show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ratsblick.council.models import Paper
from ratsblick.files.models import PaperFacts


@dataclass(frozen=True)
class Facts:
    """What the main file's text says (where OParl says it too, OParl's value)."""

    reference: str
    date: date | None
    status: str
    lead_department: str
    author: str
    resolution_proposal: str


def shown_facts(paper: Paper, facts: PaperFacts) -> Facts:
    return Facts(
        reference=paper.reference or facts.reference,
        date=paper.date or facts.date,
        status=facts.status,
        lead_department=facts.lead_department,
        author=facts.author,
        resolution_proposal=facts.resolution_proposal,
    )
