"""What the Atom feeds list: the newest of a search, a body, an organization, a paper.

Each entry has a key that stays the same while the object lives (feed
readers tell new entries by it) and the time of its last change: the
council's `modified`, else when we last stored the object. A feed lists at
most `FEED_SIZE` entries of each kind, newest first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import models
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from ratsblick.council.models import Body, File, Meeting, OParlObject, Organization, Paper, Person
from ratsblick.indexing.service import search
from ratsblick.reader import NotFound
from ratsblick.reader.organizations import consulted_papers
from ratsblick.reader.papers import Step, paper_page
from ratsblick.reader.search import KIND_LABELS, PAGES, request_from
from ratsblick.search import Filters, Hit, Kind

FEED_SIZE = 30
_MODELS: dict[Kind, type[OParlObject]] = {
    Kind.PAPER: Paper,
    Kind.MEETING: Meeting,
    Kind.FILE: File,
    Kind.PERSON: Person,
    Kind.ORGANIZATION: Organization,
}


@dataclass(frozen=True)
class Entry:
    key: str
    """Unique in the feed and stable: "paper:12", "paper:12/consultation:3"."""
    title: str
    url: str
    """Our page of it (a path)."""
    summary: str
    updated: datetime
    category: str
    """German: "Vorlage", "Sitzung", "Datei", "Beratung"."""


@dataclass(frozen=True)
class Feed:
    title: str
    subtitle: str
    url: str
    """The page the feed follows (a path)."""
    entries: list[Entry]
    """Newest first."""


def _changed(row: OParlObject) -> datetime:
    return row.modified or row.synced_at


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "d.m.Y, H:i \\U\\h\\r")
    return date_format(value, "d.m.Y")


def _joined(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _newest(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.updated, e.key), reverse=True)


def _papers(rows: models.QuerySet[Paper]) -> list[Entry]:
    newest = (
        rows.only("pk", "name", "reference", "date", "paper_type", "modified", "synced_at")
        .order_by(models.F("date").desc(nulls_last=True), "-pk")
        .distinct()[:FEED_SIZE]
    )
    return [
        Entry(
            f"paper:{p.pk}",
            _joined(p.reference, p.name) or "Vorlage",
            reverse("web:paper", args=[p.pk]),
            _joined(p.paper_type or "Vorlage", _day(p.date)),
            _changed(p),
            "Vorlage",
        )
        for p in newest
    ]


def _meetings(rows: models.QuerySet[Meeting]) -> list[Entry]:
    newest = (
        rows.only("pk", "name", "start", "cancelled", "modified", "synced_at")
        .prefetch_related(
            models.Prefetch("organizations", queryset=Organization.objects.only("pk", "name"))
        )
        .order_by(models.F("start").desc(nulls_last=True), "-pk")
        .distinct()[:FEED_SIZE]
    )
    entries = []
    for m in newest:
        organizations = ", ".join(o.name for o in m.organizations.all() if o.name)
        entries.append(
            Entry(
                f"meeting:{m.pk}",
                m.name or organizations or "Sitzung",
                reverse("web:meeting", args=[m.pk]),
                _joined(
                    "abgesagt" if m.cancelled else "", f"Sitzung {_day(m.start)}", organizations
                ),
                _changed(m),
                "Sitzung",
            )
        )
    return entries


def body_feed(pk: int) -> Feed:
    """The body's newest papers and latest meetings."""
    body = Body.objects.filter(pk=pk, subscribed=True).only("pk", "name", "oparl_id").first()
    if body is None:
        raise NotFound(pk)
    name = body.name or body.oparl_id
    return Feed(
        f"{name} – neue Vorlagen und Sitzungen",
        f"Vorlagen und Sitzungen von {name} bei Ratsblick",
        reverse("web:body", args=[pk]),
        _newest(
            _papers(Paper.objects.live().filter(body=body))
            + _meetings(Meeting.objects.live().filter(body=body))
        ),
    )


def organization_feed(pk: int) -> Feed:
    """The organization's latest meetings and the papers it consulted."""
    organization = Organization.objects.live().filter(pk=pk).first()
    if organization is None:
        raise NotFound(pk)
    name = organization.name or organization.short_name or "Gremium"
    return Feed(
        f"{name} – Sitzungen und Vorlagen",
        f"Sitzungen von {name} und die dort beratenen Vorlagen",
        reverse("web:organization", args=[pk]),
        _newest(
            _papers(consulted_papers(organization))
            + _meetings(Meeting.objects.live().filter(organizations=organization))
        ),
    )


