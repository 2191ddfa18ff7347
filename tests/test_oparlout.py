"""OParl 1.1 out: every object of the synced test councils valid against the
official schemas, paging by key with a flat query count, the list filters,
and a round trip: our own output synced back reproduces what we hold."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

from ratsblick.council.models import OPARL_MODELS, Body, File, Paper
from ratsblick.council.sync import add_body, sync_body
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from tests.canonical import canonical_dump
from tests.conftest import FAST
from tests.web_data import councils

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parents[2] / "shared" / "data" / "oparl" / "schema"
RIM = "https://sdnetrim.kdvz-frechen.de/rim4220/webservice/oparl/v1.0/body/1"
DELETED_PAPER = f"{RIM}/paper/3018"
SYSTEM = "/oparl/v1.1/"
QUERY_BOUND = 20


def edit(dataset: RecordedDataset) -> None:
    """One paper is deleted at the council: it stays in our lists, marked."""
    dataset.delete(DELETED_PAPER)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def council(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, home: Path
) -> Iterator[Body]:
    with (
        django_db_blocker.unblock(),
        override_settings(HOME=home),
        councils(edit, sample_papers=(1,)) as body,
    ):
        yield body


def _checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("url")
    def url(value: object) -> bool:
        parts = urlsplit(str(value))
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    @checker.checks("date")
    def is_date(value: object) -> bool:
        return bool(date.fromisoformat(str(value)))

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value: object) -> bool:
        return datetime.fromisoformat(str(value)).tzinfo is not None

    return checker


class Validator:
    """Validates objects against their type's schema.

    An embedded object is the same rendering as the object in its own list:
    it is checked to equal that (and so validated once, where it is listed).
    """

    def __init__(self) -> None:
        checker = _checker()
        self.schemas = {path.stem: json.loads(path.read_text()) for path in SCHEMAS.glob("*.json")}
        self.validators = {
            name: jsonschema.Draft7Validator(schema, format_checker=checker)
            for name, schema in self.schemas.items()
        }
        self.counts: dict[str, int] = {}
        self.seen: dict[str, dict[str, Any]] = {}
        self.embedded: list[dict[str, Any]] = []

    def validate(self, obj: dict[str, Any]) -> None:
        kind = obj["type"].rsplit("/", 1)[-1]
        self.validators[kind].validate(obj)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.seen[obj["id"]] = obj
        for name, prop in self.schemas[kind]["properties"].items():
            embedded = prop.get("schema") or prop.get("items", {}).get("schema")
            if embedded and name in obj and prop["type"] in ("object", "array"):
                for child in obj[name] if isinstance(obj[name], list) else [obj[name]]:
                    assert child["type"].endswith("/" + embedded.removesuffix(".json"))
                    self.embedded.append(child)

    def check_embedded(self) -> int:
        """Embedded objects equal their listed selves; those listed nowhere
        (a body's location belongs to no body's list) are validated here."""
        for child in self.embedded:
            if child["id"] in self.seen:
                assert child == self.seen[child["id"]], child["id"]
            else:
                self.validate(child)
        return len(self.embedded)


class ValidatingClient(HttpClient):
    """A real HTTP client that validates every OParl object it receives."""

    def __init__(self, validator: Validator) -> None:
        super().__init__(FAST)
        self.validator = validator
        self.lock = threading.Lock()

    def get_json(self, url: str) -> Any:
        payload = super().get_json(url)
        with self.lock:
            for obj in payload.get("data", [payload]):
                self.validator.validate(obj)
        return payload


def get(web: Client, url: str) -> Any:
    response = web.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def walk(web: Client, url: str) -> Iterator[dict[str, Any]]:
    """Every entry of a list, following `links.next`."""
    pages = 0
    while url:
        page = get(web, url)
        yield from page["data"]
        url = page["links"].get("next", "")
        pages += 1
        assert pages < 1000


BODY_LISTS = {
    "legislativeTermList": "LegislativeTerm",
    "locationList": "Location",
    "organization": "Organization",
    "person": "Person",
    "membership": "Membership",
    "meeting": "Meeting",
    "agendaItem": "AgendaItem",
    "paper": "Paper",
    "consultation": "Consultation",
    "file": "File",
}


def test_the_sample_body_and_the_system_validate(council: Body) -> None:
    """The sample body's files carry our copy and text; Hürtgenwald is walked
    and validated by the round trip below."""
    web = Client()
    validator = Validator()
    system = get(web, SYSTEM)
    validator.validate(system)
    bodies = list(walk(web, system["body"]))
    assert len(bodies) == Body.objects.filter(subscribed=True).count() == 2
    for body in bodies:
        validator.validate(body)
        assert body["system"] == system["id"]
    (sample,) = [b for b in bodies if b["id"] != f"http://testserver/oparl/v1.1/body/{council.pk}/"]
    for prop in BODY_LISTS:
        for obj in walk(web, sample[prop]):
            validator.validate(obj)
    validator.check_embedded()
    assert validator.counts["Paper"] == 1
    assert validator.counts["File"] == 2


def test_one_object_and_its_embedded_parts(council: Body) -> None:
    web = Client()
    paper = (
        Paper.objects.live().filter(body__name__contains="Beispiel").first()
        or Paper.objects.live().exclude(main_file=None).first()
    )
    assert paper is not None
    found = get(web, f"/oparl/v1.1/paper/{paper.pk}/")
    assert found["id"] == f"http://testserver/oparl/v1.1/paper/{paper.pk}/"
    assert found["body"] == f"http://testserver/oparl/v1.1/body/{paper.body_id}/"
    if paper.main_file_id:
        main = found["mainFile"]
        assert main["id"].endswith(f"/file/{paper.main_file_id}/")


def test_files_point_at_our_copy_and_carry_our_text(
    council: Body, home: Path, settings: Any
) -> None:
    settings.HOME = home
    web = Client()
    file = File.objects.live().filter(versions__isnull=False).first()
    assert file is not None
    found = get(web, f"/oparl/v1.1/file/{file.pk}/")
    assert found["accessUrl"] == f"http://testserver/datei/{file.pk}/kopie/"
    assert found["downloadUrl"] == found["accessUrl"]
    assert len(found["text"]) > 100
    assert web.get(f"/datei/{file.pk}/kopie/").status_code == 200


def test_deleted_objects_stay_in_the_list_marked(council: Body) -> None:
    web = Client()
    gone = Paper.objects.get(oparl_id__endswith=DELETED_PAPER.removeprefix(RIM))
    found = get(web, f"/oparl/v1.1/paper/{gone.pk}/")
    assert found["deleted"] is True
    assert "name" not in found
    since = gone.modified.isoformat() if gone.modified else "2000-01-01T00:00:00+00:00"
    listed = [
        o["id"]
        for o in walk(
            web,
            f"/oparl/v1.1/body/{gone.body_id}/paper/?modified_since={since}".replace("+", "%2B"),
        )
    ]
    assert found["id"] in listed


def test_modified_since_and_until_filter(council: Body) -> None:
    web = Client()
    papers = Paper.objects.filter(body=council, stub=False).exclude(modified=None)
    middle = sorted(papers.values_list("modified", flat=True))[len(papers) // 2]
    stamp = middle.isoformat().replace("+", "%2B")
    newer = list(
        walk(web, f"/oparl/v1.1/body/{council.pk}/paper/?limit=1000&modified_since={stamp}")
    )
    older = list(
        walk(web, f"/oparl/v1.1/body/{council.pk}/paper/?limit=1000&modified_until={stamp}")
    )
    undated = Paper.objects.filter(body=council, stub=False, modified=None).count()
    assert len(newer) == papers.filter(modified__gte=middle).count() + undated
    assert len(older) == papers.filter(modified__lte=middle).count()
    assert 0 < len(newer) < papers.count()


def test_pages_follow_by_key_and_cost_the_same_queries(council: Body) -> None:
    web = Client()
    base = f"/oparl/v1.1/body/{council.pk}/"
    for name in ("meeting", "paper", "person", "agendaitem", "file", "organization"):
        costs = []
        for limit in (20, 1000):
            with CaptureQueriesContext(connection) as queries:
                page = get(web, f"{base}{name}/?limit={limit}")
            assert len(page["data"]) == limit or limit > 20
            assert "OFFSET" not in " ".join(q["sql"] for q in queries.captured_queries).upper()
            costs.append(len(queries.captured_queries))
        # One query per embedded level and many-to-many property, whatever the
        # page holds (a property no object of a page has costs none).
        assert costs[1] <= QUERY_BOUND, (name, costs)
        assert costs[1] - costs[0] <= 3, (name, costs)
    first = get(web, f"{base}paper/?limit=7")
    second = get(web, first["links"]["next"])
    assert "after=" in first["links"]["next"]
    ids = [o["id"] for o in first["data"] + second["data"]]
    assert len(set(ids)) == 14
    assert ids == sorted(ids, key=lambda u: int(u.rstrip("/").rsplit("/", 1)[-1]))


def test_bad_parameters_are_a_clear_400(council: Body) -> None:
    web = Client()
    base = f"/oparl/v1.1/body/{council.pk}/paper/"
    for query in (
        "modified_since=gestern",
        "modified_since=2024-01-01T00:00:00",
        "limit=0",
        "limit=5000",
        "after=x",
    ):
        response = web.get(f"{base}?{query}")
        assert response.status_code == 400, query
        assert "ist" in response.json()["error"]
    assert web.get("/oparl/v1.1/body/999999/paper/").status_code == 404
    assert web.get(f"/oparl/v1.1/body/{council.pk}/vorlage/").status_code == 404
    assert web.get("/oparl/v1.1/paper/999999999/").status_code == 404
    assert web.get("/oparl/v1.1/quatsch/1/").status_code == 404


def _expected(
    kind: str, row: dict[str, Any], ours: dict[str, str], copies: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """What a row of ours must become after a sync of our own output.

    References are our URLs; a deleted object keeps what OParl keeps of it; a
    placeholder stays one; a file points at our copy and carries our text.
    """
    if row["stub"]:
        return {"stub": True}
    if row["deleted"]:
        return {k: row[k] for k in ("deleted", "created", "modified")}
    out = {}
    for name, value in row.items():
        if name in ROUND_TRIP_IGNORED:
            continue
        if isinstance(value, str) and value in ours:
            out[name] = ours[value]
        elif isinstance(value, list) and value and all(v in ours for v in value):
            out[name] = sorted(ours[v] for v in value)
        else:
            out[name] = value
    if kind == "File" and row["oparl_id"] in copies:
        out["access_url"] = out["download_url"] = copies[row["oparl_id"]][0]
        out["text"] = copies[row["oparl_id"]][1] or row["text"]
    return out


ROUND_TRIP_IGNORED = {"oparl_id", "raw", "content_hash", "substance_hash", "fetch_error", "system"}


@pytest.fixture
def loopback_server() -> Iterator[LiveServer]:
    """A real server of this process on loopback, sharing the test database.

    Not pytest-django's `live_server`: a test that uses it runs outside a
    transaction and flushes the database, so the module's council would be
    synced twice.
    """
    server = LiveServer("localhost")
    try:
        yield server
    finally:
        server.stop()


def test_our_output_validates_and_synced_back_reproduces_what_we_hold(
    council: Body, loopback_server: LiveServer
) -> None:
    """add-body + sync of our own OParl output, served by a real server: every
    object it reads validates against the official schemas, and the objects
    stored are the same as ours, under our ids."""
    before = canonical_dump()
    base = f"{loopback_server.url}/oparl/v1.1/"
    ours = {
        oparl_id: f"{base}{kind.value.lower()}/{pk}/"
        for kind, model in OPARL_MODELS.items()
        for pk, oparl_id in model.objects.values_list("pk", "oparl_id")
    }
    copies = {
        oparl_id: (f"{loopback_server.url}/datei/{pk}/kopie/", text or "")
        for pk, oparl_id, text in File.objects.filter(versions__isnull=False).values_list(
            "pk", "oparl_id", "versions__blob__extraction__text"
        )
    }
    validator = Validator()
    with ValidatingClient(validator) as client:
        (copy,) = add_body(f"{base}body/{council.pk}/", client)
        run = sync_body(copy, client)
    assert run.outcome == run.Outcome.OK, run.notes
    embedded = validator.check_embedded()
    for kind, model in OPARL_MODELS.items():
        if kind.value not in ("System", "Body"):
            held = model.objects.filter(body=council, stub=False).count()
            assert validator.counts.get(kind.value, 0) >= held, kind
    print(f"validated {sum(validator.counts.values())} objects: {validator.counts}")
    print(f"{embedded} embedded objects equal to their listed selves")
    after = canonical_dump()
    compared = 0
    for kind, rows in before.items():
        if kind == "System":
            continue
        model = OPARL_MODELS[kind]  # type: ignore[index]
        mine = set(
            model.objects.filter(body=council, stub=False).values_list("oparl_id", flat=True)
        )
        for oparl_id in mine:
            expected = _expected(kind, {**rows[oparl_id], "oparl_id": oparl_id}, ours, copies)
            got = after[kind].get(ours[oparl_id])
            assert got is not None, (kind, oparl_id)
            got = {k: got[k] for k in expected}
            assert got == expected, (kind, oparl_id)
            compared += 1
    assert compared > 15_000
    print(f"round trip: {compared} objects the same")
