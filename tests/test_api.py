"""The JSON API on the synced Hürtgenwald crawl and a sample paper with a real PDF:
search, objects by id, lists per body, file text, caching, the rate limit, and
schemathesis fuzzing every operation against the published schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import Settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ratsblick.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from ratsblick.files.models import Extraction
from tests.web_data import module_home

pytestmark = pytest.mark.django_db

API = "/api/v1"
MODELS = {
    "organizations": Organization,
    "persons": Person,
    "memberships": Membership,
    "meetings": Meeting,
    "agenda-items": AgendaItem,
    "papers": Paper,
    "consultations": Consultation,
    "files": File,
    "locations": Location,
}


# Hürtgenwald and the sample paper 1 (born-digital PDF, read), indexed.
council_home = module_home((1,), indexed=True)


@pytest.fixture(autouse=True)
def _indexed(council_home: Path, settings: Settings) -> None:
    """The module's home (with the index), and a rate limit no test but its own reaches."""
    settings.HOME = council_home
    settings.RATSBLICK_API_RATE = "100000/m"
    cache.clear()


@pytest.fixture
def web() -> Client:
    return Client()


def get(web: Client, path: str, status: int = 200, **params: Any) -> Any:
    answer = web.get(API + path, params)
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"].startswith("application/json")
    return answer.json()


def hurtgenwald() -> Body:
    return Body.objects.get(name__contains="Hürtgenwald")


def test_bodies_with_their_counts() -> None:
    bodies = {b["id"]: b for b in get(Client(), "/bodies")}
    body = hurtgenwald()
    assert set(bodies) == set(Body.objects.filter(subscribed=True).values_list("pk", flat=True))
    mine = bodies[body.pk]
    assert mine["counts"]["papers"] == Paper.objects.live().filter(body=body).count()
    assert mine["counts"]["meetings"] == Meeting.objects.live().filter(body=body).count()
    assert mine["last_success"] is not None
    assert mine["page"] == f"/kommune/{body.pk}/"
    assert get(Client(), f"/bodies/{body.pk}") == mine


@pytest.mark.parametrize("kind", list(MODELS))
def test_every_kind_by_id(web: Client, kind: str) -> None:
    row = MODELS[kind].objects.live().order_by("pk").last()
    assert row is not None
    found = get(web, f"/{kind}/{row.pk}")
    assert (found["id"], found["oparl_id"], found["body"]) == (row.pk, row.oparl_id, row.body_id)


def test_a_paper_names_its_files_and_people(web: Client) -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    found = get(web, f"/papers/{paper.pk}")
    assert (found["reference"], found["main_file"]) == ("159/2006", paper.main_file_id)
    assert found["page"] == f"/vorlage/{paper.pk}/"
    assert found["auxiliary_files"] == sorted(
        paper.auxiliary_files.live().values_list("pk", flat=True)
    )
    assert found["modified"] is not None


def test_council_json_of_another_shape_is_served_as_the_schema_says(web: Client) -> None:
    person = Person.objects.live().order_by("pk").first()
    location = Location.objects.live().order_by("pk").first()
    assert person is not None
    assert location is not None
    Person.objects.filter(pk=person.pk).update(title={"kein": "Liste"}, status=[None, 5, "Rat"])
    Location.objects.filter(pk=location.pk).update(geojson=[6.3, 50.7])
    found = get(web, f"/persons/{person.pk}")
    assert (found["title"], found["status"]) == ([], ["5", "Rat"])
    assert get(web, f"/locations/{location.pk}")["geojson"] is None


def test_unknown_deleted_and_placeholder_ids_are_404(web: Client) -> None:
    deleted = Paper.objects.live().order_by("pk").first()
    assert deleted is not None
    Paper.objects.filter(pk=deleted.pk).update(deleted=True)
    stub = Person.objects.create(oparl_id="https://example.org/person/stub", stub=True)
    assert get(web, f"/papers/{deleted.pk}", 404) == {
        "detail": f"Vorlage {deleted.pk} gibt es hier nicht."
    }
    assert get(web, f"/persons/{stub.pk}", 404)["detail"] == f"Person {stub.pk} gibt es hier nicht."
    assert get(web, "/meetings/9223372036854775807", 404)["detail"].startswith("Sitzung")


@pytest.mark.parametrize("path", ["/papers/0", "/papers/99999999999999999999", "/papers/x"])
def test_an_id_out_of_range_is_422(web: Client, path: str) -> None:
    answer = get(web, path, 422)
    assert answer["detail"] == "Ungültige Angabe in der Anfrage."
    assert answer["errors"][0]["loc"] == ["path", "id"]