def _step_key(paper: int, step: Step, index: int) -> str:
    """A consultation step by what it is about: its agenda item, its meeting, else its place."""
    if step.agenda_item is not None:
        return f"paper:{paper}/agenda-item:{step.agenda_item}"
    if step.meeting is not None:
        return f"paper:{paper}/meeting:{step.meeting.pk}"
    return f"paper:{paper}/step:{index}"


def _step_url(paper: int, step: Step) -> str:
    if step.meeting is None:
        return reverse("web:paper", args=[paper]) + "#beratungsfolge"
    anchor = f"#top-{step.agenda_item}" if step.agenda_item is not None else ""
    return reverse("web:meeting", args=[step.meeting.pk]) + anchor


def paper_feed(pk: int) -> Feed:
    """The paper's consultation steps (past and planned) and its files."""
    page = paper_page(pk)
    paper = Paper.objects.only("modified", "synced_at").get(pk=pk)
    entries = []
    for index, step in enumerate(page.steps):
        committee = ", ".join(o.name for o in step.organizations) or step.committee
        when = step.start or (
            timezone.make_aware(datetime.combine(step.date, time())) if step.date else None
        )
        entries.append(
            Entry(
                _step_key(pk, step, index),
                _joined("Beratung", committee or "Gremium", step.role),
                _step_url(pk, step),
                _joined(
                    _day(step.start or step.date),
                    "Sitzung abgesagt" if step.meeting_cancelled else "",
                    f"TOP {step.agenda_number}" if step.agenda_number else "",
                    f"Ergebnis: {step.result}" if step.result else "",
                ),
                # The step's time once the paper was changed after it, else the paper's
                # last change: never a time still to come.
                when if when is not None and when <= _changed(paper) else _changed(paper),
                "Beratung",
            )
        )
    files = [f for f in (page.main_file, *page.auxiliary_files) if f is not None]
    changed = {f.pk: _changed(f) for f in File.objects.filter(pk__in=[f.pk for f in files])}
    for file in files:
        entries.append(
            Entry(
                f"file:{file.pk}",
                file.name,
                reverse("web:file", args=[file.pk]),
                _joined(
                    "Hauptdokument" if file is page.main_file else "Anlage",
                    _day(file.date),
                    f"{file.pages} Seiten" if file.pages else "",
                    file.state,
                ),
                changed[file.pk],
                "Datei",
            )
        )
    title = _joined(page.reference, page.name) or "Vorlage"
    return Feed(
        f"{title} – Beratungsfolge und Dateien",
        "Beratungsschritte und Dateien der Vorlage",
        reverse("web:paper", args=[pk]),
        _newest(entries),
    )


def _hit_entries(hits: list[Hit]) -> list[Entry]:
    changed: dict[tuple[Kind, int], datetime] = {}
    for kind, model in _MODELS.items():
        pks = [h.pk for h in hits if h.kind == kind]
        if pks:
            for row in model.objects.filter(pk__in=pks).only("pk", "modified", "synced_at"):
                changed[(kind, row.pk)] = _changed(row)
    return [
        Entry(
            f"{hit.kind}:{hit.pk}",
            _joined(hit.reference, hit.title) or KIND_LABELS[hit.kind],
            reverse(PAGES[hit.kind], args=[hit.pk]),
            _joined(KIND_LABELS[hit.kind], _day(hit.date), hit.snippet.text if hit.snippet else ""),
            changed[(hit.kind, hit.pk)],
            KIND_LABELS[hit.kind],
        )
        for hit in hits
        if (hit.kind, hit.pk) in changed
    ]


def search_feed(params: QueryDict) -> Feed:
    """The newest matches of the search page's parameters (`IndexMissing` without an index)."""
    request = dataclasses.replace(
        request_from(params), sort="date", offset=0, limit=FEED_SIZE, facets=False
    )
    query = params.copy()
    query.pop("seite", None)
    page = reverse("web:search") + (f"?{query.urlencode()}" if query else "")
    text = request.text.strip()
    hits = search(request).hits if text or request.filters != Filters() else []
    return Feed(
        f"Ratsblick – Suche: {text}" if text else "Ratsblick – Suche",
        "Die neuesten Treffer dieser Suche",
        page,
        _hit_entries(hits),
    )
