"""A file: what it is, where it belongs, our stored copy and its text page by page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import models

from ratsblick.council.models import AgendaItem, File, Meeting, Paper
from ratsblick.extract.result import ReadMethod
from ratsblick.files.models import (
    Blob,
    Download,
    ExtractedPage,
    Extraction,
    FileVersion,
    PaperFacts,
)
from ratsblick.files.storage import blob_path
from ratsblick.reader import NotFound
from ratsblick.reader.facts import Facts, shown_facts
from ratsblick.search.analysis import terms
from ratsblick.search.query import parse
from ratsblick.search.snippets import find_marks, term_finder


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool = False


@dataclass(frozen=True)
class TextPage:
    number: int
    paragraphs: list[list[Segment]]
    ocr: bool
    blank: bool
    """Nothing to read on it (an empty or blank page)."""
    marks: int
    """How many words of the search are marked on it."""


@dataclass(frozen=True)
class Link:
    """An object the file belongs to, and in which role."""

    pk: int
    role: str
    label: str
    reference: str = ""
    when: date | datetime | None = None
    meeting_pk: int | None = None
    """For an agenda item: the meeting it is on (its page shows the item)."""


@dataclass(frozen=True)
class StoredCopy:
    size: int
    mime_type: str
    fetched_at: datetime
    older_versions: int
    file_name: str
    """The name we serve it under."""


@dataclass(frozen=True)
class FilePage:
    pk: int
    title: str
    file_name: str
    body_pk: int | None
    body_name: str
    mime_type: str
    size: int | None
    """As the council states it, else that of our copy."""
    date: date | None
    created: datetime | None
    modified: datetime | None
    access_url: str
    download_status: str
    """"" when loaded or never tried, else the label of what went wrong."""
    download_error: str
    copy: StoredCopy | None
    papers: list[Link]
    meetings: list[Link]
    agenda_items: list[Link]
    facts: Facts | None
    extraction_error: str
    pages: list[TextPage]
    ocr_pages: int
    query: str
    marks: int


def query_terms(query: str) -> set[str]:
    """The index terms of the words a search asked for (exclusions and filters left out)."""
    return {term for clause in parse(query).clauses for term in terms(clause.text)}


def marked(text: str, stems: set[str]) -> list[Segment]:
    """`text` cut into plain and marked segments: the words a search with `stems` finds."""
    finder = term_finder(stems) if stems else None
    if finder is None:
        return [Segment(text)]
    segments, at = [], 0
    for start, end, _ in find_marks(text, stems, finder, width=None):
        if start > at:
            segments.append(Segment(text[at:start]))
        segments.append(Segment(text[start:end], marked=True))
        at = end
    if at < len(text):
        segments.append(Segment(text[at:]))
    return segments


def _text_page(page: ExtractedPage, stems: set[str]) -> TextPage:
    paragraphs = [
        marked(paragraph.strip("\n"), stems)
        for paragraph in page.text.split("\n\n")
        if paragraph.strip()
    ]
    return TextPage(
        number=page.number,
        paragraphs=paragraphs,
        ocr=page.method == ReadMethod.OCR,
        blank=not paragraphs,
        marks=sum(segment.marked for paragraph in paragraphs for segment in paragraph),
    )


def _served_name(file: File, blob: Blob) -> str:
    name = Path(file.file_name).name if file.file_name else ""
    return name or f"datei-{file.pk}{'.pdf' if blob.mime_type == 'application/pdf' else ''}"


def _carrying(model: type[Paper | Meeting | AgendaItem], file: File, *columns: str) -> models.Q:
    """Rows that name `file` in one of `columns` or among their auxiliary files.

    As `pk IN (…)` over the link table instead of a join: a join with OR needs
    DISTINCT and defeats the indexes, which made this the file page's slowest part.
    """
    through = model.auxiliary_files.through.objects.filter(file=file)
    found = models.Q(pk__in=through.values(model._meta.model_name or ""))
    for column in columns:
        found |= models.Q(**{column: file})
    return found


def _links(file: File) -> tuple[list[Link], list[Link], list[Link]]:
    """The papers, meetings and agenda items that carry the file (three queries)."""
    papers = (
        Paper.objects.live()
        .filter(_carrying(Paper, file, "main_file"))
        .only("pk", "name", "reference", "date", "main_file_id")
        .order_by("-date", "pk")
    )
    meeting_roles = {
        "invitation_id": "Einladung",
        "results_protocol_id": "Ergebnisprotokoll",
        "verbatim_protocol_id": "Wortprotokoll",
    }
    meetings = (
        Meeting.objects.live()
        .filter(_carrying(Meeting, file, "invitation", "results_protocol", "verbatim_protocol"))
        .only("pk", "name", "start", *meeting_roles)
        .order_by("-start", "pk")
    )
    items = (
        AgendaItem.objects.live()
        .filter(_carrying(AgendaItem, file, "resolution_file"))
        .select_related("meeting")
        .only(
            "pk",
            "number",
            "name",
            "resolution_file_id",
            "meeting__id",
            "meeting__name",
            "meeting__start",
        )
        .order_by("pk")
    )
    return (
        [
            Link(
                p.pk,
                "Hauptdokument" if p.main_file_id == file.pk else "Anlage",
                p.name or p.reference or "Vorlage",
                p.reference,
                p.date,
            )
            for p in papers
        ],
        [
            Link(
                m.pk,
                next(
                    (role for key, role in meeting_roles.items() if getattr(m, key) == file.pk),
                    "Anlage",
                ),
                m.name or "Sitzung",
                when=m.start,
            )
            for m in meetings
        ],
        [
            Link(
                i.pk,
                "Beschluss" if i.resolution_file_id == file.pk else "Anlage",
                i.name or "Tagesordnungspunkt",
                i.number,
                i.meeting.start if i.meeting else None,
                i.meeting.pk if i.meeting else None,
            )
            for i in items
        ],
    )


def _facts(file: File) -> Facts | None:
    found = PaperFacts.objects.filter(paper__main_file=file).select_related("paper").first()
    if found is None:
        return None
    return shown_facts(found.paper, found)


def file_page(pk: int, query: str = "") -> FilePage:
    """The file's page; with `query`, the words of that search marked in its text."""
    file = File.objects.live().select_related("body").filter(pk=pk).first()
    if file is None:
        raise NotFound(pk)
    download = Download.objects.filter(file=file).only("status", "error").first()
    versions = list(
        FileVersion.objects.filter(file=file)
        .select_related("blob__extraction")
        .order_by("-fetched_at")
    )
    current = versions[0] if versions else None
    extraction: Extraction | None = getattr(current.blob, "extraction", None) if current else None
    stems = query_terms(query) if query.strip() else set()
    pages = (
        [_text_page(p, stems) for p in extraction.page_set.order_by("number")]
        if extraction and extraction.status == Extraction.Status.OK
        else []
    )
    papers, meetings, agenda_items = _links(file)
    copy = (
        StoredCopy(
            current.blob.size,
            current.blob.mime_type,
            current.fetched_at,
            len(versions) - 1,
            _served_name(file, current.blob),
        )
        if current
        else None
    )
    return FilePage(
        pk=file.pk,
        title=file.name or file.file_name or "Datei",
        file_name=file.file_name,
        body_pk=file.body.pk if file.body else None,
        body_name=file.body.name if file.body else "",
        mime_type=(current.blob.mime_type if current else "") or file.mime_type,
        size=file.size if file.size is not None else (current.blob.size if current else None),
        date=file.date,
        created=file.created,
        modified=file.modified,
        access_url=file.access_url,
        download_status=download.get_status_display()
        if download and download.status != Download.Status.OK
        else "",
        download_error=download.error if download else "",
        copy=copy,
        papers=papers,
        meetings=meetings,
        agenda_items=agenda_items,
        facts=_facts(file),
        extraction_error=extraction.error
        if extraction and extraction.status == Extraction.Status.FAILED
        else "",
        pages=pages,
        ocr_pages=sum(p.ocr for p in pages),
        query=query if stems else "",
        marks=sum(p.marks for p in pages),
    )


@dataclass(frozen=True)
class CopyOnDisk:
    path: Path
    mime_type: str
    file_name: str


def stored_copy(pk: int) -> CopyOnDisk:
    """Where our copy of the file's current content is, to serve it."""
    version = (
        FileVersion.objects.filter(file__pk=pk, file__deleted=False, file__stub=False)
        .select_related("blob", "file")
        .order_by("-fetched_at")
        .first()
    )
    if version is None:
        raise NotFound(pk)
    path = blob_path(version.blob.sha256)
    if not path.is_file():
        raise NotFound(pk)
    return CopyOnDisk(path, version.blob.mime_type, _served_name(version.file, version.blob))
