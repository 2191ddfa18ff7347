"""The HTTP client against real loopback servers."""

from __future__ import annotations

import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ratsblick.oparl.addresses import is_public_address
from ratsblick.oparl.http import (
    USER_AGENT,
    BlockedAddress,
    ClientConfig,
    FetchError,
    HttpClient,
    InvalidJSON,
    NotFound,
)
from ratsblick.replay.server import ReplayServer
from tests.conftest import FAST, Routes

COUNCIL = "council.example"  # made-up names, answered by the tests' resolvers
OTHER = "other.example"


@dataclass
class Resolutions:
    """A resolver stand-in: answers in turn per host, remembers every question."""

    answers: dict[str, list[list[str]]]
    asked: list[str] = field(default_factory=list)

    def __call__(self, host: str) -> Sequence[str]:
        self.asked.append(host)
        turns = self.answers[host]
        return turns.pop(0) if len(turns) > 1 else turns[0]


class Echo(BaseHTTPRequestHandler):
    """Answers JSON and remembers the Host header of every request."""

    protocol_version = "HTTP/1.1"
    hosts: list[str]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hosts.append(self.headers.get("Host", ""))
        if self.path.startswith("/hop/"):
            self.send_response(302)
            self.send_header("Location", "http://" + self.path.removeprefix("/hop/"))
            body = b""
        else:
            self.send_response(200)
            body = b'{"ok": true}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class EchoServer:
    port: int
    hosts: list[str]
    server_names: list[str | None]


def _serve(context: ssl.SSLContext | None = None) -> Iterator[EchoServer]:
    hosts: list[str] = []
    server_names: list[str | None] = []
    handler = type("EchoHandler", (Echo,), {"hosts": hosts})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if context is not None:
        context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield EchoServer(server.server_address[1], hosts, server_names)
    server.shutdown()
    server.server_close()


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    yield from _serve()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for COUNCIL only: (certificate, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", f"/CN={COUNCIL}"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-addext", f"subjectAltName=DNS:{COUNCIL}", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_echo(certificate: tuple[Path, Path]) -> Iterator[EchoServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    yield from _serve(context)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",  # IPv4-mapped public
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:808:808::1",  # 6to4 through a public relay
    ],
)
def test_public_addresses_are_accepted(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "192.0.2.1",  # documentation
        "224.0.0.1",  # multicast
        "255.255.255.255",
        "240.0.0.1",  # reserved
        "::",
        "::1",
        "::127.0.0.1",  # IPv4-compatible
        "::8.8.8.8",  # IPv4-compatible, deprecated even when public
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:0:127.0.0.1",  # IPv4-translated
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::808:808",  # local-use NAT64
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "2001:0:808:808:0:ffff:f7f7:f7f7",  # Teredo, public server and client
        "fec0::1",  # site-local
        "fc00::1",  # unique local
        "fd12:3456::1",
        "fe80::1",
        "fe80::1%eth0",
        "ff02::1",  # multicast
        "ff0e::1",  # global-scope multicast
        "2001:db8::1",  # documentation
        "100::1",  # discard
        "4000::1",  # not allocated
    ],
)
def test_internal_and_special_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]"],
)
def test_the_client_refuses_internal_hosts_before_connecting(echo: EchoServer, host: str) -> None:
    with HttpClient(ClientConfig(retries=0)) as client, pytest.raises(BlockedAddress) as refused:
        client.get(f"http://{host}:{echo.port}/x")
    assert "non-public address" in refused.value.reason
    assert echo.hosts == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "http:///x"])
def test_other_schemes_and_hostless_urls_are_refused(url: str) -> None:
    with HttpClient(FAST) as client, pytest.raises(BlockedAddress, match="only http and https"):
        client.get(url)


def test_one_internal_answer_refuses_the_name(echo: EchoServer) -> None:
    resolver = Resolutions({COUNCIL: [["8.8.8.8", "127.0.0.1"]]})
    config = ClientConfig(retries=0, resolver=resolver)
    with (
        HttpClient(config) as client,
        pytest.raises(BlockedAddress, match=r"address 127\.0\.0\.1 "),
    ):
        client.get(f"http://{COUNCIL}:{echo.port}/x")
    assert resolver.asked == [COUNCIL]
    assert echo.hosts == []


