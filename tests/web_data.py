"""A synced council kept for a whole test module of page tests.

Syncing the Hürtgenwald crawl takes seconds; the page tests only read it, so
one module syncs once (committed outside the tests' transactions) and
flushes the database when it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.management import call_command

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
