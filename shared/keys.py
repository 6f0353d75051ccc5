"""Ed25519 keys in the C2SP signed-note key encoding, and their files.

Key text (docs/protocol.md §4), as in C2SP signed-note / Go's ``x/mod/sumdb/note``:

    verifier: <name>+<hash hex8>+<base64(0x01 ‖ 32-byte public key)>
    signer:   PRIVATE+KEY+<name>+<hash hex8>+<base64(0x01 ‖ 32-byte seed)>

where hash = first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.

A private key file is created with mode 0600 and is refused on load when the
group or others can read it: a device key readable by others is a forgery
waiting to happen.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.errors import FormatError, KeyFileMissing, KeyFilePermissions

ALG_ED25519 = 0x01
MAX_KEY_NAME = 64


def check_key_name(name: str) -> str:
    if not name or len(name) > MAX_KEY_NAME or any(c in name for c in "+ \n\t") or not name.isprintable():
        raise FormatError(f"key name must be 1–{MAX_KEY_NAME} printable characters without '+' or spaces")
    return name


def key_hash(name: str, public: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public).digest()
    return int.from_bytes(digest[:4], "big")


def _ed25519_bytes(blob: str, what: str) -> bytes:
    """The 32 key bytes of an encoded key's last part: base64 of the algorithm byte and the key."""
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        raise FormatError(f"{what} is not valid base64") from None
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise FormatError(f"{what} is not an Ed25519 key")
    return raw[1:]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A named Ed25519 public key."""

    name: str
    public: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False, hash=False)
    """The OpenSSL key object, built once: rebuilding it per verification cost as much as verifying."""
    _hash: int = field(init=False, repr=False, compare=False, hash=False)
    """:func:`key_hash` of name and key, computed once (every signature line and note check names it)."""

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public) != 32:
            raise FormatError("an Ed25519 public key is 32 bytes")
        try:
            object.__setattr__(self, "_key", Ed25519PublicKey.from_public_bytes(self.public))
        except ValueError:
            raise FormatError("not a valid Ed25519 public key") from None
        object.__setattr__(self, "_hash", key_hash(self.name, self.public))

    @property
    def hash(self) -> int:
        return self._hash

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def encode(self) -> str:
        blob = base64.b64encode(bytes([ALG_ED25519]) + self.public).decode()
        return f"{self.name}+{self.hash:08x}+{blob}"

    @classmethod
    def decode(cls, text: str) -> VerifierKey:
        """The key ``text`` (:meth:`encode`'s form) names; a :class:`FormatError` when it is not one. The same text
        read again (a journal's epochs, every upload cycle) is decoded once (:func:`_decoded`)."""
        return _decoded(text.strip())  # what is remembered is a valid key's text: a few dozen characters


@functools.lru_cache(maxsize=256)
def _decoded(text: str) -> VerifierKey:
    """:meth:`VerifierKey.decode` of a stripped text, remembered for the last 256 texts (a key is immutable; a
    refused text raises each time, it is not remembered)."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise FormatError("verifier key must be <name>+<hash>+<key>")
    name, hash_hex, blob = parts
    public = _ed25519_bytes(blob, "verifier key")
    key = VerifierKey(name=check_key_name(name), public=public)
    if hash_hex != f"{key.hash:08x}":
        raise FormatError("verifier key hash does not match its name and key")
    return key


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A named Ed25519 private key (the 32-byte seed)."""

    name: str
    seed: bytes
    _key: Ed25519PrivateKey = field(init=False, repr=False, compare=False, hash=False)
    """The OpenSSL key object, built once: the journal signs a checkpoint on every tap."""

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.seed) != 32:
            raise FormatError("an Ed25519 private key seed is 32 bytes")
        object.__setattr__(self, "_key", Ed25519PrivateKey.from_private_bytes(self.seed))

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(name=name, seed=raw)

    @property
    def verifier(self) -> VerifierKey:
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(name=self.name, public=public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def encode(self) -> str:
        blob = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.hash:08x}+{blob}"

    @classmethod
    def decode(cls, text: str) -> SigningKey:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise FormatError("signer key must be PRIVATE+KEY+<name>+<hash>+<key>")
        _, _, name, hash_hex, blob = parts
        seed = _ed25519_bytes(blob, "signer key")
        key = cls(name=check_key_name(name), seed=seed)
        if hash_hex != f"{key.verifier.hash:08x}":
            raise FormatError("signer key hash does not match its name and key")
        return key

    def save(self, path: Path) -> None:
        """Write the key to a new file with mode 0600; never overwrite an existing key."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (self.encode() + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        """Load a key file, refusing one that the group or others may read or write."""
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise KeyFileMissing(f"no key file at {path}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFilePermissions(
                f"key file {path} has mode {stat.S_IMODE(mode):04o}; others could read it. "
                f"Run 'chmod 600 {path}' if the key is still trustworthy, or replace it."
            )
        return cls.decode(path.read_text(encoding="ascii", errors="strict"))
