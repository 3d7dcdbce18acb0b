"""Logging to stderr: readable lines for people, or JSON lines for journald and log shippers."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

LOG_FORMATS = ("text", "json")


def one_line(exc_info: tuple[type[BaseException], BaseException, object]) -> str:
    """An exception as its type and message on one line: no traceback without --traceback."""
    kind, error, _ = exc_info
    return f"{kind.__name__}: {' '.join(str(error).split())}"


class TextLines(logging.Formatter):
    """Readable lines. An exception a library logs (SQLAlchemy's pool does, when a connection
    dies mid-reset) stays on the record's own line unless --traceback asked for the whole story."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks or not (record.exc_info or record.stack_info):
            return super().format(record)
        line = super().format(logging.makeLogRecord({**record.__dict__, "exc_info": None,
                                                     "exc_text": None, "stack_info": None}))
        return f"{line} ({one_line(record.exc_info)})" if record.exc_info else line  # type: ignore[arg-type]


class JsonLines(logging.Formatter):
    def __init__(self, tracebacks: bool = False) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = (self.formatException(record.exc_info) if self.tracebacks
                                  else one_line(record.exc_info))  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False)


def configure(verbose: bool, log_format: str, service: bool = False,
              tracebacks: bool = False) -> None:
    """Service mode logs at INFO (what it did); one-shot commands only warnings, unless -v.
    Exceptions in log records are one line unless `tracebacks` (the CLI's --traceback)."""
    level = logging.DEBUG if verbose else (logging.INFO if service else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonLines(tracebacks))
    else:
        handler.setFormatter(TextLines(tracebacks))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs each job run at INFO; keep the service log about our work.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
