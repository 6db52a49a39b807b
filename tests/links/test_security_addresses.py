"""With ``allow_private`` off, only globally reachable addresses are connected to,
including the IPv4 addresses that IPv6 forms carry inside them."""

from __future__ import annotations

import socket

import pytest

from feedtool.links import safety
from feedtool.links.safety import RefusedAddress, address_problem, connect_allowed
from feedtool.links.verdict import Verdict

from .conftest import result_for, run_check

# (address, reason); None where the reason is ipaddress's own (its tables differ between Pythons)
REFUSED = [
    # the forms tests/links/test_safety.py already covers
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("192.168.0.1", "private"),
    ("172.16.5.4", "private"),
    ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("::ffff:127.0.0.1", "loopback"),
    ("0.0.0.0", "private"),
    # shared address space (carrier-grade NAT) and other IPv4 special purposes
    ("100.64.0.1", "shared (carrier-grade NAT)"),
    ("100.127.255.254", "shared (carrier-grade NAT)"),
    ("192.0.0.8", "reserved"),
    ("198.18.0.1", None),
    ("224.0.0.1", None),
    ("240.0.0.1", None),
    ("255.255.255.255", None),
    # 6to4 2002::/16: the embedded IPv4 address is checked, and 6to4 is not global anyway
    ("2002:7f00:1::1", "6to4-embedded loopback"),
    ("2002:a00:1::1", "6to4-embedded private"),
    ("2002:a9fe:a9fe::1", "6to4-embedded link-local"),
    ("2002:6440:1::1", "6to4-embedded shared (carrier-grade NAT)"),
    ("2002:5db8:d822::1", "6to4"),
    # Teredo 2001::/32 (the client address is stored inverted)
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo-embedded loopback"),
    ("2001:0:4136:e378:8000:63bf:a2f3:2cdd", "Teredo"),
    ("2001:db8::1", None),
    # NAT64: the well-known prefix reaches the embedded address; the local-use prefix is never global
    ("64:ff9b::7f00:1", "NAT64-embedded loopback"),
    ("64:ff9b::a00:1", "NAT64-embedded private"),
    ("64:ff9b::6440:1", "NAT64-embedded shared (carrier-grade NAT)"),
    ("64:ff9b:1::7f00:1", "NAT64 local-use"),
    ("64:ff9b:1::5db8:d822", "NAT64 local-use"),
    # IPv4-mapped and IPv4-compatible
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:100.64.0.1", "shared (carrier-grade NAT)"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::127.0.0.1", "IPv4-compatible-embedded loopback"),
    ("::10.0.0.1", "IPv4-compatible-embedded private"),
    ("::93.184.216.34", None),
    # other IPv6 that is not global
    ("fc00::1", None),
    ("fd12:3456::1", None),
    ("fec0::1", "site-local"),
    ("ff02::1", None),
    ("::", None),
    ("100::1", None),
]
ALLOWED = ["93.184.216.34", "2606:4700::1", "::ffff:93.184.216.34", "64:ff9b::5db8:d822", "1.1.1.1"]


@pytest.mark.parametrize("ip, problem", REFUSED)
def test_non_global_addresses_are_refused(ip, problem):
    found = address_problem(ip)
    assert found is not None
    assert problem is None or found == problem


@pytest.mark.parametrize("ip", ALLOWED)
def test_global_addresses_are_allowed(ip):
    assert address_problem(ip) is None


@pytest.fixture
def resolver(monkeypatch):
    """getaddrinfo answering from a table, and a socket() that fails the test if ever called."""
    table: dict[str, list[str]] = {}

    def getaddrinfo(host, port, family=0, kind=0, *args):
        out = []
        for ip in table[host]:
            fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
            sockaddr = (ip, port, 0, 0) if fam == socket.AF_INET6 else (ip, port)
            out.append((fam, socket.SOCK_STREAM, 6, "", sockaddr))
        return out

    def no_socket(*args, **kwargs):
        pytest.fail("a socket was opened for a refused name")

    monkeypatch.setattr(safety.socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(safety.socket, "socket", no_socket)
    return table


@pytest.mark.parametrize(
    "addresses",
    [
        ["93.184.216.34", "10.0.0.1"],  # a public address first does not let the private one through
        ["2606:4700::1", "2002:7f00:1::1"],
        ["93.184.216.34", "::ffff:169.254.169.254"],
        ["100.64.0.1"],
    ],
)
def test_every_resolved_address_is_checked_before_any_connect(resolver, addresses):
    resolver["rebind.example"] = addresses
    with pytest.raises(RefusedAddress) as info:
        connect_allowed("rebind.example", 80, allow_private=False, timeout=1)
    assert addresses[-1] in str(info.value) and "allow_private" in str(info.value)


@pytest.mark.parametrize(
    "host, problem",
    [
        ("[2002:7f00:1::1]", "6to4-embedded loopback"),
        ("[64:ff9b::7f00:1]", "NAT64-embedded loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
    ],
)
def test_the_checker_never_connects_to_them(tmp_path, sim, host, problem):
    """Through the real HTTP layer: the guard sits where the connection is made."""
    url = f"http://{host}:{sim.server.server_address[1]}/ok"
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": f"[x]({url})"}, allow_private=False)
    result = result_for(report, url)
    assert result.verdict is Verdict.EXCLUDED, result.reason
    assert problem in result.reason and "allow_private" in result.reason
    assert result.evidence is not None and result.evidence.attempts == 1
