"""Sign-in throttling: after repeated wrong passwords for one address, or from one client, the
desk refuses to check more for a while, so a password cannot be guessed at the server's speed.

Counted in this web process's memory (a restart forgets; several web processes count apart).
A person locked out by someone else's guesses waits out the window like the guesser; the
refusals are logged.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

PER_ADDRESS = 5     # failures for one staff address within the window
PER_CLIENT = 20     # failures from one client (IP address) within the window, any address
WINDOW = timedelta(minutes=15)
MAX_KEYS = 10_000   # the table cannot grow without bound under a flood of made-up addresses


class SignInThrottle:
    def __init__(self, per_address: int = PER_ADDRESS, per_client: int = PER_CLIENT,
                 window: timedelta = WINDOW) -> None:
        self.limits = {"address": per_address, "client": per_client}
        self.window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    def wait(self, address: str, client: str, now: datetime) -> timedelta | None:
        """How long until a sign-in for this address from this client is checked again; None: now."""
        with self._lock:
            waits = [self._wait(key, now) for key in self._keys(address, client)]
        longest = max((w for w in waits if w is not None), default=None)
        return longest

    def failed(self, address: str, client: str, now: datetime) -> None:
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._forget_old(now)
            for key in self._keys(address, client):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, address: str) -> None:
        """The right password clears the address's count (not the client's)."""
        with self._lock:
            self._failures.pop(("address", address.strip().lower()), None)

    def _keys(self, address: str, client: str) -> tuple[tuple[str, str], ...]:
        return ("address", address.strip().lower()), ("client", client)

    def _wait(self, key: tuple[str, str], now: datetime) -> timedelta | None:
        times = self._failures.get(key)
        if not times:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limits[key[0]]:
            return None
        return times[-self.limits[key[0]]] + self.window - now

    def _forget_old(self, now: datetime) -> None:
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window]:
            del self._failures[key]
        while len(self._failures) >= MAX_KEYS:  # all recent: drop the oldest
            del self._failures[next(iter(self._failures))]
