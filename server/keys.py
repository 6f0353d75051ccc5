"""The server's own signing key: created on first start (0600), signs every receipt.

Devices pin its public key at enrollment; a new key would make every device
refuse the server's receipts, so this file must be backed up with the database.
"""

from __future__ import annotations

from server.errors import SettingsError
from shared.errors import FormatError
from shared.keys import SigningKey
from shared.paths import DataDir


def load_or_create_server_key(data: DataDir, name: str) -> SigningKey:
    data.ensure()
    path = data.server_key
    if not path.exists():
        SigningKey.generate(name).save(path)
    try:
        return SigningKey.load(path)
    except FormatError as exc:
        raise SettingsError(f"server key {path} is unreadable: {exc.message}") from exc
