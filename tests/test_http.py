"""The HTTP client against real loopback servers."""

from __future__ import annotations

import threading

import pytest

from ratsblick.oparl.http import (
    USER_AGENT,
    BlockedAddress,
    ClientConfig,
    FetchError,
    HttpClient,
    InvalidJSON,
    NotFound,
    check_host,
)
from ratsblick.replay.server import ReplayServer
from tests.conftest import FAST, Routes


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "file:///etc/passwd",
        "ftp://example.org/x",
    ],
)
def test_private_and_odd_addresses_are_refused(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_host(url, allow_private=False)


def test_loopback_is_allowed_when_configured(site: str) -> None:
    with HttpClient(FAST) as client:
        assert client.get_json(site + "/json") == {"ok": "ja\x01"}  # raw control char accepted
    with HttpClient(ClientConfig(allow_private=False)) as client, pytest.raises(BlockedAddress):
        client.get_json(site + "/json")


def test_user_agent_names_ratsblick(site: str) -> None:
    with HttpClient(FAST) as client:
        client.get(site + "/json")
    assert Routes.seen_agents[-1] == USER_AGENT
    assert USER_AGENT.startswith("Ratsblick/")


def test_redirects_are_followed_up_to_the_limit(site: str) -> None:
    config = ClientConfig(allow_private=True, max_redirects=3, retries=0)
    with HttpClient(config) as client:
        assert client.get_json(site + "/redirect/3") == {"ok": "ja\x01"}
        with pytest.raises(FetchError, match="more than 3 redirects"):
            client.get(site + "/redirect/4")


def test_a_redirect_to_a_private_address_is_refused(site: str) -> None:
    # Allowed to talk to loopback for the test, but the guard still checks
    # every hop: allow_private=False with a public first hop is not possible
    # offline, so check that the hop's URL is checked at all.
    config = ClientConfig(allow_private=True, retries=0, timeout=0.5)
    with HttpClient(config) as client, pytest.raises(FetchError):
        client.get(site + "/to-private")


def test_size_cap(site: str) -> None:
    with HttpClient(ClientConfig(allow_private=True, retries=0)) as client:
        with pytest.raises(FetchError, match="larger than 1000 bytes"):
            client.get(site + "/big", max_bytes=1000)
        assert len(client.get(site + "/big").content) == 200_000


def test_per_host_limit(site: str) -> None:
    Routes.peak = 0
    with HttpClient(ClientConfig(allow_private=True, per_host=2)) as client:
        threads = [threading.Thread(target=client.get, args=(site + "/slow",)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert Routes.peak == 2


def test_client_errors_are_not_retried(site: str) -> None:
    with HttpClient(FAST) as client:
        with pytest.raises(FetchError, match="HTTP 403"):
            client.get(site + "/forbidden")
        with pytest.raises(InvalidJSON):
            client.get_json(site + "/garbage")


def test_retries_5xx_then_succeeds(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.errors_5xx = 3
    assert client.get_json(replay.system_url)["name"] == "SD.NET RIM"
    assert replay.faults.errors_5xx == 0


def test_gives_up_after_bounded_retries(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.errors_5xx = 100
    with pytest.raises(FetchError, match="HTTP 500") as error:
        client.get_json(replay.system_url)
    assert error.value.status == 500
    assert replay.faults.errors_5xx == 100 - 4  # one try and three retries


def test_timeout_then_retry(replay: ReplayServer) -> None:
    replay.faults.hangs = 1
    replay.faults.hang_seconds = 2
    config = ClientConfig(timeout=0.5, retries=1, backoff=0.01, allow_private=True)
    with HttpClient(config) as client:
        assert client.get_json(replay.system_url)["name"] == "SD.NET RIM"


def test_broken_json_is_retried(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.broken_json = 2
    assert client.get_json(replay.system_url)["name"] == "SD.NET RIM"


def test_404_is_final(replay: ReplayServer, client: HttpClient) -> None:
    with pytest.raises(NotFound):
        client.get_json(replay.root + "/body/1/nothing-here")
    assert replay.requests == 1
