"""The paper (Vorlage) page: what it is, what its text says, where it went."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Value
from django.utils import timezone

from ratsblick.council.models import AgendaItem, Consultation, File, Organization, Paper, Person
from ratsblick.files.models import PaperFacts
from ratsblick.reader import NotFound
from ratsblick.reader.attachments import FileEntry, file_entries
from ratsblick.reader.facts import Facts, shown_facts
from ratsblick.reader.refs import Ref

RELATED_LIMIT = 50


@dataclass(frozen=True)
class Step:
    """One step of the Beratungsfolge: a consultation, or a row of the text's table."""

    date: date | None
    start: datetime | None  # the meeting's start, when known
    meeting: Ref | None  # a live meeting with its own page
    meeting_cancelled: bool
    organizations: tuple[Ref, ...]
    committee: str  # the committee as the text names it (steps from the text only)
    role: str
    authoritative: bool | None
    agenda_item: int | None  # pk: the item's anchor on the meeting page
    agenda_number: str
    result: str
    upcoming: bool  # on or after today


@dataclass(frozen=True)
class RelatedPaper:
    pk: int
    reference: str
    name: str
    date: date | None
    relation: str  # German, as shown


@dataclass(frozen=True)
class PaperPage:
    today: date  # (first: the field `date` below hides the type in this class)
    pk: int
    oparl_id: str
    name: str
    reference: str
    paper_type: str
    date: date | None
    modified: datetime | None
    body: Ref | None
    web: str
    facts: Facts | None
    under_direction_of: tuple[Ref, ...]
    originator_persons: tuple[Ref, ...]
    originator_organizations: tuple[Ref, ...]
    steps: tuple[Step, ...]  # by date, undated last
    steps_from_text: bool  # OParl has no consultations: the text's Beratungsfolge
    today_at: int | None  # index in steps before which today falls; None: no step is dated
    main_file: FileEntry | None
    auxiliary_files: tuple[FileEntry, ...]
    related: tuple[RelatedPaper, ...]


def paper_page(pk: int) -> PaperPage:
    paper = _load(pk)
    facts: PaperFacts | None = getattr(paper, "facts", None)
    today = timezone.localdate()
    consultations = [c for c in paper.consultations.all() if not (c.deleted or c.stub)]
    steps = _consultation_steps(consultations, today) if consultations else ()
    if not steps and facts is not None:
        steps = _text_steps(facts, today)
    files = [
        f
        for f in (paper.main_file, *paper.auxiliary_files.all())
        if f and not (f.deleted or f.stub)
    ]
    entries = file_entries(files)
    return PaperPage(
        pk=paper.pk,
        oparl_id=paper.oparl_id,
        name=paper.name,
        reference=paper.reference,
        paper_type=paper.paper_type,
        date=paper.date,
        modified=paper.modified,
        body=Ref(paper.body.pk, paper.body.name) if paper.body else None,
        web=paper.web,
        facts=shown_facts(paper, facts) if facts else None,
        under_direction_of=_refs(paper.under_direction_of.all()),
        originator_persons=_refs(paper.originator_persons.all()),
        originator_organizations=_refs(paper.originator_organizations.all()),
        steps=steps,
        steps_from_text=bool(steps) and not consultations,
        today=today,
        today_at=_today_at(steps),
        main_file=entries.get(paper.main_file_id) if paper.main_file_id else None,
        auxiliary_files=tuple(
            entries[f.pk] for f in files if f.pk != paper.main_file_id and f.pk in entries
        ),
        related=_related(paper),
    )


def _load(pk: int) -> Paper:
    """The paper with everything its page shows, none of it with its raw JSON
    (the widest column, decoded row by row: half the page's time for a paper
    with many files)."""
    organizations = Organization.objects.live().defer("raw").order_by("name")
    try:
        return (
            Paper.objects.live()
            .select_related("body", "main_file", "facts")
            .defer("raw", "body__raw", "main_file__raw")
            .prefetch_related(
                Prefetch("under_direction_of", queryset=organizations),
                Prefetch("originator_organizations", queryset=organizations),
            )
            .prefetch_related(
                Prefetch(
                    "originator_persons",
                    queryset=Person.objects.live().defer("raw").order_by("family_name", "name"),
                )
            )
            .prefetch_related(
                Prefetch(
                    "auxiliary_files", queryset=File.objects.live().defer("raw").order_by("pk")
                )
            )
            .prefetch_related(
                Prefetch(
                    "consultations",
                    queryset=Consultation.objects.select_related("meeting", "agenda_item__meeting")
                    .defer("raw", "meeting__raw", "agenda_item__raw", "agenda_item__meeting__raw")
                    .prefetch_related(
                        Prefetch("organizations", queryset=organizations),
                        Prefetch("meeting__organizations", queryset=organizations),
                    ),
                ),
            )
            .get(pk=pk)
        )
    except Paper.DoesNotExist:
        raise NotFound(pk) from None


