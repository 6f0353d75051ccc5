"""Who may use the tablet view: pairing codes, tablet sessions, CSRF tokens and the lockout.

A tablet gets a session by typing (or scanning as a QR code) the short code
the kiosk's manager mode shows, or — the fallback — the manager PIN. The code
is single-use and expires after :data:`CODE_TTL_S`; every wrong code or PIN
counts against one lockout (:class:`Throttle`) that doubles like the PIN pad's,
on CLOCK_BOOTTIME so a clock change does not unlock it.

Both the code and the sessions live in small JSON files in the data
directory (mode 0600, written atomically under an ``flock``), holding only
SHA-256 hashes of the secrets: the manager screen, ``genba kiosk pair-code``
and ``genba kiosk tablets --revoke`` change them and the web server notices
at the next request. A session's CSRF token is derived from its secret
(HMAC), so nothing else needs storing. This module never imports Qt or an
HTTP library: it is plain data and files.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.web.errors import PairingLocked, PairingRefused, SessionExpired
from shared.clock import Clock
from shared.files import write_atomic
from shared.timefmt import format_rfc3339, parse_rfc3339

CODE_FILE = "tablet-pairing.json"
SESSIONS_FILE = "tablet-sessions.json"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I: a code read off a screen in the sun must not be mistyped."""
CODE_LENGTH = 8
"""40 bits: with the lockout below an attacker gets a handful of guesses per quarter hour."""
CODE_TTL_S = 10 * 60
SESSION_TTL = timedelta(days=7)
"""A site manager pairs once a week; a lost tablet stops working within a week even if nobody revokes it."""
FREE_ATTEMPTS = 5
FIRST_LOCK_S = 30
MAX_LOCK_S = 15 * 60
MAX_SESSIONS = 20


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalize_code(text: str) -> str:
    """What the tablet typed, as stored: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")[:64]


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive flock beside ``path`` for a read-modify-write from any process."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read_json(path: Path) -> dict[str, object]:
    try:
        obj = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged file is treated as empty: every tablet pairs again, nothing worse
    return obj if isinstance(obj, dict) else {}


def _write_json(path: Path, obj: object) -> None:
    write_atomic(path, json.dumps(obj, ensure_ascii=False, indent=1).encode())
    os.chmod(path, 0o600)


class Throttle:
    """Wrong pairing codes and PINs: :data:`FREE_ATTEMPTS` free, then a lock doubling up to :data:`MAX_LOCK_S`."""

    def __init__(self) -> None:
        self.failures = 0
        self.locked_until_us = 0

    def retry_in_s(self, mono_us: int) -> int:
        return max(0, -(-(self.locked_until_us - mono_us) // 1_000_000))

    def check(self, mono_us: int) -> None:
        wait = self.retry_in_s(mono_us)
        if wait:
            raise PairingLocked(f"too many wrong pairing attempts; try again in {wait} s", retry_in_s=wait)

    def failed(self, mono_us: int) -> int:
        """Count a wrong try; returns the lock in seconds it started (0: none)."""
        self.failures += 1
        extra = self.failures - FREE_ATTEMPTS
        lock = 0 if extra < 0 else min(MAX_LOCK_S, FIRST_LOCK_S * 2**extra)
        if lock:
            self.locked_until_us = mono_us + lock * 1_000_000
        return lock

    def reset(self) -> None:
        self.failures, self.locked_until_us = 0, 0


@dataclass(frozen=True, slots=True)
class PairingCode:
    code: str
    """The code to show, e.g. ``K7QM-3XPA``."""
    expires: datetime


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    """A short public id to list and revoke (not the secret)."""
    token_sha256: str
    label: str
    via: str
    """``code`` or ``pin``."""
    created: str
    expires: str
    address: str

    def expired(self, now: datetime) -> bool:
        return parse_rfc3339(self.expires) <= now


class Access:
    """Pairing codes and sessions of one kiosk data directory. Thread-safe within a process."""

    def __init__(self, root: Path, clock: Clock) -> None:
        self.root, self.clock = root, clock
        self.code_path = root / CODE_FILE
        self.sessions_path = root / SESSIONS_FILE
        self.throttle = Throttle()
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int], dict[str, Session]] | None = None
        self._code_seen: str | None = None

    # -- pairing codes ---------------------------------------------------------------------------
    def new_code(self) -> PairingCode:
        """Issue a fresh single-use code (replacing any earlier one); the manager screen shows it."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        expires = self.clock.wall() + timedelta(seconds=CODE_TTL_S)
        with _locked(self.code_path):
            _write_json(self.code_path, {"code_sha256": _sha(code), "expires": format_rfc3339(expires)})
        return PairingCode(format_code(code), expires)

    def _take_code(self, typed: str) -> bool:
        """True (and the code is used up) when ``typed`` is the current, unexpired code."""
        with _locked(self.code_path):
            stored = _read_json(self.code_path)
            digest, expires = stored.get("code_sha256"), stored.get("expires")
            if not isinstance(digest, str) or not isinstance(expires, str):
                return False
            if parse_rfc3339(expires) <= self.clock.wall():
                return False
            if not hmac.compare_digest(digest, _sha(normalize_code(typed))):
                return False
            self.code_path.unlink()
            return True

    def _new_code_issued(self) -> None:
        """A new code on the kiosk screen is the manager being present: it lifts the lockout."""
        stored = _read_json(self.code_path).get("code_sha256")
        current = stored if isinstance(stored, str) else None
        if current is not None and current != self._code_seen:
            self.throttle.reset()
        self._code_seen = current

    def pair_with_code(self, typed: str, *, label: str, address: str) -> tuple[str, Session]:
        with self._lock:
            now_us = self.clock.boottime_us()
            self._new_code_issued()
            self.throttle.check(now_us)
            if not self._take_code(typed):
                lock = self.throttle.failed(now_us)
                if lock:
                    raise PairingLocked(f"wrong pairing code; locked for {lock} s", retry_in_s=lock)
                raise PairingRefused("wrong or expired pairing code")
            self.throttle.reset()
            return self._open_session(label=label, via="code", address=address)

    def pair_with_pin(self, pin_ok: bool, *, label: str, address: str) -> tuple[str, Session]:
        """The PIN fallback: the caller checked the PIN (scrypt) and says whether it matched."""
        with self._lock:
            now_us = self.clock.boottime_us()
            self.throttle.check(now_us)
            if not pin_ok:
                lock = self.throttle.failed(now_us)
                if lock:
                    raise PairingLocked(f"wrong PIN; locked for {lock} s", retry_in_s=lock)
                raise PairingRefused("wrong PIN")
            self.throttle.reset()
            return self._open_session(label=label, via="pin", address=address)

    def check_throttle(self) -> None:
        with self._lock:
            self._new_code_issued()
            self.throttle.check(self.clock.boottime_us())

    # -- sessions ----------------------------------------------------------------------------------
    def _load(self) -> dict[str, Session]:
        try:
            st = self.sessions_path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            return {}
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        sessions: dict[str, Session] = {}
        raw = _read_json(self.sessions_path).get("sessions")
        for item in raw if isinstance(raw, list) else []:
            try:
                s = Session(**item)
            except TypeError:
                continue
            sessions[s.token_sha256] = s
        self._cache = (stamp, sessions)
        return sessions

    def _save(self, sessions: list[Session]) -> None:
        _write_json(self.sessions_path, {"sessions": [asdict(s) for s in sessions]})
        self._cache = None

    def _open_session(self, *, label: str, via: str, address: str) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = self.clock.wall()
        session = Session(id=secrets.token_hex(3), token_sha256=_sha(token), label=label[:80] or "tablet", via=via,
                          created=format_rfc3339(now), expires=format_rfc3339(now + SESSION_TTL), address=address)
        with _locked(self.sessions_path):
            kept = [s for s in self._load().values() if not s.expired(now)]
            kept.sort(key=lambda s: s.created)
            self._save([*kept[-(MAX_SESSIONS - 1):], session])
        return token, session

    def session_for(self, token: str | None) -> Session:
        """The live session of a cookie; raises SessionExpired for an unknown, expired or revoked one."""
        if not token:
            from kiosk.web.errors import NotPaired

            raise NotPaired("no tablet session")
        session = self._load().get(_sha(token))
        if session is None or session.expired(self.clock.wall()):
            raise SessionExpired("the tablet session is unknown, expired or revoked")
        return session

    def sessions(self) -> list[Session]:
        now = self.clock.wall()
        return sorted((s for s in self._load().values() if not s.expired(now)), key=lambda s: s.created)

    def revoke(self, session_id: str) -> bool:
        with _locked(self.sessions_path):
            current = list(self._load().values())
            kept = [s for s in current if s.id != session_id]
            if len(kept) == len(current):
                return False
            self._save(kept)
            return True


def csrf_token(token: str) -> str:
    """The CSRF token of a session: derived from its secret, so a page from another origin cannot know it."""
    return hmac.new(token.encode(), b"genba-tablet-csrf", hashlib.sha256).hexdigest()[:32]


def csrf_ok(token: str, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(csrf_token(token), sent.strip())
