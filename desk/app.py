"""The Flask application of the staff web page: settings, security headers and error pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from base.config import Config, WebSettings
from base.errors import ConfigError, SecretError
from base.resources import folder
from desk import display
from desk.proxies import TrustedProxies
from desk.state import Desk

SECRET_ENV = "REFUND_INTAKE_WEB_SECRET"
MIN_SECRET_LENGTH = 32
# Only our own script file (keyboard shortcuts), never inline script; styles and images only
# from this server: customer mail can never run here. Frames only of our own pages (the
# reply's HTML part, itself served sandboxed).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
ERROR_TITLES = {
    400: "The form could not be accepted",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    410: "Gone",
    413: "Too large",
}


def create_app(config: Config, sessions: sessionmaker[Session], *, secret_key: str | None = None,
               clock: Callable[[], datetime] | None = None) -> Flask:
    """The staff web page; the cookie-signing key comes from config.web unless given."""
    from desk import auth, settle_views, views

    pages = folder("desk")
    app = Flask(__name__, template_folder=pages / "pages", static_folder=pages / "static")
    app.config.update(
        SECRET_KEY=secret_key if secret_key is not None else read_secret_key(config.web),
        SESSION_COOKIE_NAME="refund_desk",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config.web.session_minutes),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    app.session_interface = _CookieFollowsScheme()
    # Behind the TLS reverse proxy the README asks for, believe its X-Forwarded-For and -Proto, and
    # nobody else's: the client address is what sign-in throttling counts per client.
    app.wsgi_app = TrustedProxies(app.wsgi_app, config.web.trusted_proxies)  # type: ignore[method-assign]
    app.extensions["desk"] = Desk(config, sessions, clock or (lambda: datetime.now(UTC)))
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(settle_views.blueprint)
    app.before_request(auth.check_csrf)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _error_page)
    app.jinja_env.globals["csrf_token"] = auth.csrf_token
    display.install(app.jinja_env)
    return app


def read_secret_key(web: WebSettings) -> str:
    """The key that signs session cookies, or a one-line error saying how to provide one."""
    how = (f"set {SECRET_ENV} to a long random value, e.g. "
           f"export {SECRET_ENV}=$(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
           f"with secret_key_env = \"{SECRET_ENV}\" in [web] (or pass --dev-secret for a local trial)")
    if web.secret_key is None:
        raise ConfigError(f"web: no secret key for signing logins: {how}")
    try:
        key = web.secret_key.read()
    except SecretError as exc:
        where = web.secret_key.env or web.secret_key.file
        raise ConfigError(f"web: cannot read the secret key from {where}: {how}") from exc
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"web: the secret key is shorter than {MIN_SECRET_LENGTH} characters: {how}")
    return key


class _CookieFollowsScheme(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the page is served over HTTPS (directly or via the proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Pages carry customers' personal data: nothing is kept in the browser's cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(error: HTTPException) -> Any:
    code = error.code or 500
    title = ERROR_TITLES.get(code, error.name)
    return render_template("error.html", title=title, detail=error.description, code=code), code
