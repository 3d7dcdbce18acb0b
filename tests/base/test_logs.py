"""Log records that carry an exception stay one line unless --traceback asks for the story."""

from __future__ import annotations

import json
import logging

import pytest

from base import logs


@pytest.fixture(autouse=True)
def restore_root_logger():  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def log_failure(logger_name: str) -> None:
    try:
        raise ConnectionError("terminating connection\ndue to administrator command")
    except ConnectionError:
        logging.getLogger(logger_name).error("Exception during reset or similar", exc_info=True)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_library_exception_is_one_line_without_traceback(log_format: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(False, log_format)
    log_failure("sqlalchemy.pool.impl.QueuePool")
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert "ConnectionError: terminating connection due to administrator command" in err
    if log_format == "json":
        assert json.loads(err)["exception"].startswith("ConnectionError:")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_traceback_flag_keeps_the_whole_story(log_format: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(False, log_format, tracebacks=True)
    log_failure("sqlalchemy.pool.impl.QueuePool")
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_plain_records_are_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(False, "text")
    logging.getLogger("refund_intake.poll").warning("mailbox %s: slow", "accounts")
    assert capsys.readouterr().err.rstrip().endswith("WARNING refund_intake.poll: mailbox accounts: slow")
