"""This device's identity: its id, its current epoch, its site, and its signing key.

The key pair is generated on the device and never leaves it. A re-imaged or
re-enrolled device starts a new epoch with a new key (ARCHITECTURE decision 6);
old epochs' public keys stay in the journal so old events still verify.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from shared import hints
from shared.errors import FormatError, KeyFileMissing
from shared.files import write_atomic
from shared.ids import check_ccus_id, check_device_id, new_device_id
from shared.keys import SigningKey
from shared.paths import DataDir


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    device: str
    epoch: int
    site: str | None = None
    server_url: str | None = None
    server_key: str | None = None
    """The server's verifier key, pinned at enrollment (C2SP key text)."""

    def __post_init__(self) -> None:
        check_device_id(self.device)
        if type(self.epoch) is not int or self.epoch < 1:
            raise FormatError("device epoch must be an integer ≥ 1")
        if self.site is not None:
            check_ccus_id(self.site, "site")

    def key_name(self) -> str:
        return f"{self.device}.e{self.epoch}"

    def with_changes(self, **changes: Any) -> DeviceIdentity:
        return replace(self, **changes)


def load_identity(data: DataDir) -> DeviceIdentity | None:
    try:
        raw = json.loads(data.device_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{data.device_file} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise FormatError(f"{data.device_file} must hold a JSON object")
    known = {"device", "epoch", "site", "server_url", "server_key"}
    try:
        return DeviceIdentity(**{k: v for k, v in raw.items() if k in known})
    except TypeError as exc:
        raise FormatError(f"{data.device_file}: {exc}") from None


def save_identity(data: DataDir, identity: DeviceIdentity) -> None:
    data.ensure()
    write_atomic(data.device_file, (json.dumps(asdict(identity), indent=2, ensure_ascii=False) + "\n").encode())


def load_or_create_identity(data: DataDir, *, site: str | None = None) -> tuple[DeviceIdentity, SigningKey]:
    """Return this device's identity and key, creating both on first use."""
    data.ensure()
    identity = load_identity(data)
    if identity is None:
        identity = DeviceIdentity(device=new_device_id(), epoch=1, site=site)
        save_identity(data, identity)
    elif site is not None and identity.site is None:
        identity = identity.with_changes(site=site)
        save_identity(data, identity)
    return identity, load_or_create_key(data, identity)


def key_was_used(data: DataDir, identity: DeviceIdentity) -> bool:
    """Whether this epoch's key has signed anything or been registered: the server holds its public key
    (enrolled), or the journal has the epoch. Such a key, once lost, must never be silently replaced."""
    if identity.server_key is not None:
        return True
    if not data.journal.exists() or data.journal.stat().st_size == 0:
        return False
    from shared.journal import JournalReader  # here, not at the top: shared.journal imports this module

    with JournalReader(data.journal) as journal:
        return identity.epoch in journal.epochs()


def load_or_create_key(data: DataDir, identity: DeviceIdentity, *, new_epoch: bool = False) -> SigningKey:
    """This epoch's signing key; created only when no key of this epoch can ever have been used
    (``new_epoch``: an epoch being started now, by enrollment).

    A missing key that was used raises :class:`KeyFileMissing` (and nothing is written): a new key would
    sign a journal the old one started (refused as a foreign journal) or one the server cannot verify.
    """
    path = data.device_key(identity.epoch)
    if not path.exists():
        if not new_epoch and key_was_used(data, identity):
            raise KeyFileMissing(
                f"the device key of epoch {identity.epoch} is missing ({path}). Restore it from a backup, or "
                f"enroll the device again ('{hints.ENROLL}', a new epoch with a new key); nothing was changed")
        SigningKey.generate(identity.key_name()).save(path)
    key = SigningKey.load(path)
    if key.name != identity.key_name():
        raise FormatError(f"{path} holds key {key.name!r}, expected {identity.key_name()!r}")
    return key


def start_new_epoch(data: DataDir, identity: DeviceIdentity) -> tuple[DeviceIdentity, SigningKey]:
    """Move to the next epoch with a fresh key (re-enrollment after revocation or re-imaging)."""
    nxt = identity.with_changes(epoch=identity.epoch + 1)
    key = load_or_create_key(data, nxt, new_epoch=True)
    save_identity(data, nxt)
    return nxt, key
