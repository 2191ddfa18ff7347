"""What the index holds for the council's objects: SearchDocuments from rows.

The same builders serve indexing and snippets (the text a snippet is cut
from is the text that was indexed), always for many keys at a time, with a
fixed number of queries per kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

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
from ratsblick.search import Kind, SearchDocument

MODELS: dict[Kind, type[OParlObject]] = {
    Kind.PAPER: Paper,
    Kind.MEETING: Meeting,
    Kind.FILE: File,
    Kind.PERSON: Person,
    Kind.ORGANIZATION: Organization,
}


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


def papers(pks: list[int]) -> Iterator[SearchDocument]:
    rows = Paper.objects.live().filter(pk__in=pks, body__isnull=False)
    rows = rows.select_related("facts", "main_file").prefetch_related(
        Prefetch("auxiliary_files", queryset=File.objects.only("name"))
    )
    organizations = _paper_organizations(pks)
    for paper in rows:
        facts = getattr(paper, "facts", None)
        files = [f.name for f in (paper.main_file, *paper.auxiliary_files.all()) if f]
        text = _lines(
            facts.resolution_proposal if facts else "",
            facts.lead_department if facts else "",
            facts.author if facts else "",
            *files,
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


def _file_papers(files: list[int]) -> dict[int, Paper]:
    """The paper each file belongs to: as its main file, else as an annex."""
    owner: dict[int, int] = {}
    through = Paper.auxiliary_files.through.objects.filter(file__in=files, paper__deleted=False)
    owner.update(through.values_list("file", "paper"))
    main = Paper.objects.live().filter(main_file__in=files)
    owner.update(main.values_list("main_file", "pk"))
    loaded = Paper.objects.in_bulk(set(owner.values()))
    return {file_pk: loaded[paper] for file_pk, paper in owner.items()}


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


def files(pks: list[int]) -> Iterator[SearchDocument]:
    rows = list(File.objects.live().filter(pk__in=pks, body__isnull=False))
    texts = _file_texts([f.pk for f in rows])
    owners = _file_papers([f.pk for f in rows])
    organizations = _paper_organizations([p.pk for p in owners.values()])
    for file in rows:
        text, starts = texts.get(file.pk, ("", []))
        paper = owners.get(file.pk)
        yield SearchDocument(
            Kind.FILE,
            file.pk,
            file.body_id or 0,
            file.name or file.file_name,
            text,
            reference=paper.reference if paper else "",
            date=file.date or (paper.date if paper else None),
            paper_type=paper.paper_type if paper else "",
            organizations=sorted(organizations.get(paper.pk, ())) if paper else [],
            page_starts=starts,
        )


def meetings(pks: list[int]) -> Iterator[SearchDocument]:
    rows = Meeting.objects.live().filter(pk__in=pks, body__isnull=False)
    rows = rows.select_related("location").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.live().order_by("order", "pk"),
        ),
        "organizations",
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
            organizations=sorted(o.pk for o in meeting.organizations.all()),
        )


def persons(pks: list[int]) -> Iterator[SearchDocument]:
    rows = Person.objects.live().filter(pk__in=pks, body__isnull=False)
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


def organizations(pks: list[int]) -> Iterator[SearchDocument]:
    rows = Organization.objects.live().filter(pk__in=pks, body__isnull=False)
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


BUILDERS = {
    Kind.PAPER: papers,
    Kind.MEETING: meetings,
    Kind.FILE: files,
    Kind.PERSON: persons,
    Kind.ORGANIZATION: organizations,
}


def build(keys: Iterable[tuple[Kind, int]]) -> dict[str, SearchDocument]:
    """The documents for `keys`; a key without one (deleted, a stub) is absent."""
    by_kind: dict[Kind, list[int]] = defaultdict(list)
    for kind, pk in keys:
        by_kind[kind].append(pk)
    return {
        doc.key: doc for kind, pks in by_kind.items() for doc in BUILDERS[kind](sorted(set(pks)))
    }


def build_by_key(keys: list[str]) -> dict[str, SearchDocument]:
    """`build` for "kind:pk" keys, as the search engine asks for snippet texts."""
    return build((Kind(k), int(pk)) for k, pk in (key.split(":", 1) for key in keys))


def affected(changes: Iterable[tuple[ObjectType, int]]) -> set[tuple[Kind, int]]:
    """The documents to rebuild for changed objects (`council.Change` rows).

    A document shows more than its own row: a meeting its agenda items, a
    file its paper's reference and type, a person the organizations of their
    memberships.
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
    return keys


def _paper_files(papers: list[int]) -> Iterator[int]:
    """The main and auxiliary files of `papers`."""
    if not papers:
        return
    main = Paper.objects.filter(pk__in=papers, main_file__isnull=False)
    yield from main.values_list("main_file", flat=True)
    annexes = Paper.auxiliary_files.through.objects.filter(paper__in=papers)
    yield from annexes.values_list("file", flat=True)


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
