"""The data directory: one folder holding everything a Genba command reads or writes.

``--data-dir`` or ``GENBA_DATA_DIR``, default ``~/.local/share/genba``:

    journal.db     the edge journal (written only by the kiosk)
    state.db       syncd's state (written only by syncd)
    device.json    this device's identity: id, epoch, site
    keys/          device-e<epoch>.key (0600), server.key on a server
    server.db      the server's SQLite database, unless GENBA_DATABASE_URL names another
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "GENBA_DATA_DIR"


def default_data_dir() -> Path:
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "genba"


@dataclass(frozen=True, slots=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, given: Path | None = None) -> DataDir:
        return cls((given or default_data_dir()).expanduser().absolute())

    def ensure(self) -> DataDir:
        """Create the directory (and keys/) readable by its owner only: the journal and state.db hold names
        and card IDms. An existing directory keeps the mode its installer gave it."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.keys.mkdir(mode=0o700, exist_ok=True)
        return self

    @property
    def journal(self) -> Path:
        return self.root / "journal.db"

    @property
    def state(self) -> Path:
        return self.root / "state.db"

    @property
    def device_file(self) -> Path:
        return self.root / "device.json"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    def device_key(self, epoch: int) -> Path:
        return self.keys / f"device-e{epoch}.key"

    @property
    def server_key(self) -> Path:
        return self.keys / "server.key"

    @property
    def server_db(self) -> Path:
        return self.root / "server.db"
