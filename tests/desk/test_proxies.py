"""Whose X-Forwarded-For is believed: table tests of the middleware, and the config key."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from base.errors import ConfigError
from desk.proxies import TrustedProxies
from tests.desk.conftest import desk_config

PROXIES = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1")]


def seen(peer: str, headers: dict[str, str], proxies: list[Any] = PROXIES) -> tuple[str, str, list[str]]:
    """(REMOTE_ADDR, scheme, forwarding headers left) as the app behind the middleware sees them."""
    got: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        got.update(environ)
        return []

    environ = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http"} | {
        "HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    TrustedProxies(app, proxies)(environ, lambda *_: None)
    return got["REMOTE_ADDR"], got["wsgi.url_scheme"], [k for k in got if "FORWARDED" in k]


@pytest.mark.parametrize("peer, forwarded_for, client", [
    ("10.0.0.5", "192.0.2.1", "192.0.2.1"),                    # our proxy says who
    ("10.0.0.5", "203.0.113.9, 192.0.2.1", "192.0.2.1"),       # the client's own claim is ignored
    ("10.0.0.5", "192.0.2.1, 10.0.0.7", "192.0.2.1"),          # two of our proxies in a row
    ("10.0.0.5", "10.0.0.7, 10.0.0.8", "10.0.0.7"),            # all ours: the farthest one
    ("10.0.0.5", "not-an-address, 192.0.2.1", "192.0.2.1"),
    ("10.0.0.5", "192.0.2.1, garbage", "10.0.0.5"),            # a hop we cannot read stops the walk
    ("10.0.0.5", "", "10.0.0.5"),
    ("::1", "2001:db8::1", "2001:db8::1"),
    ("192.0.2.50", "192.0.2.1", "192.0.2.50"),                 # not a proxy of ours: not believed
    ("127.0.0.1", "192.0.2.1", "127.0.0.1"),
])
def test_the_client_address(peer: str, forwarded_for: str, client: str) -> None:
    assert seen(peer, {"X-Forwarded-For": forwarded_for})[0] == client


@pytest.mark.parametrize("peer, proto, scheme", [
    ("10.0.0.5", "https", "https"), ("10.0.0.5", "http, https", "https"), ("10.0.0.5", "gopher", "http"),
    ("192.0.2.50", "https", "http"),
])
def test_the_scheme(peer: str, proto: str, scheme: str) -> None:
    assert seen(peer, {"X-Forwarded-Proto": proto})[1] == scheme


def test_with_no_proxies_configured_nothing_forwarded_is_believed_or_passed_on() -> None:
    headers = {"X-Forwarded-For": "192.0.2.1", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
               "Forwarded": "for=192.0.2.1"}
    assert seen("127.0.0.1", headers, []) == ("127.0.0.1", "http", [])


@given(st.lists(st.ip_addresses(v=4).map(str), max_size=6))
def test_a_stranger_never_changes_its_own_address(claims: list[str]) -> None:
    assert seen("198.51.100.1", {"X-Forwarded-For": ", ".join(claims)})[0] == "198.51.100.1"


@given(st.lists(st.ip_addresses(v=4).map(str), max_size=6), st.ip_addresses(v=4).map(str))
def test_through_our_proxy_the_client_is_what_the_proxy_saw(claims: list[str], client: str) -> None:
    """Whatever the client wrote, the proxy appends the address it saw, and that is the one used
    (unless that address is itself one of our proxies)."""
    address = seen("10.0.0.5", {"X-Forwarded-For": ", ".join([*claims, client])})[0]
    if ipaddress.ip_address(client) not in PROXIES[0]:
        assert address == client


@pytest.mark.parametrize("value, message", [
    ('["10.0.0.5", "proxy.example"]', 'web.trusted_proxies[1]: expected an IP address or network'),
    ('"10.0.0.5"', "web.trusted_proxies: expected a list of strings"),
    ('["10.0.0.0/33"]', "web.trusted_proxies[0]"),
])
def test_a_bad_trusted_proxies_names_the_key_and_the_file(
        tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        desk_config("sqlite:///desk.db", tmp_path, f"trusted_proxies = {value}\n")
    path = tmp_path / "config.toml"
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)
