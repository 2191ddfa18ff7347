"""What the index holds for the council's objects: SearchDocuments from rows.

The same builders serve indexing and snippets (the text a snippet is cut
from is the text that was indexed), always for many keys at a time, with a
fixed number of queries per kind; for snippets (`texts_by_key`) they skip
what only the index needs (organizations, a file's paper or meeting).

A file belongs to its paper (as main file or annex), else to its meeting
(invitation, protocols, annexes, an agenda item's files): that is its
`parent`, the hit it is shown in (with the parent's title, reference and
date, stored with the file). It takes the parent's type, organizations and,
without a date of its own, its date for the filters, but not its reference
as its own: a Drucksachen-Nr finds the paper, which then lists the files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from ratsblick.council.models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    OParlObject,
    Organization,
    Paper,
    Person,
)
from ratsblick.files.models import ExtractedPage, FileVersion
from ratsblick.oparl.schema import ObjectType
from ratsblick.search import Kind, Parent, SearchDocument, document_key

MODELS: dict[Kind, type[OParlObject]] = {
    Kind.PAPER: Paper,
    Kind.MEETING: Meeting,
    Kind.FILE: File,
    Kind.PERSON: Person,
    Kind.ORGANIZATION: Organization,
}

# The raw JSON as received is the widest column and no document reads it;
# snippets rebuild documents for every search, so it is never loaded.
UNUSED = ("raw",)


def _lines(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _paper_organizations(papers: Iterable[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for paper, organization in Consultation.organizations.through.objects.filter(
        consultation__paper__in=papers
    ).values_list("consultation__paper", "organization"):
        found[paper].add(organization)
    for paper, organization in Paper.under_direction_of.through.objects.filter(
        paper__in=papers
    ).values_list("paper", "organization"):
        found[paper].add(organization)
    return found


def papers(pks: list[int], *, context: bool = True) -> Iterator[SearchDocument]:
    """Papers; their files are documents of their own, shown inside the paper's hit."""
    rows = (
        Paper.objects.live()
        .filter(pk__in=pks, body__isnull=False)
        .select_related("facts")
        .defer(*UNUSED)
    )
    organizations = _paper_organizations(pks) if context else {}
    for paper in rows:
        facts = getattr(paper, "facts", None)
        text = _lines(
            facts.resolution_proposal if facts else "",
            facts.lead_department if facts else "",
            facts.author if facts else "",
        )
        yield SearchDocument(
            Kind.PAPER,
            paper.pk,
            paper.body_id or 0,
            paper.name,
            text,
            reference=paper.reference or (facts.reference if facts else ""),
            date=paper.date or (facts.date if facts else None),
            paper_type=paper.paper_type,
            organizations=sorted(organizations.get(paper.pk, ())),
        )


@dataclass
class Owner:
    """What a file takes from the paper or meeting it belongs to."""

    parent: Parent
    paper_type: str = ""
    organizations: list[int] = field(default_factory=list)


def _file_papers(files: list[int]) -> dict[int, Owner]:
    """The paper each file belongs to: as its main file, else as an annex."""
    owner: dict[int, int] = {}
    through = Paper.auxiliary_files.through.objects.filter(file__in=files, paper__deleted=False)
    owner.update(through.values_list("file", "paper"))
    main = Paper.objects.live().filter(main_file__in=files)
    owner.update(main.values_list("main_file", "pk"))
    loaded = Paper.objects.only("name", "reference", "date", "paper_type").in_bulk(
        set(owner.values())
    )
    organizations = _paper_organizations(list(loaded))
    return {
        file_pk: Owner(
            Parent(
                document_key(Kind.PAPER, paper),
                loaded[paper].name,
                loaded[paper].reference,
                loaded[paper].date,
            ),
            loaded[paper].paper_type,
            sorted(organizations.get(paper, ())),
        )
        for file_pk, paper in owner.items()
    }


MEETING_FILES = ("invitation", "results_protocol", "verbatim_protocol")


