"""The ratsblick command: add-body, sync, status (the demo: tests/browser/test_demo_home.py)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError

from ratsblick.council.models import Body, Paper
from ratsblick.replay.server import ReplayServer
from tests.helpers import command, printed_lines

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_commands")]


def table(text: str) -> list[list[str]]:
    """The body rows of the tables a command printed, cell by cell."""
    return [[c.strip() for c in line.strip("│ ").split("│")] for line in text.splitlines()
            if line.startswith("│")]  # fmt: skip


def test_add_body_sync_status(replay: ReplayServer) -> None:
    added = printed_lines(command("add_body", replay.system_url))
    body = Body.objects.get()
    assert added == [f"added body {body.pk}: Gemeinde Hürtgenwald ({body.oparl_id})"]
    summary = command("sync")
    assert printed_lines(summary)[0].strip() == "Gemeinde Hürtgenwald: ok (full, … s)"
    assert table(summary) == [
        ["AgendaItem", "5106", "0", "0", "0", "0"],
        ["Consultation", "2228", "0", "0", "0", "0"],
        ["File", "6947", "0", "0", "0", "0"],
        ["Location", "4", "0", "0", "41", "35"],
        ["Meeting", "346", "0", "21", "0", "0"],
        ["Membership", "533", "0", "0", "0", "0"],
        ["Organization", "22", "0", "0", "0", "0"],
        ["Paper", "2097", "0", "18", "0", "0"],
        ["Person", "49", "0", "0", "0", "0"],
    ]
    assert printed_lines(summary)[-2:] == [
        "  … and 15 more notes (`ratsblick status --json`)",
        "Suchindex: 9461 geschrieben, 0 entfernt (0 Änderungen, … s).",
    ]
    report = json.loads(command("status", "--json"))
    (shown,) = report
    assert shown["types"]["Paper"] == {"live": 2097, "deleted": 18, "unresolved": 0}
    assert shown["types"]["Meeting"] == {"live": 346, "deleted": 21, "unresolved": 0}
    assert shown["files"] == 6947
    assert shown["last_sync"]["outcome"] == "ok"
    assert shown["last_sync"]["counts"]["File"] == {"new": 6947}
    assert table(command("status")) == [
        ["LegislativeTerm", "0", "0", "0"],
        ["Location", "4", "0", "35"],
        ["Organization", "22", "0", "0"],
        ["Person", "49", "0", "0"],
        ["Membership", "533", "0", "0"],
        ["File", "6947", "0", "0"],
        ["Meeting", "346", "21", "0"],
        ["AgendaItem", "5106", "0", "0"],
        ["Paper", "2097", "18", "0"],
        ["Consultation", "2228", "0", "0"],
    ]


def test_add_body_by_body_url(replay: ReplayServer) -> None:
    command("add_body", replay.root + "/body/1")
    body = Body.objects.get(subscribed=True)
    assert body.system.name == "SD.NET RIM"


def test_bad_urls_give_clear_errors(replay: ReplayServer) -> None:
    with pytest.raises(CommandError, match="neither an OParl System nor a Body"):
        command("add_body", replay.root + "/body/1/paper/60")
    with pytest.raises(CommandError, match="HTTP 404"):
        command("add_body", replay.root + "/nothing")
    with pytest.raises(CommandError, match="no body to sync"):
        command("sync")
    with pytest.raises(CommandError, match="no body 'Atlantis'"):
        command("sync", "Atlantis")


def test_private_hosts_are_refused_by_default(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSBLICK_ALLOW_PRIVATE_HOSTS", "0")
    with pytest.raises(CommandError, match="non-public address"):
        command("add_body", replay.system_url)


def test_sync_reports_a_partial_run(replay: ReplayServer) -> None:
    command("add_body", replay.system_url)
    replay.faults.errors_5xx = 10_000
    replay.faults.only_paths = "/person"
    with pytest.raises(CommandError, match="not every body synced completely"):
        command("sync", "Gemeinde Hürtgenwald")
    assert Paper.objects.filter(deleted=False).count() == 2097  # the rest is there
