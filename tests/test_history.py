"""History of changes through the real path: sync, change at the council, sync again.

One module fixture syncs Hürtgenwald, changes a paper's name, a meeting's
start and an agenda item's name at the replayed council and syncs
incrementally; the sample body's born-digital paper gets new file bytes (a
sentence added on page 1, page 3 gone) and its files are read twice.
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import feedparser
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker

from ratsblick.council.models import AgendaItem, Body, File, Meeting, Paper, Revision
from ratsblick.council.sync import sync_body
from ratsblick.files.models import Blob, FileVersion
from ratsblick.files.pipeline import process_files
from ratsblick.history.changes import changes_of
from ratsblick.oparl.http import HttpClient
from ratsblick.oparl.schema import ObjectType
from ratsblick.reader.history import file_changes, meeting_changes
from ratsblick.replay.dataset import RecordedDataset, now_iso
from ratsblick.replay.sample import BODY as SAMPLE_BODY
from ratsblick.replay.sample import SAMPLE_FILES, sample_dataset
from ratsblick.replay.server import Faults, ReplayServer
from tests.conftest import FAST
from tests.helpers import backdate_syncs, synced

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

RIM = "https://sdnetrim.kdvz-frechen.de/rim4220/webservice/oparl/v1.0/body/1"
PAPER = f"{RIM}/paper/60"
BUMPED = f"{RIM}/paper/782"  # only its `modified` changes
MEETING = f"{RIM}/meeting/898"
ITEM = f"{RIM}/agendaitem/7247"
GONE = f"{RIM}/meeting/2171"
ADDED = "Nachtrag: Die Verwaltung ergänzt einen Zeitplan für Bürgerinnen."
SIGN_ADDED = '<span class="sign" aria-hidden="true">+</span>'
SIGN_REMOVED = '<span class="sign" aria-hidden="true">−</span>'


@dataclass(frozen=True)
class Synced:
    body: Body
    sample: Body
    paper: Paper
    meeting: Meeting
    item: AgendaItem
    file: File


def with_sentence_and_without_last_page(source: Path) -> bytes:
    """`source` with a sentence added to page 1 and its last page deleted."""
    pdf = pdfium.PdfDocument(source)
    page = pdf[0]
    font = pdfium_c.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    text = pdfium_c.FPDFPageObj_CreateTextObj(pdf.raw, font, 11.0)
    wide = ctypes.create_string_buffer((ADDED + "\0").encode("utf-16-le"))
    pdfium_c.FPDFText_SetText(text, ctypes.cast(wide, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
    pdfium_c.FPDFPageObj_Transform(text, 1, 0, 0, 1, 72, 60)
    pdfium_c.FPDFPage_InsertObject(page.raw, text)
    page.gen_content()
    pdf.del_page(len(pdf) - 1)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def _changed_at_the_council(dataset: RecordedDataset) -> None:
    dataset.change(PAPER, name="Umbesetzungen im Bau- und Umweltausschuss")
    dataset.change(BUMPED)
    meeting = dataset.lookup(MEETING)
    assert meeting is not None
    items = [
        {**item, "name": "Fragestunde für Einwohnerinnen und Einwohner"}
        if item["id"] == ITEM
        else item
        for item in meeting["agendaItem"]
    ]
    dataset.change(MEETING, start="2016-04-07T19:30:00+02:00", agendaItem=items)
    dataset.delete(GONE)


def _new_bytes(sample: RecordedDataset, folder: Path) -> None:
    """The main file of sample paper 1 gets new content, and its `modified` says so."""
    changed = folder / "born-2.pdf"
    changed.write_bytes(with_sentence_and_without_last_page(SAMPLE_FILES / "born.pdf"))
    paper_id = f"{SAMPLE_BODY}/paper/1"
    paper = sample.lookup(paper_id)
    assert paper is not None
    sample.files[paper["mainFile"]["accessUrl"]] = changed
    sample.change(paper_id, mainFile={**paper["mainFile"], "modified": now_iso()})


@pytest.fixture(scope="module")
def synced_twice(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Synced]:
    home = tmp_path_factory.mktemp("home")
    dataset, sample = RecordedDataset.load(), sample_dataset((1,))
    with django_db_blocker.unblock(), override_settings(HOME=home):
        try:
            with HttpClient(FAST) as client:
                with ReplayServer(dataset, faults=Faults(empty_list_404=True)) as server:
                    body = synced(server, client)
                    backdate_syncs(body)
                    _changed_at_the_council(dataset)
                    sync_body(body, client, margin=timedelta(0))
                with ReplayServer(sample) as server:
                    sample_body = synced(server, client)
                    process_files(sample_body, client)
                    backdate_syncs(sample_body)
                    _new_bytes(sample, home)
                    sync_body(sample_body, client, margin=timedelta(0))
                    process_files(sample_body, client)
            yield Synced(
                body=body,
                sample=sample_body,
                paper=Paper.objects.get(oparl_id__endswith="/paper/60"),
                meeting=Meeting.objects.get(oparl_id__endswith="/meeting/898"),
                item=AgendaItem.objects.get(oparl_id__endswith="/agendaitem/7247"),
                file=File.objects.get(oparl_id__endswith="/file/1-born.pdf"),
            )
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_a_sync_keeps_what_changed_old_to_new(synced_twice: Synced) -> None:
    (change,) = changes_of(ObjectType.PAPER, [synced_twice.paper.pk])
    assert [(f.label, f.old, f.new) for f in change.fields] == [
        (
            "Bezeichnung",
            "Umbesetzungen im Bauausschuss",
            "Umbesetzungen im Bau- und Umweltausschuss",
        )
    ]
    (change,) = changes_of(ObjectType.MEETING, [synced_twice.meeting.pk])
    assert [(f.label, f.old, f.new) for f in change.fields] == [
        ("Beginn", "07.04.2016, 18:00 Uhr", "07.04.2016, 19:30 Uhr")
    ]
    (change,) = changes_of(ObjectType.AGENDA_ITEM, [synced_twice.item.pk])
    assert [f.new for f in change.fields] == ["Fragestunde für Einwohnerinnen und Einwohner"]
    # only what changed has a revision: the paper, the meeting, one of its 15 items, the deleted
    # one; not the paper whose `modified` alone moved, though its row has the new time
    assert Revision.objects.filter(body=synced_twice.body).count() == 4
    bumped = Paper.objects.get(oparl_id__endswith=BUMPED.removeprefix(RIM))
    assert bumped.modified is not None
    assert synced_twice.paper.modified is not None  # both bumped at the council at once
    assert abs(bumped.modified - synced_twice.paper.modified) < timedelta(minutes=1)
    assert changes_of(ObjectType.PAPER, [bumped.pk]) == []


def test_the_paper_changes_page(
    synced_twice: Synced, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse("web:paper_changes", args=[synced_twice.paper.pk])
    with django_assert_max_num_queries(15):
        response = Client().get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Änderungen: Umbesetzungen im Bau- und Umweltausschuss</h1>" in html
    assert '<th scope="row">Bezeichnung</th>' in html
    assert "vorher: </span>Umbesetzungen im Bauausschuss</del>" in html
    assert "nachher: </span>Umbesetzungen im Bau- und Umweltausschuss</ins>" in html
    assert reverse("feeds:body_changes", args=[synced_twice.body.pk]) in html
    paper_page = Client().get(reverse("web:paper", args=[synced_twice.paper.pk]))
    assert (
        f'href="{url}">Was sich an dieser Vorlage geändert hat</a>' in paper_page.content.decode()
    )


def test_the_meeting_changes_page_holds_its_agenda_items(
    synced_twice: Synced, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(15):
        page = meeting_changes(synced_twice.meeting.pk)
    assert sorted(e.subject for e in page.entries) == [
        "Sitzung",
        "Tagesordnungspunkt 1.: Fragestunde für Einwohnerinnen und Einwohner",
    ]
    with django_assert_max_num_queries(15):
        html = Client().get(reverse("web:meeting_changes", args=[synced_twice.meeting.pk]))
    assert "07.04.2016, 19:30 Uhr</ins>" in html.content.decode()
    meeting_page = Client().get(reverse("web:meeting", args=[synced_twice.meeting.pk]))
    assert (
        reverse("web:meeting_changes", args=[synced_twice.meeting.pk])
        in meeting_page.content.decode()
    )


def test_a_deleted_meeting_keeps_its_history(synced_twice: Synced) -> None:
    gone = Meeting.objects.get(oparl_id__endswith="/meeting/2171")
    page = meeting_changes(gone.pk)
    assert page.live is False
    assert [(e.subject, e.deleted, e.fields) for e in page.entries] == [("Sitzung", True, ())]
    html = Client().get(reverse("web:meeting_changes", args=[gone.pk])).content.decode()
    assert "Von der Kommune gelöscht." in html
    assert f'href="{reverse("web:meeting", args=[gone.pk])}"' not in html  # that page is gone


def test_a_new_file_version_gets_a_word_diff(
    synced_twice: Synced, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    file = synced_twice.file
    old, new = FileVersion.objects.filter(file=file).order_by("fetched_at")
    url = reverse("web:file_changes", args=[file.pk])
    with django_assert_max_num_queries(15):
        response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<ins><span class="visually-hidden">eingefügt: </span>{SIGN_ADDED}{ADDED}</ins>' in html
    assert "Seite 3 der älteren Fassung (entfallen)" in html
    file_page = Client().get(reverse("web:file", args=[file.pk])).content.decode()
    assert f'href="{url}">Was sich im Text geändert hat</a>' in file_page
    assert f"{SIGN_REMOVED}Hier eröffnet die Digitalisierung ganz neue" in html
    page = file_changes(file.pk)
    assert (page.old, page.new) == tuple(v for v in page.versions)
    assert [v.pk for v in page.versions] == [old.pk, new.pk]
    assert page.diff is not None
    assert [(p.old_number, p.new_number) for p in page.diff.pages] == [(1, 1), (3, None)]
    assert page.diff.unchanged_pages == 1
    assert page.diff.added == len(ADDED.split())
    # the same pair asked for explicitly, in either order
    explicit = Client().get(url, {"version": [new.pk, old.pk]})
    assert explicit.status_code == 200
    assert explicit.content.decode().count("<ins>") == html.count("<ins>")


@pytest.mark.parametrize("versions", [["abc"], ["999999999"], ["1", "2", "3"]])
def test_versions_not_of_this_file_are_a_clear_error(
    synced_twice: Synced, versions: list[str]
) -> None:
    other = FileVersion.objects.exclude(file=synced_twice.file).values_list("pk", flat=True)[0]
    asked = [str(other) if v == "1" else v for v in versions]
    response = Client().get(
        reverse("web:file_changes", args=[synced_twice.file.pk]), {"version": asked}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Die angefragten Fassungen gibt es zu dieser Datei nicht" in html
    assert "Nachtrag:" in html  # and the newest change is shown all the same


def test_a_version_not_read_yet_has_no_diff_but_says_why(synced_twice: Synced) -> None:
    file = synced_twice.file
    blob = Blob.objects.create(sha256="0" * 64, size=10, mime_type="application/pdf")
    FileVersion.objects.create(file=file, blob=blob, fetched_at=timezone.now())
    page = file_changes(file.pk)
    assert page.diff is None
    assert page.unreadable.startswith("Der Text mindestens einer der beiden Fassungen")


def test_the_feed_of_a_body_s_changes(synced_twice: Synced) -> None:
    response = Client().get(reverse("feeds:body_changes", args=[synced_twice.body.pk]))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.title == "Änderungen – Gemeinde Hürtgenwald"
    by_title = {entry.title: entry for entry in feed.entries}
    assert set(by_title) == {
        "Vorlage „Umbesetzungen im Bau- und Umweltausschuss“",
        "Sitzung „Gemeinderat (18. Sitzung)“",
        "Tagesordnungspunkt 1.: Fragestunde für Einwohnerinnen und Einwohner",
        "Sitzung „Schulausschuss (12. Sitzung)“",
    }
    assert by_title["Sitzung „Schulausschuss (12. Sitzung)“"].summary == "Von der Kommune gelöscht."
    paper = by_title["Vorlage „Umbesetzungen im Bau- und Umweltausschuss“"]
    assert "Bezeichnung: Umbesetzungen im Bauausschuss → Umbesetzungen im Bau- und" in paper.summary
    assert paper.link.startswith(
        "http://testserver" + reverse("web:paper_changes", args=[synced_twice.paper.pk])
    )
    sample = feedparser.parse(
        Client().get(reverse("feeds:body_changes", args=[synced_twice.sample.pk])).content
    )
    (version,) = sample.entries
    assert version.title == "Datei „Vorlage“: neue Fassung"
    assert reverse("web:file_changes", args=[synced_twice.file.pk]) + "?version=" in version.link
