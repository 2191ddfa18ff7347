"""Bad values from a council cost the field, a bad object costs itself: never the sync.

Each test serves many faults at once on the Hürtgenwald crawl: a full sync
is the expensive part.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ratsblick.council.models import File, Meeting, Paper, SyncRun
from ratsblick.council.notes import Notes
from ratsblick.council.sync import add_body, sync_body
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import ReplayServer

BAD_SIZES: list[tuple[object, str]] = [
    ("²", "'²' is no integer"),  # str.isdigit() says yes, int() says no
    (10**30, f"{10**30} does not fit the column"),
    (-(2**63) - 1, f"{-(2**63) - 1} does not fit the column"),
    ("9" * 5000, "'" + "9" * 58 + "… does not fit the column"),
    (12.5, "12.5 is no integer"),
    (True, "True is no integer"),
]
GOOD_SIZES: list[tuple[object, int | None]] = [
    (" 2048 ", 2048),
    (2**63 - 1, 2**63 - 1),
    ("", None),
]
BAD_DATES: list[tuple[object, str]] = [
    ("9999-12-31", "is outside 1800–2199"),
    ("0201-03-05", "is outside 1800–2199"),
    ("1799-12-31", "is outside 1800–2199"),
    ("2200-01-01", "is outside 1800–2199"),
    ("0000-00-00", "is no ISO 8601 date"),
    ("2021-02-30", "is no ISO 8601 date"),
    ("31.12.2021", "is no ISO 8601 date"),
    (20210305, "is no date"),
]
GOOD_DATES: list[tuple[object, date | None]] = [
    ("1800-01-01", date(1800, 1, 1)),
    ("2199-12-31", date(2199, 12, 31)),
    ("2021-03-05T10:00:00+01:00", date(2021, 3, 5)),
    (" ", None),
]
BAD_STARTS: list[tuple[object, str]] = [
    ("0000-00-00", "is no ISO 8601 date and time"),
    ("2021-02-30T18:00:00+01:00", "is no ISO 8601 date and time"),
    ("31.12.2021 18:00", "is no ISO 8601 date and time"),
    ("9999-12-31T23:00:00-05:00", "is outside 1800–2199"),  # after year 9999 in UTC
    ("0001-01-01T00:00:00+05:00", "is outside 1800–2199"),  # before year 1 in UTC
    ("0201-03-05T18:00:00+01:00", "is outside 1800–2199"),
    (["2021-03-05"], "is no ISO 8601 date and time"),
]
GOOD_STARTS: list[tuple[object, datetime]] = [
    ("1800-01-01T00:00:00+00:00", datetime(1800, 1, 1, tzinfo=UTC)),
    ("2199-12-31T23:59:59Z", datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("2021-03-05T18:00:00", datetime(2021, 3, 5, 18, tzinfo=UTC)),  # no offset: UTC
]


def _papers_with_files(dataset: RecordedDataset, count: int) -> list[dict[str, Any]]:
    papers = [
        p
        for p in dataset.lists[dataset.list_url("paper")]
        if isinstance(p.get("mainFile"), dict) and p.get("consultation")
    ]
    assert len(papers) >= count
    return papers[:count]


def _meetings(dataset: RecordedDataset, count: int) -> list[dict[str, Any]]:
    meetings = [m for m in dataset.lists[dataset.list_url("meeting")] if m.get("start")]
    assert len(meetings) >= count
    return meetings[:count]


def _serve_nul(dataset: RecordedDataset, paper: dict[str, Any]) -> None:
    """NUL characters, which PostgreSQL's text and jsonb refuse: in a name, in a
    JSON list, in a property's name and in the embedded file."""
    dataset.change(
        paper["id"],
        name=paper["name"] + "\x00",
        keyword=["Stra\x00ße"],
        **{"x\x00note": "a\x00b"},
        mainFile={**paper["mainFile"], "name": "Anlage\x00.pdf"},
    )


def _nul_removed(replay: ReplayServer, paper: dict[str, Any]) -> list[str]:
    """Checks the paper of `_serve_nul` as stored; the notes its sync should have made."""
    stored = Paper.objects.get(oparl_id=replay.url(paper["id"]))
    assert (stored.name, stored.keyword) == (paper["name"], ["Straße"])
    assert (stored.raw["keyword"], stored.raw["xnote"]) == (["Straße"], "ab")
    file = stored.main_file
    assert file is not None
    assert (file.name, file.raw["name"]) == ("Anlage.pdf", "Anlage.pdf")
    return [f"{type(o).__name__} {o.oparl_id}: NUL characters removed" for o in (stored, file)]


def _new_notes(run: SyncRun) -> list[str]:
    """The run's notes but the 35 unreadable locations the crawl always has."""
    return [n for n in run.notes if not n.endswith("referenced but not fetched: HTTP 404")]


def _sync(replay: ReplayServer, client: HttpClient) -> SyncRun:
    (body,) = add_body(replay.system_url, client)
    return sync_body(body, client)


