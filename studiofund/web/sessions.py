"""Server-side login sessions, and the brake on password guessing.

A session is a random token in the browser's cookie; the server keeps what it stands for (user,
password fingerprint, times) in memory, keyed by the token's SHA-256. Logging out deletes it at
once; a changed password or a removed user ends it at the next request; it lapses after
:data:`SESSION_IDLE` without use or :data:`SESSION_MAX_AGE` after login. Restarting the server
ends every session.

:class:`LoginThrottle` counts failed logins per user name and per client address. After
:data:`LoginThrottle.USER_FREE` (resp. ``ADDRESS_FREE``) failures within
:data:`LoginThrottle.WINDOW`, the name (address) is locked for ``BASE`` seconds, doubling with each
further failure up to ``MAX_LOCK``; while locked even the right password is refused, without
being checked. A successful login clears the name's count, not the address's (one account of
one's own must not reset the brake on guessing others).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

SESSION_IDLE = 2 * 3600
SESSION_MAX_AGE = 8 * 3600
MAX_SESSIONS = 10_000


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Session:
    user: str
    tag: str  # fingerprint of the user's password hash at login
    created: float
    seen: float


class SessionStore:
    """Login sessions by token (in memory; thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.clock = clock

    def create(self, user: str, tag: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                self._prune(now)
            if len(self._sessions) >= MAX_SESSIONS:  # still full: the oldest goes
                del self._sessions[min(self._sessions, key=lambda k: self._sessions[k].seen)]
            self._sessions[_key(token)] = Session(user, tag, now, now)
        return token

    def get(self, token: str) -> Session | None:
        """The live session of ``token`` (its idle clock restarted), or None."""
        if not token or len(token) > 200:
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(_key(token))
            if session is None:
                return None
            if now - session.seen > SESSION_IDLE or now - session.created > SESSION_MAX_AGE:
                del self._sessions[_key(token)]
                return None
            session.seen = now
            return session

    def end(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(_key(token or ""), None)

    def end_user(self, user: str) -> int:
        """End every session of ``user``; returns how many there were."""
        with self._lock:
            keys = [k for k, s in self._sessions.items() if s.user == user]
            for k in keys:
                del self._sessions[k]
            return len(keys)

    def count(self, user: str | None = None) -> int:
        with self._lock:
            return sum(1 for s in self._sessions.values() if user is None or s.user == user)

    def _prune(self, now: float) -> None:
        for k in [k for k, s in self._sessions.items()
                  if now - s.seen > SESSION_IDLE or now - s.created > SESSION_MAX_AGE]:
            del self._sessions[k]


@dataclass
class _Failures:
    count: int
    last: float
    locked_until: float


class LoginThrottle:
    """Failed logins per user name and per address, with exponentially growing lockouts."""

    USER_FREE = 5
    ADDRESS_FREE = 20
    BASE = 30.0
    MAX_LOCK = 15 * 60.0
    WINDOW = 15 * 60.0
    MAX_KEYS = 50_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()
        self.clock = clock

    def wait(self, name: str, address: str) -> float:
        """Seconds until ``name`` from ``address`` may try again (0 when it may now)."""
        now = self.clock()
        with self._lock:
            waits = [f.locked_until - now for f in (self._failures.get(("user", name)),
                                                    self._failures.get(("addr", address))) if f]
        return max([0.0, *waits])

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.MAX_KEYS:
                self._prune(now)
            self._fail(("user", name), self.USER_FREE, now)
            self._fail(("addr", address), self.ADDRESS_FREE, now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(("user", name), None)

    def _fail(self, key: tuple[str, str], free: int, now: float) -> None:
        record = self._failures.get(key)
        if record is None or now - record.last > self.WINDOW:
            record = self._failures[key] = _Failures(0, now, 0.0)
        record.count += 1
        record.last = now
        if record.count >= free:
            record.locked_until = now + min(self.MAX_LOCK, self.BASE * 2 ** (record.count - free))

    def _prune(self, now: float) -> None:
        for key in [k for k, f in self._failures.items() if now - f.last > self.WINDOW and now >= f.locked_until]:
            del self._failures[key]
        while len(self._failures) >= self.MAX_KEYS:
            del self._failures[min(self._failures, key=lambda k: self._failures[k].last)]


def wait_message(seconds: float) -> str:
    minutes = int(seconds // 60) + (1 if seconds % 60 else 0)
    when = f"{minutes} 分钟" if seconds >= 60 else f"{max(1, int(seconds + 0.999))} 秒"
    return f"登录失败次数过多，已暂时锁定；请 {when}后再试。如忘记密码，请联系管理员重设。"
