"""The search page on the synced Hürtgenwald crawl and the sample body with real PDFs:
references find their paper, files sit inside their paper, filters are controls."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from ratsblick.council.models import Body, File, Organization, Paper
from ratsblick.indexing.service import search_index
from ratsblick.reader.search import search_page
from ratsblick.web.caching import shareable
from tests.web_data import module_home

pytestmark = pytest.mark.django_db


# Hürtgenwald and the sample papers 1 (born-digital) and 4 (Thurgau protocols),
# files read, indexed.
council_home = module_home((1, 4), indexed=True)


@pytest.fixture(autouse=True)
def _indexed(council_home: Path, settings: Settings) -> None:
    """Each test's own home (conftest) replaced by the module's, where the index is."""
    settings.HOME = council_home


@pytest.fixture
def web() -> Client:
    return Client()


def html(web: Client, params: dict[str, str | list[str]]) -> str:
    answer = web.get("/suche/", params)
    assert answer.status_code == 200
    return answer.content.decode()


def params(text: str) -> QueryDict:
    return QueryDict(text)


def test_a_drucksachen_nr_finds_its_paper_first() -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    page = search_page(params("q=159/2006"))
    first = page.results[0]
    assert (first.kind, first.url, first.reference) == (
        "vorlage",
        reverse("web:paper", args=[paper.pk]),
        "159/2006",
    )
    assert first.title == " ".join(paper.name.split())
    # Its file does not come before it, nor as a hit of its own.
    assert reverse("web:file", args=[paper.main_file_id]) not in {r.url for r in page.results}


def test_a_sample_reference_finds_its_paper_first(web: Client) -> None:
    paper = Paper.objects.live().get(reference="FB 02/0131/WP17")
    page = html(web, {"q": "FB 02/0131/WP17"})
    first = re.search(r'<h3><a href="([^"]+)">', page)
    assert first is not None
    assert first.group(1) == f"/vorlage/{paper.pk}/"


def test_a_paper_with_several_matching_files_is_one_hit_listing_them() -> None:
    paper = Paper.objects.live().get(reference="20/MO 34/343")
    files = {f.pk: f for f in File.objects.filter(auxiliary_file_of_papers=paper)}
    files[paper.main_file_id] = File.objects.get(pk=paper.main_file_id)
    page = search_page(params("q=Thurgau"))
    hits = [r for r in page.results if r.url == f"/vorlage/{paper.pk}/"]
    assert len(hits) == 1
    (hit,) = hits
    assert len(hit.files) >= 2
    file_urls = {f"/datei/{pk}/?q=Thurgau" for pk in files}
    assert {f.url.split("#")[0] for f in hit.files} <= file_urls
    assert not {r.url.split("#")[0] for r in page.results} & file_urls  # none on its own
    assert page.groups is not None
    assert page.total > page.groups


def test_a_file_snippet_comes_from_its_text_with_its_page() -> None:
    page = search_page(params("q=Modellfachbereich"))
    paper = Paper.objects.live().get(reference="FB 02/0131/WP17")
    (hit,) = [r for r in page.results if r.url == f"/vorlage/{paper.pk}/"]
    shown = {f.title: f for f in hit.files}
    annex = shown["Anlage: Modellfachbereich FB 02"]
    assert annex.snippet is not None
    assert annex.snippet.page is not None
    assert annex.url.endswith(f"?q=Modellfachbereich#seite-{annex.snippet.page}")
    assert "<mark>Modellfachbereich" in annex.snippet.html()
    assert annex.snippet.text != annex.title  # from the text, not the name


def test_filters_are_controls_that_round_trip_through_the_url(web: Client) -> None:
    body = Body.objects.get(name="Gemeinde Hürtgenwald")
    page = html(web, {"q": "Haushaltssatzung", "typ": "vorlage", "kommune": str(body.pk)})
    assert '<input type="checkbox" form="suche" name="typ" value="vorlage"' in page
    checked = re.findall(r'name="(\w+)" value="([^"]+)" id="[^"]+" checked', page)
    assert set(checked) == {("typ", "vorlage"), ("kommune", str(body.pk))}
    assert '<button type="submit" form="suche">Anwenden</button>' in page
    chips = dict(re.findall(r'<a href="([^"]+)" aria-label="Filter entfernen: ([^"]+)"', page))
    assert chips == {
        f"/suche/?q=Haushaltssatzung&amp;kommune={body.pk}": "Art des Treffers: Vorlage",
        "/suche/?q=Haushaltssatzung&amp;typ=vorlage": "Kommune: Gemeinde Hürtgenwald",
    }
    years = search_page(params(f"q=Haushaltssatzung&typ=vorlage&kommune={body.pk}")).facets
    (year_facet,) = [f for f in years if f.param == "jahr"]
    year = year_facet.options[0].value
    narrowed = search_page(params(f"q=Haushaltssatzung&typ=vorlage&jahr={year}"))
    assert narrowed.results
    assert all(
        r.kind == "vorlage" and r.date and r.date.year == int(year) for r in narrowed.results
    )
    (chosen,) = [o for f in narrowed.facets if f.param == "jahr" for o in f.options if o.selected]
    assert chosen.value == year
    by_art = search_page(params("q=Haushaltssatzung&art=Beschlussvorlage&typ=vorlage"))
    assert by_art.results
    paper_types = set(
        Paper.objects.filter(pk__in=[int(r.url.split("/")[2]) for r in by_art.results]).values_list(
            "paper_type", flat=True
        )
    )
    assert paper_types == {"Beschlussvorlage"}


def test_sorting_and_pages_keep_the_state() -> None:
    first = search_page(params("q=Sitzung&typ=sitzung&sortierung=neueste"))
    assert first.next_url == "/suche/?q=Sitzung&typ=sitzung&sortierung=neueste&seite=2"
    dates = [r.date for r in first.results]
    assert dates == sorted(dates, reverse=True)
    second = search_page(params("q=Sitzung&typ=sitzung&sortierung=neueste&seite=2"))
    assert second.previous_url == "/suche/?q=Sitzung&typ=sitzung&sortierung=neueste"
    assert not {r.url for r in first.results} & {r.url for r in second.results}
    assert [s.selected for s in second.sorts] == [False, True, False]


def test_results_link_to_their_pages() -> None:
    organization = Organization.objects.live().filter(body__name="Gemeinde Hürtgenwald").first()
    assert organization is not None
    page = search_page(params(f"q={organization.name}&typ=gremium"))
    assert f"/gremium/{organization.pk}/" in {r.url for r in page.results}


def test_the_search_page_needs_few_queries(
    web: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(15):
        page = html(web, {"q": "Sitzung"})
    assert page.count('class="search-hit"') == 20
    with django_assert_max_num_queries(15):
        html(web, {"q": "Thurgau OR Haushalt OR Gemeinderat", "sortierung": "neueste"})


def test_bad_input_never_fails(web: Client) -> None:
    for bad in (
        {"q": '"'},
        {"q": "-"},
        {"q": "typ:raumschiff"},
        {"q": "Haus", "seite": "abc"},
        {"q": "Haus", "seite": "99999"},
        {"q": "Haus", "seite": "²"},
        {"q": "Haus", "von": "gestern", "typ": "nichts", "gremium": "x", "kommune": "9" * 30},
        {"q": "Haus", "jahr": "99999", "art": "\x00"},
        {"q": "x" * 5000},
        {"q": "Haus\x00"},
    ):
        assert web.get("/suche/", bad).status_code == 200, bad
    assert "Unbekannter Typ" in html(web, {"q": "typ:raumschiff Haus"})
    assert html(web, {}).count('class="search-hit"') == 0


def test_without_an_index_the_page_says_so(web: Client, settings: Settings) -> None:
    settings.HOME = Path(settings.HOME) / "elsewhere"
    answer = web.get("/suche/", {"q": "Haushalt"})
    assert answer.status_code == 503
    assert "Die Suche ist gerade nicht verfügbar" in answer.content.decode()


# The page cache (`web.caching`), on this module's index: a page is reused
# until the index commits or its time is up, and never shared when personal.


@pytest.fixture
def page_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATSBLICK_PAGE_CACHE_SECONDS", "300")
    cache.clear()


def paper_title_shown(web: Client, paper: Paper) -> str:
    answer = web.get(reverse("web:paper", args=[paper.pk]))
    found = re.search(r"<h1[^>]*>(.*?)</h1>", answer.content.decode(), re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def renamed(paper: Paper, name: str) -> None:
    """A change of the row that reaches no index (the test's transaction undoes it)."""
    Paper.objects.filter(pk=paper.pk).update(name=name)


@pytest.mark.usefixtures("page_cache")
def test_a_page_is_reused_until_the_index_commits(web: Client) -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    before = paper_title_shown(web, paper)
    renamed(paper, "Umbenannt")
    assert paper_title_shown(web, paper) == before
    version = search_index().version()
    with search_index().writer() as writer:
        writer.commit()
    assert search_index().version() != version
    assert paper_title_shown(web, paper) == "159/2006 Umbenannt"


@pytest.mark.usefixtures("page_cache")
def test_a_page_is_reused_for_at_most_its_time() -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False) as traveller:
        web = Client()
        before = paper_title_shown(web, paper)
        renamed(paper, "Umbenannt")
        traveller.shift(299)
        assert paper_title_shown(web, paper) == before
        traveller.shift(2)
        assert paper_title_shown(web, paper) == "159/2006 Umbenannt"