def _file_meetings(files: list[int]) -> dict[int, Owner]:
    """The meeting each file belongs to: as invitation or protocol, as an annex of
    the meeting or of one of its agenda items."""
    owner: dict[int, int] = {}
    items = AgendaItem.objects.live().filter(meeting__deleted=False)
    owner.update(
        AgendaItem.auxiliary_files.through.objects.filter(
            file__in=files, agendaitem__in=items
        ).values_list("file", "agendaitem__meeting")
    )
    owner.update(items.filter(resolution_file__in=files).values_list("resolution_file", "meeting"))
    owner.update(
        Meeting.auxiliary_files.through.objects.filter(
            file__in=files, meeting__deleted=False
        ).values_list("file", "meeting")
    )
    wanted = set(files)
    roles = Q()
    for column in MEETING_FILES:
        roles |= Q(**{f"{column}__in": files})
    for pk, *own in Meeting.objects.live().filter(roles).values_list("pk", *MEETING_FILES):
        owner.update((file_pk, pk) for file_pk in own if file_pk in wanted)
    shown = {
        pk: (name, start)
        for pk, name, start in Meeting.objects.filter(pk__in=set(owner.values())).values_list(
            "pk", "name", "start"
        )
    }
    organizations: dict[int, list[int]] = defaultdict(list)
    for meeting, organization in (
        Meeting.organizations.through.objects.filter(meeting__in=shown)
        .order_by("organization")
        .values_list("meeting", "organization")
    ):
        organizations[meeting].append(organization)
    return {
        file_pk: Owner(
            Parent(
                document_key(Kind.MEETING, meeting),
                shown[meeting][0],
                date=start.date() if (start := shown[meeting][1]) else None,
            ),
            organizations=organizations[meeting],
        )
        for file_pk, meeting in owner.items()
        if meeting in shown
    }


def _file_texts(files: list[int]) -> dict[int, tuple[str, list[int]]]:
    """The text of each file's newest readable version, and where its pages start."""
    newest: dict[int, int] = {}
    for file_pk, extraction in (
        FileVersion.objects.filter(file__in=files, blob__extraction__status="ok")
        .order_by("file", "-fetched_at")
        .values_list("file", "blob__extraction")
    ):
        newest.setdefault(file_pk, extraction)
    pages: dict[int, list[str]] = defaultdict(list)
    for extraction, text in (
        ExtractedPage.objects.filter(extraction__in=set(newest.values()))
        .order_by("extraction", "number")
        .values_list("extraction", "text")
    ):
        pages[extraction].append(text)
    found = {}
    for file_pk, extraction in newest.items():
        starts, at = [], 0
        for page in pages[extraction]:
            starts.append(at)
            at += len(page) + 2
        found[file_pk] = ("\n\n".join(pages[extraction]), starts)
    return found


def files(pks: list[int], *, context: bool = True) -> Iterator[SearchDocument]:
    rows = list(File.objects.live().filter(pk__in=pks, body__isnull=False).defer(*UNUSED))
    found = [f.pk for f in rows]
    texts = _file_texts(found)
    owners = {**_file_meetings(found), **_file_papers(found)} if context else {}
    for file in rows:
        text, starts = texts.get(file.pk, ("", []))
        owner = owners.get(file.pk)
        yield SearchDocument(
            Kind.FILE,
            file.pk,
            file.body_id or 0,
            file.name or file.file_name,
            text,
            date=file.date or (owner.parent.date if owner else None),
            paper_type=owner.paper_type if owner else "",
            organizations=owner.organizations if owner else [],
            page_starts=starts,
            parent=owner.parent if owner else None,
        )


def meetings(pks: list[int], *, context: bool = True) -> Iterator[SearchDocument]:
    rows = Meeting.objects.live().filter(pk__in=pks, body__isnull=False).defer(*UNUSED)
    rows = rows.select_related("location").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.live().order_by("order", "pk").defer(*UNUSED),
        ),
        *(["organizations"] if context else []),
    )
    for meeting in rows:
        items = [_lines(f"{i.number} {i.name}", i.result) for i in meeting.agenda_items.all()]
        location = meeting.location
        yield SearchDocument(
            Kind.MEETING,
            meeting.pk,
            meeting.body_id or 0,
            meeting.name,
            _lines(
                location.description if location else "",
                location.street_address if location else "",
                *items,
            ),
            date=meeting.start.date() if meeting.start else None,
            organizations=sorted(o.pk for o in meeting.organizations.all()) if context else [],
        )


def persons(pks: list[int], *, context: bool = True) -> Iterator[SearchDocument]:
    """Persons; their organizations' names are their text, so `context` changes nothing."""
    rows = Person.objects.live().filter(pk__in=pks, body__isnull=False).defer(*UNUSED)
    memberships: dict[int, set[int]] = defaultdict(set)
    names: dict[int, set[str]] = defaultdict(set)
    for person_pk, organization, name in (
        Membership.objects.live()
        .filter(person__in=pks, organization__isnull=False)
        .values_list("person", "organization", "organization__name")
    ):
        memberships[person_pk].add(organization)
        names[person_pk].add(name)
    for person in rows:
        yield SearchDocument(
            Kind.PERSON,
            person.pk,
            person.body_id or 0,
            person.name or f"{person.given_name} {person.family_name}".strip(),
            _lines(person.form_of_address, person.affix, person.life, *sorted(names[person.pk])),
            organizations=sorted(memberships[person.pk]),
        )


