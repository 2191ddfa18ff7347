"""The paper page (Vorlage) on the synced Hürtgenwald crawl and the sample body."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count
from django.test import Client, override_settings
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker

from ratsblick.council.models import Body, Consultation, Meeting, Organization, Paper
from ratsblick.council.references import reference_stem
from ratsblick.reader import NotFound
from ratsblick.reader.papers import paper_page
from ratsblick.replay.dataset import RecordedDataset
from tests.web_data import councils

pytestmark = pytest.mark.django_db

RIM = "https://sdnetrim.kdvz-frechen.de/rim4220/webservice/oparl/v1.0/body/1"
BERLIN = ZoneInfo("Europe/Berlin")


def edit(dataset: RecordedDataset) -> None:
    """48/2018 gets OParl relations; a meeting it went to is cancelled."""
    dataset.change(
        f"{RIM}/paper/3018",
        relatedPaper=[f"{RIM}/paper/3162"],
        superordinatedPaper=[f"{RIM}/paper/3167"],
    )
    dataset.change(f"{RIM}/meeting/2171", cancelled=True)


@pytest.fixture(scope="module")
def council(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Body]:
    # Sample papers 1 (born-digital, Beratungsfolge in its text) and 3 (scanned pages).
    home = tmp_path_factory.mktemp("home")
    with (
        django_db_blocker.unblock(),
        override_settings(HOME=home),
        councils(edit, sample_papers=(1, 3)) as body,
    ):
        yield body


@pytest.fixture
def web() -> Client:
    return Client()


def paper(reference: str) -> Paper:
    return Paper.objects.live().get(reference=reference)


def html(web: Client, url: str) -> str:
    answer = web.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


def test_reference_stem_drops_a_supplements_suffix() -> None:
    assert reference_stem("159/2006") == "159/2006"
    assert reference_stem("159/2006 1. Ergänzung") == "159/2006"
    assert reference_stem("159/2006-1") == "159/2006"
    assert reference_stem("FB 02/0131/WP17-S") == "FB 02/0131/WP17"
    assert reference_stem(" 12/2020 2. Nachtrag ") == "12/2020"
    assert reference_stem("FB 02/0131/WP17") == "FB 02/0131/WP17"


def test_the_page_names_the_paper_and_links_its_body_and_committee(
    council: Body, web: Client
) -> None:
    shown = paper("48/2018")
    page = html(web, shown.get_absolute_url())
    assert shown.get_absolute_url() == f"/vorlage/{shown.pk}/"
    assert (
        '<h1 class="paper-title"><span class="reference">48/2018</span> Mehrzweckhalle Gey;'
        "<br>hier: Antrag zur Sanierung und Modernisierung vom 05.03.2018</h1>"
    ) in page
    assert "<div><dt>Art</dt><dd>Beschlussvorlage</dd></div>" in page
    assert '<dd><time datetime="2018-06-28">28.06.2018</time></dd>' in page
    assert f'<dd><a href="/kommune/{council.pk}/">Gemeinde Hürtgenwald</a></dd>' in page
    department = Organization.objects.get(name="Abteilung 4")
    assert (
        f'<dt>Federführend</dt><dd><a href="/gremium/{department.pk}/">Abteilung 4</a></dd>'
    ) in page
    assert (
        f'<a href="{shown.web}" rel="noopener noreferrer">'
        "Diese Vorlage im Ratsinformationssystem</a>"
    ) in page


def test_the_beratungsfolge_is_a_timeline_with_today_between_past_and_upcoming(
    council: Body, web: Client
) -> None:
    shown = paper("48/2018")
    council_meeting, school, youth = (
        Meeting.objects.get(oparl_id__endswith=f"/meeting/{n}") for n in (1085, 2171, 2172)
    )
    with time_machine.travel(datetime(2018, 6, 1, 12, tzinfo=BERLIN), tick=False):
        page = paper_page(shown.pk)
        text = html(web, f"/vorlage/{shown.pk}/")
    assert [(s.date, s.meeting and s.meeting.pk, s.upcoming) for s in page.steps] == [
        (date(2018, 4, 26), council_meeting.pk, False),
        (date(2018, 6, 5), school.pk, True),
        (date(2018, 6, 28), youth.pk, True),
    ]
    assert [[o.name for o in s.organizations] for s in page.steps] == [
        ["Gemeinderat"],
        ["Schulausschuss"],
        ["Ausschuss für Jugend, Kultur und Vereine"],
    ]
    assert [s.result for s in page.steps] == ["einstimmig, 0 Enthaltungen", "", ""]
    assert [s.meeting_cancelled for s in page.steps] == [False, True, False]
    assert (page.today, page.today_at, page.steps_from_text) == (date(2018, 6, 1), 1, False)
    item = council_meeting.agenda_items.get(number="7.")
    assert page.steps[0].agenda_item == item.pk
    # In the page: past step, then today, then the upcoming (one cancelled).
    anchor = f"/sitzung/{council_meeting.pk}/#top-{item.pk}"
    first = text.index(f'<a href="{anchor}">Gemeinderat (35. Sitzung), TOP 7.</a>')
    today = text.index(
        '<li class="today"><time datetime="2018-06-01">Heute, 01.06.2018</time></li>'
    )
    second = text.index(f'<a href="/sitzung/{school.pk}/">Schulausschuss (12. Sitzung)</a>')
    third = text.index(
        f'<a href="/sitzung/{youth.pk}/">Ausschuss für Jugend, Kultur und Vereine (6. Sitzung)</a>'
    )
    assert first < today < second < third
    assert '<span class="muted">Ergebnis:</span> einstimmig, 0 Enthaltungen' in text
    assert text.count('<span class="badge">geplant</span>') == 2
    step = text[second - 400 : second]
    assert '<strong class="badge badge-warn">abgesagt</strong>' in step


def test_today_after_every_step_comes_last(council: Body) -> None:
    with time_machine.travel(datetime(2020, 1, 1, 12, tzinfo=BERLIN), tick=False):
        page = paper_page(paper("48/2018").pk)
    assert page.today_at == 3
    assert not any(step.upcoming for step in page.steps)


def test_the_files_are_listed_with_their_state_and_link_to_their_pages(
    council: Body, web: Client
) -> None:
    shown = paper("48/2018")
    page = html(web, f"/vorlage/{shown.pk}/")
    main = shown.main_file
    assert main is not None
    (other,) = shown.auxiliary_files.all()
    assert (
        f'<li><a href="/datei/{main.pk}/">{main.name}</a> <span class="badge">Vorlage</span>'
    ) in page
    assert (
        f'<li><a href="/datei/{other.pk}/">Beschlussvorlage (Antrag Mehrzweckhalle Gey)</a>\n'
        in page
    )
    assert page.count("PDF · noch nicht geladen") == 2  # files not fetched here


def test_related_papers_from_oparl_and_from_the_reference_stem(council: Body, web: Client) -> None:
    shown = paper("48/2018")
    page = paper_page(shown.pk)
    assert [(r.reference, r.relation) for r in page.related] == [
        ("48/2018 1. Ergänzung", "gleiche Nummer"),
        ("154/2018", "verwandt"),
        ("159/2018", "übergeordnet"),
    ]
    supplement = paper("48/2018 1. Ergänzung")
    assert [(r.reference, r.relation) for r in paper_page(supplement.pk).related] == [
        ("48/2018", "gleiche Nummer")
    ]
    text = html(web, f"/vorlage/{shown.pk}/")
    assert (
        f'<li><a href="/vorlage/{supplement.pk}/">48/2018 1. Ergänzung: Mehrzweckhalle Gey;\n'
        "hier: Antrag zur Sanierung und Modernisierung vom 05.03.2018</a>"
    ) in text


def test_facts_and_beratungsfolge_from_the_text_when_oparl_has_no_consultations(
    council: Body, web: Client
) -> None:
    shown = paper("FB 02/0131/WP17")
    page = paper_page(shown.pk)
    assert page.steps_from_text
    assert [(s.date, s.committee, s.role, s.meeting) for s in page.steps] == [
        (
            date(2018, 4, 11),
            "Ausschuss für Arbeit, Wirtschaft und Wissenschaft",
            "Kenntnisnahme",
            None,
        )
    ]
    text = html(web, f"/vorlage/{shown.pk}/")
    assert "<div><dt>Status</dt><dd>öffentlich</dd></div>" in text
    assert "<dt>Verfasser</dt><dd>FB 02</dd>" in text
    assert (
        '<h2 id="beschlussvorschlag">Beschlussvorschlag</h2>\n  <div class="quote"><p>'
        "Der Ausschuss für Arbeit, Wirtschaft und Wissenschaft nimmt den Sachstandsbericht "
        "zur Interfraktionellen Arbeitsgruppe „Digitale Strategie“ zur Kenntnis.</p></div>"
    ) in text
    assert (
        "Aus dem Text der Vorlage gelesen; das Ratsinformationssystem nennt keine Beratungen."
        in text
    )
    committee = "Ausschuss für Arbeit, Wirtschaft und Wissenschaft"
    assert f'{committee} <span class="muted">· Kenntnisnahme</span>' in text
    # Its files were read: pages counted, none by OCR.
    assert page.main_file is not None
    listed = text[text.index(f'<li><a href="/datei/{page.main_file.pk}/">') :]
    assert listed.startswith(
        f'<li><a href="/datei/{page.main_file.pk}/">Vorlage</a> <span class="badge">Vorlage</span>'
        '\n  <span class="meta">PDF · 46,5\xa0KB · 3 Seiten</span></li>'
    ), listed[:300]
    # The same stem: the scanned version of the sample.
    assert [(r.reference, r.relation) for r in page.related] == [
        ("FB 02/0131/WP17-M", "gleiche Nummer")
    ]


def test_pages_read_by_ocr_are_marked(council: Body, web: Client) -> None:
    shown = paper("FB 02/0131/WP17-M")
    page = paper_page(shown.pk)
    assert page.main_file is not None
    assert (page.main_file.pages, page.main_file.ocr_pages) == (6, 4)
    text = html(web, f"/vorlage/{shown.pk}/")
    assert ' · 6 Seiten · <span class="ocr-mark">4 davon per Texterkennung (OCR)</span>' in text


def test_unknown_deleted_and_placeholder_papers_are_404(council: Body, web: Client) -> None:
    deleted = Paper.objects.filter(deleted=True).first()
    assert deleted is not None
    stub = Paper.objects.create(oparl_id="https://example.org/paper/stub", stub=True, body=council)
    for pk in (deleted.pk, stub.pk, 10**17):
        with pytest.raises(NotFound):
            paper_page(pk)
        assert web.get(f"/vorlage/{pk}/").status_code == 404
    assert web.get("/vorlage/1234567890123456789/").status_code == 404  # beyond a bigint


def test_a_consultation_links_to_its_paper(council: Body) -> None:
    consultation = Consultation.objects.live().exclude(paper=None).first()
    assert consultation is not None
    assert consultation.get_absolute_url() == f"/vorlage/{consultation.paper_id}/"
    assert Consultation(paper=None).get_absolute_url() == ""


def test_the_richest_paper_takes_at_most_15_queries(
    council: Body, web: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    richest = (
        Paper.objects.live()
        .annotate(n=Count("consultations", distinct=True) + Count("auxiliary_files", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    assert richest is not None
    assert richest.n >= 80
    with django_assert_max_num_queries(15):
        assert web.get(f"/vorlage/{richest.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert web.get(f"/vorlage/{paper('48/2018').pk}/").status_code == 200
