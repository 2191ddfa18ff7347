"""What an alert can report: the current matches of a saved search, the events of a
followed paper, organization or person, each under a stable key.

A key names one fact ("paper:12" matches; "result:7:<digest>" is the result
agenda item 7 has now), so that whoever keeps the keys already reported can
tell the news by the keys it has not seen. Changing the fact changes the key:
a moved meeting, a new result, a new version of a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Q
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ratsblick.council.models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Organization,
    Paper,
    Person,
)
from ratsblick.files.models import FileVersion
from ratsblick.indexing.service import search
from ratsblick.reader import NotFound
from ratsblick.reader.search import PAGES, request_from
from ratsblick.search import Hit, Kind, Snippet

WATCHED_MATCHES = 500
"""A saved search watches its newest matches (by date) up to this many: a new match
dated older than all of them (or undated, as those sort last) is not reported."""
SEARCH_PAGE = 100
SNIPPET_MATCHES = 50
"""New matches among this many newest get a snippet in the mail."""
PAGE_NAMES = {"paper": "web:paper", "organization": "web:organization", "person": "web:person"}
SAVED_PARAMS = ("q", "typ", "kommune", "gremium", "art", "jahr", "von", "bis")
"""The search page's parameters a saved search keeps (not its sort or page)."""


@dataclass(frozen=True)
class News:
    """One reportable fact; `path` is the page it links to (a path, not yet absolute)."""

    key: str
    what: str  # German: "Neue Vorlage", "Sitzung verlegt", …
    title: str
    path: str
    day: date | None
    detail: str = ""
    snippet: Snippet | None = None
    changes_path: str | None = None  # the page showing what changed, when there is one


@dataclass(frozen=True)
class Followed:
    """A paper, organization or person someone may follow: its name and page."""

    kind: str
    pk: int
    name: str
    path: str


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _changes_path(name: str, pk: int) -> str | None:
    """The Änderungen page, once the history app provides it."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def followed(kind: str, pk: int) -> Followed:
    """The object to follow; NotFound when it is no live object of that kind."""
    models: dict[str, type[Paper | Organization | Person]] = {
        "paper": Paper,
        "organization": Organization,
        "person": Person,
    }
    if kind not in models:
        raise NotFound(kind)
    obj = models[kind].objects.live().filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{kind} {pk}")
    name = obj.name
    if isinstance(obj, Paper) and obj.reference:
        name = f"{obj.reference} {obj.name}".strip()
    return Followed(kind, pk, name or str(obj), reverse(PAGE_NAMES[kind], args=[pk]))


def saved_query(params: QueryDict) -> list[tuple[str, str]]:
    """The search page's parameters worth keeping, in order, empty ones dropped."""
    return [(k, v[:500]) for k, vs in params.lists() if k in SAVED_PARAMS for v in vs if v.strip()]


def search_label(pairs: Iterable[tuple[str, str]]) -> str:
    """A saved search as a person reads it: its words, then the number of filters."""
    pairs = list(pairs)
    words = " ".join(" ".join(v.split()) for k, v in pairs if k == "q").strip()
    filters = sum(1 for k, _ in pairs if k != "q")
    label = f"„{words}“" if words else "Alle Treffer"
    return label + (f" ({filters} Filter)" if filters else "")


