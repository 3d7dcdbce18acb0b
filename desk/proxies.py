"""Which client a request comes from: X-Forwarded-For and -Proto, believed only from the reverse
proxies named in `[web] trusted_proxies`.

Sign-in throttling counts failures per client address, and the session cookie is marked Secure
when the page is reached over HTTPS. Both read what this middleware leaves in the WSGI environ.
From any other address the forwarding headers are dropped: a client that writes its own
X-Forwarded-For would otherwise pick a fresh address for every guess.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
              "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


class TrustedProxies:
    """WSGI middleware: the client address and scheme, from the proxy's headers when it is trusted."""

    def __init__(self, app: Any, proxies: Iterable[Network]) -> None:
        self.app, self.proxies = app, tuple(proxies)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusted(environ.get("REMOTE_ADDR", "")):
            environ["REMOTE_ADDR"] = self.client(environ["REMOTE_ADDR"], environ.get("HTTP_X_FORWARDED_FOR", ""))
            scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        for name in FORWARDING:
            environ.pop(name, None)
        return self.app(environ, start_response)

    def client(self, peer: str, forwarded_for: str) -> str:
        """Walk X-Forwarded-For from the nearest hop: the first address that is not one of our
        proxies is the client (what lies to its left, the client itself may have written)."""
        client = peer
        for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
            if not _is_address(hop):
                break
            client = hop
            if not self.trusted(hop):
                break
        return client

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
