"""Shared fixtures: the recorded council on a real loopback server, fast clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ratsblick.oparl.http import ClientConfig, HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import Faults, ReplayServer

FAST = ClientConfig(timeout=2.0, retries=3, backoff=0.01, backoff_max=0.05, allow_private=True)


@pytest.fixture
def dataset() -> RecordedDataset:
    """A fresh, editable copy of the Hürtgenwald crawl."""
    return RecordedDataset.load()


@pytest.fixture
def replay(dataset: RecordedDataset) -> Iterator[ReplayServer]:
    # Sternberg answers an empty filtered list with 404, as this server does.
    with ReplayServer(dataset, faults=Faults(empty_list_404=True)) as server:
        yield server


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(FAST) as http:
        yield http
