"""Which network addresses we may contact, and how host names become addresses.

The SSRF guard must judge the address a connection really goes to, so the
HTTP client resolves a host once (with a `Resolver`), vets every answer here
and connects to a vetted answer; nothing resolves the name a second time.

An IPv6 address can carry an IPv4 address that decides where packets end
up: IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) addresses
*are* that IPv4 destination; 6to4 (`2002::/16`) and Teredo (`2001::/32`)
route through the IPv4 address they embed. Each is judged by that address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

Resolver = Callable[[str], Sequence[str]]
"""Host name to the IP addresses (as text) it resolves to."""

_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")

_NEVER_PUBLIC_V6 = (
    ipaddress.IPv6Network("::/96"),  # unspecified, loopback, deprecated IPv4-compatible
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # NAT64 for local use (RFC 8215)
    ipaddress.IPv6Network("fec0::/10"),  # deprecated site-local
)


class UnresolvableHost(Exception):
    """The resolver gave no address for the host."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"cannot resolve host {host}: {reason}")
        self.host = host
        self.reason = reason


class NonPublicAddress(Exception):
    """The host resolves to an address the guard refuses."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to non-public address {address}")
        self.host = host
        self.address = address


def system_resolver(host: str) -> list[str]:
    """The operating system's answer (`getaddrinfo`), in its preferred order."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise UnresolvableHost(host, str(exc)) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _is_public_v4(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not ip.is_multicast


def _is_public_v6(ip: ipaddress.IPv6Address) -> bool:
    destination = ip.ipv4_mapped
    if destination is None and ip in _NAT64_WELL_KNOWN:
        destination = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if destination is not None:
        return _is_public_v4(destination)
    if any(ip in network for network in _NEVER_PUBLIC_V6):
        return False
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return False
    relays = [ip.sixtofour, *(ip.teredo or ())]
    return all(_is_public_v4(relay) for relay in relays if relay is not None)


def is_public_address(address: str) -> bool:
    """True if `address` (IPv4 or IPv6, zone allowed) is a public unicast address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_public_v4(ip)
    return _is_public_v6(ip)


def vetted_addresses(host: str, resolver: Resolver, *, allow_private: bool) -> list[str]:
    """The addresses to connect to for `host`, resolved once and all vetted.

    An IP literal is its own answer. One refused answer refuses the host:
    a name that also points inward is not trusted with its other answers.
    """
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = list(resolver(host))
    if not addresses:
        raise UnresolvableHost(host, "no address")
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise NonPublicAddress(host, address)
    return addresses
