"""`ratsblick add-body` registers many councils at once: URLs, a list file, whole Systems."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from ratsblick.council.models import Body
from ratsblick.replay.sample import sample_dataset
from ratsblick.replay.server import ReplayServer
from tests.helpers import command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_commands")]


def subscribed() -> list[str]:
    return list(
        Body.objects.filter(subscribed=True).order_by("name").values_list("name", flat=True)
    )


def test_several_urls_and_a_list_file(replay: ReplayServer, tmp_path: Path) -> None:
    with ReplayServer(sample_dataset(papers=(1,))) as sample:
        listed = tmp_path / "kommunen.txt"
        listed.write_text(f"# Testkommunen\n\n{sample.system_url}  # Beispielstadt\n")
        out = command("add_body", replay.system_url, "--file", str(listed))
    assert len(out.splitlines()) == 2
    assert subscribed() == ["Beispielstadt (Testdaten)", "Gemeinde Hürtgenwald"]


def test_a_bad_url_costs_none_of_the_others(replay: ReplayServer) -> None:
    bad = replay.root + "/nothing"
    with pytest.raises(CommandError, match=r"not added \(1 of 2\): .*/nothing: HTTP 404"):
        command("add_body", bad, replay.system_url)
    assert subscribed() == ["Gemeinde Hürtgenwald"]


def test_no_url_and_an_unreadable_list_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Keine URL angegeben"):
        command("add_body")
    with pytest.raises(CommandError, match="nicht lesbar"):
        command("add_body", "--file", str(tmp_path / "missing.txt"))
