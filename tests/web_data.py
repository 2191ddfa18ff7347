"""A synced council kept for a whole test module of page tests.

Syncing the Hürtgenwald crawl takes seconds; the page tests only read it, so
one module syncs once (committed outside the tests' transactions) and
flushes the database when it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from ratsblick.council.models import Body
from ratsblick.files.pipeline import process_files
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.sample import sample_dataset
from ratsblick.replay.server import Faults, ReplayServer
from tests.conftest import FAST
from tests.helpers import synced

Edit = Callable[[RecordedDataset], None]


@contextmanager
def councils(edit: Edit, sample_papers: tuple[int, ...] = ()) -> Iterator[Body]:
    """Hürtgenwald as `edit` leaves it, synced; with `sample_papers`, also the
    sample body with those papers (files read, facts derived). Yields Hürtgenwald."""
    dataset = RecordedDataset.load()
    edit(dataset)
    try:
        with HttpClient(FAST) as client:
            with ReplayServer(dataset, faults=Faults(empty_list_404=True)) as server:
                body = synced(server, client)
            if sample_papers:
                with ReplayServer(sample_dataset(sample_papers)) as server:
                    process_files(synced(server, client), client)
        yield body
    finally:
        call_command("flush", interactive=False, verbosity=0)


def unchanged(dataset: RecordedDataset) -> None:
    """The crawl as recorded."""
    del dataset


def module_home(sample_papers: tuple[int, ...] = (), *, indexed: bool = False) -> Any:
    """The fixture `council_home` of a module: a RATSBLICK_HOME with Hürtgenwald (and
    the sample papers) synced by `councils`, indexed when asked; yields its path."""

    @pytest.fixture(scope="module", name="council_home")
    def home(
        django_db_setup: None,
        django_db_blocker: DjangoDbBlocker,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[Path]:
        folder = tmp_path_factory.mktemp("home")
        with (
            django_db_blocker.unblock(),
            override_settings(HOME=folder),
            councils(unchanged, sample_papers),
        ):
            if indexed:
                call_command("reindex", verbosity=0)
            yield folder

    return home
