"""Spoofed senders and hijacked threads through a real Dovecot, as a user sees them: `poll --once`,
then `messages show` and `requests show` (text and --json), `explain`, `decide` and `status`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from testing import MailUser
from tests.corpus.attack_messages import DIRECTORY, OURS
from tests.intake.imap_setup import BASE_TIME, POLICY, run_cli, write_config

pytestmark = pytest.mark.dovecot
ROOT = Path(__file__).resolve().parents[2]


def deliver(user: MailUser, *files: str, start: int = 0) -> None:
    user.server.append_many(user.name, "INBOX", [
        ((DIRECTORY / file).read_bytes(), BASE_TIME + timedelta(minutes=start + i))
        for i, file in enumerate(files)])


def configured(tmp_path: Path, user: MailUser, database_url: str) -> Path:
    path = write_config(tmp_path, user, database_url=database_url)
    text = path.read_text().replace('trusted_relays = ["noreply@kreatorz.co.za"]',
                                    f'trusted_relays = ["noreply@kreatorz.co.za"]\nauthserv_id = "{OURS}"')
    path.write_text(text)
    imported = run_cli(path, "orders", "import", str(DIRECTORY / "orders.csv"))
    assert imported.returncode == 0, imported.stderr
    return path


def ok(config: Path, *args: str) -> str:
    result = run_cli(config, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def by_message_id(config: Path) -> dict[str, dict]:
    return {m["message_id"]: m for m in json.loads(ok(config, "messages", "list", "--json"))}


def test_spoofed_display_name_and_hijacks_through_dovecot(
        tmp_path: Path, mailbox_user: MailUser, database_url: str) -> None:
    config = configured(tmp_path, mailbox_user, database_url)
    deliver(mailbox_user, "setup_grace_request.eml")
    ok(config, "poll", "--once")
    before = json.loads(ok(config, "requests", "show", "R-000001", "--json"))
    deliver(mailbox_user, "spoof_encoded_display_name.eml", "spoof_crlf_encoded_word.eml",
            "hijack_subject_token.eml", "hijack_in_reply_to.eml", start=1)
    ok(config, "poll", "--once")
    messages = by_message_id(config)

    spoof = json.loads(ok(config, "messages", "show", str(messages["<spoof-1@evil.example>"]["id"]),
                          "--json"))
    assert (spoof["sender"], spoof["sender_name"]) == ("attacker@evil.example", "grace.adams@example.com")
    assert any("display name shows" in note for note in spoof["trust_notes"])
    assert spoof["reference"] != "R-000001"
    shown = ok(config, "messages", "show", str(spoof["id"]))
    assert "from: attacker@evil.example (display name 'grace.adams@example.com')" in shown
    assert "! display name shows the address 'grace.adams@example.com'" in shown
    assert messages["<spoof-2@evil.example>"]["sender"] == "name@evil.example"

    after = json.loads(ok(config, "requests", "show", "R-000001", "--json"))
    assert [m["message_id"] for m in after["messages"]] == ["<grace-1@example.com>"]
    assert (after["outcome"], after["status"]) == (before["outcome"], before["status"])
    claims = {c["sender"]: c for c in after["claimed_by"]}
    assert set(claims) == {"mallory@evil.example"} and len(after["claimed_by"]) == 2
    assert all("claims to be about R-000001, sent by someone else" in c["detail"]
               for c in after["claimed_by"])
    text = ok(config, "requests", "show", "R-000001")
    assert "names this request but is not part of it" in text
    hijack = messages["<hijack-1@evil.example>"]
    assert (hijack["classification"], hijack["reference"], hijack["claims"]) == (
        "not_a_request", None, "R-000001")
    explained = json.loads(ok(config, "explain", "R-000001", "--json"))
    assert explained["authentication"] == "pass"
    assert "Sender authentication: pass" in ok(config, "explain", "R-000001")


def test_a_bounce_of_our_reply_is_shown_and_counted(
        tmp_path: Path, mailbox_user: MailUser, database_url: str) -> None:
    config = configured(tmp_path, mailbox_user, database_url)
    deliver(mailbox_user, "setup_grace_request.eml")
    ok(config, "poll", "--once")
    before = json.loads(ok(config, "requests", "show", "R-000001", "--json"))
    deliver(mailbox_user, "bounce_bounces_address.eml", start=1)
    ok(config, "poll", "--once")
    shown = json.loads(ok(config, "requests", "show", "R-000001", "--json"))
    assert len(shown["messages"]) == 1
    assert (shown["outcome"], shown["status"]) == (before["outcome"], before["status"])
    [bounce] = shown["claimed_by"]
    assert bounce["sender"] == "bounces@mail.example.net" and bounce["detail"].startswith("bounce")
    assert any("our reply to R-000001 bounced" in note for note in bounce["trust_notes"])
    status = run_cli(config, "status", "--json")
    assert json.loads(status.stdout)["replies_bounced"] == 1


def test_decide_reads_only_our_servers_result_and_the_policy_may_ask_for_identity(
        tmp_path: Path) -> None:
    forged = DIRECTORY / "forged_dmarc_pass_other_id.eml"
    orders = tmp_path / "orders.csv"
    orders.write_text((DIRECTORY / "orders.csv").read_text()
                      + "KRZ-50003,ben.okafor@example.net,900.00,ZAR,2026-11-01T09:00:00+02:00,"
                        "Graphic Design,false,false,2026-11-01T09:00:00+02:00,false\n")
    strict = tmp_path / "strict.toml"
    strict.write_text(POLICY.read_text().replace('language = "en"\n',
                                                 'language = "en"\nunknown_authentication = "needs_info"\n', 1))
    base = ("decide", "--eml", str(forged), "--orders", str(orders), "--received-at",
            "2026-11-02T10:00:00+02:00", "--authserv-id", OURS, "--json")
    lenient = json.loads(ok(tmp_path / "none.toml", *base, "--policy", str(POLICY)))
    assert lenient["authentication"] == "unknown" and "identity" not in lenient["missing"]
    held = json.loads(ok(tmp_path / "none.toml", *base, "--policy", str(strict)))
    assert (held["outcome"], held["missing"], held["authentication"]) == ("needs_info", ["identity"], "unknown")
    ours = DIRECTORY / "setup_grace_request.eml"
    passed = json.loads(ok(tmp_path / "none.toml", "decide", "--eml", str(ours), "--orders", str(orders),
                           "--received-at", "2026-11-02T10:00:00+02:00", "--authserv-id", OURS,
                           "--json", "--policy", str(strict)))
    assert passed["authentication"] == "pass" and passed["outcome"] != "needs_info"


def test_decide_never_prints_a_traceback(tmp_path: Path) -> None:
    many = DIRECTORY / "to_many_encoded_words.eml"
    result = run_cli(tmp_path / "none.toml", "decide", "--eml", str(many), "--orders",
                     str(DIRECTORY / "orders.csv"), "--policy", str(POLICY), "--received-at",
                     "2026-11-02T10:00:00+02:00")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    missing = run_cli(tmp_path / "none.toml", "decide", "--eml", str(tmp_path / "gone.eml"), "--orders",
                      str(DIRECTORY / "orders.csv"), "--policy", str(POLICY))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.count("\n") == 1 and "gone.eml: cannot read" in missing.stderr
