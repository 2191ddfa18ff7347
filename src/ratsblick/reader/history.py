"""The "Änderungen" pages of a paper, a meeting and a file, and a body's changes.

A paper's page lists its own changes, those of its consultations and the
new versions of its files; a meeting's its own, its agenda items' and its
files'. Deleted objects keep their history (a placeholder has none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db.models import Q, QuerySet

from ratsblick.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    OParlObject,
    Paper,
)
from ratsblick.history.changes import ObjectChange, changes_of, recent_changes
from ratsblick.history.fields import FieldChange
from ratsblick.history.textdiff import FileDiff
from ratsblick.history.versions import (
    NewVersion,
    Version,
    diff_versions,
    new_versions,
    recent_versions,
    versions_of,
)
from ratsblick.oparl.schema import ObjectType
from ratsblick.reader import NotFound
from ratsblick.reader.refs import Ref

FEED_LIMIT = 50
_Object = TypeVar("_Object", bound=OParlObject)
UNREAD = "Der Text mindestens einer der beiden Fassungen ist noch nicht gelesen oder nicht lesbar."

_KIND_LABELS = {
    ObjectType.PAPER: "Vorlage",
    ObjectType.MEETING: "Sitzung",
    ObjectType.AGENDA_ITEM: "Tagesordnungspunkt",
    ObjectType.CONSULTATION: "Beratung",
}


@dataclass(frozen=True)
class Entry:
    """One change as listed: of an object's fields, or of a file's content."""

    at: datetime
    subject: str
    """What changed, in German ("Vorlage", "Tagesordnungspunkt 3: …", "Datei „…“")."""
    fields: tuple[FieldChange, ...] = ()
    deleted: bool = False
    restored: bool = False
    file_pk: int | None = None
    """For a new file version: the file, and the two versions to compare."""
    version_pk: int | None = None
    previous_pk: int | None = None
    paper_pk: int | None = None
    """Where the change is shown (the paper's or the meeting's changes page)."""
    meeting_pk: int | None = None
    guid: str = ""
    """Stable and unique per change (for feeds)."""


@dataclass(frozen=True)
class ChangesPage:
    pk: int
    title: str
    reference: str
    live: bool
    """The object still has its page (it is neither deleted nor withdrawn)."""
    body: Ref | None
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class FileChangesPage:
    pk: int
    title: str
    body: Ref | None
    versions: tuple[Version, ...]
    """Oldest first."""
    old: Version | None
    new: Version | None
    diff: FileDiff | None
    unreadable: str
    """Why no diff is shown although two versions were chosen, else ""."""


class BadVersions(ValueError):
    """The versions asked for are not two versions of this file."""


def _object_entry(
    change: ObjectChange, subject: str, paper_pk: int | None = None, meeting_pk: int | None = None
) -> Entry:
    return Entry(
        at=change.at,
        subject=subject,
        fields=change.fields,
        deleted=change.deleted,
        restored=change.restored,
        guid=f"revision-{change.revision_pk}",
        paper_pk=paper_pk,
        meeting_pk=meeting_pk,
    )


def _file_entries(
    found: list[NewVersion],
    names: dict[int, str],
    paper_pk: int | None = None,
    meeting_pk: int | None = None,
) -> list[Entry]:
    return [
        Entry(
            at=v.at,
            subject=f"Datei „{names.get(v.file_pk) or 'ohne Namen'}“: neue Fassung",
            file_pk=v.file_pk,
            version_pk=v.version_pk,
            previous_pk=v.previous_pk,
            guid=f"version-{v.version_pk}",
            paper_pk=paper_pk,
            meeting_pk=meeting_pk,
        )
        for v in found
    ]


def _file_names(pks: Iterable[int]) -> dict[int, str]:
    rows = File.objects.filter(pk__in=set(pks)).values_list("pk", "name", "file_name")
    return {pk: name or file_name for pk, name, file_name in rows}


def _newest_first(entries: list[Entry]) -> tuple[Entry, ...]:
    return tuple(sorted(entries, key=lambda e: (e.at, e.guid), reverse=True))


def _body_ref(body: Body | None) -> Ref | None:
    return Ref(body.pk, body.name or body.short_name) if body else None


def _stored(objects: QuerySet[_Object], pk: int, *fields: str) -> _Object:
    """The object with its body's name, deleted or not (a placeholder is not found)."""
    found = (
        objects.filter(pk=pk, stub=False)
        .select_related("body")
        .only("pk", "deleted", "body__name", "body__short_name", *fields)
        .first()
    )
    if found is None:
        raise NotFound(pk)
    return found


