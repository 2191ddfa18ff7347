"""Walking lists of the replayed council, with the faults real servers have."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ratsblick.oparl.http import FetchError, HttpClient, NotFound
from ratsblick.oparl.quirks import Quirks, Somacos, Sternberg
from ratsblick.oparl.schema import ObjectType
from ratsblick.oparl.walker import ListWalker, WalkReport
from ratsblick.replay.server import ReplayServer

# The recorded crawl ends in 2021: nothing in it is this new, whatever today is.
AFTER_THE_CRAWL = datetime(2030, 1, 1, tzinfo=UTC)
SINCE_2021 = datetime(2021, 1, 1, tzinfo=UTC)
PAPERS_SINCE_2021 = 156  # of 2115 listed


def papers(replay: ReplayServer) -> str:
    return replay.root + "/body/1/paper"


def walk_ids(walker: ListWalker, url: str, report: WalkReport, since: datetime | None = None):
    return [r.id for page in walker.walk(url, ObjectType.PAPER, report, since) for r in page.top]


def test_walks_every_page(replay: ReplayServer, client: HttpClient) -> None:
    report = WalkReport()
    ids = walk_ids(ListWalker(client, Sternberg()), papers(replay), report)
    assert len(ids) == len(set(ids)) == 2115
    assert report.pages == 85
    assert report.loop_detected is False


def test_pagination_loop_is_detected(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.loop_at_page = 5
    report = WalkReport()
    ids = walk_ids(ListWalker(client, Sternberg()), papers(replay), report)
    assert report.loop_detected is True
    assert len(ids) == 5 * 25


def test_repeating_content_under_new_urls_is_a_loop(
    replay: ReplayServer, client: HttpClient
) -> None:
    # Next links that differ only in an ignored parameter, content repeating.
    replay.faults.loop_at_page = 2
    replay.faults.loop_fresh_urls = True
    report = WalkReport()
    walk_ids(ListWalker(client, Sternberg()), papers(replay), report)
    assert report.loop_detected is True
    assert report.pages == 2


def test_empty_filtered_list_404(replay: ReplayServer, client: HttpClient) -> None:
    # Sternberg answers "no changes" with a 404 error object.
    assert (
        walk_ids(ListWalker(client, Sternberg()), papers(replay), WalkReport(), AFTER_THE_CRAWL)
        == []
    )
    with pytest.raises(NotFound):
        walk_ids(ListWalker(client, Quirks()), papers(replay), WalkReport(), AFTER_THE_CRAWL)


def test_filter_is_sent_and_kept(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.empty_list_404 = False
    report = WalkReport()
    ids = walk_ids(ListWalker(client, Quirks()), papers(replay), report, SINCE_2021)
    assert len(ids) == len(set(ids)) == PAPERS_SINCE_2021
    assert report.pages == 7
    assert (report.filter_dropped, report.filter_ignored) == (False, False)


def test_somacos_needs_its_unencoded_query(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.reject_encoded_query = True
    with pytest.raises(NotFound):
        walk_ids(ListWalker(client, Quirks()), papers(replay), WalkReport(), SINCE_2021)
    ids = walk_ids(ListWalker(client, Somacos()), papers(replay), WalkReport(), SINCE_2021)
    assert len(ids) == PAPERS_SINCE_2021


def test_a_page_that_is_no_list_fails_clearly(site: str, client: HttpClient) -> None:
    with pytest.raises(FetchError, match="not an OParl list"):
        walk_ids(ListWalker(client, Quirks()), site + "/json", WalkReport())
