"""CLI command of the web page: `refund-intake web`."""

from __future__ import annotations

import argparse
import gc
import secrets
import signal
import sys

from base.config import Config
from base.errors import ConfigError

THREADS = 8  # requests served at once; each holds one database session while it runs


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this package's commands to the `refund-intake` parser."""
    web = sub.add_parser("web", help="serve the staff web page: queue, requests, approval")
    web.add_argument("--bind", metavar="ADDRESS", help="address to listen on (default: [web] bind)")
    web.add_argument("--port", type=int, help="port to listen on (default: [web] port)")
    web.add_argument("--dev-secret", action="store_true",
                     help="sign logins with a throwaway key (local trials only)")
    web.set_defaults(handler=web_serve)


def web_serve(config: Config, args: argparse.Namespace) -> int:
    # Imported here so that every other command starts without loading Flask.
    from waitress import create_server

    from base.vault import open_vault
    from desk.app import create_app
    from refund_intake.output import open_database

    secret_key = None
    if args.dev_secret:
        print("refund-intake: warning: --dev-secret signs logins with a throwaway key; logins end "
              "when the server stops. Not for real use: set REFUND_INTAKE_WEB_SECRET.", file=sys.stderr)
        secret_key = secrets.token_hex(32)
    _engine, sessions = open_database(config)
    open_vault(config, sessions)  # encryption on and no usable key: refuse to start (issue 6)
    app = create_app(config, sessions, secret_key=secret_key)
    # What start-up loaded (Flask, SQLAlchemy, Jinja, Babel, the policies) lives as long as the
    # server: keep it out of the collector's full passes, which otherwise cost a page 100 ms+.
    gc.collect()
    gc.freeze()
    host = args.bind or config.web.bind
    port = args.port or config.web.port
    try:
        server = create_server(app, host=host, port=port, threads=THREADS, ident="refund-intake",
                               clear_untrusted_proxy_headers=False)
    except OSError as exc:
        raise ConfigError(f"web: cannot listen on {host}:{port}: {exc.strerror}") from exc
    print(f"staff web page on http://{host}:{server.effective_port}/ (Ctrl-C stops it)", flush=True)
    signal.signal(signal.SIGTERM, _stop)  # systemctl stop: end like Ctrl-C, exit 0
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