def organizations(pks: list[int], *, context: bool = True) -> Iterator[SearchDocument]:
    del context  # an organization's own pk is all it carries
    rows = Organization.objects.live().filter(pk__in=pks, body__isnull=False).defer(*UNUSED)
    for organization in rows:
        yield SearchDocument(
            Kind.ORGANIZATION,
            organization.pk,
            organization.body_id or 0,
            organization.name,
            _lines(
                organization.short_name,
                organization.organization_type,
                organization.classification,
            ),
            date=organization.start_date,
            organizations=[organization.pk],
        )


Builder = Callable[..., Iterator[SearchDocument]]
BUILDERS: dict[Kind, Builder] = {
    Kind.PAPER: papers,
    Kind.MEETING: meetings,
    Kind.FILE: files,
    Kind.PERSON: persons,
    Kind.ORGANIZATION: organizations,
}


def build(keys: Iterable[tuple[Kind, int]], *, context: bool = True) -> dict[str, SearchDocument]:
    """The documents for `keys`; a key without one (deleted, a stub) is absent."""
    by_kind: dict[Kind, list[int]] = defaultdict(list)
    for kind, pk in keys:
        by_kind[kind].append(pk)
    return {
        doc.key: doc
        for kind, pks in by_kind.items()
        for doc in BUILDERS[kind](sorted(set(pks)), context=context)
    }


def texts_by_key(keys: list[str]) -> dict[str, SearchDocument]:
    """The documents' texts for "kind:pk" keys, as the search engine asks for snippets."""
    parsed = ((Kind(k), int(pk)) for k, pk in (key.split(":", 1) for key in keys))
    return build(parsed, context=False)


def affected(changes: Iterable[tuple[ObjectType, int]]) -> set[tuple[Kind, int]]:
    """The documents to rebuild for changed objects (`council.Change` rows).

    A document shows more than its own row: a meeting its agenda items, a
    file its paper or meeting (its parent, type, organizations), a person the
    organizations of their memberships.
    """
    own = {model.oparl_type: kind for kind, model in MODELS.items()}
    keys: set[tuple[Kind, int]] = set()
    by_type: dict[ObjectType, set[int]] = defaultdict(set)
    for object_type, pk in changes:
        by_type[object_type].add(pk)
        if object_type in own:
            keys.add((own[object_type], pk))
    related: tuple[tuple[type[OParlObject], str, Kind], ...] = (
        (AgendaItem, "meeting", Kind.MEETING),
        (Consultation, "paper", Kind.PAPER),
        (Consultation, "meeting", Kind.MEETING),
        (Membership, "person", Kind.PERSON),
    )
    for model, column, target in related:
        if changed := by_type.get(model.oparl_type):
            pks = model.objects.filter(pk__in=changed).values_list(column, flat=True)
            keys.update((target, pk) for pk in pks if pk is not None)
    changed_papers = [pk for kind, pk in keys if kind == Kind.PAPER]
    keys.update((Kind.FILE, pk) for pk in _paper_files(changed_papers))
    changed_meetings = [pk for kind, pk in keys if kind == Kind.MEETING]
    keys.update((Kind.FILE, pk) for pk in _meeting_files(changed_meetings))
    return keys


def _paper_files(papers: list[int]) -> Iterator[int]:
    """The main and auxiliary files of `papers`."""
    if not papers:
        return
    main = Paper.objects.filter(pk__in=papers, main_file__isnull=False)
    yield from main.values_list("main_file", flat=True)
    annexes = Paper.auxiliary_files.through.objects.filter(paper__in=papers)
    yield from annexes.values_list("file", flat=True)


def _meeting_files(meetings: list[int]) -> Iterator[int]:
    """The invitation, protocols and annexes of `meetings` and of their agenda items."""
    if not meetings:
        return
    for pks in Meeting.objects.filter(pk__in=meetings).values_list(*MEETING_FILES):
        yield from (pk for pk in pks if pk is not None)
    annexes = Meeting.auxiliary_files.through.objects.filter(meeting__in=meetings)
    yield from annexes.values_list("file", flat=True)
    items = AgendaItem.objects.filter(meeting__in=meetings)
    yield from items.filter(resolution_file__isnull=False).values_list("resolution_file", flat=True)
    item_annexes = AgendaItem.auxiliary_files.through.objects.filter(agendaitem__in=items)
    yield from item_annexes.values_list("file", flat=True)


def all_keys(kind: Kind, chunk: int = 2000) -> Iterator[list[int]]:
    """Every pk of `kind` that may have a document, in chunks."""
    pks = (
        MODELS[kind]
        .objects.live()
        .filter(body__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batch: list[int] = []
    for pk in pks.iterator(chunk_size=chunk):
        batch.append(pk)
        if len(batch) == chunk:
            yield batch
            batch = []
    if batch:
        yield batch
