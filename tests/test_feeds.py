"""The Atom feeds on the synced Hürtgenwald crawl, parsed back with feedparser:
a search, a body, an organization and a paper, valid per RFC 4287, cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from ratsblick.council.models import Body, Meeting, Organization, Paper
from ratsblick.reader.organizations import consulted_papers
from ratsblick.reader.papers import paper_page
from tests.web_data import module_home

pytestmark = pytest.mark.django_db
ATOM = "application/atom+xml; charset=utf-8"


# Hürtgenwald synced, not indexed: the search feed's test is in `test_api`, whose
# module builds an index anyway (a second one costs more than all these tests).
council_home = module_home()


@pytest.fixture(autouse=True)
def _indexed(council_home: Path, settings: Settings) -> None:
    settings.HOME = council_home


def parsed(path: str, **params: Any) -> Any:
    answer = Client().get(path, params)
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == ATOM
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    # RFC 4287: the feed and every entry have an id, a title, updated and a link.
    assert all(feed.feed.get(element) for element in ("id", "title", "updated", "link"))
    for entry in feed.entries:
        assert all(entry.get(element) for element in ("id", "title", "updated", "link"))
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    return feed


def hurtgenwald() -> Body:
    return Body.objects.get(name__contains="Hürtgenwald")


def test_a_body_feed_lists_its_newest_papers_and_meetings() -> None:
    body = hurtgenwald()
    feed = parsed(f"/kommune/{body.pk}/feed.atom")
    assert feed.feed.link == f"http://testserver/kommune/{body.pk}/"
    newest = Paper.objects.live().filter(body=body, date__isnull=False).order_by("-date", "-pk")
    links = {e.link for e in feed.entries}
    assert f"http://testserver/vorlage/{newest[0].pk}/" in links
    latest = Meeting.objects.live().filter(body=body, start__isnull=False).order_by("-start")
    assert f"http://testserver/sitzung/{latest[0].pk}/" in links
    assert {t.term for e in feed.entries for t in e.tags} == {"Vorlage", "Sitzung"}
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)


def test_an_organization_feed_has_its_meetings_and_the_papers_it_consulted() -> None:
    organization = max(
        Organization.objects.live().filter(body=hurtgenwald()),
        key=lambda o: consulted_papers(o).count(),
    )
    feed = parsed(f"/gremium/{organization.pk}/feed.atom")
    papers = {
        f"http://testserver/vorlage/{pk}/"
        for pk in consulted_papers(organization).values_list("pk", flat=True)
    }
    meetings = {
        f"http://testserver/sitzung/{pk}/"
        for pk in Meeting.objects.live()
        .filter(organizations=organization)
        .values_list("pk", flat=True)
    }
    links = {e.link for e in feed.entries}
    assert links & papers
    assert links & meetings
    assert links <= papers | meetings


def test_a_paper_feed_has_its_consultation_steps_and_files() -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    page = paper_page(paper.pk)
    feed = parsed(f"/vorlage/{paper.pk}/feed.atom")
    steps = [e for e in feed.entries if e.tags[0].term == "Beratung"]
    files = [e for e in feed.entries if e.tags[0].term == "Datei"]
    assert len(steps) == len(page.steps) > 0
    assert len(files) == len([f for f in (page.main_file, *page.auxiliary_files) if f])
    assert page.main_file is not None
    assert f"http://testserver/datei/{page.main_file.pk}/" in {e.link for e in files}
    for step, entry in zip(
        sorted(page.steps, key=lambda s: s.agenda_item or 0),
        sorted(steps, key=lambda e: int(e.id.rsplit(":", 1)[-1]) if "agenda-item" in e.id else 0),
        strict=True,
    ):
        if step.result:
            assert f"Ergebnis: {step.result}" in entry.summary


def test_an_empty_search_feed_is_valid_and_empty() -> None:
    """Nothing asked, nothing searched (there is no index in this module)."""
    assert parsed("/suche/feed.atom").entries == []


def test_feeds_answer_conditional_gets_with_304() -> None:
    path = f"/kommune/{hurtgenwald().pk}/feed.atom"
    first = Client().get(path)
    assert first["Cache-Control"] == "public, max-age=300"
    assert first.has_header("Last-Modified")
    again = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    since = Client().get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


@pytest.mark.parametrize(
    "path", ["/kommune/999999/feed.atom", "/gremium/999999/feed.atom", "/vorlage/999999/feed.atom"]
)
def test_a_feed_of_nothing_is_404(path: str) -> None:
    assert Client().get(path).status_code == 404


def test_a_search_feed_without_an_index_is_503(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path
    answer = Client().get("/suche/feed.atom", {"q": "Gemeinde"})
    assert answer.status_code == 503
    assert answer["Retry-After"] == "60"