def _refs(objects: Iterable[Organization | Person]) -> tuple[Ref, ...]:
    return tuple(Ref(o.pk, o.name or o.oparl_id) for o in objects)


def _consultation_steps(consultations: list[Consultation], today: date) -> tuple[Step, ...]:
    """A step per consultation, with the result of its agenda item.

    The item is the consultation's `agendaItem`, or else an item that names
    the consultation (vendors fill one side or the other).
    """
    naming = {
        item.consultation_id: item
        for item in AgendaItem.objects.live()
        .filter(consultation__in=[c.pk for c in consultations if c.agenda_item_id is None])
        .select_related("meeting")
    }
    steps = []
    for consultation in consultations:
        item = consultation.agenda_item or naming.get(consultation.pk)
        if item is not None and (item.deleted or item.stub):
            item = None
        meeting = consultation.meeting or (item.meeting if item else None)
        if meeting is not None and (meeting.deleted or meeting.stub):
            meeting = None
        start = meeting.start if meeting else None
        day = timezone.localdate(start) if start else None
        organizations = _refs(consultation.organizations.all()) or (
            _refs(meeting.organizations.all()) if meeting and consultation.meeting_id else ()
        )
        steps.append(
            Step(
                date=day,
                start=start,
                meeting=Ref(meeting.pk, meeting.name) if meeting else None,
                meeting_cancelled=bool(meeting and meeting.cancelled),
                organizations=organizations,
                committee="",
                role=consultation.role,
                authoritative=consultation.authoritative,
                agenda_item=item.pk if item else None,
                agenda_number=item.number if item else "",
                result=item.result if item else "",
                upcoming=day is not None and day >= today,
            )
        )
    return _by_date(steps)


def _text_steps(facts: PaperFacts, today: date) -> tuple[Step, ...]:
    steps = []
    for row in facts.consultations:
        day = date.fromisoformat(row["date"]) if row.get("date") else None
        steps.append(
            Step(
                date=day,
                start=None,
                meeting=None,
                meeting_cancelled=False,
                organizations=(),
                committee=str(row.get("body", "")),
                role=str(row.get("role", "")),
                authoritative=None,
                agenda_item=None,
                agenda_number="",
                result="",
                upcoming=day is not None and day >= today,
            )
        )
    return _by_date(steps)


def _by_date(steps: list[Step]) -> tuple[Step, ...]:
    """Dated steps in time order, then undated ones as listed (a stable sort)."""
    return tuple(sorted(steps, key=lambda s: (s.date is None, s.start or s.date or date.min)))


def _today_at(steps: tuple[Step, ...]) -> int | None:
    dated = [step for step in steps if step.date]
    if not dated:
        return None
    return next((i for i, step in enumerate(dated) if step.upcoming), len(dated))


RELATIONS = {
    "related_papers": "verwandt",
    "superordinated_papers": "übergeordnet",
    "subordinated_papers": "untergeordnet",
}
SAME_STEM = "gleiche Nummer"


def _related(paper: Paper) -> tuple[RelatedPaper, ...]:
    """OParl's relations, then papers whose reference has the same stem."""
    links = [
        getattr(Paper, field)
        .through.objects.filter(from_paper=paper.pk)
        .annotate(relation=Value(label))
        .values_list("to_paper", "relation")
        for field, label in RELATIONS.items()
    ]
    relation_of: dict[int, str] = {}
    for to_pk, relation in links[0].union(*links[1:], all=True):
        relation_of.setdefault(to_pk, relation)
    # Two indexed lookups: one query with OR over both scanned the whole body.
    shown = ("pk", "reference", "name", "date")
    linked = Paper.objects.live().filter(pk__in=list(relation_of)).only(*shown)
    same = (
        Paper.objects.live()
        .filter(body=paper.body_id, reference_stem=paper.reference_stem)
        .exclude(pk=paper.pk)
        .only(*shown)
        .order_by("date", "reference", "pk")[: RELATED_LIMIT * 2]
        if paper.reference_stem
        else Paper.objects.none()
    )
    found = {row.pk: row for row in [*linked, *same] if row.pk != paper.pk}
    rows = sorted(
        found.values(), key=lambda row: (row.date is None, row.date, row.reference, row.pk)
    )
    return tuple(
        RelatedPaper(row.pk, row.reference, row.name, row.date, relation_of.get(row.pk, SAME_STEM))
        for row in rows[:RELATED_LIMIT]
    )
