"""Signing in and out, idle expiry, the CSRF token, and the decorator every staff page wears."""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.orm import Session

from base.db import session_scope
from base.errors import NotFound, PermissionDenied
from base.models import StaffUser
from desk.state import desk
from staff import accounts as staff_accounts
from staff import audit as staff_audit
from staff import sessions as staff_sessions

log = logging.getLogger(__name__)
blueprint = Blueprint("auth", __name__)

StaffView = Callable[..., Any]
WRONG_LOGIN = "Wrong email or password."
TOO_MANY = "Too many failed sign-ins. Try again in {minutes} minute(s)."


def csrf_token() -> str:
    """This browser session's CSRF token, made on first use; every POST form carries it."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
        session.permanent = True
    return token


def check_csrf() -> None:
    """Refuses (400) any POST whose form does not carry this session's CSRF token."""
    if request.method != "POST":
        return
    expected = session.get("csrf")
    sent = request.form.get("csrf_token", "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, "This form was not sent from a current page of the desk. "
                   "Go back, reload the page and try again.")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        with session_scope(desk().sessions) as db:
            if _signed_in_staff(db) is not None:
                return redirect(url_for("desk.queue"))
        return render_template("login.html", email="")
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    target = _safe_next(request.args.get("next"))
    client, now, throttle = request.remote_addr or "?", desk().clock(), desk().throttle
    wait = throttle.attempt(email, client, now)  # counted before the password is checked
    if wait is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        log.warning("sign-in refused without checking: too many failures (client %s)", client)
        return render_template("login.html", email=email,
                               error=TOO_MANY.format(minutes=minutes)), 429
    token = None
    with session_scope(desk().sessions) as db:
        staff = staff_accounts.authenticate(db, email, password)  # None unless active and right
        if staff is not None:
            staff_audit.audit(db, staff.email, "sign_in")
            token = staff_sessions.start(db, staff, now)
    if token is None:
        # The typed email is not logged: people sometimes type a password into that field.
        log.info("refused a sign-in attempt")
        return render_template("login.html", email=email, error=WRONG_LOGIN), 401
    throttle.succeeded(email, client, now)
    session.clear()  # a fresh session (and CSRF token) after sign-in: no fixation
    session.permanent = True
    session["sid"] = token
    session["seen"] = _now()
    csrf_token()
    return redirect(target)


@blueprint.post("/logout")
def logout() -> Any:
    """Ends the session on the server too: the cookie, if kept or copied, opens nothing more."""
    with session_scope(desk().sessions) as db:
        staff = staff_sessions.live_staff(db, session.get("sid"))
        staff_sessions.end(db, session.get("sid"), desk().clock())
        if staff is not None:
            staff_audit.audit(db, staff.email, "sign_out")
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def staff_page(view: StaffView) -> StaffView:
    """Runs `view(db, staff, **kwargs)` for a signed-in staff member, in one unit of work.

    Without a live session the browser goes to the login page. A PermissionDenied (already audited
    by replies.approval) still commits, so the audit record of the refusal is kept.
    """

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        with session_scope(desk().sessions) as db:
            staff = _signed_in_staff(db)
            if staff is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            g.staff = staff
            try:
                return view(db, staff, **kwargs)
            except PermissionDenied as exc:
                return _refusal(exc), 403
            except NotFound as exc:
                return render_template("error.html", title="Not found", detail=str(exc), code=404), 404

    return wrapper


def _refusal(exc: PermissionDenied) -> str:
    return render_template("error.html", title="Not allowed", code=403,
                           detail=f"{exc} This attempt has been recorded.")


def _signed_in_staff(db: Session) -> StaffUser | None:
    """The staff member of this browser's session, if it is live on the server and has not sat
    idle too long; refreshes its idle timer. An ended or expired session is forgotten."""
    token = session.get("sid")
    if token is None:
        return None
    seen, now = session.get("seen"), _now()
    if not isinstance(seen, int) or now - seen > desk().config.web.session_minutes * 60:
        staff_sessions.end(db, token, desk().clock(), "idle")
        session.clear()
        flash("Your session expired; please sign in again.", "info")
        return None
    staff = staff_sessions.live_staff(db, token)
    if staff is None:
        session.clear()
        flash("Your session has ended; please sign in again.", "info")
        return None
    session["seen"] = now
    return staff


def _now() -> int:
    return int(desk().clock().timestamp())


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host, never a header break.

    Browsers drop tabs and newlines inside a URL (so "/%09/evil.example/" is "//evil.example/",
    another site) and read a backslash as a slash: any control character, space or backslash,
    a second leading slash, a scheme or a host refuses the target; the queue is used instead.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("desk.queue")
    if any(char.isspace() or unicodedata.category(char)[0] == "C" or char == "\\" for char in target):
        return url_for("desk.queue")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("desk.queue")
    return target
