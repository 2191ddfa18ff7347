"""Alerts by e-mail against a real SMTP server on loopback (aiosmtpd in a thread) and
a small council on a real replay server: double opt-in, digests with exactly the new
matches after a sync, one-click unsubscribe, following a paper, an organization and
a person, a crash in the middle of sending, rate limits, and that no answer tells
whether an address is subscribed."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ratsblick.alerts import mails
from ratsblick.alerts.models import Mail, SeenKey, Subscriber, Subscription, Token
from ratsblick.alerts.outbox import deliver
from ratsblick.alerts.sending import send_alerts
from ratsblick.alerts.transport import SmtpTransport, configured_transport, smtp_server
from ratsblick.council.models import Body, File, Meeting, Organization, Paper, Person
from ratsblick.council.sync import add_body, sync_body
from ratsblick.files import pipeline
from ratsblick.indexing.service import index_changes
from ratsblick.jobs import embedded
from ratsblick.oparl.http import HttpClient
from ratsblick.reader import alerts as reader_alerts
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.sample import SAMPLE_FILES
from ratsblick.replay.server import ReplayServer
from tests.conftest import FAST
from tests.helpers import backdate_syncs, free_port

pytestmark = pytest.mark.django_db

ROOT = "https://ris.alarmstadt.example/oparl/v1.1"
SCHEMA = "https://schema.oparl.org/1.1/"
BODY = f"{ROOT}/body/1"
CREATED = "2024-02-01T09:00:00+01:00"
BASE = "https://ratsblick.example"
ADDRESS = "erika@example.org"


# -- a small council: an organization, a person, a meeting, a paper with a file ------


def _obj(kind: str, key: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"{BODY}/{kind.lower()}/{key}",
        "type": SCHEMA + kind,
        "created": CREATED,
        "modified": CREATED,
        **fields,
    }


def _file(key: str, pdf: str) -> dict[str, Any]:
    return _obj(
        "File",
        key,
        name="Vorlage",
        fileName=pdf,
        mimeType="application/pdf",
        accessUrl=f"{ROOT}/files/{pdf}",
    )


def _paper(key: str, name: str, reference: str, **fields: Any) -> dict[str, Any]:
    return _obj(
        "Paper",
        key,
        name=name,
        reference=reference,
        date="2024-02-01",
        paperType="Antrag",
        originatorPerson=[f"{BODY}/person/1"],
        **fields,
    )


def small_council(with_file: bool = True) -> RecordedDataset:
    """The council; `with_file=False` leaves its paper without a file (nothing to read)."""
    system = {
        "id": f"{ROOT}/system",
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "body": f"{ROOT}/bodies",
    }
    body = _obj(
        "Body",
        "1",
        name="Alarmstadt (Testdaten)",
        paper=f"{BODY}/paper",
        organization=f"{BODY}/organization",
        person=f"{BODY}/person",
        meeting=f"{BODY}/meeting",
    )
    body["id"] = BODY
    committee = _obj("Organization", "1", name="Bauausschuss")
    person = _obj("Person", "1", name="Erika Mustermann")
    meeting = _obj(
        "Meeting",
        "1",
        name="Bauausschuss (3. Sitzung)",
        start="2024-03-05T18:00:00+01:00",
        organization=[committee["id"]],
        agendaItem=[_obj("AgendaItem", "1", number="1", name="Radweg", result="")],
    )
    paper = _paper(
        "1",
        "Radweg an der Hauptstraße",
        "12/2024",
        **({"mainFile": _file("1", "born.pdf")} if with_file else {}),
        consultation=[
            _obj(
                "Consultation",
                "1",
                meeting=meeting["id"],
                agendaItem=f"{BODY}/agendaitem/1",
                organization=[committee["id"]],
                role="Beratung",
            )
        ],
    )
    lists = {
        system["body"]: [body],
        body["paper"]: [paper],
        body["organization"]: [committee],
        body["person"]: [person],
        body["meeting"]: [meeting],
    }
    files = {f"{ROOT}/files/{p.name}": p for p in SAMPLE_FILES.glob("*.pdf")}
    return RecordedDataset(system, lists, set(), files)


@dataclass
class Council:
    server: ReplayServer
    client: HttpClient
    body: Body

    @property
    def dataset(self) -> RecordedDataset:
        assert isinstance(self.server.dataset, RecordedDataset)
        return self.server.dataset

    def resync(self) -> None:
        """What a pipeline round does before sending: sync, fetch the files, index."""
        sync_body(self.body, self.client, margin=timedelta(0))
        backdate_syncs(self.body)
        for file in pipeline.files_due(self.body):
            pipeline.fetch_file(file.pk, self.client)
        index_changes()


@contextmanager
def synced_council(dataset: RecordedDataset) -> Iterator[Council]:
    with HttpClient(FAST) as client, ReplayServer(dataset) as server:
        (body,) = add_body(server.system_url, client)
        found = Council(server, client, body)
        found.resync()
        yield found


@pytest.fixture
def council() -> Iterator[Council]:
    with synced_council(small_council()) as found:
        yield found


@pytest.fixture
def council_without_files() -> Iterator[Council]:
    """For a whole pipeline round: no file whose reading would start extraction workers."""
    with synced_council(small_council(with_file=False)) as found:
        yield found


# -- a real SMTP server ---------------------------------------------------------------


@dataclass
class Inbox:
    """What the loopback SMTP server accepted, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def inbox(smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> Inbox:
    found, port = smtp
    with found.lock:
        found.messages.clear()
    monkeypatch.setenv("RATSBLICK_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("RATSBLICK_SMTP_TLS", "none")
    monkeypatch.setenv("RATSBLICK_BASE_URL", BASE)
    monkeypatch.setenv("RATSBLICK_MAIL_FROM", "Ratsblick <alarm@ratsblick.example>")
    cache.clear()  # the rate limits' counters
    return found


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and the HTML part of a mail (both must be there)."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


def link(message: EmailMessage, path: str) -> str:
    """The one absolute link of the mail's text to a path starting with `path`."""
    text, _ = parts(message)
    (found,) = set(re.findall(re.escape(BASE + path) + r"\S*", text))
    return found.removeprefix(BASE)


def subscribe(web: Client, page: str, address: str = ADDRESS, **data: str) -> None:
    answer = web.post(page, {"email": address, "frequency": "immediately", **data})
    assert answer.status_code == 302, answer.content.decode()[:500]
    assert answer["Location"] == reverse("alerts:requested")


def confirm(web: Client, inbox: Inbox, address: str = ADDRESS) -> str:
    """Confirm by the link of the newest mail to the address; the manage page's path."""
    (*_, newest) = (m for m in inbox.to(address) if m["Subject"].startswith("Bitte bestätigen"))
    path = link(newest, "/benachrichtigung/bestaetigen/")
    assert web.get(path).status_code == 200  # a page with a button: a GET confirms nothing
    answer = web.post(path)
    assert answer.status_code == 302
    return str(answer["Location"])


def one_click_unsubscribe(digest: EmailMessage) -> str:
    """Post to the mail's List-Unsubscribe URL as a mail program does: without a CSRF
    token, with the body RFC 8058 prescribes. The answer page."""
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (target,) = re.findall(r"<([^>]+)>", digest["List-Unsubscribe"])
    assert target.startswith(f"{BASE}/benachrichtigungen/")
    answer = Client(enforce_csrf_checks=True).post(
        target.removeprefix(BASE),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    return answer.content.decode()


def new_paper(council: Council, key: str, name: str, reference: str) -> None:
    council.dataset.add("paper", _paper(key, name, reference))


def change_file(council: Council, pdf: str, **paper: Any) -> None:
    """The first paper's main file gets other bytes (and the paper other `paper` fields)."""
    found = council.dataset.lookup(f"{BODY}/paper/1")
    assert found is not None
    main = {**found["mainFile"], "accessUrl": f"{ROOT}/files/{pdf}"}
    council.dataset.change(found["id"], mainFile=main, **paper)


# -- the tests ------------------------------------------------------------------------


def test_a_saved_search_mails_only_matches_new_since_the_last_mail(
    council: Council, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_alerts, "SEARCH_PAGE", 1)  # the matches read page by page
    web = Client(enforce_csrf_checks=False)
    form = web.get(reverse("alerts:save_search"), {"q": "Radweg", "seite": "3"})
    assert "Suche „Radweg“" in form.content.decode()
    subscribe(web, reverse("alerts:save_search"), q="Radweg", typ="vorlage")

    (confirmation,) = inbox.to(ADDRESS)
    assert confirmation["Subject"] == "Bitte bestätigen: Benachrichtigung zu „Radweg“ (1 Filter)"
    text, html = parts(confirmation)
    assert "Bitte bestätigen Sie das mit diesem Link" in text
    assert f'href="{BASE}/suche/?q=Radweg&amp;typ=vorlage"' in html
    manage_page = confirm(web, inbox)
    assert "Ihre Benachrichtigung ist bestätigt." in web.get(manage_page).content.decode()

    # What matched when the search was saved is not news.
    send_alerts()
    assert len(inbox.to(ADDRESS)) == 1

    new_paper(council, "2", "Radweg nach Vossenack", "13/2024")
    new_paper(council, "3", "Haushaltssatzung 2025", "14/2024")  # no match
    change_file(council, "twocol.pdf")  # of the paper that matched already
    council.resync()
    report = send_alerts()
    assert (report.composed.mails, report.delivery.sent) == (1, 1)
    digest = inbox.to(ADDRESS)[-1]
    assert digest["Subject"] == "2 Neuigkeiten zu „Radweg“ (1 Filter)"
    text, html = parts(digest)
    fresh = Paper.objects.get(reference="13/2024")
    assert "Neuer Treffer: 13/2024 Radweg nach Vossenack (01.02.2024)" in text
    assert f"{BASE}/vorlage/{fresh.pk}/" in text
    assert f'href="{BASE}/vorlage/{fresh.pk}/"' in html
    old = Paper.objects.get(reference="12/2024")
    assert f"/vorlage/{old.pk}/" not in text
    assert "Haushalt" not in text
    assert "<mark>Radweg</mark>" in html  # the snippet, highlighted
    file = File.objects.get(oparl_id__endswith="/file/1")
    assert "Datei geändert: Vorlage (" in text
    assert f"Was sich geändert hat: {BASE}{reverse('web:file_changes', args=[file.pk])}" in text

    # Nothing new, nothing sent; the seen keys are the two matches.
    assert send_alerts().composed.mails == 0
    assert len(inbox.to(ADDRESS)) == 2
    (subscription,) = Subscription.objects.filter(state=Subscription.State.ACTIVE)
    versions = file.versions.order_by("pk").values_list("blob_id", flat=True)
    assert set(subscription.seen.values_list("key", flat=True)) == {
        f"paper:{old.pk}",
        f"paper:{fresh.pk}",
        f"version:{file.pk}:{versions[1]}",
    }

    # RFC 8058: the mail program posts to the List-Unsubscribe URL, without a CSRF token.
    assert "keine E-Mails mehr" in one_click_unsubscribe(digest)
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.ENDED
    new_paper(council, "4", "Radweg am Kall", "15/2024")
    council.resync()
    assert send_alerts().composed.mails == 0
    assert len(inbox.to(ADDRESS)) == 2


def test_following_a_paper_reports_a_step_a_result_and_a_changed_file(
    council: Council, inbox: Inbox
) -> None:
    paper = Paper.objects.get(reference="12/2024")
    web = Client()
    subscribe(web, reverse("alerts:follow", args=["vorlage", paper.pk]))
    assert inbox.to(ADDRESS)[0]["Subject"] == (
        "Bitte bestätigen: Benachrichtigung zu Vorlage 12/2024 Radweg an der Hauptstraße"
    )
    confirm(web, inbox)

    meeting = council.dataset.lookup(f"{BODY}/meeting/1")
    assert meeting is not None
    item = {**meeting["agendaItem"][0], "result": "einstimmig beschlossen"}
    council.dataset.change(meeting["id"], agendaItem=[item])
    paper_json = council.dataset.lookup(f"{BODY}/paper/1")
    assert paper_json is not None
    second = {
        **paper_json["consultation"][0],
        "id": f"{BODY}/consultation/2",
        "role": "Entscheidung",
        "meeting": None,
        "agendaItem": None,
    }
    change_file(council, "twocol.pdf", consultation=[paper_json["consultation"][0], second])
    council.resync()
    send_alerts()
    digest = inbox.to(ADDRESS)[-1]
    text, _ = parts(digest)
    assert digest["Subject"].startswith("3 Neuigkeiten zu Vorlage 12/2024")
    assert "Neuer Beratungsschritt: Entscheidung" in text
    assert "Ergebnis: Bauausschuss (3. Sitzung) (05.03.2024)\n  einstimmig beschlossen" in text
    file = File.objects.get(oparl_id__endswith="/file/1")
    assert "Datei geändert: Vorlage" in text
    assert f"{BASE}/datei/{file.pk}/" in text
    changes = reverse("web:file_changes", args=[file.pk])
    assert f"Was sich geändert hat: {BASE}{changes}" in text


def test_following_an_organization_and_a_person(council: Council, inbox: Inbox) -> None:
    committee = Organization.objects.get(name="Bauausschuss")
    person = Person.objects.get(name="Erika Mustermann")
    web = Client()
    subscribe(web, reverse("alerts:follow", args=["gremium", committee.pk]))
    confirm(web, inbox)
    subscribe(web, reverse("alerts:follow", args=["person", person.pk]), frequency="daily")
    manage_page = confirm(web, inbox)
    assert web.get(manage_page).content.decode().count("Abbestellen</button>") == 2

    meeting = council.dataset.lookup(f"{BODY}/meeting/1")
    assert meeting is not None
    council.dataset.change(meeting["id"], start="2024-03-12T18:00:00+01:00")
    council.dataset.add(
        "meeting",
        _obj(
            "Meeting",
            "2",
            name="Bauausschuss (4. Sitzung)",
            start="2024-04-09T18:00:00+01:00",
            cancelled=True,
            organization=[f"{BODY}/organization/1"],
        ),
    )
    new_paper(council, "2", "Spielplatz am Markt", "16/2024")
    council.resync()
    send_alerts()
    # The daily person alert was checked at confirmation: not due yet.
    (digest,) = inbox.to(ADDRESS)[2:]
    text, _ = parts(digest)
    assert (
        "Sitzung verlegt: Bauausschuss (3. Sitzung) (12.03.2024)\n  Beginn: 12.03.2024, 18:00 Uhr"
        in text
    )
    assert "Neue Sitzung: Bauausschuss (4. Sitzung) (09.04.2024)" in text
    assert "Sitzung abgesagt: Bauausschuss (4. Sitzung)" in text
    assert "Sitzung verlegt: Bauausschuss (4. Sitzung)" not in text  # new, not moved

    Subscription.objects.filter(kind=Subscription.Kind.PERSON).update(
        checked_at=timezone.now() - timedelta(days=1)
    )
    send_alerts()
    (digest,) = inbox.to(ADDRESS)[3:]
    text, _ = parts(digest)
    fresh = Paper.objects.get(reference="16/2024")
    assert digest["Subject"] == "1 Neuigkeit zu Person Erika Mustermann"
    assert (
        f"Neue Vorlage: 16/2024 Spielplatz am Markt (01.02.2024)\n  {BASE}/vorlage/{fresh.pk}/"
        in text
    )
    assert Meeting.objects.filter(cancelled=True).count() == 1

    # The manage page changes one subscription's frequency and ends another.
    organization, person = (Subscription.objects.get(kind=k) for k in ("organization", "person"))
    change = {"abo": organization.pk, "frequency": "weekly", "aktion": "aendern"}
    assert web.post(manage_page, change).status_code == 302
    assert web.post(manage_page, {"abo": person.pk, "aktion": "abbestellen"}).status_code == 302
    organization.refresh_from_db()
    person.refresh_from_db()
    assert (organization.frequency, person.state) == ("weekly", Subscription.State.ENDED)
    assert web.get(manage_page).content.decode().count("Abbestellen</button>") == 1


class Crash(BaseException):
    """The process dying: no handler of ours catches it."""


class CrashingTransport(SmtpTransport):
    """A real SMTP connection that dies at the `at`-th mail, before or after the
    server accepted it."""

    def __init__(self, at: int, after_accept: bool) -> None:
        server = smtp_server()
        assert server is not None
        super().__init__(server)
        self.at, self.after_accept, self.count = at, after_accept, 0

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        self.count += 1
        if self.count == self.at and not self.after_accept:
            raise Crash
        super().send(sender, recipient, message, message_id)
        if self.count == self.at:
            raise Crash


def _outbox(count: int) -> list[Mail]:
    """Mails waiting to be sent (manage links), to new addresses."""
    first = Subscriber.objects.count()
    subscribers = [
        Subscriber.objects.create(email=f"p{n}@example.org", created_at=timezone.now())
        for n in range(first, first + count)
    ]
    return [mails.manage_link(s) for s in subscribers]


def _received_ids(inbox: Inbox) -> list[str]:
    with inbox.lock:
        return [str(m["Message-ID"]) for m in inbox.messages]


def test_a_crash_mid_sending_sends_no_mail_twice_and_loses_none(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _outbox(3)
    with pytest.raises(Crash):
        deliver(CrashingTransport(at=2, after_accept=False))
    states = [Mail.objects.get(pk=m.pk).state for m in written]
    assert states == [Mail.State.SENT, Mail.State.SENDING, Mail.State.PENDING]
    assert _received_ids(inbox) == [written[0].message_id]

    # Restarted: the claim of the dead run is not taken back before its time.
    assert deliver(configured_transport()).sent == 1
    assert _received_ids(inbox) == [written[0].message_id, written[2].message_id]
    monkeypatch.setenv("RATSBLICK_MAIL_CLAIM_SECONDS", "0")
    report = deliver(configured_transport())
    assert (report.retried, report.sent) == (1, 1)
    assert sorted(_received_ids(inbox)) == sorted(m.message_id for m in written)
    assert set(Mail.objects.values_list("state", flat=True)) == {Mail.State.SENT}
    assert set(Mail.objects.values_list("message", flat=True)) == {""}  # no tokens kept

    # The documented window: dead after the server's "250", before our mark. The mail
    # goes again, with the same Message-ID.
    inbox.messages.clear()
    (late,) = _outbox(1)
    with pytest.raises(Crash):
        deliver(CrashingTransport(at=1, after_accept=True))
    assert deliver(configured_transport()).sent == 1
    assert _received_ids(inbox) == [late.message_id, late.message_id]


def test_a_crash_while_writing_a_digest_loses_no_news(
    council: Council, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = Client()
    subscribe(web, reverse("alerts:save_search"), q="Radweg")
    confirm(web, inbox)
    new_paper(council, "2", "Radweg nach Vossenack", "13/2024")
    council.resync()

    def broken(*args: object) -> Mail:
        raise RuntimeError("disk full")

    seen = SeenKey.objects.count()
    with monkeypatch.context() as faulty:
        faulty.setattr(mails, "digest", broken)
        with pytest.raises(RuntimeError):
            send_alerts()
    assert (SeenKey.objects.count(), Mail.objects.filter(state="pending").count()) == (seen, 0)
    send_alerts()
    assert "Radweg nach Vossenack" in parts(inbox.to(ADDRESS)[-1])[0]


def test_rate_limits_per_client_and_per_address(
    council: Council, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSBLICK_ALERTS_CLIENT_LIMIT", "2")
    monkeypatch.setenv("RATSBLICK_ALERTS_ADDRESS_LIMIT", "1")
    page = reverse("alerts:save_search")
    web = Client(REMOTE_ADDR="192.0.2.7")
    subscribe(web, page, q="Radweg")
    subscribe(web, page, "other@example.org", q="Radweg")
    answer = web.post(page, {"email": "third@example.org", "frequency": "daily", "q": "Radweg"})
    assert answer.status_code == 429
    assert "Zu viele Anfragen" in answer.content.decode()
    # Another client, the same address: the same answer, but no second mail that day.
    subscribe(Client(REMOTE_ADDR="198.51.100.9"), page, q="Haushalt")
    assert [m["To"] for m in inbox.messages] == [ADDRESS, "other@example.org"]
    # Behind our proxy the client is the address the proxy saw.
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert (
        proxied.post(page, {"email": "x@example.org", "frequency": "daily", "q": "a"}).status_code
        == 429
    )


def test_no_answer_tells_whether_an_address_is_subscribed(council: Council, inbox: Inbox) -> None:
    page = reverse("alerts:follow", args=["gremium", Organization.objects.get().pk])
    web = Client()
    subscribe(web, page)
    confirm(web, inbox)

    def answers(address: str) -> tuple[int, str, str]:
        subscribed = web.post(page, {"email": address, "frequency": "weekly"})
        lost = web.post(reverse("alerts:lost_link"), {"email": address})
        return subscribed.status_code, subscribed["Location"], lost["Location"]

    assert answers(ADDRESS) == answers("nobody@example.org")
    # The mail flow is the same too: a confirmation to each; the manage link only to
    # the address that has alerts (which tells its owner only).
    subjects = [(m["To"], m["Subject"].split(":")[0]) for m in inbox.messages[1:]]
    assert subjects == [
        (ADDRESS, "Bitte bestätigen"),
        (ADDRESS, "Ihre Benachrichtigungen bei Ratsblick"),
        ("nobody@example.org", "Bitte bestätigen"),
    ]
    # Confirming again merges into the one subscription, at the new frequency.
    confirm(web, inbox)
    (kept,) = Subscription.objects.filter(subscriber__email=ADDRESS)
    assert (kept.state, kept.frequency) == (Subscription.State.ACTIVE, "weekly")


def test_tokens_are_stored_hashed_and_used_once(council: Council, inbox: Inbox) -> None:
    web = Client()
    subscribe(web, reverse("alerts:save_search"), q="Radweg")
    path = link(inbox.to(ADDRESS)[-1], "/benachrichtigung/bestaetigen/")
    raw = path.rstrip("/").rsplit("/", 1)[1]
    assert len(raw) >= 43
    assert not Token.objects.filter(digest__contains=raw[:20]).exists()
    assert raw not in "".join(Mail.objects.values_list("message", flat=True))  # sent: emptied
    assert web.post(path).status_code == 302
    again = web.post(path)
    assert again.status_code == 404
    assert "Dieser Link gilt nicht" in again.content.decode()
    assert web.get("/benachrichtigungen/" + "A" * 43 + "/").status_code == 404


def test_without_a_server_mails_land_in_the_home_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RATSBLICK_SMTP_URL", raising=False)
    monkeypatch.delenv("RATSBLICK_SMTP_HOST", raising=False)
    (mail,) = _outbox(1)
    assert deliver(configured_transport()).sent == 1
    Mail.objects.filter(pk=mail.pk).update(state=Mail.State.PENDING, message=mail.message)
    assert deliver(configured_transport()).sent == 1  # sent again: the same file
    (written,) = (Path(settings.HOME) / "mail").glob("*.eml")
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == mail.message_id
    assert parsed["Subject"] == "Ihre Benachrichtigungen bei Ratsblick"

    # The operator page lists it and shows it, its links clickable; only to the operator.
    web = Client()
    mail_page = reverse("alerts:folder_mail", args=[written.name])
    assert web.get(mail_page).status_code == 302  # to the login
    web.force_login(User.objects.create_user("betrieb", password="geheim-genug"))
    listed = web.get(reverse("ops:status")).content.decode()
    assert "Postausgang: 0 wartend, 0 im Versand, 1 gesendet, 0 aufgegeben." in listed
    assert f'<a href="{mail_page}">Ihre Benachrichtigungen bei Ratsblick</a>' in listed
    shown = web.get(mail_page).content.decode()
    assert re.search(r'<a href="http://127\.0\.0\.1:8000/benachrichtigungen/[\w-]+/"', shown)
    assert web.get(reverse("alerts:folder_mail", args=["nichts.eml"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_embedded_round_sends_what_its_sync_brought(
    council_without_files: Council, inbox: Inbox, loopback_commands: None
) -> None:
    council = council_without_files
    web = Client()
    subscribe(web, reverse("alerts:save_search"), q="Radweg")
    confirm(web, inbox)
    backdate_syncs(council.body)
    new_paper(council, "2", "Radweg nach Vossenack", "13/2024")
    assert embedded.run_round() is True
    digest = inbox.to(ADDRESS)[-1]
    assert digest["Subject"] == "1 Neuigkeit zu „Radweg“"
    assert "13/2024 Radweg nach Vossenack" in parts(digest)[0]


def test_bad_input_gets_a_german_answer_and_sends_nothing(
    council: Council, inbox: Inbox, tmp_path: Path, settings: Any
) -> None:
    page = reverse("alerts:save_search")
    web = Client()
    typo = web.post(page, {"email": "erika.example.org", "frequency": "daily", "q": "Radweg"})
    assert typo.status_code == 200
    assert "gültige E-Mail-Adresse" in typo.content.decode()
    odd = web.post(page, {"email": ADDRESS, "frequency": "stündlich", "q": "Radweg"})
    assert "gültige Auswahl" in odd.content.decode()
    settings.HOME = tmp_path  # no search index here yet
    early = web.post(page, {"email": ADDRESS, "frequency": "daily", "q": "Radweg"})
    assert early.status_code == 503
    assert "Suchindex wird noch aufgebaut" in early.content.decode()
    assert 'value="Radweg"' in early.content.decode()  # the form keeps what was typed
    assert (inbox.messages, Subscription.objects.count()) == ([], 0)
    # A paper named over lines with a long title makes a one-line subject.
    Paper.objects.filter(reference="12/2024").update(name="Radweg\nan der\r\nHauptstraße " * 20)
    follow = reverse("alerts:follow", args=["vorlage", Paper.objects.get(reference="12/2024").pk])
    subscribe(web, follow)
    (mail,) = inbox.to(ADDRESS)
    assert mail["Subject"].startswith(
        "Bitte bestätigen: Benachrichtigung zu Vorlage 12/2024 Radweg an der"
    )
    assert len(mail["Subject"]) == 160


def test_a_round_forgets_what_no_one_needs_any_more(council: Council, inbox: Inbox) -> None:
    web = Client()
    subscribe(web, reverse("alerts:follow", args=["person", Person.objects.get().pk]))
    manage_page = confirm(web, inbox)
    subscribe(web, reverse("alerts:save_search"), "late@example.org", q="Radweg")
    long_ago = timezone.now() - timedelta(days=401)
    Subscription.objects.filter(subscriber__email="late@example.org").update(created_at=long_ago)
    Mail.objects.update(created_at=long_ago)
    assert web.post(manage_page, {"aktion": "alle"}).status_code == 302
    send_alerts()
    assert (Subscriber.objects.count(), SeenKey.objects.count(), Token.objects.count()) == (0, 0, 0)
    assert Mail.objects.count() == 0
    assert web.get(manage_page).status_code == 404  # the address is gone with its links


def test_a_mail_setting_that_cannot_work_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATSBLICK_SMTP_URL", "mail.example.org:587")
    monkeypatch.setenv("RATSBLICK_BASE_URL", "ratsblick.example.org")
    found = {m.id: m.msg for m in run_checks() if m.id and m.id.startswith("ratsblick.alerts")}
    assert found == {
        "ratsblick.alerts.E001": "RATSBLICK_SMTP_URL: expected smtp://… or smtps://…, "
        "got 'mail.example.org:587'",
        "ratsblick.alerts.E002": "RATSBLICK_BASE_URL: expected http://… or https://…, "
        "got 'ratsblick.example.org'",
    }
