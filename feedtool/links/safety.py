"""Defences against untrusted episode files and hostile servers.

Episode files are input anyone with commit access can write; a scheduled link
check must not become a way to probe the network it runs in. So by default
only public addresses are connected to. The check runs at connect time on the
addresses actually used (not on the name), so DNS rebinding cannot slip a
private address past it. Body, header and redirect caps live in ``http.py``
and use the limits below.
"""

from __future__ import annotations

import ipaddress
import socket

# http.client already refuses more than 100 header lines and lines over 64 KiB;
# these are the checker's own caps.
MAX_BODY_DEFAULT = 64 * 1024
READ_CHUNK = 16 * 1024


class RefusedAddress(Exception):
    """The host resolves to an address the config does not allow (not an OSError
    on purpose: urllib3 must not turn it into a retryable connection error)."""


def address_problem(ip: str) -> str | None:
    """Why an address must not be connected to by default, or None when it is public."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr.is_private:
        return "private"
    if addr.is_multicast or addr.is_unspecified or addr.is_reserved:
        return "reserved"
    return None


def resolve_allowed(host: str, port: int, allow_private: bool, timeout: float | None = None) -> list[tuple]:
    """getaddrinfo results for (host, port), refusing non-public addresses unless allowed."""
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    if allow_private:
        return infos
    for info in infos:
        problem = address_problem(info[4][0])
        if problem:
            raise RefusedAddress(
                f"{host} resolves to {problem} address {info[4][0]}; "
                "refused (set links.allow_private: true to allow)"
            )
    return infos


def connect_allowed(
    host: str, port: int, allow_private: bool, timeout: float | None, source_address=None, socket_options=None
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
