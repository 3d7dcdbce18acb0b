"""Encryption at rest: sealed in the file, opened where read, refused without the right key."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from base.config import PrivacySettings, Secret, load_config
from base.errors import ConfigError, StorageError
from base.models import Attachment, RawMessage, StaffUser
from base.vault import Vault, key_id, load_vault, new_key
from desk.app import create_app
from staff.accounts import set_password
from tests.privacy.world import ALICE, BOB, KEY_ENV, STAFF, T0, World, customer_mail

VIEWER_PASSWORD = "quiet-harbour-lamps-2026"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)

KEY_A, KEY_B = new_key(), new_key()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv(KEY_ENV, KEY_A)
    world = World(tmp_path, encryption=True)
    world.add_staff()
    world.deliver(customer_mail(ALICE, 1), T0)
    world.poll()
    yield world
    world.close()


def vault_id(key: str) -> str:
    return key_id(base64.urlsafe_b64decode(key))


def test_with_encryption_on_the_raw_bytes_are_not_in_the_file(world: World) -> None:
    data = world.file_bytes()
    raw = customer_mail(ALICE, 1)
    assert raw not in data and ALICE.raw_marker.encode() not in data
    assert f"receipt for {ALICE.marker}".encode() not in data
    with world.sessions() as session:
        [row] = session.scalars(select(RawMessage))
        [attachment] = session.scalars(select(Attachment))
        assert row.key_id == attachment.key_id == vault_id(KEY_A)
        assert row.content is not None and row.content.startswith(b"RIv1")
    shown = world.cli("quarantine", "show", "1", "--raw", env={KEY_ENV: KEY_A})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == raw.decode()
    export = world.cli("privacy", "export", ALICE.email, "--include-content", "--as", STAFF["admin"],
                       env={KEY_ENV: KEY_A})
    assert export.returncode == 0, export.stderr
    [message] = json.loads(export.stdout)["messages"]
    assert base64.b64decode(message["raw_base64"]) == raw
    assert base64.b64decode(message["attachments"][0]["content_base64"]) == f"receipt for {ALICE.marker}".encode()


def test_the_staff_page_downloads_the_opened_attachment(world: World) -> None:
    app = create_app(world.config, world.sessions, secret_key="s" * 32, clock=lambda: T0)
    client = app.test_client()
    with world.sessions.begin() as session:  # the viewer gets a password, and signs in with it
        viewer = session.scalar(select(StaffUser).where(StaffUser.email == STAFF["viewer"]))
        assert viewer is not None
        set_password(session, viewer, VIEWER_PASSWORD, T0)
        attachment_id = session.scalar(select(Attachment.id))
    token = csrf_from(client.get("/login").get_data(as_text=True))
    signed_in = client.post("/login", data={"email": STAFF["viewer"], "password": VIEWER_PASSWORD,
                                            "csrf_token": token})
    assert signed_in.status_code == 302
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.data == f"receipt for {ALICE.marker}".encode()


def test_a_wrong_key_makes_the_service_refuse_to_start(world: World) -> None:
    world.deliver(customer_mail(BOB, 2), T0)
    for command in (("poll", "--once"), ("send", "--once"), ("web", "--dev-secret", "--port", "0"), ("run",)):
        result = world.cli(*command, env={KEY_ENV: KEY_B})
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        [line] = result.stderr.splitlines()[-1:]
        assert line == (f"refund-intake: error: {world.config_path}: privacy: wrong encryption key: the "
                        f"database holds data sealed with key {vault_id(KEY_A)}, which the configured "
                        f"key (${KEY_ENV}) does not open; give that key (while rotating, list it after "
                        "the new one)"), command
        assert "Traceback" not in result.stderr
    assert not world.holds(BOB.marker)  # nothing was stored under the wrong key


def test_without_its_key_the_service_refuses_rather_than_store_plaintext(world: World) -> None:
    world.deliver(customer_mail(BOB, 2), T0)
    unset = world.cli("poll", "--once", unset=(KEY_ENV,))
    assert unset.returncode == 2
    assert unset.stderr.strip() == (
        f"refund-intake: error: privacy: encryption is on but its key cannot be read "
        f"(privacy.encryption_key_env: environment variable {KEY_ENV} is not set); refusing to "
        "store mail in the clear")
    empty = world.cli("poll", "--once", env={KEY_ENV: " "})
    assert empty.returncode == 2
    assert empty.stderr.strip() == (f"refund-intake: error: privacy: encryption is on but ${KEY_ENV} "
                                    "is empty; refusing to store mail in the clear")
    assert not world.holds(BOB.marker)
    checked = world.cli("check-config", env={KEY_ENV: "not-a-key"})
    assert checked.returncode == 1 and "key 1 in $" in checked.stderr


def test_keys_rotate_with_rekey_while_old_keys_still_open(world: World) -> None:
    both = f"{KEY_B} {KEY_A}"  # the new key first: it seals; the old one only opens
    world.deliver(customer_mail(BOB, 2), T0)
    assert world.cli("poll", "--once", env={KEY_ENV: both}).returncode == 0
    with world.sessions() as session:
        assert sorted(r.key_id for r in session.scalars(select(RawMessage))) == sorted(
            [vault_id(KEY_A), vault_id(KEY_B)])
    rekeyed = world.cli("privacy", "rekey", env={KEY_ENV: both})
    assert rekeyed.returncode == 0, rekeyed.stderr
    assert rekeyed.stdout.startswith(f"sealed 2 stored content(s) under key {vault_id(KEY_B)}")
    with world.sessions() as session:
        ids = {r.key_id for r in session.scalars(select(RawMessage))} | {
            a.key_id for a in session.scalars(select(Attachment))}
    assert ids == {vault_id(KEY_B)}
    assert world.cli("poll", "--once", env={KEY_ENV: KEY_B}).returncode == 0
    shown = world.cli("quarantine", "show", "1", "--raw", env={KEY_ENV: KEY_B})
    assert ALICE.raw_marker in shown.stdout
    old_only = world.cli("poll", "--once", env={KEY_ENV: KEY_A})
    assert old_only.returncode == 2 and "wrong encryption key" in old_only.stderr


def test_turning_encryption_on_later_seals_what_was_stored_in_the_clear(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    plain = World(tmp_path)
    plain.deliver(customer_mail(ALICE, 1), T0)
    plain.poll()
    plain.close()
    assert ALICE.raw_marker.encode() in plain.file_bytes()
    config = plain.config_path.read_text() + f'encryption_key_env = "{KEY_ENV}"\n'
    plain.config_path.write_text(config.replace("[privacy]\n", "[privacy]\n", 1))
    result = plain.cli("privacy", "rekey", env={KEY_ENV: KEY_A})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sealed 2 stored content(s)")
    assert ALICE.raw_marker.encode() not in plain.file_bytes()


def test_sealed_blobs_name_their_key_and_detect_tampering() -> None:
    vault = Vault([base64.urlsafe_b64decode(KEY_A)])
    blob = vault.seal(b"the customer's bytes")
    assert vault.current.encode() in blob[:32] and b"customer" not in blob
    assert vault.open(blob) == b"the customer's bytes"
    assert vault.seal(b"same") != vault.seal(b"same")  # a fresh nonce every time
    with pytest.raises(StorageError, match="failed its integrity check"):
        vault.open(blob[:-1] + bytes([blob[-1] ^ 1]))
    other = Vault([base64.urlsafe_b64decode(KEY_B)])
    with pytest.raises(ConfigError, match="which no configured key opens"):
        other.open(blob)


def test_key_material_is_checked_and_never_read_from_the_config_file(tmp_path: Path) -> None:
    secret = Secret(env=None, file=tmp_path / "key", key_path="privacy", file_key="encryption_key_file")
    (tmp_path / "key").write_text("not-a-key\n")
    with pytest.raises(ConfigError, match=r"key 1 in .* is not 32 bytes"):
        load_vault(PrivacySettings(encryption_key=secret))
    (tmp_path / "key").write_text(f"{KEY_A},\n{KEY_B}\n")
    vault = load_vault(PrivacySettings(encryption_key=secret))
    assert vault is not None and vault.key_ids == (vault_id(KEY_A), vault_id(KEY_B))
    config = tmp_path / "config.toml"
    config.write_text(f"""
[[mailbox]]
name = "a"
address = "a@example.com"
policy = "p.toml"
[mailbox.maildir]
path = "md"
[privacy]
encryption_key = "{KEY_A}"
""")
    with pytest.raises(ConfigError, match=r"privacy\.encryption_key: keys are not read from the config file"):
        load_config(config)
