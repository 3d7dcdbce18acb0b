"""Other IMAP servers' folder shapes, on a real Dovecot configured like them: Cyrus and Courier
(personal namespace `INBOX.`, delimiter `.`) and Exchange (a Sent folder `Sent Items` marked
\\Sent). With the default config, move, flag and the Sent copy land where the server wants them;
`check-config --connect` says which folder it cannot create; a refused move never stops a poll."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from base.config import load_config
from base.db import make_engine, session_factory
from mail.imap import PROCESSED_FLAG
from mail.sent_folder import SentFolder
from pipeline.poll import PollContext, poll_all
from testing import Dovecot, MailUser
from testing.dovecot_shapes import CYRUS, EXCHANGE, shaped_dovecot
from tests.intake.imap_setup import fill, message_counts, write_config

pytestmark = pytest.mark.dovecot

@pytest.fixture(scope="module")
def cyrus() -> Iterator[Dovecot]:
    yield from shaped_dovecot(CYRUS)


@pytest.fixture(scope="module")
def exchange() -> Iterator[Dovecot]:
    yield from shaped_dovecot(EXCHANGE)


def folders(user: MailUser) -> dict[str, int]:
    with user.client() as client:
        return {name: client.folder_status(name, ["MESSAGES"])[b"MESSAGES"]
                for _flags, _delim, name in client.list_folders()}


def with_move_to(config: Path, move_to: str) -> Path:
    text = config.read_text().replace('after = "leave"', f'after = "move"\nmove_to = "{move_to}"')
    config.write_text(text)
    return config


def poll_once(config_path: Path) -> list:
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    try:
        return poll_all(PollContext(engine, session_factory(engine), config))
    finally:
        engine.dispose()


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config), *args],
                            capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_cyrus_move_goes_under_the_inbox_namespace(cyrus: Dovecot, tmp_path: Path) -> None:
    user = cyrus.new_user("cyrus-move")
    fill(user, 3)
    config = with_move_to(write_config(tmp_path, user), "Processed")
    [report] = poll_once(config)
    assert report.ok, report.server_action_error
    assert report.stored == 3
    assert folders(user) == {"INBOX": 0, "INBOX.Processed": 3}


def test_cyrus_flag_and_sent_copy(cyrus: Dovecot, tmp_path: Path) -> None:
    user = cyrus.new_user("cyrus-flag")
    fill(user, 2)
    config = write_config(tmp_path, user, after="flag")
    [report] = poll_once(config)
    assert report.ok and report.stored == 2
    with user.client() as client:
        client.select_folder("INBOX", readonly=True)
        assert len(client.search(["KEYWORD", PROCESSED_FLAG])) == 2
    imap = load_config(config).mailboxes[0].imap
    assert imap is not None and imap.sent_folder is None  # the default config names none
    with SentFolder(imap) as sent:
        assert sent.folder == "INBOX.Sent"
        sent.append(b"Message-ID: <r1@kreatorz.co.za>\r\nSubject: re\r\n\r\nhi\r\n", datetime.now(UTC))
        assert sent.contains("<r1@kreatorz.co.za>")
        assert sent.locate("<r1@kreatorz.co.za>", ["INBOX", None]) == "INBOX.Sent"
    assert folders(user)["INBOX.Sent"] == 1


def test_exchange_sent_copy_goes_to_the_folder_marked_sent(exchange: Dovecot, tmp_path: Path) -> None:
    user = exchange.new_user("exchange-sent")
    fill(user, 2)
    config = with_move_to(write_config(tmp_path, user), "Processed")
    [report] = poll_once(config)
    assert report.ok and report.stored == 2
    imap = load_config(config).mailboxes[0].imap
    assert imap is not None
    with SentFolder(imap) as sent:
        assert sent.folder == "Sent Items"
        sent.append(b"Message-ID: <r2@kreatorz.co.za>\r\nSubject: re\r\n\r\nhi\r\n", datetime.now(UTC))
    assert folders(user) == {"INBOX": 0, "Processed": 2, "Sent Items": 1}  # no "Sent" made


@pytest.mark.parametrize("shape", ["cyrus", "exchange"])
def test_check_config_connect_passes_on_each_shape(shape: str, request: pytest.FixtureRequest,
                                                   tmp_path: Path) -> None:
    user = request.getfixturevalue(shape).new_user(f"{shape}-check")
    config = with_move_to(write_config(tmp_path, user), "Processed")
    result = cli(config, "check-config", "--connect")
    assert result.returncode == 0, result.stderr
    expected = {"cyrus": ("INBOX.Processed", "INBOX.Sent"), "exchange": ("Processed", "Sent Items")}
    for name in expected[shape]:
        assert f"folder {name!r}" in result.stdout


def test_check_config_connect_names_a_folder_it_cannot_create(cyrus: Dovecot, tmp_path: Path) -> None:
    user = cyrus.new_user("cyrus-refused")
    config = with_move_to(write_config(tmp_path, user), "Archive.Processed")  # outside INBOX.
    result = cli(config, "check-config", "--connect")
    assert result.returncode == 1
    assert "move_to folder 'Archive.Processed' does not exist and cannot be created" in result.stderr
    assert 'Set move_to to a folder that exists or that you may create (a plain name, which is ' \
           'placed under "INBOX.")' in result.stderr
    assert "Archive.Processed" not in folders(user)


def test_a_refused_move_never_stops_the_poll_storing_new_mail(cyrus: Dovecot, tmp_path: Path) -> None:
    user = cyrus.new_user("cyrus-refused-move")
    fill(user, 5)
    config = with_move_to(write_config(tmp_path, user, batch_size=2), "Archive.Processed")
    [report] = poll_once(config)
    assert report.error is None and report.stored == 5  # all three batches
    assert report.server_action_error is not None and "Archive.Processed" in report.server_action_error
    assert message_counts(config) == (5, 5)
    assert folders(user)["INBOX"] == 5  # nothing moved
    status = cli(config, "status")
    assert status.returncode == 1 and "create Archive.Processed failed" in status.stdout
    polled = cli(config, "poll", "--once")
    assert polled.returncode == 1 and "tried again at the next poll" in polled.stderr
    # The admin fixes the config: the next poll moves everything stored earlier.
    config.write_text(config.read_text().replace('"Archive.Processed"', '"Processed"'))
    [report] = poll_once(config)
    assert report.ok and report.stored == 0
    assert folders(user) == {"INBOX": 0, "INBOX.Processed": 5}
    assert cli(config, "status").returncode == 0
