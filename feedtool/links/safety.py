"""Defences against untrusted episode files and hostile servers.

Episode files are input anyone with commit access can write; a scheduled link
check must not become a way to probe the network it runs in. So by default
only globally reachable addresses are connected to. The check runs at connect
time on every address the name resolves to (not on the name), so DNS
rebinding cannot slip a private address past it. Body, header and redirect
caps live in ``http.py``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import Any

# http.client already refuses more than 100 header lines and lines over 64 KiB;
# this is the checker's own read size.
READ_CHUNK = 16 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not global whatever the Python version's ipaddress tables say (older ones call
# some of these global): shared address space, IETF protocol assignments, 6to4,
# Teredo and the rest of 2001::/23, NAT64 local use, site-local.
_NOT_GLOBAL: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.ip_network("100.64.0.0/10"), "shared (carrier-grade NAT)"),
    (ipaddress.ip_network("192.0.0.0/24"), "reserved"),
    (ipaddress.ip_network("2002::/16"), "6to4"),
    (ipaddress.ip_network("2001::/32"), "Teredo"),
    (ipaddress.ip_network("2001::/23"), "reserved"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "NAT64 local-use"),
    (ipaddress.ip_network("fec0::/10"), "site-local"),
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known prefix: the IPv4 address is the host
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d


class RefusedAddress(Exception):
    """The host resolves to an address the config does not allow (not an OSError
    on purpose: urllib3 must not turn it into a retryable connection error)."""


def _own_problem(addr: IPAddress) -> str | None:
    """Why ``addr`` itself is not a public destination, or None."""
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    for network, label in _NOT_GLOBAL:
        if addr.version == network.version and addr in network:
            return label
    if addr.is_private:
        return "private"
    if addr.is_multicast or addr.is_unspecified or addr.is_reserved:
        return "reserved"
    if not addr.is_global:
        return "non-global"
    return None


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries (6to4, Teredo, IPv4-compatible), by form."""
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if addr.sixtofour is not None:
        found.append(("6to4", addr.sixtofour))
    if addr.teredo is not None:
        server, client = addr.teredo
        found += [("Teredo", client), ("Teredo", server)]
    if addr in _IPV4_COMPATIBLE and int(addr) > 1:
        found.append(("IPv4-compatible", ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)))
    return found


def address_problem(ip: str) -> str | None:
    """Why an address must not be connected to by default, or None when it is global.

    IPv4-mapped (``::ffff:a.b.c.d``) and NAT64 (``64:ff9b::a.b.c.d``) addresses
    reach the IPv4 address inside them, so that is the one judged; the other
    forms that embed an IPv4 address must pass on both counts.
    """
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return _own_problem(addr.ipv4_mapped)
        if addr in _NAT64:
            inner = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
            problem = _own_problem(inner)
            return f"NAT64-embedded {problem}" if problem else None
        for kind, inner in _embedded_ipv4(addr):
            problem = _own_problem(inner)
            if problem:
                return f"{kind}-embedded {problem}"
    return _own_problem(addr)


def resolve_allowed(host: str, port: int, allow_private: bool, timeout: float | None = None) -> list[tuple]:
    """getaddrinfo results for (host, port); unless allowed, any non-global one refuses them all
    (a name that also resolves to a private address is not one to trust with the others)."""
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    if allow_private:
        return infos
    for info in infos:
        problem = address_problem(str(info[4][0]))
        if problem:
            raise RefusedAddress(
                f"{host} resolves to {problem} address {info[4][0]}; "
                "refused (set links.allow_private: true to allow)"
            )
    return infos


def connect_allowed(
    host: str,
    port: int,
    allow_private: bool,
    timeout: float | None,
    source_address: tuple[str, int] | None = None,
    socket_options: Sequence[tuple[Any, ...]] | None = None,
) -> socket.socket:
    """Like socket.create_connection, but only to addresses that passed the check."""
    last_error: OSError | None = None
    for family, socktype, proto, _canon, sockaddr in resolve_allowed(host, port, allow_private):
        sock = socket.socket(family, socktype, proto)
        try:
            for opt in socket_options or ():
                sock.setsockopt(*opt)
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            last_error = exc
            sock.close()
    raise last_error or OSError(f"cannot connect to {host}:{port}")
