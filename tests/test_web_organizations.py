"""Organization (Gremium) and person pages on the synced Hürtgenwald council.

Expected values come from the recorded crawl itself, not from the code
under test: the members an organization had on a day, the meetings it held,
the papers it consulted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from ratsblick.council.models import Meeting, Membership, Organization, Paper, Person
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import Faults, ReplayServer
from tests.conftest import FAST
from tests.helpers import synced

pytestmark = pytest.mark.django_db

# Papers without a date come last, as on the pages (PostgreSQL sorts NULL first by default).
NEWEST_FIRST = F("date").desc(nulls_last=True)
COUNCIL = "organization/1-8"  # Gemeinderat: the most meetings and consultations
ELECTION_REVIEW = "organization/1-6"  # Wahlprüfungsausschuss: the most memberships
SPD = "organization/2-3"
HUPPERTZ = "person/13"
ON = date(2021, 3, 1)  # a day within the crawl's last term


@dataclass(frozen=True)
class Council:
    dataset: RecordedDataset
    server_url: Any  # ReplayServer.url, the served address of a dataset URL
    originated: list[str]  # oparl ids of the papers given Huppertz as originator


def _id(dataset: RecordedDataset, tail: str) -> str:
    return f"{dataset.api_root}/body/1/{tail}"


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: Any) -> Iterator[Council]:
    """The crawl synced once for the module; Huppertz made originator of two papers and
    his first council membership made on behalf of the SPD."""
    dataset = RecordedDataset.load()
    papers = dataset.lists[dataset.list_url("paper")][:2]
    for paper in papers:
        dataset.change(paper["id"], originatorPerson=[_id(dataset, HUPPERTZ)])
    person = next(
        p for p in dataset.lists[dataset.list_url("person")] if p["id"].endswith(HUPPERTZ)
    )
    memberships = [
        {**m, "onBehalfOf": _id(dataset, SPD)} if m["organization"].endswith(COUNCIL) else m
        for m in person["membership"]
    ]
    dataset.change(person["id"], membership=memberships)
    with django_db_blocker.unblock():
        with (
            ReplayServer(dataset, faults=Faults(empty_list_404=True)) as server,
            HttpClient(FAST) as client,
        ):
            synced(server, client)
            yield Council(dataset, server.url, [server.url(p["id"]) for p in papers])
        call_command("flush", interactive=False, verbosity=0)


def _org(council: Council, tail: str) -> Organization:
    return Organization.objects.get(oparl_id=council.server_url(_id(council.dataset, tail)))


def _person(council: Council, tail: str) -> Person:
    return Person.objects.get(oparl_id=council.server_url(_id(council.dataset, tail)))


def _recorded_memberships(council: Council, tail: str) -> list[tuple[str, dict[str, Any]]]:
    """(person name, membership) for every membership of the organization in the crawl."""
    org_id = _id(council.dataset, tail)
    return [
        (person["name"], membership)
        for person in council.dataset.lists[council.dataset.list_url("person")]
        for membership in person.get("membership", [])
        if membership["organization"] == org_id
    ]


def _current_on(membership: dict[str, Any], day: date) -> bool:
    start, end = membership.get("startDate"), membership.get("endDate")
    return (start is None or date.fromisoformat(start) <= day) and (
        end is None or date.fromisoformat(end) >= day
    )


def _section(html: str, heading_id: str) -> str:
    """The HTML of the `<section>` whose heading has `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _links(html: str, prefix: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'href="/{prefix}/(\d+)/"', html)]


def _walk(web: Client, url: str, section: str, prefix: str, param: str) -> list[int]:
    """Every pk a paged list links to, following its "later" link to the end."""
    seen: list[int] = []
    query: dict[str, str] = {}
    while True:
        html = _section(web.get(url, query).content.decode(), section)
        seen += _links(html, prefix)
        later = re.search(rf'href="\?{param}=([^"#]+)#[^"]*" rel="next"', html)
        if later is None:
            return seen
        query = {param: unquote(later[1])}


def test_members_now_and_past_with_role_voting_right_and_dates(council: Council) -> None:
    council_org = _org(council, COUNCIL)
    recorded = _recorded_memberships(council, COUNCIL)
    with time_machine.travel(datetime(2021, 3, 1, 12, 0), tick=False):
        html = Client().get(f"/gremium/{council_org.pk}/").content.decode()
    members = _section(html, "mitglieder")
    now_part, _, past_part = members.partition("<details>")
    expected_now = sorted(name for name, m in recorded if _current_on(m, ON))
    expected_past = sorted(name for name, m in recorded if not _current_on(m, ON))
    names_now = re.findall(r'<a href="/person/\d+/">([^<]+)</a>', now_part)
    names_past = re.findall(r'<a href="/person/\d+/">([^<]+)</a>', past_part)
    assert sorted(names_now) == expected_now
    assert sorted(names_past) == expected_past
    assert f'<h2 id="mitglieder">Mitglieder ({len(expected_now)})</h2>' in members
    assert f"Frühere Mitglieder ({len(expected_past)})" in members
    # Huppertz's first council seat: role, voting right, on behalf of the SPD, dates.
    huppertz = _person(council, HUPPERTZ)
    spd = _org(council, SPD)
    row = re.search(
        rf'<tr>\s*<td data-label="Name"><a href="/person/{huppertz.pk}/">Herr Peter Huppertz</a>'
        r"</td>(.*?)</tr>",
        past_part,
        re.S,
    )
    assert row is not None
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row[1])).split()
    assert cells == ["Mitglied", "ja", *spd.name.split(), "16.05.2002", "20.10.2009"]
    assert f'<a href="/gremium/{spd.pk}/">{spd.name}</a>' in row[1]


def test_a_membership_ending_today_is_current_and_one_ending_yesterday_is_past(
    council: Council,
) -> None:
    membership = (
        Membership.objects.live()
        .filter(organization=_org(council, COUNCIL), end_date__isnull=False)
        .select_related("person")
        .order_by("end_date", "pk")
        .first()
    )
    assert membership is not None
    assert membership.end_date is not None
    url = f"/gremium/{membership.organization_id}/"
    link = f'<a href="/person/{membership.person_id}/">{membership.person.name}</a>'
    end = membership.end_date
    with time_machine.travel(datetime(end.year, end.month, end.day, 20, 0), tick=False):
        now_part = _section(Client().get(url).content.decode(), "mitglieder").split("<details>")[0]
    assert link in now_part
    with time_machine.travel(
        datetime.combine(end + timedelta(days=1), datetime.min.time()), tick=False
    ):
        now_part = _section(Client().get(url).content.decode(), "mitglieder").split("<details>")[0]
    assert link not in now_part


def test_facts_body_and_calendar_links(council: Council) -> None:
    org = _org(council, COUNCIL)
    with time_machine.travel(datetime(2021, 3, 1, 12, 0), tick=False):
        html = Client().get(f"/gremium/{org.pk}/").content.decode()
    assert '<h1>Gemeinderat <span class="muted">(GR)</span></h1>' in html
    assert "<dt>Art</dt><dd>Gremium</dd>" in html
    assert "<dt>Einordnung</dt><dd>Gremien</dd>" in html
    assert '<dt>Seit</dt><dd><time datetime="2002-05-15">15.05.2002</time></dd>' in html
    assert f'<dd><a href="/kommune/{org.body_id}/">Gemeinde Hürtgenwald</a></dd>' in html
    assert f'href="/kalender/?gremium={org.pk}"' in html
    assert f'href="/kalender.ics?gremium={org.pk}"' in html
    ended = _org(council, "organization/1-3")  # Schulausschuss, ended 2020-10-31
    with time_machine.travel(datetime(2021, 3, 1, 12, 0), tick=False):
        html = Client().get(f"/gremium/{ended.pk}/").content.decode()
    assert 'besteht seit dem <time datetime="2020-10-31">31.10.2020</time> nicht mehr' in html


def test_meetings_past_and_upcoming_paged_by_keys(council: Council) -> None:
    org = _org(council, COUNCIL)
    org_id = _id(council.dataset, COUNCIL)
    recorded = {
        council.server_url(m["id"]): m["start"]
        for m in council.dataset.lists[council.dataset.list_url("meeting")]
        if org_id in m.get("organization", [])
    }
    expected = list(
        Meeting.objects.filter(oparl_id__in=recorded)
        .order_by("-start", "-pk")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 124
    with time_machine.travel(datetime(2030, 1, 1), tick=False):
        walked = _walk(Client(), f"/gremium/{org.pk}/", "sitzungen", "sitzung", "vergangene")
        html = Client().get(f"/gremium/{org.pk}/").content.decode()
    assert walked == expected
    assert "Keine Sitzungen angekündigt." in html
    # Moved back into the crawl: the next meetings soonest first, the past ones latest first.
    middle = Meeting.objects.get(pk=expected[60])
    assert middle.start is not None
    with time_machine.travel(middle.start, tick=False):
        html = _section(Client().get(f"/gremium/{org.pk}/").content.decode(), "sitzungen")
    upcoming, _, past = html.partition('id="vergangene"')
    assert _links(upcoming, "sitzung") == expected[:61][::-1][:20]
    assert _links(past, "sitzung") == expected[61:81]


def test_papers_consulted_there_newest_first(council: Council) -> None:
    org = _org(council, COUNCIL)
    org_id = _id(council.dataset, COUNCIL)
    meetings = {
        m["id"]
        for m in council.dataset.lists[council.dataset.list_url("meeting")]
        if org_id in m.get("organization", [])
    }
    consulted = {
        council.server_url(p["id"])
        for p in council.dataset.lists[council.dataset.list_url("paper")]
        for c in p.get("consultation", [])
        if org_id in c.get("organization", []) or c.get("meeting") in meetings
    }
    expected = list(
        Paper.objects.filter(oparl_id__in=consulted)
        .order_by(NEWEST_FIRST, "-pk")
        .values_list("pk", flat=True)
    )
    assert len(expected) > 500
    walked = _walk(Client(), f"/gremium/{org.pk}/", "vorlagen", "vorlage", "vorlagen")
    assert walked == expected


@pytest.mark.parametrize("tail", [COUNCIL, ELECTION_REVIEW])
def test_the_biggest_organizations_take_at_most_15_queries(
    council: Council, tail: str, django_assert_max_num_queries: Any
) -> None:
    org = _org(council, tail)
    with django_assert_max_num_queries(15):
        response = Client().get(f"/gremium/{org.pk}/", {"vergangene": "", "vorlagen": ""})
    assert response.status_code == 200


def test_person_memberships_over_time_grouped_by_organization(council: Council) -> None:
    person = _person(council, HUPPERTZ)
    recorded = next(
        p for p in council.dataset.lists[council.dataset.list_url("person")]
        if p["id"].endswith(HUPPERTZ)
    )["membership"]  # fmt: skip
    with time_machine.travel(datetime(2021, 3, 1, 12, 0), tick=False):
        html = Client().get(f"/person/{person.pk}/").content.decode()
    assert "<h1>Herr Peter Huppertz</h1>" in html
    assert "<dt>Anrede</dt><dd>Herr</dd>" in html
    assert "<dt>Familienname</dt><dd>Huppertz</dd>" in html
    section = html[html.index('id="mitgliedschaften"') : html.index('id="vorlagen"')]
    groups = re.findall(
        r'<h3 id="gremium-\d+"><a href="/gremium/(\d+)/">[^<]+</a>( <span class="badge">aktuell'
        r"</span>)?</h3>\s*<ol class=\"timeline\">(.*?)</ol>",
        section,
        re.S,
    )
    by_org: dict[str, list[dict[str, Any]]] = {}
    for m in sorted(recorded, key=lambda m: m["startDate"]):
        by_org.setdefault(m["organization"], []).append(m)
    pks = {
        o.oparl_id: o.pk
        for o in Organization.objects.filter(oparl_id__in=map(council.server_url, by_org))
    }
    current = [o for o, ms in by_org.items() if any(_current_on(m, ON) for m in ms)]
    former = [o for o in by_org if o not in current]
    assert [int(pk) for pk, _, _ in groups] == [
        pks[council.server_url(o)] for o in current + former
    ]
    assert [bool(badge) for _, badge, _ in groups] == [True] * len(current) + [False] * len(former)
    for (_, _, timeline), org_id in zip(groups, current + former, strict=True):
        starts = re.findall(r'<span class="span"><time datetime="([\d-]+)">', timeline)
        assert starts == [m["startDate"] for m in by_org[org_id]]
    spd = _org(council, SPD)
    assert f', für <a href="/gremium/{spd.pk}/">{spd.name}</a>' in section


def test_person_papers_as_originator(council: Council) -> None:
    person = _person(council, HUPPERTZ)
    papers = Paper.objects.filter(oparl_id__in=council.originated).order_by(NEWEST_FIRST, "-pk")
    html = _section(Client().get(f"/person/{person.pk}/").content.decode(), "vorlagen")
    assert _links(html, "vorlage") == [p.pk for p in papers]
    other = _person(council, "person/15")
    html = _section(Client().get(f"/person/{other.pk}/").content.decode(), "vorlagen")
    assert "Keine Vorlagen, die diese Person eingebracht hat." in html


def test_person_page_query_count(council: Council, django_assert_max_num_queries: Any) -> None:
    busiest = (
        Person.objects.live()
        .order_by("-pk")
        .filter(pk__in=Membership.objects.values("person"))
        .first()
    )
    assert busiest is not None
    with django_assert_max_num_queries(15):
        assert Client().get(f"/person/{busiest.pk}/").status_code == 200


def test_model_urls_lead_to_the_pages(council: Council) -> None:
    org = _org(council, COUNCIL)
    person = _person(council, HUPPERTZ)
    membership = Membership.objects.filter(person=person).first()
    assert membership is not None
    assert org.get_absolute_url() == f"/gremium/{org.pk}/"
    assert person.get_absolute_url() == f"/person/{person.pk}/"
    assert membership.get_absolute_url() == f"/person/{person.pk}/"


def test_unknown_deleted_and_placeholder_ids_are_not_found(council: Council) -> None:
    org = _org(council, ELECTION_REVIEW)
    person = _person(council, "person/15")
    web = Client()
    assert web.get(f"/gremium/{10**12}/").status_code == 404
    assert web.get(f"/person/{10**12}/").status_code == 404
    assert web.get("/gremium/²/").status_code == 404
    Organization.objects.filter(pk=org.pk).update(stub=True)
    Person.objects.filter(pk=person.pk).update(deleted=True)
    assert web.get(f"/gremium/{org.pk}/").status_code == 404
    assert web.get(f"/person/{person.pk}/").status_code == 404