@pytest.mark.django_db
def test_bad_values_become_unknown_and_are_noted(
    dataset: RecordedDataset, replay: ReplayServer, client: HttpClient
) -> None:
    sizes = [*BAD_SIZES, *GOOD_SIZES]
    dates = [*BAD_DATES, *GOOD_DATES]
    *papers, nul = _papers_with_files(dataset, len(sizes) + len(dates) + 1)
    _serve_nul(dataset, nul)
    for paper, (size, _) in zip(papers, sizes, strict=False):
        dataset.change(paper["id"], mainFile={**paper["mainFile"], "size": size})
    for paper, (value, _) in zip(papers[len(sizes) :], dates, strict=True):
        dataset.change(paper["id"], date=value)
    starts = [*BAD_STARTS, *GOOD_STARTS]
    meetings = _meetings(dataset, len(starts))
    for meeting, (value, _) in zip(meetings, starts, strict=True):
        dataset.change(meeting["id"], start=value)
    deleted = next(  # one that embeds no file, so that every file is still served
        m["id"]
        for m in dataset.lists[dataset.list_url("meeting")][len(starts) :]
        if not {"invitation", "resultsProtocol", "verbatimProtocol", "auxiliaryFile"} & set(m)
        and not m.get("deleted")
    )
    dataset.delete(deleted)
    meeting_list = dataset.lists[dataset.list_url("meeting")]
    meeting_list[:] = [
        {**m, "modified": "0000-00-00"} if m["id"] == deleted else m for m in meeting_list
    ]

    run = _sync(replay, client)

    assert run.outcome == SyncRun.Outcome.OK
    expected_notes = [
        f"Meeting {replay.url(deleted)}: modified '0000-00-00' is no ISO 8601 date and time,"
        " stored as unknown"
    ]
    for paper, (size, result) in zip(papers, sizes, strict=False):
        file_id = replay.url(paper["mainFile"]["id"])
        stored = File.objects.get(oparl_id=file_id)
        assert (stored.stub, stored.name, stored.raw["size"]) == (
            False,
            paper["mainFile"]["name"],
            size,  # the raw JSON keeps what the council sent
        )
        if isinstance(result, str):
            assert stored.size is None
            expected_notes.append(f"File {file_id}: size {result}, stored as unknown")
        else:
            assert stored.size == result
        assert Paper.objects.get(oparl_id=replay.url(paper["id"])).main_file == stored
    for paper, (value, result) in zip(papers[len(sizes) :], dates, strict=True):
        paper_id = replay.url(paper["id"])
        stored_paper = Paper.objects.get(oparl_id=paper_id)
        assert (stored_paper.reference, stored_paper.raw["date"]) == (paper["reference"], value)
        assert stored_paper.consultations.count() == len(paper["consultation"])
        if isinstance(result, str):
            assert stored_paper.date is None
            expected_notes.append(f"Paper {paper_id}: date {value!r} {result}, stored as unknown")
        else:
            assert stored_paper.date == result
    for meeting, (value, outcome) in zip(meetings, starts, strict=True):
        meeting_id = replay.url(meeting["id"])
        stored_meeting = Meeting.objects.get(oparl_id=meeting_id)
        assert (stored_meeting.name, stored_meeting.raw["start"]) == (meeting["name"], value)
        if isinstance(outcome, str):
            assert stored_meeting.start is None
            expected_notes.append(
                f"Meeting {meeting_id}: start {value!r} {outcome}, stored as unknown"
            )
        else:
            assert stored_meeting.start == outcome
    expected_notes.extend(_nul_removed(replay, nul))
    gone = Meeting.objects.get(oparl_id=replay.url(deleted))
    assert (gone.deleted, gone.modified) == (True, None)
    assert sorted(_new_notes(run)) == sorted(expected_notes)
    assert File.objects.filter(deleted=False, stub=False).count() == 6947
    assert Paper.objects.filter(deleted=False, stub=False).count() == 2097


@pytest.mark.django_db
def test_unwritable_object_costs_only_itself(
    dataset: RecordedDataset, replay: ReplayServer, client: HttpClient
) -> None:
    """NaN is JSON neither database holds: that paper fails, its page and the run do not."""
    (paper,) = _papers_with_files(dataset, 1)
    dataset.change(paper["id"], keyword=[float("nan")])
    run = _sync(replay, client)
    assert run.outcome == SyncRun.Outcome.OK
    paper_id = replay.url(paper["id"])
    assert run.counts["Paper"] == {"new": 2096, "deleted": 18, "failed": 1}
    (note,) = _new_notes(run)
    assert note.startswith(f"Paper {paper_id} not stored: ")
    # what refers to it keeps the reference: a placeholder, not fetched again
    assert Paper.objects.get(oparl_id=paper_id).stub
    assert Paper.objects.filter(deleted=False, stub=False).count() == 2096
    # what the paper embedded is written all the same
    assert File.objects.get(oparl_id=replay.url(paper["mainFile"]["id"])).stub is False
    assert File.objects.filter(deleted=False, stub=False).count() == 6947


def test_notes_are_capped_while_collected() -> None:
    notes = Notes(limit=3)
    notes.extend(f"note {i}" for i in range(5))
    notes.add("last")
    assert notes.as_list() == ["note 0", "note 1", "note 2", "… and 3 more"]
    assert Notes(limit=3).as_list() == []
