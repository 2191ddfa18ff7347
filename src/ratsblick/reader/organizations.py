"""An organization (Gremium): its members now and past, its meetings, the papers it consulted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import timezone

from ratsblick.council.models import Consultation, Meeting, Membership, Organization, Paper
from ratsblick.reader import NotFound
from ratsblick.reader.keyset import Window, window
from ratsblick.reader.lists import (
    MeetingItem,
    PaperItem,
    meeting_rows,
    meeting_windows,
    paper_item,
    paper_rows,
)
from ratsblick.reader.refs import Ref

PAGE_SIZE = 20


@dataclass(frozen=True)
class Member:
    """One membership as the organization's page lists it."""

    person: Ref
    role: str
    voting_right: bool | None
    on_behalf_of: Ref | None
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class OrganizationPage:
    pk: int
    name: str
    short_name: str
    organization_type: str
    classification: str
    start_date: date | None
    end_date: date | None
    ended: bool
    website: str
    web: str
    oparl_id: str
    body: Ref | None
    parent: Ref | None
    sub_organizations: list[Ref]
    members_now: list[Member]
    members_past: list[Member]
    upcoming: Window[MeetingItem]
    past: Window[MeetingItem]
    papers: Window[PaperItem]


@dataclass(frozen=True)
class Positions:
    """Where each list of the page stands: a cursor token per list (None: its start)."""

    upcoming: str | None = None
    past: str | None = None
    papers: str | None = None


def is_current(start: date | None, end: date | None, today: date) -> bool:
    """A membership (or organization) counts as now when it has begun and not ended before today."""
    return (start is None or start <= today) and (end is None or end >= today)


def ref(obj: Organization | None, fallback: str = "Gremium") -> Ref | None:
    """A link to the organization, or None when it has no page (unknown, deleted, placeholder)."""
    if obj is None or obj.deleted or obj.stub:
        return None
    return Ref(obj.pk, obj.name or obj.short_name or fallback)


def _member(membership: Membership) -> Member:
    person = membership.person
    assert person is not None  # members are chosen by their person
    return Member(
        Ref(person.pk, person.name or person.family_name or "Person"),
        membership.role,
        membership.voting_right,
        ref(membership.on_behalf_of, "Fraktion"),
        membership.start_date,
        membership.end_date,
    )


def _members(organization: Organization, today: date) -> tuple[list[Member], list[Member]]:
    """Current members by name; former ones, the most recently ended first.

    Only memberships of persons with a page of their own are listed."""
    rows = (
        Membership.objects.live()
        .filter(organization=organization, person__deleted=False, person__stub=False)
        .select_related("person", "on_behalf_of")
        .order_by("person__family_name", "person__name", "start_date", "pk")
    )
    now: list[Member] = []
    past: list[Member] = []
    for membership in rows:
        target = now if is_current(membership.start_date, membership.end_date, today) else past
        target.append(_member(membership))
    past.sort(key=lambda m: m.end_date or date.min, reverse=True)
    return now, past


def consulted_papers(organization: Organization) -> models.QuerySet[Paper]:
    """Papers consulted by the organization, named on the consultation or via its meeting."""
    consultations = Consultation.objects.live().filter(
        models.Q(organizations=organization) | models.Q(meeting__organizations=organization)
    )
    return Paper.objects.live().filter(pk__in=consultations.values("paper_id"))


def organization_page(pk: int, at: Positions | None = None) -> OrganizationPage:
    """The organization's page with each list at its position (`at`)."""
    at = at or Positions()
    organization = (
        Organization.objects.live()
        .select_related("body", "sub_organization_of")
        .filter(pk=pk)
        .first()
    )
    if organization is None:
        raise NotFound(pk)
    today = timezone.localdate()
    now = timezone.now()
    members_now, members_past = _members(organization, today)
    meetings = meeting_rows(Meeting.objects.live().filter(organizations=organization))
    upcoming, past = meeting_windows(meetings, now, at.upcoming, at.past, PAGE_SIZE)
    body = organization.body
    return OrganizationPage(
        pk=organization.pk,
        name=organization.name or organization.short_name or "Gremium",
        short_name=organization.short_name,
        organization_type=organization.organization_type,
        classification=organization.classification,
        start_date=organization.start_date,
        end_date=organization.end_date,
        ended=bool(organization.end_date and organization.end_date < today),
        website=organization.website,
        web=organization.web,
        oparl_id=organization.oparl_id,
        body=Ref(body.pk, body.name or body.oparl_id) if body is not None else None,
        parent=ref(organization.sub_organization_of),
        sub_organizations=[
            Ref(o.pk, o.name or o.short_name or "Gremium")
            for o in organization.sub_organizations.live()
            .only("pk", "name", "short_name")
            .order_by("name", "pk")
        ],
        members_now=members_now,
        members_past=members_past,
        upcoming=upcoming,
        past=past,
        papers=window(
            paper_rows(consulted_papers(organization)), "date", at.papers, PAGE_SIZE, paper_item
        ),
    )
