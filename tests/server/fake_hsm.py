"""A stand-in for an HSM or KMS behind the ``server_signer`` seam: the private key lives in this object only
(never in a file the server reads), and the server sees nothing but name, verifier and sign()."""

from __future__ import annotations

import hashlib
from typing import Any

from shared.keys import SigningKey, VerifierKey

SIGNED: list[bytes] = []


class FakeHsm:
    def __init__(self) -> None:
        self._key = SigningKey("genba-hsm", hashlib.sha256(b"fake hsm test key; never trust it").digest())

    @property
    def name(self) -> str:
        return self._key.name

    @property
    def verifier(self) -> VerifierKey:
        return self._key.verifier

    def sign(self, message: bytes) -> bytes:
        SIGNED.append(message)
        return self._key.sign(message)


def make(_settings: Any) -> FakeHsm:
    return FakeHsm()


def not_a_signer(_settings: Any) -> object:
    return object()
