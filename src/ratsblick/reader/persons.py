"""A person: memberships and roles over time, papers as originator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from ratsblick.council.models import Membership, Paper, Person
from ratsblick.reader import NotFound
from ratsblick.reader.keyset import Window, window
from ratsblick.reader.lists import PaperItem, paper_item, paper_rows
from ratsblick.reader.organizations import PAGE_SIZE, is_current, ref
from ratsblick.reader.refs import Ref


@dataclass(frozen=True)
class Role:
    """One membership in the person's timeline."""

    role: str
    voting_right: bool | None
    on_behalf_of: Ref | None
    start_date: date | None
    end_date: date | None
    current: bool


@dataclass(frozen=True)
class OrganizationRoles:
    """The person's memberships in one organization, in the order they began."""

    organization: Ref | None
    roles: list[Role]
    current: bool


@dataclass(frozen=True)
class PersonPage:
    pk: int
    name: str
    form_of_address: str
    titles: list[str]
    given_name: str
    family_name: str
    affix: str
    web: str
    body: Ref | None
    memberships: list[OrganizationRoles]
    """Current organizations first, then former ones, each by its first start."""
    papers: Window[PaperItem]


def _grouped(person: Person) -> list[OrganizationRoles]:
    today = timezone.localdate()
    rows = (
        Membership.objects.live()
        .filter(person=person)
        .select_related("organization", "on_behalf_of")
        .order_by("start_date", "pk")
    )
    groups: dict[int | None, list[Role]] = {}
    organizations: dict[int | None, Ref | None] = {}
    for membership in rows:
        organization = ref(membership.organization)
        key = organization.pk if organization is not None else None
        organizations[key] = organization
        groups.setdefault(key, []).append(
            Role(
                membership.role,
                membership.voting_right,
                ref(membership.on_behalf_of, "Fraktion"),
                membership.start_date,
                membership.end_date,
                is_current(membership.start_date, membership.end_date, today),
            )
        )
    result = [
        OrganizationRoles(organizations[key], roles, any(r.current for r in roles))
        for key, roles in groups.items()
    ]
    # Stable: within each half the order of first start stays.
    result.sort(key=lambda group: not group.current)
    return result


def person_page(pk: int, papers_at: str | None = None) -> PersonPage:
    """The person's page, the papers list at the cursor `papers_at`."""
    person = Person.objects.live().select_related("body").filter(pk=pk).first()
    if person is None:
        raise NotFound(pk)
    body = person.body
    return PersonPage(
        pk=person.pk,
        name=person.name
        or " ".join(p for p in (person.given_name, person.family_name) if p)
        or "Person",
        form_of_address=person.form_of_address,
        titles=[str(t) for t in person.title if t],
        given_name=person.given_name,
        family_name=person.family_name,
        affix=person.affix,
        web=person.web,
        body=Ref(body.pk, body.name or body.oparl_id) if body is not None else None,
        memberships=_grouped(person),
        papers=window(
            paper_rows(Paper.objects.live().filter(originator_persons=person)),
            "date",
            papers_at,
            PAGE_SIZE,
            paper_item,
        ),
    )
