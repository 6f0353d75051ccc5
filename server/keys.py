"""The server's signing key: signs every receipt and every audit-log checkpoint.

Devices pin its public key at enrollment; a new key would make every device refuse the server's receipts,
so it must be kept (and backed up) as carefully as the database — but **not beside it**: whoever can read it
can re-sign a rewritten audit log. Three ways, strongest last (docs/security.md "The server key"):

1. default: ``<data_dir>/keys/server.key`` (0600), created on first start;
2. ``server_key_path``: a key file elsewhere — another disk, a secrets mount, a machine the database
   administrator cannot read. It must already exist (``genba server key create --out PATH``): a missing
   file is refused, never silently replaced by a new key;
3. ``server_signer``: ``"package.module:factory"``, a callable taking the settings and returning a
   :class:`shared.note.Signer` — the seam for an HSM or a KMS, which keeps the private key out of this
   process entirely. No such implementation ships; the interface is three members.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from server.errors import SettingsError
from shared.errors import FormatError, GenbaError
from shared.keys import SigningKey
from shared.note import Signer
from shared.paths import DataDir

if TYPE_CHECKING:
    from server.settings import Settings


def load_or_create_server_key(data: DataDir, name: str) -> SigningKey:
    data.ensure()
    path = data.server_key
    if not path.exists():
        SigningKey.generate(name).save(path)
    try:
        return SigningKey.load(path)
    except FormatError as exc:
        raise SettingsError(f"server key {path} is unreadable: {exc.message}") from exc


def load_server_signer(settings: Settings) -> Signer:
    """The signer the settings name (see the module docstring)."""
    if settings.server_signer:
        return _from_factory(settings.server_signer, settings)
    if settings.server_key_path is not None:
        path = settings.server_key_path
        if not path.is_file():
            raise SettingsError(f"server_key_path {path} does not exist; a new key would make every device refuse "
                                "this server: mount the key file there, or create one first with "
                                "'genba server key create --out PATH'")
        try:
            return SigningKey.load(path)
        except GenbaError as exc:
            raise SettingsError(f"server key {path} cannot be used: {exc.message}") from exc
    return load_or_create_server_key(settings.data, settings.server_key_name)


def _from_factory(spec: str, settings: Settings) -> Signer:
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise SettingsError(f"server_signer must be 'package.module:factory', got {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise SettingsError(f"server_signer {spec!r} cannot be loaded: {exc}") from exc
    signer = factory(settings)
    if not isinstance(signer, Signer):
        raise SettingsError(f"server_signer {spec!r} returned {type(signer).__name__}, which has no name, "
                            "verifier and sign(message)")
    return signer
