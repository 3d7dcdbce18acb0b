"""The desk's state accessor: what the views need from the outside world, passed in when the
application is made and read back for the request being served (as flaskr keeps get_db)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from desk.throttle import SignInThrottle


@dataclass(frozen=True)
class Desk:
    """What the views need from the outside world, passed in rather than read from globals."""

    config: Config
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    throttle: SignInThrottle = field(default_factory=SignInThrottle)


def desk() -> Desk:
    """The Desk of the application serving the current request."""
    state: Desk = current_app.extensions["desk"]
    return state