def _query(pairs: Iterable[tuple[str, str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for k, v in pairs:
        query.appendlist(k, v)
    return query


def search_path(pairs: Iterable[tuple[str, str]]) -> str:
    return reverse("web:search") + "?" + _query(pairs).urlencode()


def _hits(pairs: list[tuple[str, str]], limit: int, snippets: bool) -> list[Hit]:
    """The newest `limit` hits, a page of at most `SEARCH_PAGE` at a time (the engine's
    largest)."""
    request = request_from(_query(pairs))
    request.sort, request.snippets, request.facets = "date", snippets, False
    hits: list[Hit] = []
    while len(hits) < limit:
        request.offset, request.limit = len(hits), min(SEARCH_PAGE, limit - len(hits))
        found = search(request)
        hits += found.hits
        if not found.more or not found.hits:
            break
    return hits


def search_matches(pairs: list[tuple[str, str]]) -> tuple[News, ...]:
    """The newest matches of a saved search (one per paper or meeting, as the page groups
    them) and the new versions of the matching papers' files; `IndexMissing` when there
    is no index yet."""
    hits = _hits(pairs, WATCHED_MATCHES, snippets=False)
    matches = [
        News(
            key=hit.key,
            what="Neuer Treffer",
            title=" ".join(p for p in (hit.reference, hit.title) if p),
            path=reverse(PAGES[hit.kind], args=[hit.pk]),
            day=hit.date,
        )
        for hit in hits
    ]
    papers = [hit.pk for hit in hits if hit.kind == Kind.PAPER]
    files = File.objects.filter(
        Q(main_file_of__in=papers) | Q(auxiliary_file_of_papers__in=papers)
    ).distinct()
    return (*matches, *_file_events(files, new_files=False))


def with_snippets(pairs: list[tuple[str, str]], news: list[News]) -> list[News]:
    """The news with the snippet of each match among the newest that has one."""
    wanted = {n.key for n in news}
    found = {h.key: h for h in _hits(pairs, SNIPPET_MATCHES, snippets=True) if h.key in wanted}
    out = []
    for item in news:
        hit = found.get(item.key)
        snippet = hit.snippet if hit else None
        if hit is not None and snippet is None and hit.files:
            snippet = hit.files[0].snippet
        out.append(replace(item, snippet=snippet))
    return out


def _start(meeting: Meeting) -> str:
    if meeting.start is None:
        return "Beginn offen"
    return timezone.localtime(meeting.start).strftime("Beginn: %d.%m.%Y, %H:%M Uhr")


def paper_events(pk: int) -> tuple[News, ...]:
    """Every consultation step, result and file version of a paper, each as a key."""
    paper = followed("paper", pk)
    events: list[News] = []
    consultations = (
        Consultation.objects.live()
        .filter(paper_id=pk)
        .select_related("meeting", "agenda_item")
        .order_by("pk")
    )
    for consultation in consultations:
        meeting = consultation.meeting
        day = meeting.start.date() if meeting and meeting.start else None
        path = reverse("web:meeting", args=[meeting.pk]) if meeting else paper.path
        label = meeting.name if meeting else ""
        events.append(
            News(
                f"step:{consultation.pk}",
                "Neuer Beratungsschritt",
                label or consultation.role or "Beratung",
                path,
                day,
                consultation.role,
            )
        )
        item: AgendaItem | None = consultation.agenda_item
        if item is not None and item.result.strip():
            result = item.result.strip()
            events.append(
                News(f"result:{item.pk}:{_digest(result)}", "Ergebnis", label, path, day, result)
            )
    stored = Paper.objects.get(pk=pk)
    events += _file_events(f for f in (stored.main_file, *stored.auxiliary_files.all()) if f)
    return tuple(events)


def _file_events(files: Iterable[File], *, new_files: bool = True) -> list[News]:
    """A file's arrival (with `new_files`) and each later version of it, as keys; the
    first version of a file is no change."""
    live = [f for f in files if not (f.deleted or f.stub)]
    versions: dict[int, list[FileVersion]] = {}
    for version in FileVersion.objects.filter(file__in=live).order_by("fetched_at", "pk"):
        versions.setdefault(version.file_id, []).append(version)
    events = []
    for file in live:
        path = reverse("web:file", args=[file.pk])
        name = file.name or file.file_name or "Datei"
        if new_files:
            events.append(News(f"file:{file.pk}", "Neue Datei", name, path, file.date))
        events += [
            News(
                f"version:{file.pk}:{version.blob_id}",
                "Datei geändert",
                name,
                path,
                timezone.localdate(version.fetched_at),
                changes_path=_changes_path("web:file_changes", file.pk),
            )
            for version in versions.get(file.pk, [])[1:]
        ]
    return events


def organization_events(pk: int) -> tuple[News, ...]:
    """Every meeting of an organization, its time and whether it is cancelled, as keys."""
    followed("organization", pk)
    events: list[News] = []
    for meeting in Meeting.objects.live().filter(organizations=pk).order_by("start", "pk"):
        path = reverse("web:meeting", args=[meeting.pk])
        day = timezone.localtime(meeting.start).date() if meeting.start else None
        label = meeting.name or "Sitzung"
        events.append(News(f"meeting:{meeting.pk}", "Neue Sitzung", label, path, day))
        when = meeting.start.isoformat() if meeting.start else ""
        events.append(
            News(f"time:{meeting.pk}:{when}", "Sitzung verlegt", label, path, day, _start(meeting))
        )
        if meeting.cancelled:
            events.append(News(f"cancelled:{meeting.pk}", "Sitzung abgesagt", label, path, day))
    return tuple(events)


def person_events(pk: int) -> tuple[News, ...]:
    """Every paper the person is an originator of."""
    followed("person", pk)
    papers = Paper.objects.live().filter(originator_persons=pk).order_by("pk")
    return tuple(
        News(
            f"paper:{paper.pk}",
            "Neue Vorlage",
            " ".join(p for p in (paper.reference, paper.name) if p),
            reverse("web:paper", args=[paper.pk]),
            paper.date,
        )
        for paper in papers
    )


def reported(events: Iterable[News], seen: set[str]) -> list[News]:
    """The news among `events` for someone who has seen the keys `seen`.

    A fact that only accompanies another one new with it is not news of its
    own: a new meeting's time is not a move, a new file's first version no change.
    """
    events = list(events)
    new = [e for e in events if e.key not in seen]
    fresh = {e.key.split(":")[1] for e in new if e.key.startswith(("meeting:", "file:"))}
    return [
        e
        for e in new
        if not (e.key.startswith(("time:", "version:")) and e.key.split(":")[1] in fresh)
        and not (e.key.startswith("time:") and not _had_time(e.key, seen))
    ]


def _had_time(key: str, seen: set[str]) -> bool:
    """A meeting moved only when an earlier time of it was seen."""
    prefix = ":".join(key.split(":")[:2]) + ":"
    return any(s.startswith(prefix) for s in seen)