def _changes_page(
    obj: Paper | Meeting,
    title: str,
    reference: str,
    entries: list[Entry],
    files: set[int],
    *,
    paper_pk: int | None = None,
    meeting_pk: int | None = None,
) -> ChangesPage:
    """The page of `obj`: its `entries` and the new versions of `files` (two queries)."""
    found = new_versions(files)
    names = _file_names(v.file_pk for v in found)
    entries = [*entries, *_file_entries(found, names, paper_pk=paper_pk, meeting_pk=meeting_pk)]
    return ChangesPage(
        pk=obj.pk,
        title=title,
        reference=reference,
        live=not obj.deleted,
        body=_body_ref(obj.body),
        entries=_newest_first(entries),
    )


def paper_changes(pk: int) -> ChangesPage:
    """The paper's changes, its consultations' and its files' new versions (≤ 9 queries)."""
    paper = _stored(Paper.objects.all(), pk, "name", "reference", "main_file_id")
    consultations = dict(
        Consultation.objects.filter(paper=paper, stub=False).values_list("pk", "role")
    )
    files = set(paper.auxiliary_files.values_list("pk", flat=True))
    if paper.main_file_id:
        files.add(paper.main_file_id)
    entries = [_object_entry(c, "Vorlage", paper_pk=pk) for c in changes_of(ObjectType.PAPER, [pk])]
    entries += [
        _object_entry(
            c,
            f"Beratung{f' ({role})' if (role := consultations.get(c.object_pk)) else ''}",
            paper_pk=pk,
        )
        for c in changes_of(ObjectType.CONSULTATION, consultations)
    ]
    title = paper.name or paper.reference or "Vorlage"
    return _changes_page(paper, title, paper.reference, entries, files, paper_pk=pk)


def _agenda_subject(number: str, name: str) -> str:
    return f"Tagesordnungspunkt{f' {number}' if number else ''}: {name or 'ohne Namen'}"


def meeting_changes(pk: int) -> ChangesPage:
    """The meeting's changes, its agenda items' and its files' new versions (≤ 12 queries)."""
    meeting = _stored(
        Meeting.objects.all(),
        pk,
        "name",
        "invitation_id",
        "results_protocol_id",
        "verbatim_protocol_id",
    )
    items = {
        item_pk: _agenda_subject(number, name)
        for item_pk, number, name in AgendaItem.objects.filter(
            meeting=meeting, stub=False
        ).values_list("pk", "number", "name")
    }
    files = {
        f
        for f in (meeting.invitation_id, meeting.results_protocol_id, meeting.verbatim_protocol_id)
        if f
    }
    files.update(meeting.auxiliary_files.values_list("pk", flat=True))
    files.update(
        File.objects.filter(
            Q(resolution_file_of__in=list(items))
            | Q(auxiliary_file_of_agenda_items__in=list(items))
        ).values_list("pk", flat=True)
    )
    entries = [
        _object_entry(c, "Sitzung", meeting_pk=pk) for c in changes_of(ObjectType.MEETING, [pk])
    ]
    entries += [
        _object_entry(c, items[c.object_pk], meeting_pk=pk)
        for c in changes_of(ObjectType.AGENDA_ITEM, items)
    ]
    return _changes_page(meeting, meeting.name or "Sitzung", "", entries, files, meeting_pk=pk)


