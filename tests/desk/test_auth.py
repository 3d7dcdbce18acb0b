"""Signing in: login redirects, wrong passwords, CSRF, idle expiry, cookies and security headers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.errors import ConfigError
from desk.app import create_app
from tests.desk.conftest import SECRET, Clock, csrf_from, desk_config, sign_in
from tests.desk.lookup import audit_trail, draft, waiting_draft
from tests.desk.seed import PASSWORD, STAFF

STAFF_PAGES = ["/", "/?overdue=1", "/requests/1", "/drafts/1", "/attachments/1"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_staff_page_sends_a_stranger_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_after_login_the_page_asked_for_opens(client: FlaskClient) -> None:
    response = client.get("/requests/1")
    login_page = client.get(response.headers["Location"])
    token = csrf_from(login_page.get_data(as_text=True))
    signed_in = client.post(response.headers["Location"], data={
        "email": STAFF["approver"], "password": PASSWORD, "csrf_token": token})
    assert signed_in.headers["Location"] == "/requests/1"
    assert client.get("/requests/1").status_code == 200


def test_login_never_redirects_to_another_site(client: FlaskClient) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/", data={
        "email": STAFF["viewer"], "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("email, password", [
    (STAFF["approver"], "not the password"),
    ("nobody@kreatorz.co.za", PASSWORD),
    (STAFF["approver"], ""),
])
def test_wrong_login_is_refused_with_one_generic_message(
        client: FlaskClient, email: str, password: str) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Wrong email or password." in page
    assert "no such" not in page.lower() and "unknown" not in page.lower()
    assert client.get("/").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(approver: FlaskClient,
                                                  sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    for form in ({"body_text": "changed"}, {"body_text": "changed", "csrf_token": "forged"}):
        response = approver.post(f"/drafts/{waiting}/approve", data=form)
        assert response.status_code == 400
        assert "not sent from a current page" in response.get_data(as_text=True)
    assert draft(sessions, waiting).state == "draft"


def test_login_and_logout_forms_need_the_token_too(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": STAFF["admin"], "password": PASSWORD})
    assert response.status_code == 400
    sign_in(client, "admin")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_signing_out_ends_the_session(approver: FlaskClient) -> None:
    token = csrf_from(approver.get("/").get_data(as_text=True))
    assert approver.post("/logout", data={"csrf_token": token}).status_code == 302
    assert approver.get("/").status_code == 302


def test_a_session_expires_after_the_idle_minutes(approver: FlaskClient, clock: Clock) -> None:
    clock.advance(minutes=25)
    assert approver.get("/").status_code == 200  # activity restarts the 30 idle minutes
    clock.advance(minutes=25)
    assert approver.get("/").status_code == 200
    clock.advance(minutes=31)
    response = approver.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "session expired" in approver.get("/login").get_data(as_text=True)


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(
        database_url: str, tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    behind_proxy = desk_config(database_url, tmp_path, 'trusted_proxies = ["127.0.0.1"]\n')
    client = create_app(behind_proxy, sessions, secret_key=SECRET).test_client()
    plain = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Strict" in plain and "Secure" not in plain
    proxied = client.get("/login", headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
    assert "Secure" in proxied
    # From an address that is not a configured proxy, the header is nobody's word.
    stranger = client.get("/login", headers={"X-Forwarded-Proto": "https"},
                          environ_base={"REMOTE_ADDR": "192.0.2.9"}).headers["Set-Cookie"]
    assert "Secure" not in stranger


@pytest.mark.parametrize("path", ["/login", "/", "/no-such-page", "/static/desk.css"])
def test_every_response_carries_a_strict_content_security_policy(
        approver: FlaskClient, path: str) -> None:
    headers = approver.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'none'" in policy and "unsafe" not in policy
    assert "img-src 'self'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_are_not_cached_by_the_browser(approver: FlaskClient) -> None:
    assert approver.get("/").headers["Cache-Control"] == "no-store"


def test_without_a_secret_key_the_app_refuses_to_start(
        config: Config, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESK_TEST_SECRET", raising=False)
    with pytest.raises(ConfigError, match="REFUND_INTAKE_WEB_SECRET"):
        create_app(config, sessions)
    monkeypatch.setenv("DESK_TEST_SECRET", "short")
    with pytest.raises(ConfigError, match="shorter than 32"):
        create_app(config, sessions)
    monkeypatch.setenv("DESK_TEST_SECRET", "x" * 40)
    assert create_app(config, sessions).secret_key == "x" * 40



def test_a_sign_in_is_audited_and_the_login_page_then_leads_to_the_queue(
        approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    assert (STAFF["approver"], "sign_in", None, None) in audit_trail(sessions)
    response = approver.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_repeated_wrong_passwords_lock_the_address_for_a_while(client: FlaskClient, clock: Clock) -> None:
    start = clock.now
    for _ in range(5):
        assert sign_in_status(client, STAFF["approver"], "not the password") == 401
    # The right password is not even checked now, and the page says how long to wait.
    response = post_login(client, STAFF["approver"], PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minute(s)." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    # Another address from another client is not affected.
    other = client.application.test_client()
    assert sign_in_status(other, STAFF["viewer"], PASSWORD, client_address="192.0.2.7") == 302
    clock.now = start + timedelta(minutes=15, seconds=1)
    assert sign_in_status(client, STAFF["approver"], PASSWORD) == 302


def test_one_client_guessing_many_addresses_is_slowed_too(client: FlaskClient) -> None:
    for index in range(20):
        assert sign_in_status(client, f"guess{index}@kreatorz.co.za", "x") == 401
    assert sign_in_status(client, STAFF["approver"], PASSWORD) == 429


def post_login(client: FlaskClient, email: str, password: str, client_address: str = "127.0.0.1") -> Any:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": client_address})


def sign_in_status(client: FlaskClient, email: str, password: str, client_address: str = "127.0.0.1") -> int:
    return int(post_login(client, email, password, client_address).status_code)