@pytest.mark.usefixtures("page_cache")
def test_a_visitor_with_cookies_gets_a_fresh_page(web: Client) -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    paper_title_shown(web, paper)
    renamed(paper, "Umbenannt")
    web.cookies["sessionid"] = "someone"
    assert paper_title_shown(web, paper) == "159/2006 Umbenannt"


def test_without_a_cache_time_every_request_renders(web: Client) -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    paper_title_shown(web, paper)
    renamed(paper, "Umbenannt")
    assert paper_title_shown(web, paper) == "159/2006 Umbenannt"


@pytest.mark.parametrize(
    ("headers", "cookie", "status", "kept"),
    [
        ({}, False, 200, True),
        ({}, True, 200, False),
        ({"Vary": "Accept-Encoding, Cookie"}, False, 200, False),
        ({"Cache-Control": "private, max-age=60"}, False, 200, False),
        ({"Cache-Control": "no-store"}, False, 200, False),
        ({}, False, 404, False),
    ],
)
def test_only_public_complete_answers_are_kept(
    headers: dict[str, str], cookie: bool, status: int, kept: bool
) -> None:
    response = HttpResponse("page", status=status, headers=headers)
    if cookie:
        response.set_cookie("csrftoken", "x")
    assert shareable(response) is kept


def test_a_word_that_matches_nothing_gets_a_meinten_sie_link(web: Client) -> None:
    page = html(web, {"q": "Pferdesteur", "typ": "vorlage"})
    assert "Keine Treffer" in page
    link = '<a href="/suche/?q=Pferdesteuer&amp;typ=vorlage">„Pferdesteuer“</a>'
    assert f"Meinten Sie {link}?" in page
    assert "Sortierung" not in page  # nothing to sort
    found = html(web, {"q": "Pferdesteuer"})
    assert "Meinten Sie" not in found
    assert "Sortierung" in found