def _chosen(
    versions: list[Version], wanted: tuple[int, ...]
) -> tuple[Version | None, Version | None]:
    """The pair to compare: two versions asked for (older first), the one asked
    for against its predecessor, or by default the newest against the one before."""
    by_pk = {v.pk: index for index, v in enumerate(versions)}
    if any(pk not in by_pk for pk in wanted) or len(wanted) > 2:
        raise BadVersions(wanted)
    if len(wanted) == 2:
        first, second = sorted(by_pk[pk] for pk in wanted)
        if first == second:
            raise BadVersions(wanted)
        return versions[first], versions[second]
    newest = by_pk[wanted[0]] if wanted else len(versions) - 1
    if newest < 1:
        return None, versions[newest] if versions else None
    return versions[newest - 1], versions[newest]


def file_changes(pk: int, wanted: tuple[int, ...] = ()) -> FileChangesPage:
    """The file's versions and the text diff of two of them (≤ 4 queries).

    `wanted`: no version (the newest against the one before), one (it against
    the one before) or two (older against newer). Versions of another file
    raise `BadVersions`.
    """
    file = _stored(File.objects.all(), pk, "name", "file_name")
    versions = versions_of(pk)
    old, new = _chosen(versions, wanted)
    unreadable = ""
    diff = None
    if old is not None and new is not None:
        if old.readable and new.readable:
            diff = diff_versions(old, new)
        else:
            unreadable = UNREAD
    return FileChangesPage(
        pk=pk,
        title=file.name or file.file_name or "Datei",
        body=_body_ref(file.body),
        versions=tuple(versions),
        old=old,
        new=new,
        diff=diff,
        unreadable=unreadable,
    )


@dataclass(frozen=True)
class BodyChanges:
    body: Ref
    entries: tuple[Entry, ...]
    """Newest first, at most `FEED_LIMIT`."""


def body_changes(pk: int, limit: int = FEED_LIMIT) -> BodyChanges:
    """The body's newest changes of papers, meetings and their parts, and of file content."""
    body = (
        Body.objects.filter(pk=pk, stub=False, deleted=False)
        .only("pk", "name", "short_name")
        .first()
    )
    if body is None:
        raise NotFound(pk)
    changes = recent_changes(pk, limit)
    of_kind = {
        kind: [c.object_pk for c in changes if c.kind == kind]
        for kind in (ObjectType.CONSULTATION, ObjectType.AGENDA_ITEM)
    }
    consultation_papers = {
        c_pk: (paper_pk, name)
        for c_pk, paper_pk, name in Consultation.objects.filter(
            pk__in=of_kind[ObjectType.CONSULTATION]
        ).values_list("pk", "paper_id", "paper__name")
    }
    item_meetings = {
        i_pk: (meeting_pk, _agenda_subject(number, name))
        for i_pk, meeting_pk, number, name in AgendaItem.objects.filter(
            pk__in=of_kind[ObjectType.AGENDA_ITEM]
        ).values_list("pk", "meeting_id", "number", "name")
    }
    entries = [_feed_entry(c, consultation_papers, item_meetings) for c in changes]
    found = recent_versions(pk, limit)
    entries += _file_entries(found, _file_names(v.file_pk for v in found))
    return BodyChanges(Ref(pk, body.name or body.short_name), _newest_first(entries)[:limit])


def _feed_entry(
    change: ObjectChange,
    consultation_papers: Mapping[int, tuple[int | None, str | None]],
    item_meetings: Mapping[int, tuple[int | None, str]],
) -> Entry:
    """A change of any kind, named with what it belongs to and shown where that is."""
    name = f"„{change.name}“" if change.name else ""
    if change.kind == ObjectType.PAPER:
        return _object_entry(change, f"Vorlage {name}".strip(), paper_pk=change.object_pk)
    if change.kind == ObjectType.MEETING:
        return _object_entry(change, f"Sitzung {name}".strip(), meeting_pk=change.object_pk)
    if change.kind == ObjectType.CONSULTATION:
        paper_pk, paper_name = consultation_papers.get(change.object_pk, (None, None))
        subject = f"Beratung der Vorlage „{paper_name}“" if paper_name else "Beratung"
        return _object_entry(change, subject, paper_pk=paper_pk)
    meeting_pk, subject = item_meetings.get(change.object_pk, (None, "Tagesordnungspunkt"))
    return _object_entry(change, subject, meeting_pk=meeting_pk)