def walk(web: Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = get(web, path, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_a_list_walks_every_live_object_once_by_id(web: Client) -> None:
    body = hurtgenwald()
    items = walk(web, f"/bodies/{body.pk}/papers", limit=100)
    ids = [p["id"] for p in items]
    assert ids == sorted(Paper.objects.live().filter(body=body).values_list("pk", flat=True))


def test_modified_since_leaves_out_what_did_not_change(web: Client) -> None:
    body = hurtgenwald()
    times = sorted(
        Meeting.objects.live()
        .filter(body=body, modified__isnull=False)
        .values_list("modified", flat=True)
    )
    since = times[len(times) // 2]
    items = walk(web, f"/bodies/{body.pk}/meetings", modified_since=since.isoformat(), limit=100)
    assert {m["id"] for m in items} == set(
        Meeting.objects.live().filter(body=body, modified__gte=since).values_list("pk", flat=True)
    )
    assert 0 < len(items) < len(times)


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"cursor": "kaputt"}, 400, "Dieser Cursor gehört zu keiner Liste; bitte neu beginnen."),
        (
            {"cursor": "n9999-12-31T23:59:59-05:00_1"},
            400,
            "Dieser Cursor gehört zu keiner Liste; bitte neu beginnen.",
        ),
        (
            {"modified_since": "0001-01-01T00:00:00+05:00"},
            400,
            "Dieser Zeitpunkt liegt außerhalb der Jahre 1 bis 9999.",
        ),
        ({"cursor": "v-_12"}, 400, "Dieser Cursor gehört zu keiner Liste; bitte neu beginnen."),
        ({"modified_since": "2020-01-01T00:00:00"}, 422, "Ungültige Angabe in der Anfrage."),
        ({"limit": "0"}, 422, "Ungültige Angabe in der Anfrage."),
        ({"limit": "101"}, 422, "Ungültige Angabe in der Anfrage."),
    ],
)
def test_bad_list_parameters_are_told(
    web: Client, params: dict[str, str], status: int, detail: str
) -> None:
    answer = get(web, f"/bodies/{hurtgenwald().pk}/files", status, **params)
    assert answer["detail"] == detail


def test_a_list_of_a_body_we_do_not_follow_is_404(web: Client) -> None:
    unfollowed = Body.objects.create(oparl_id="https://example.org/body/x", subscribed=False)
    assert get(web, f"/bodies/{unfollowed.pk}/papers", 404) == {
        "detail": f"Kommune {unfollowed.pk} gibt es hier nicht."
    }


def test_a_drucksachen_nr_finds_its_paper_first_with_facets(web: Client) -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    answer = get(web, "/search", q="159/2006")
    first = answer["results"][0]
    assert (first["kind"], first["id"], first["reference"]) == ("paper", paper.pk, "159/2006")
    assert first["page"] == f"/vorlage/{paper.pk}/"
    assert {v["value"] for v in answer["facets"]["kind"]} >= {"paper"}
    assert answer["facets"]["body"][0]["label"] == hurtgenwald().name


def test_search_pages_by_cursor_without_overlap_and_filters(web: Client) -> None:
    first = get(web, "/search", q="Gemeinde", type="paper", sort="date", limit=10)
    assert first["next_cursor"] is not None
    second = get(web, "/search", q="Gemeinde", type="paper", sort="date", limit=10,
                 cursor=first["next_cursor"])  # fmt: skip
    seen = [r["id"] for r in first["results"]], [r["id"] for r in second["results"]]
    assert len(seen[0]) == len(seen[1]) == 10
    assert not set(seen[0]) & set(seen[1])
    assert {r["kind"] for r in first["results"] + second["results"]} == {"paper"}
    days = [r["date"] for r in first["results"] + second["results"] if r["date"]]
    assert days == sorted(days, reverse=True)


def test_search_without_snippets_finds_the_same(web: Client) -> None:
    with_snippets = get(web, "/search", q="Gemeinde", limit=10)["results"]
    without = get(web, "/search", q="Gemeinde", limit=10, snippets="false")["results"]
    assert [r["id"] for r in without] == [r["id"] for r in with_snippets]
    assert any(r["snippet"] for r in with_snippets)
    assert not any(r["snippet"] for r in without)


def test_the_query_language_works_in_the_api(web: Client) -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    assert paper.date is not None
    year = paper.date.year
    as_paper = get(web, "/search", q=f"159/2006 typ:vorlage jahr:{year}")["results"]
    assert [r["kind"] for r in as_paper] == ["paper"] * len(as_paper)
    assert as_paper[0]["id"] == paper.pk
    later = get(web, "/search", q=f"159/2006 typ:vorlage jahr:{year + 1}")["results"]
    assert paper.pk not in {r["id"] for r in later}
    as_meeting = get(web, "/search", q="159/2006 typ:sitzung")["results"]
    assert {r["kind"] for r in as_meeting} <= {"meeting"}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "Gemeinde", "cursor": "o99999"}, 400),
        ({"q": "Gemeinde", "cursor": "20"}, 400),
        ({"q": "Gemeinde", "sort": "zufall"}, 422),
        ({"q": "Gemeinde", "type": "vorlage"}, 422),
        ({"q": "Gemeinde", "body": "99999999999999999999"}, 422),
        ({"q": "Gemeinde", "date_from": "2020-13-01"}, 422),
    ],
)
def test_bad_search_parameters_are_told(web: Client, params: dict[str, str], status: int) -> None:
    assert get(web, "/search", status, **params)["detail"]


