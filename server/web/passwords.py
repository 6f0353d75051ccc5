"""Password hashing for console sign-in: scrypt from the standard library (no plain or fast hashes).

Format: ``scrypt$n$r$p$salt_b64$hash_b64``; the parameters are stored with the hash so they can be raised
later without breaking existing passwords (:func:`needs_rehash`). scrypt is memory-hard and in ``hashlib``,
so the console needs no extra dependency for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
"""16 MiB per hash, ~50 ms on a small server: fine for sign-ins, costly for guessing."""
MIN_LENGTH = 10
MAX_LENGTH = 200


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; False for any malformed stored value."""
    if not stored or len(password) > MAX_LENGTH:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=256 * 1024 * 1024, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def needs_rehash(stored: str) -> bool:
    return not stored.startswith(f"scrypt${N}${R}${P}$")


def password_problem(password: str, login: str) -> str | None:
    """The i18n key of what is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return "pw_too_short"
    if len(password) > MAX_LENGTH:
        return "pw_too_long"
    if password.lower() == login.lower() or len(set(password)) < 4:
        return "pw_too_simple"
    return None
