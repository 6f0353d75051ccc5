"""Enrolling this device with a server (ARCHITECTURE decision 6).

The device's key pair is generated here and never leaves it; only the public
key travels, with the one-time code. The first enrollment uses epoch 1 (and
the key ``genba journal simulate`` may already have made for it, which no
server has seen). Enrolling a device that was already enrolled — re-imaged,
revoked, or moved to another server — starts a NEW epoch with a new key
(:func:`shared.device.start_new_epoch`): the old epoch's events keep their
own key and still upload. device.json changes only after the server said
yes, so a failed enrollment leaves the device exactly as it was.

The server's key from the answer is pinned in device.json; every receipt is
verified with it from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.device import (
    DeviceIdentity,
    key_was_used,
    load_identity,
    load_or_create_identity,
    save_identity,
    start_new_epoch,
)
from shared.device import load_or_create_key as _key_for
from shared.errors import GenbaError
from shared.ids import check_ccus_id
from shared.keys import VerifierKey
from shared.paths import DataDir
from syncd.client import SyncClient
from syncd.errors import BadResponse


@dataclass(frozen=True, slots=True)
class Enrolled:
    identity: DeviceIdentity
    new_epoch: bool
    server_key: VerifierKey


def check_answer(answer: dict[str, Any], device: str, epoch: int) -> tuple[str, VerifierKey]:
    """The enrollment answer must name us, our epoch, a site id and a server verifier key."""
    if answer.get("device") != device or answer.get("epoch") != epoch:
        raise BadResponse("the enrollment answer is for another device or epoch")
    try:
        site = check_ccus_id(answer.get("site"), "site")
        key = VerifierKey.decode(str(answer.get("server_key")))
    except GenbaError as exc:
        raise BadResponse(f"the enrollment answer is not valid: {exc.message}") from None
    return site, key


def enroll(data: DataDir, client: SyncClient, *, server_url: str, code: str) -> Enrolled:
    """Register this device's public key with ``code``; pin the server key and store the site."""
    current = load_identity(data)
    if current is None:
        current, _ = load_or_create_identity(data)
    # A device enrolled before, or whose used key was lost, moves to a new epoch with a new key.
    again = current.server_key is not None or (
        not data.device_key(current.epoch).exists() and key_was_used(data, current))
    target = current.with_changes(epoch=current.epoch + 1) if again else current
    key = _key_for(data, target, new_epoch=again)  # creates the new epoch's key file; harmless if enrollment fails
    answer = client.enroll(code=code, device=target.device, epoch=target.epoch, key_text=key.verifier.encode())
    site, server_key = check_answer(answer, target.device, target.epoch)
    if again:
        target, _ = start_new_epoch(data, current)
    enrolled = target.with_changes(site=site, server_url=server_url.rstrip("/"), server_key=server_key.encode())
    save_identity(data, enrolled)
    return Enrolled(enrolled, again, server_key)
