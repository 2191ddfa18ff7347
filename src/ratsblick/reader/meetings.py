"""The meeting (Sitzung) page: when, where, what was on the agenda, the protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from ratsblick.council.models import AgendaItem, Consultation, File, Location, Meeting, Organization
from ratsblick.reader import NotFound
from ratsblick.reader.attachments import FileEntry, file_entries
from ratsblick.reader.refs import Ref


@dataclass(frozen=True)
class Place:
    room: str
    street_address: str
    postal_code: str
    locality: str
    sub_locality: str
    description: str

    @property
    def text(self) -> str:
        """One line: room, street, place ("52393 Hürtgenwald"); else the description."""
        town = " ".join(p for p in (self.postal_code, self.locality) if p)
        if self.sub_locality:
            town = f"{town} ({self.sub_locality})" if town else self.sub_locality
        parts = [p for p in (self.room, self.street_address, town) if p]
        return ", ".join(parts) if parts else self.description


@dataclass(frozen=True)
class PaperRef:
    pk: int
    reference: str
    name: str


@dataclass(frozen=True)
class AgendaEntry:
    pk: int
    number: str
    name: str
    public: bool | None
    paper: PaperRef | None
    result: str
    resolution_text: str
    resolution_file: FileEntry | None
    auxiliary_files: tuple[FileEntry, ...]

    @property
    def anchor(self) -> str:
        """The item's id on the meeting page (`AgendaItem.get_absolute_url`)."""
        return f"top-{self.pk}"


@dataclass(frozen=True)
class MeetingPage:
    pk: int
    oparl_id: str
    name: str
    body: Ref | None
    organizations: tuple[Ref, ...]
    start: datetime | None
    end: datetime | None
    place: Place | None
    meeting_state: str
    cancelled: bool
    web: str
    modified: datetime | None
    agenda: tuple[AgendaEntry, ...]  # by `order`
    invitation: FileEntry | None
    results_protocol: FileEntry | None
    verbatim_protocol: FileEntry | None
    auxiliary_files: tuple[FileEntry, ...]

    @property
    def title(self) -> str:
        return self.name or ", ".join(o.name for o in self.organizations) or "Sitzung"


def meeting_page(pk: int) -> MeetingPage:
    meeting = _load(pk)
    items = list(meeting.agenda_items.all())
    files = [
        f
        for f in (
            meeting.invitation,
            meeting.results_protocol,
            meeting.verbatim_protocol,
            *meeting.auxiliary_files.all(),
            *(item.resolution_file for item in items),
            *(f for item in items for f in item.auxiliary_files.all()),
        )
        if f is not None and not (f.deleted or f.stub)
    ]
    entries = file_entries(files)
    return MeetingPage(
        pk=meeting.pk,
        oparl_id=meeting.oparl_id,
        name=meeting.name,
        body=Ref(meeting.body.pk, meeting.body.name) if meeting.body else None,
        organizations=tuple(Ref(o.pk, o.name or o.oparl_id) for o in meeting.organizations.all()),
        start=meeting.start,
        end=meeting.end,
        place=_place(meeting.location),
        meeting_state=meeting.meeting_state,
        cancelled=bool(meeting.cancelled),
        web=meeting.web,
        modified=meeting.modified,
        agenda=tuple(_entry(item, entries) for item in items),
        invitation=entries.get(meeting.invitation_id or 0),
        results_protocol=entries.get(meeting.results_protocol_id or 0),
        verbatim_protocol=entries.get(meeting.verbatim_protocol_id or 0),
        auxiliary_files=tuple(
            entries[f.pk] for f in meeting.auxiliary_files.all() if f.pk in entries
        ),
    )


def _load(pk: int) -> Meeting:
    files = File.objects.live().order_by("pk")
    items = (
        AgendaItem.objects.live()
        .select_related("consultation__paper", "resolution_file")
        .prefetch_related(Prefetch("auxiliary_files", queryset=files))
        .prefetch_related(
            Prefetch("consultations", queryset=Consultation.objects.live().select_related("paper"))
        )
        .order_by("order", "pk")
    )
    try:
        return (
            Meeting.objects.live()
            .select_related(
                "body", "location", "invitation", "results_protocol", "verbatim_protocol"
            )
            .prefetch_related(
                Prefetch("organizations", queryset=Organization.objects.live().order_by("name"))
            )
            .prefetch_related(Prefetch("auxiliary_files", queryset=files))
            .prefetch_related(Prefetch("agenda_items", queryset=items))
            .get(pk=pk)
        )
    except Meeting.DoesNotExist:
        raise NotFound(pk) from None


def _place(location: Location | None) -> Place | None:
    if location is None or location.deleted:
        return None
    place = Place(
        room=location.room,
        street_address=location.street_address,
        postal_code=location.postal_code,
        locality=location.locality,
        sub_locality=location.sub_locality,
        description=location.description,
    )
    return place if place.text else None


def _entry(item: AgendaItem, entries: dict[int, FileEntry]) -> AgendaEntry:
    return AgendaEntry(
        pk=item.pk,
        number=item.number,
        name=item.name,
        public=item.public,
        paper=_paper(item),
        result=item.result,
        resolution_text=item.resolution_text,
        resolution_file=entries.get(item.resolution_file_id or 0),
        auxiliary_files=tuple(entries[f.pk] for f in item.auxiliary_files.all() if f.pk in entries),
    )


def _paper(item: AgendaItem) -> PaperRef | None:
    """The paper consulted: via the item's `consultation`, or a consultation naming the item."""
    for consultation in (item.consultation, *item.consultations.all()):
        if consultation is None or consultation.deleted:
            continue
        paper = consultation.paper
        if paper is not None and not (paper.deleted or paper.stub):
            return PaperRef(paper.pk, paper.reference, paper.name)
    return None
