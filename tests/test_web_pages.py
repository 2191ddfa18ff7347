"""The start, body and file pages on synced councils, and the site's furniture."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html import unescape
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.test import Client, RequestFactory
from django.utils import timezone
from django.views.defaults import server_error
from pytest_django import DjangoAssertNumQueries

from ratsblick.council.models import Body, File, Meeting, Organization, Paper, SyncRun
from ratsblick.files.models import FileVersion
from ratsblick.files.pipeline import process_files
from ratsblick.files.storage import blob_path
from ratsblick.oparl.http import HttpClient
from ratsblick.reader.bodies import PAGE_SIZE, Positions, body_page
from ratsblick.replay.sample import ROOT, SAMPLE_FILES, sample_dataset
from ratsblick.replay.server import ReplayServer
from tests.helpers import synced

pytestmark = pytest.mark.django_db

# The Hürtgenwald crawl ends in December 2021: on this day 8 meetings lie ahead.
BEFORE_LAST_MEETINGS = datetime(2021, 9, 1, 12, tzinfo=timezone.get_fixed_timezone(120))


@pytest.fixture
def web() -> Client:
    return Client()


@pytest.fixture
def huertgenwald(replay: ReplayServer, client: HttpClient) -> Body:
    return synced(replay, client)


@pytest.fixture
def sample(request: pytest.FixtureRequest, client: HttpClient) -> Iterator[Body]:
    """The sample body with its files read (born-digital papers unless a test asks)."""
    with ReplayServer(sample_dataset(getattr(request, "param", (1,)))) as server:
        body = synced(server, client)
        process_files(body, client)
        yield body


def links(html: str, prefix: str) -> list[str]:
    return re.findall(rf'href="({re.escape(prefix)}[^"#]*)', html)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# Start


def test_the_start_page_lists_bodies_with_counts_newest_papers_and_next_meetings(
    huertgenwald: Body, web: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    synced_at = huertgenwald.sync_runs.get().finished_at
    assert synced_at is not None
    with time_machine.travel(BEFORE_LAST_MEETINGS, tick=False), django_assert_max_num_queries(15):
        html = web.get("/").content.decode()
    text = text_of(html)
    assert "Gemeinde Hürtgenwald 2097 Vorlagen · 346 Sitzungen · 6947 Dateien" in text
    assert f"Stand: {timezone.localtime(synced_at):%d.%m.%Y, %H:%M} Uhr" in text
    assert f'href="/kommune/{huertgenwald.pk}/"' in html
    newest = Paper.objects.live().exclude(date=None).order_by("-date", "-pk")[:10]
    assert links(html, "/vorlage/") == [f"/vorlage/{p.pk}/" for p in newest]
    upcoming = Meeting.objects.live().filter(start__gte=BEFORE_LAST_MEETINGS).order_by("start")
    assert links(html, "/sitzung/") == [f"/sitzung/{m.pk}/" for m in upcoming]
    assert len(upcoming) == 8
    # a body whose runs all fell short says so, on both pages
    huertgenwald.sync_runs.update(outcome=SyncRun.Outcome.PARTIAL)
    assert "Noch nicht vollständig abgeglichen" in web.get("/").content.decode()
    body = web.get(f"/kommune/{huertgenwald.pk}/").content.decode()
    assert "noch kein vollständiger Abgleich" in body
    assert ": unvollständig</dd>" in body


# Body


def test_the_body_page_shows_counts_sync_state_organizations_and_lists(
    huertgenwald: Body, web: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with time_machine.travel(BEFORE_LAST_MEETINGS, tick=False), django_assert_max_num_queries(15):
        response = web.get(f"/kommune/{huertgenwald.pk}/")
    html = response.content.decode()
    assert '<h2 id="vorlagen">Vorlagen (2097)</h2>' in html
    assert '<h2 id="sitzungen">Sitzungen (346)</h2>' in html
    assert "<dt>Dateien</dt><dd>6947</dd>" in html
    assert "Letzter Abgleich" not in html  # it is the one shown as "Stand"
    organizations = Organization.objects.live().filter(body=huertgenwald)
    assert sorted(links(html, "/gremium/")) == sorted(f"/gremium/{o.pk}/" for o in organizations)
    assert len(organizations) == 22
    # The ended ones together, in one folded list after the current ones.
    ended = organizations.filter(end_date__lt=BEFORE_LAST_MEETINGS.date())
    folded = re.findall(r"<summary>Frühere Gremien \((\d+)\)</summary>(.*?)</details>", html, re.S)
    assert [(n, sorted(links(group, "/gremium/"))) for n, group in folded] == [
        (str(len(ended)), sorted(f"/gremium/{o.pk}/" for o in ended))
    ]
    assert ended
    # Undated papers last, on SQLite and PostgreSQL alike (their NULL orders differ).
    newest = (F("date").desc(nulls_last=True), "-pk")
    papers = Paper.objects.live().filter(body=huertgenwald).order_by(*newest)[:PAGE_SIZE]
    assert links(html, "/vorlage/") == [f"/vorlage/{p.pk}/" for p in papers]
    meetings = links(html, "/sitzung/")
    upcoming = Meeting.objects.live().filter(start__gte=BEFORE_LAST_MEETINGS).order_by("start")
    past = Meeting.objects.live().filter(start__lt=BEFORE_LAST_MEETINGS).order_by("-start", "-pk")
    assert meetings == [f"/sitzung/{m.pk}/" for m in [*upcoming, *past[:PAGE_SIZE]]]


def test_paging_by_keys_visits_every_paper_once_and_comes_back(huertgenwald: Body) -> None:
    """2,097 papers, five without a date and many sharing one: each shown exactly once."""
    seen, pages, token = [], [], None
    while True:
        page = body_page(huertgenwald.pk, Positions(papers=token)).papers
        seen += [p.pk for p in page.items]
        pages.append((page.earlier, [p.pk for p in page.items]))
        if page.later is None:
            break
        token = page.later
    expected = Paper.objects.live().filter(body=huertgenwald).order_by("-date", "-pk")
    nulls_last = [p.pk for p in expected if p.date] + [p.pk for p in expected if not p.date]
    assert seen == nulls_last
    assert len(pages) == -(-2097 // PAGE_SIZE)
    # and back: "Neuere" from every page shows the page before it
    for (earlier, _), (_, before) in zip(pages[1:], pages, strict=False):
        assert earlier is not None
        back = body_page(huertgenwald.pk, Positions(papers=earlier)).papers
        assert [p.pk for p in back.items] == before


def test_paging_one_list_keeps_the_place_of_the_others(huertgenwald: Body, web: Client) -> None:
    with time_machine.travel(BEFORE_LAST_MEETINGS, tick=False):
        first = web.get(f"/kommune/{huertgenwald.pk}/").content.decode()
        older_meetings = re.search(r'href="(\?vergangene=[^"#]+)#vergangene"', first)
        assert older_meetings is not None
        second = web.get(f"/kommune/{huertgenwald.pk}/" + unescape(older_meetings[1]))
        html = second.content.decode()
        older_papers = re.search(r'href="\?([^"#]*vorlagen=[^"#]+)#vorlagen" rel="next"', html)
        assert older_papers is not None
        query = unescape(older_papers[1])
    assert "vergangene=" in query  # the meetings stay where they were
    past = Meeting.objects.live().filter(start__lt=BEFORE_LAST_MEETINGS).order_by("-start", "-pk")
    assert f"/sitzung/{past[PAGE_SIZE].pk}/" in html
    # a position that is no cursor shows the list's first page
    newest = links(first, "/vorlage/")[0]
    for junk in ["x", "n2021-13-01_5", "v-_²", "n2021-01-01_" + "9" * 19, "q"]:
        response = web.get(f"/kommune/{huertgenwald.pk}/", {"vorlagen": junk, "vergangene": junk})
        assert response.status_code == 200
        assert links(response.content.decode(), "/vorlage/")[0] == newest, junk


def test_the_old_body_address_redirects_permanently(sample: Body, web: Client) -> None:
    response = web.get(f"/body/{sample.pk}/", {"vorlagen": "n2020-01-01_3"})
    assert response.status_code == 301
    assert response["Location"] == f"/kommune/{sample.pk}/?vorlagen=n2020-01-01_3"
    assert sample.get_absolute_url() == f"/kommune/{sample.pk}/"


def test_unknown_bodies_and_files_are_a_german_404(sample: Body, web: Client) -> None:
    for path in ["/kommune/999999/", "/datei/999999/", "/datei/999999/kopie/", "/nirgends/"]:
        response = web.get(path)
        assert response.status_code == 404, path
        assert "Diese Seite gibt es hier nicht" in response.content.decode()
    placeholder = File.objects.create(oparl_id="https://example.org/file/1", body=sample, stub=True)
    assert web.get(f"/datei/{placeholder.pk}/").status_code == 404


def test_a_server_error_gets_a_german_page() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Hier ist etwas schiefgegangen" in response.content.decode()


# File


def test_the_file_page_shows_what_the_file_is_and_where_it_belongs(
    sample: Body, web: Client
) -> None:
    born = File.objects.get(body=sample, file_name="born.pdf")
    paper = Paper.objects.get(main_file=born)
    html = web.get(born.get_absolute_url()).content.decode()
    size = (SAMPLE_FILES / "born.pdf").stat().st_size
    text = text_of(html)
    assert "Kommune Beispielstadt (Testdaten)" in text
    assert "Dateiname born.pdf" in text
    assert f"Größe {size / 1024:.1f} KB".replace(".", ",") in text
    assert "Typ application/pdf" in text
    assert "Seiten 3 " in text
    assert "Erstellt 15.01.2024, 09:00 Uhr" in text
    assert "Aktualisiert 15.01.2024, 09:00 Uhr" in text
    assert f'Hauptdokument der Vorlage <a href="/vorlage/{paper.pk}/">FB 02/0131/WP17:' in html
    assert f'href="/datei/{born.pk}/kopie/"' in html
    assert f'<a href="{born.access_url}" rel="noopener noreferrer">' in html
    assert re.findall(r'<h3 id="seite-(\d+)-titel">', html) == ["1", "2", "3"]
    assert "(Texterkennung)" not in html
    assert "Bürger-Portalen" in html
    assert '<meta property="og:title" content="Vorlage">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="http://testserver/datei/{born.pk}/">' in html
    shared = File.objects.filter(body=sample, file_name="twocol.pdf").get()
    assert "Anlage der Vorlage" in web.get(f"/datei/{shared.pk}/").content.decode()


@pytest.mark.parametrize("sample", [(4,)], indirect=True)
def test_a_long_file_page_stays_within_the_query_budget(
    sample: Body, web: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    protocol = File.objects.get(body=sample, file_name="tg_20230816.pdf")
    with django_assert_max_num_queries(15):
        html = web.get(f"/datei/{protocol.pk}/", {"q": "Grosser Rat"}).content.decode()
    assert len(re.findall(r'<section class="page" id="seite-', html)) == 48


def test_words_of_a_search_are_marked_in_the_text(sample: Body, web: Client) -> None:
    born = File.objects.get(body=sample, file_name="born.pdf")
    html = web.get(f"/datei/{born.pk}/", {"q": "Strategie -Kultur typ:datei"}).content.decode()
    marked = re.findall(r"<mark>([^<]*)</mark>", html)
    assert "Strategie" in marked
    assert {word.lower().removeprefix("digital") for word in marked} <= {
        "strategie",
        "strategiepapier",
    }
    assert f"<strong>{len(marked)}</strong> Fundstellen für „Strategie -Kultur typ:datei“" in html
    plain = web.get(f"/datei/{born.pk}/").content.decode()
    assert "<mark>" not in plain


def test_a_search_term_is_escaped_where_it_is_shown(sample: Body, web: Client) -> None:
    born = File.objects.get(body=sample, file_name="born.pdf")
    html = web.get(
        f"/datei/{born.pk}/", {"q": '<script>alert(1)</script> "Bürger'}
    ).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("sample", [(2,)], indirect=True)
def test_pages_read_by_ocr_are_marked(sample: Body, web: Client) -> None:
    scan = File.objects.get(body=sample, file_name="scan300.pdf")
    html = web.get(f"/datei/{scan.pk}/").content.decode()
    assert html.count('<span class="ocr">(Texterkennung)</span>') == 3
    assert "3 Seiten, davon 3 per Texterkennung (OCR) gelesen" in html


def test_our_copy_is_served_as_a_sandboxed_download(sample: Body, web: Client) -> None:
    born = File.objects.get(body=sample, file_name="born.pdf")
    response = web.get(f"/datei/{born.pk}/kopie/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (SAMPLE_FILES / "born.pdf").read_bytes()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="born.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_copy_lost_from_disk_is_not_found_and_the_page_still_shows(
    sample: Body, web: Client
) -> None:
    born = File.objects.get(body=sample, file_name="born.pdf")
    version = FileVersion.objects.get(file=born)
    blob_path(version.blob.sha256).unlink()
    assert web.get(f"/datei/{born.pk}/kopie/").status_code == 404
    assert web.get(f"/datei/{born.pk}/").status_code == 200


def test_a_file_we_could_not_load_says_why_and_offers_no_copy(
    client: HttpClient, web: Client
) -> None:
    with ReplayServer(sample_dataset((4,))) as server:
        body = synced(server, client)
        server.faults.not_found.add(f"{ROOT}/files/tg_abst.pdf")
        process_files(body, client)
    missing = File.objects.get(body=body, file_name="tg_abst.pdf")
    html = web.get(f"/datei/{missing.pk}/").content.decode()
    assert "<strong>Original nicht erreichbar</strong> (HTTP 404)." in html
    assert "/kopie/" not in html
    assert web.get(f"/datei/{missing.pk}/kopie/").status_code == 404


def test_the_pdf_view_is_offered_to_browsers_with_javascript_only(
    sample: Body, web: Client
) -> None:
    born = File.objects.get(body=sample, file_name="born.pdf")
    html = web.get(f"/datei/{born.pk}/").content.decode()
    assert '<script type="module" src="/static/web/pdfview.js"></script>' in html
    assert f'data-pdf="/datei/{born.pk}/kopie/"' in html
    assert 'data-pdfjs="/static/vendor/pdfjs/pdf.min.mjs"' in html
    assert 'data-worker="/static/vendor/pdfjs/pdf.worker.min.mjs"' in html
    for asset in ["/static/web/pdfview.js", "/static/vendor/pdfjs/pdf.min.mjs"]:
        assert web.get(asset).status_code == 200


# Furniture


def test_robots_and_the_sitemap_name_every_page(sample: Body, web: Client) -> None:
    robots = web.get("/robots.txt").content.decode()
    assert robots.splitlines() == [
        "User-agent: *",
        "Disallow: /suche/",
        "Disallow: /datei/*/kopie/",
        "Sitemap: http://testserver/sitemap.xml",
    ]
    index = web.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>http://testserver(/sitemap-\w+\.xml)</loc>", index)
    assert sections == [
        f"/sitemap-{s}.xml" for s in ("kommunen", "vorlagen", "sitzungen", "dateien")
    ]
    listed = {
        loc
        for section in sections
        for loc in re.findall(
            r"<loc>http://testserver([^<]+)</loc>", web.get(section).content.decode()
        )
    }
    expected = {f"/kommune/{sample.pk}/"}
    expected |= {f"/vorlage/{p.pk}/" for p in Paper.objects.live().filter(body=sample)}
    expected |= {f"/datei/{f.pk}/" for f in File.objects.live().filter(body=sample)}
    assert listed == expected
    call_command("index", stdout=StringIO())  # unrelated pages still answer
    assert web.get("/").status_code == 200


def test_every_page_has_one_h1_a_search_box_and_the_navigation(sample: Body, web: Client) -> None:
    born = File.objects.get(body=sample, file_name="born.pdf")
    for path in ["/", f"/kommune/{sample.pk}/", f"/datei/{born.pk}/", "/nirgends/"]:
        html = web.get(path).content.decode()
        assert html.count("<h1") == 1, path
        assert '<input id="header-q" name="q" type="search"' in html
        assert 'aria-label="Hauptnavigation"' in html
        assert "<footer" in html
        assert "style=" not in html