def test_the_search_feed_follows_the_query_language_newest_first(web: Client) -> None:
    """The Atom feed of a search (here, where the index is; the other feeds are in
    `test_feeds`)."""
    answer = web.get("/suche/feed.atom", {"q": "Gemeinde typ:vorlage"})
    assert answer["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Ratsblick – Suche: Gemeinde typ:vorlage"
    assert feed.feed.link == "http://testserver/suche/?q=Gemeinde+typ%3Avorlage"
    assert feed.entries
    assert {e.tags[0].term for e in feed.entries} == {"Vorlage"}
    papers = Paper.objects.in_bulk(
        [int(e.link.rstrip("/").rsplit("/", 1)[1]) for e in feed.entries]
    )
    days = [papers[int(e.link.rstrip("/").rsplit("/", 1)[1])].date for e in feed.entries]
    dated = [d for d in days if d is not None]
    assert dated == sorted(dated, reverse=True)


def test_search_without_an_index_is_503_with_retry_after(
    web: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.HOME = tmp_path
    answer = web.get(f"{API}/search", {"q": "Gemeinde"})
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("Die Suche wird gerade aufgebaut")
    assert answer["Retry-After"] == "60"


def test_a_file_s_text_page_by_page(web: Client) -> None:
    extraction = Extraction.objects.filter(status=Extraction.Status.OK, pages__gt=1).first()
    assert extraction is not None
    file = File.objects.live().filter(versions__blob__extraction=extraction).first()
    assert file is not None
    text = get(web, f"/files/{file.pk}/text")
    assert [p["number"] for p in text["pages"]] == list(range(1, extraction.pages + 1))
    stored = extraction.page_set.get(number=2).text
    second = get(web, f"/files/{file.pk}/text/2")
    assert second == text["pages"][1]
    assert second["text"].split() == stored.split()
    answer = get(web, f"/files/{file.pk}/text/{extraction.pages + 1}", 404)
    assert answer["detail"] == f"Datei {file.pk} hat keine gelesene Seite {extraction.pages + 1}."
    record = get(web, f"/files/{file.pk}")
    assert (record["pages"], record["copy"]) == (extraction.pages, f"/datei/{file.pk}/kopie/")


def test_caching_headers_and_conditional_get(web: Client) -> None:
    paper = Paper.objects.live().get(reference="159/2006")
    answer = web.get(f"{API}/papers/{paper.pk}")
    assert answer["Cache-Control"] == "public, max-age=60"
    etag, modified = answer["ETag"], answer["Last-Modified"]
    assert paper.modified is not None
    assert modified
    again = web.get(f"{API}/papers/{paper.pk}", HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content) == (304, b"")
    since = web.get(f"{API}/papers/{paper.pk}", HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    Paper.objects.filter(pk=paper.pk).update(name="Neu", modified=paper.modified + timedelta(1))
    changed = web.get(f"{API}/papers/{paper.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["name"] == "Neu"
    missing = web.get(f"{API}/papers/9223372036854775807")
    assert missing["Cache-Control"] == "no-store"
    assert not missing.has_header("ETag")


def test_the_rate_limit_answers_429_per_client(settings: Settings) -> None:
    settings.RATSBLICK_API_RATE = "3/m"
    client = Client(REMOTE_ADDR="8.8.4.4")
    for _ in range(3):
        assert client.get(f"{API}/bodies").status_code == 200
    refused = client.get(f"{API}/bodies")
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Zu viele Anfragen von dieser Adresse. Bitte später erneut versuchen."
    }
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address still gets answers; a public peer cannot pose as one by a header.
    assert Client(REMOTE_ADDR="9.9.9.9").get(f"{API}/bodies").status_code == 200
    posing = Client(REMOTE_ADDR="8.8.4.4", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert posing.get(f"{API}/bodies").status_code == 429
    # Behind our proxy (a private peer) the client is the address the proxy added.
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="8.8.4.4")
    assert proxied.get(f"{API}/bodies").status_code == 429


def test_the_docs_page_is_ours_and_lists_every_operation(web: Client) -> None:
    schema = web.get(f"{API}/openapi.json").json()
    page = web.get(f"{API}/")
    assert page.status_code == 200
    html = page.content.decode()
    for path, methods in schema["paths"].items():
        for method in methods:
            assert f"<code>{method.upper()} {path}</code>" in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="https?://(?!oparl\.org)', html)
    assert 'href="/api/v1/openapi.json"' in html


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """Requests through the WSGI handler keep the test's database connection (and its
    transaction), as Django's test client does: at the end of a request the handler
    closes it otherwise."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


fuzzed = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", WSGIHandler())


@pytest.mark.usefixtures("_connection_kept")
def test_fuzzed_requests_get_no_5xx_and_match_the_schema() -> None:
    """Any request the schema allows, for every operation: no server error, a documented
    status, content type and body. (Opaque cursors are valid strings to the schema and
    still refused, so the check that every schema-valid request succeeds does not apply.)

    One test walking the operations rather than `fuzzed.parametrize()`: under
    pytest-xdist that ran the first operation only and dropped the other 22 silently.
    """
    operations = [result.ok() for result in fuzzed.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ]
            )

        fuzz()
