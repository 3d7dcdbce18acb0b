"""Signing in and out, idle expiry, the CSRF token, and the decorator every staff page wears."""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

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

from desk.app import desk
from refund_intake import staff as staff_accounts
from refund_intake.db import session_scope
from refund_intake.errors import NotFound, PermissionDenied
from refund_intake.models import StaffUser
from replies import approval

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
        if _signed_in_staff_id() is not None:
            return redirect(url_for("desk.queue"))
        return render_template("login.html", email="")
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    client, now, throttle = request.remote_addr or "?", desk().clock(), desk().throttle
    wait = throttle.wait(email, client, now)
    if wait is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        log.warning("sign-in refused without checking: too many failures (client %s)", client)
        return render_template("login.html", email=email,
                               error=TOO_MANY.format(minutes=minutes)), 429
    staff_id = None
    with session_scope(desk().sessions) as db:
        staff = staff_accounts.authenticate(db, email, password)  # None unless active and right
        if staff is not None:
            approval.audit(db, staff.email, "sign_in")
            staff_id = staff.id
    if staff_id is None:
        throttle.failed(email, client, now)
        # The typed email is not logged: people sometimes type a password into that field.
        log.info("refused a sign-in attempt")
        return render_template("login.html", email=email, error=WRONG_LOGIN), 401
    throttle.succeeded(email)
    session.clear()  # a fresh session (and CSRF token) after sign-in: no fixation
    session.permanent = True
    session["staff_id"] = staff_id
    session["seen"] = _now()
    csrf_token()
    return redirect(_safe_next(request.args.get("next")))


@blueprint.post("/logout")
def logout() -> Any:
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def staff_page(view: StaffView) -> StaffView:
    """Runs `view(db, staff, **kwargs)` for a signed-in staff member, in one unit of work.

    Without a live login the browser goes to the login page. A PermissionDenied (already audited
    by replies.approval) still commits, so the audit record of the refusal is kept.
    """

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        staff_id = _signed_in_staff_id()
        if staff_id is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        with session_scope(desk().sessions) as db:
            staff = db.get(StaffUser, staff_id)
            if staff is None or not staff.active:
                session.clear()
                return redirect(url_for("auth.login"))
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


def _signed_in_staff_id() -> int | None:
    """The staff id of a login that has not sat idle too long; refreshes its idle timer."""
    staff_id = session.get("staff_id")
    if not isinstance(staff_id, int):
        return None
    seen = session.get("seen")
    limit = desk().config.web.session_minutes * 60
    now = _now()
    if not isinstance(seen, int) or now - seen > limit:
        session.clear()
        flash("Your session expired; please sign in again.", "info")
        return None
    session["seen"] = now
    return staff_id


def _now() -> int:
    return int(desk().clock().timestamp())


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("desk.queue")
