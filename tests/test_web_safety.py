"""The web pages against hostile council data and hostile requests.

Council systems send whatever they hold; people type whatever they like.
Neither may run script in our pages or cause a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings

from ratsblick.council.models import File, Paper
from ratsblick.replay.dataset import RecordedDataset
from tests.web_data import councils

pytestmark = pytest.mark.django_db

HOSTILE = "javascript:alert(document.cookie)"


def make_hostile(dataset: RecordedDataset) -> None:
    """Script URLs in a paper's `web` and in its main file's `accessUrl`."""
    paper = next(p for p in dataset.lists[dataset.list_url("paper")] if "mainFile" in p)
    main_file = {**paper["mainFile"], "accessUrl": HOSTILE}
    dataset.change(paper["id"], web=HOSTILE, mainFile=main_file)


@pytest.fixture(scope="module")
def hostile_home(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    """The Hürtgenwald crawl made hostile, synced and indexed once for the module."""
    home = tmp_path_factory.mktemp("home")
    with django_db_blocker.unblock(), override_settings(HOME=home), councils(make_hostile):
        call_command("reindex", verbosity=0)
        yield home


@pytest.fixture(autouse=True)
def _indexed(hostile_home: Path, settings: Settings) -> None:
    """Each test's own home (conftest) replaced by the module's, where the index is."""
    settings.HOME = hostile_home


@pytest.fixture
def web() -> Client:
    return Client()


@pytest.fixture
def hostile_council() -> Paper:
    return Paper.objects.get(web=HOSTILE)


def test_council_urls_that_are_not_web_addresses_are_shown_as_text(
    hostile_council: Paper, web: Client
) -> None:
    assert hostile_council.web == HOSTILE  # stored as received
    file = File.objects.get(access_url=HOSTILE)
    file_page = web.get(f"/datei/{file.pk}/").content.decode()
    assert 'href="javascript:' not in file_page
    assert f"<dd>{HOSTILE}</dd>" in file_page
    body_page = web.get(f"/kommune/{hostile_council.body_id}/").content.decode()
    assert 'href="javascript:' not in body_page


def test_web_addresses_stay_links(hostile_council: Paper, web: Client) -> None:
    file = File.objects.live().exclude(access_url=HOSTILE).exclude(access_url="").first()
    assert file is not None
    assert file.access_url.startswith("http")
    page = web.get(f"/datei/{file.pk}/").content.decode()
    assert f'<a href="{file.access_url}" rel="noopener noreferrer">' in page


@pytest.mark.parametrize("path", ["/", "/suche/", "/suche/?q=Haushalt", "/nirgends/"])
def test_every_page_carries_a_strict_content_security_policy(
    hostile_council: Paper, web: Client, path: str
) -> None:
    policy = web.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_the_stylesheet_is_served_by_us(web: Client) -> None:
    page = web.get("/").content.decode()
    assert 'href="/static/web/ratsblick.css"' in page
    assert "<style" not in page
    css = web.get("/static/web/ratsblick.css")
    assert css.status_code == 200
    assert b"font-family" in b"".join(css.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path",
    [
        f"/kommune/{2**64}/",
        f"/datei/{2**64}/",
        f"/datei/{2**64}/kopie/",
        f"/kommune/{10**40}/",
        "/datei/²/",
        "/kommune/-1/",
    ],
)
def test_ids_that_no_row_can_have_are_not_found(web: Client, path: str) -> None:
    assert web.get(path).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Haus", "seite": "²"},
        {"q": "Haus", "kommune": "²"},
        {"q": "Haus", "gremium": "²"},
        {"q": "Haus", "kommune": str(2**64)},
        {"q": "Haus", "jahr": "9999"},
        {"q": "Haus", "jahr": "0201"},
        {"q": "Haus", "von": "1.1.1001", "bis": "31.12.9999"},
        {"q": "jahr:9999 Haus"},
        {"q": "von:0001 bis:99999"},
    ],
)
def test_odd_search_parameters_answer_normally(
    hostile_council: Paper, web: Client, params: dict[str, str]
) -> None:
    response = web.get("/suche/", params)
    assert response.status_code == 200
    assert " Treffer" in response.content.decode()


PARAMS = st.dictionaries(
    st.sampled_from(
        ["q", "seite", "kommune", "gremium", "typ", "jahr", "von", "bis", "sortierung"]
    ),
    st.one_of(
        st.text(max_size=30),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
        st.sampled_from(["²", "٣", "0", "-0", "1e9", "2021-02-30", "9999", "0000", " "]),
    ),
    max_size=5,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(params=PARAMS)
def test_generated_search_requests_never_fail(
    hostile_council: Paper, web: Client, params: dict[str, str]
) -> None:
    clean = {k: v.replace("\x00", "") for k, v in params.items()}
    assert web.get("/suche/", clean).status_code == 200, clean
