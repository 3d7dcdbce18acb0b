"""Sessions, ?next= and the sign-in throttle against the real server (`refund-intake web`,
waitress, eight threads) driven by a plain HTTP client: what an attacker would send."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from base.config import Config
from tests.desk.conftest import desk_config
from tests.desk.seed import PASSWORD, STAFF
from tests.desk.served import Visitor, cli, web_server

NEW_PASSWORD = "lantern orchid quarry violet"


@pytest.fixture
def site(config: Config) -> Iterator[tuple[str, int]]:
    with web_server(config) as address:
        yield address


def signed_in(site: tuple[str, int], role: str) -> Visitor:
    visitor = Visitor(site)
    assert visitor.sign_in(STAFF[role], PASSWORD).status == 302
    assert visitor.get("/").status == 200
    return visitor


def test_a_signed_out_cookie_replayed_opens_nothing(site: tuple[str, int]) -> None:
    visitor = signed_in(site, "approver")
    kept = visitor.cookie
    token = visitor.csrf("/")
    assert visitor.post("/logout", {"csrf_token": token}).status == 302
    replay = Visitor(site, cookie=kept)
    refused = replay.get("/")
    assert refused.status == 302 and refused.location is not None
    assert refused.location.startswith("/login")
    assert replay.get("/requests/1").status == 302


@pytest.mark.parametrize("change", [
    ("staff", "disable", STAFF["approver"], "--as", STAFF["admin"]),
    ("staff", "role", STAFF["approver"], "viewer", "--as", STAFF["admin"]),
    ("staff", "passwd", STAFF["approver"], "--as", STAFF["admin"]),
    ("staff", "passwd", STAFF["approver"], "--as", STAFF["approver"]),
], ids=["disable", "role", "passwd-by-admin", "passwd-own"])
def test_an_account_change_ends_its_sessions(site: tuple[str, int], config: Config,
                                             change: tuple[str, ...]) -> None:
    approver, admin = signed_in(site, "approver"), signed_in(site, "admin")
    done = cli(config, *change, password=NEW_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "1 web session(s) ended" in done.stdout
    assert approver.get("/").status == 302  # the person signs in again (if they still may)
    assert admin.get("/").status == 200      # nobody else's session is touched


@pytest.mark.parametrize("target", [
    "/%09/evil.example/", "/%0d/x", "/%0a/x", "/%0b/x", "/%7f/x", "/%20/evil.example/", "/%E2%80%8B/x",
])
def test_next_with_a_control_character_or_space_leads_to_the_queue(site: tuple[str, int], target: str) -> None:
    """Browsers drop tabs and newlines in a URL ("/%09/evil.example/" is another site); a CR or
    LF in a Location header broke the response (a 500, after signing in)."""
    visitor = Visitor(site)
    reply = visitor.sign_in(STAFF["viewer"], PASSWORD, f"/login?next={target}")
    assert (reply.status, reply.location) == (302, "/")
    assert visitor.get("/").status == 200


@pytest.mark.parametrize("target", [
    "//evil.example/", "/%5Cevil.example", "/\\evil.example", "%2F%2Fevil.example",
    "https://evil.example/", "/%2F/evil.example", "javascript:alert(1)",
])
def test_next_still_never_names_another_site(site: tuple[str, int], target: str) -> None:
    """The open-redirect defences that held before the control-character fix, kept."""
    reply = Visitor(site).sign_in(STAFF["viewer"], PASSWORD, f"/login?next={target}")
    assert (reply.status, reply.location) == (302, "/")


def test_next_keeps_a_page_of_the_desk(site: tuple[str, int]) -> None:
    reply = Visitor(site).sign_in(STAFF["viewer"], PASSWORD, "/login?next=/requests/1")
    assert (reply.status, reply.location) == (302, "/requests/1")


def test_forty_wrong_passwords_at_once_get_five_checks(site: tuple[str, int]) -> None:
    visitor = Visitor(site)
    token = visitor.csrf()
    form = {"email": STAFF["approver"], "password": "not the password", "csrf_token": token}
    start, statuses = threading.Barrier(40), Counter[int]()
    lock = threading.Lock()

    def guess() -> None:
        start.wait()
        status = Visitor(site, cookie=visitor.cookie).post("/login", form).status
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == {401: 5, 429: 35}
    assert Visitor(site).sign_in(STAFF["approver"], PASSWORD).status == 429


def test_a_forwarded_for_header_from_a_stranger_is_not_believed(site: tuple[str, int]) -> None:
    for index in range(20):
        guesser = Visitor(site, headers={"X-Forwarded-For": f"198.51.100.{index + 1}"})
        assert guesser.sign_in(f"guess{index}@kreatorz.co.za", "x").status == 401
    fresh = Visitor(site, headers={"X-Forwarded-For": "198.51.100.200"})
    assert fresh.sign_in(STAFF["approver"], PASSWORD).status == 429  # still the same client


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(
        database_url: str, tmp_path: Path) -> None:
    config = desk_config(database_url, tmp_path, 'trusted_proxies = ["127.0.0.0/8", "::1"]\n')
    with web_server(config) as site:
        for index in range(20):
            # What the client wrote itself sits left of what our proxy added: only the latter counts.
            forged = {"X-Forwarded-For": f"203.0.113.{index + 1}, 192.0.2.1"}
            assert Visitor(site, headers=forged).sign_in(f"guess{index}@kreatorz.co.za", "x").status == 401
        locked_out = Visitor(site, headers={"X-Forwarded-For": "192.0.2.1"})
        assert locked_out.sign_in(STAFF["viewer"], PASSWORD).status == 429
        other = Visitor(site, headers={"X-Forwarded-For": "192.0.2.2"})
        assert other.sign_in(STAFF["viewer"], PASSWORD).status == 302
