"""Free loopback ports for throwaway test servers, and waiting until a server answers on one."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Return a loopback port that was free a moment ago.

    Another process may take it before the caller binds it; callers that can tell a bind failure
    apart retry with a new port rather than trusting this.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_greeting(
    port: int, prefix: bytes, *, timeout: float, still_starting: Callable[[], bool]
) -> bool:
    """Wait until a server on `port` sends a first line starting with `prefix`.

    Returns False as soon as `still_starting()` is false (the server process died), or when
    `timeout` seconds pass without a greeting.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not still_starting():
            return False
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1) as sock:
                if sock.makefile("rb").readline().startswith(prefix):
                    return True
        except OSError:
            pass
        time.sleep(0.01)
    return False