def test_the_connection_goes_to_the_one_vetted_answer(echo: EchoServer) -> None:
    # Any later resolution would answer 127.0.0.2, where nothing listens:
    # the request only succeeds because the checked answer is the one used.
    resolver = Resolutions({COUNCIL: [["127.0.0.1"], ["127.0.0.2"]]})
    config = ClientConfig(allow_private=True, retries=0, resolver=resolver)
    with HttpClient(config) as client:
        assert client.get_json(f"http://{COUNCIL}:{echo.port}/x") == {"ok": True}
    assert resolver.asked == [COUNCIL]
    assert echo.hosts == [f"{COUNCIL}:{echo.port}"]  # the name, not the address


@pytest.mark.parametrize("answers", [["127.0.0.2", "127.0.0.1"], ["127.0.0.1", "127.0.0.2"]])
def test_the_vetted_answers_are_tried_in_turn(echo: EchoServer, answers: list[str]) -> None:
    resolver = Resolutions({COUNCIL: [answers]})  # nothing listens on 127.0.0.2
    config = ClientConfig(allow_private=True, retries=0, resolver=resolver)
    with HttpClient(config) as client:
        assert client.get_json(f"http://{COUNCIL}:{echo.port}/x") == {"ok": True}
    assert resolver.asked == [COUNCIL]


def test_every_redirect_hop_is_resolved_and_vetted(echo: EchoServer) -> None:
    resolver = Resolutions({COUNCIL: [["127.0.0.1"]], OTHER: [["127.0.0.1"]]})
    config = ClientConfig(allow_private=True, retries=0, resolver=resolver)
    with HttpClient(config) as client:
        client.get(f"http://{COUNCIL}:{echo.port}/hop/{OTHER}:{echo.port}/x")
    assert resolver.asked == [COUNCIL, OTHER]
    assert echo.hosts == [f"{COUNCIL}:{echo.port}", f"{OTHER}:{echo.port}"]


def test_an_unresolvable_host_is_a_fetch_error() -> None:
    config = ClientConfig(retries=0, resolver=Resolutions({COUNCIL: [[]]}))
    with HttpClient(config) as client, pytest.raises(FetchError) as failed:
        client.get(f"http://{COUNCIL}/x")
    assert failed.value.reason == "cannot resolve host: no address"
    assert not isinstance(failed.value, BlockedAddress)


def test_tls_is_verified_against_the_host_name(
    tls_echo: EchoServer, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    resolver = Resolutions({COUNCIL: [["127.0.0.1"]], OTHER: [["127.0.0.1"]]})
    config = ClientConfig(allow_private=True, retries=0, resolver=resolver)
    with HttpClient(config) as client:
        assert client.get_json(f"https://{COUNCIL}:{tls_echo.port}/x") == {"ok": True}
        with pytest.raises(FetchError, match="Hostname mismatch"):
            client.get(f"https://{OTHER}:{tls_echo.port}/x")
    assert tls_echo.server_names == [COUNCIL, OTHER]  # SNI carries the name
    assert tls_echo.hosts == [f"{COUNCIL}:{tls_echo.port}"]


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


def _handlers_done() -> bool:
    return not any("process_request_thread" in t.name for t in threading.enumerate())


@pytest.mark.parametrize("hang", [False, True], ids=["idle", "hanging"])
def test_a_client_that_hangs_up_leaves_no_traceback(
    replay: ReplayServer, capfd: pytest.CaptureFixture[str], hang: bool
) -> None:
    """A reset while the server waits for the next request on a kept-alive connection,
    or while it writes the answer of a hang the client gave up on (a killed sync)."""
    replay.faults.hangs, replay.faults.hang_seconds = int(hang), 0.3
    path = urlsplit(replay.system_url).path
    with socket.create_connection(replay.httpd.server_address[:2]) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        if not hang:
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    deadline = time.monotonic() + 5
    while not _handlers_done() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _handlers_done()
    assert "Traceback" not in capfd.readouterr().err
    assert client_answer(replay) == "SD.NET RIM"


def client_answer(replay: ReplayServer) -> str:
    with HttpClient(FAST) as client:
        return str(client.get_json(replay.system_url)["name"])


def test_broken_json_is_retried(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.broken_json = 2
    assert client.get_json(replay.system_url)["name"] == "SD.NET RIM"


def test_404_is_final(replay: ReplayServer, client: HttpClient) -> None:
    with pytest.raises(NotFound):
        client.get_json(replay.root + "/body/1/nothing-here")
    assert replay.requests == 1
