"""The kiosk's own local settings: ``kiosk.json`` in the data directory.

Only what belongs to this one screen lives here: the gate mode, the screen
theme (``dark``, or ``light`` for daylight) chosen in manager mode and the
manager PIN as a salted scrypt hash (never the PIN).
Site facts (name, day boundary, repeat window, roster) come from state.db,
which the kiosk only reads. Written atomically (temp file, fsync, rename)
with mode 0600 because the hash must not be readable by other users.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from kiosk.direction import GateMode
from kiosk.errors import SettingsDamaged

FILENAME = "kiosk.json"
THEMES = ("dark", "light")


@dataclass(frozen=True, slots=True)
class PinHash:
    salt: str
    """hex"""
    hash: str
    """hex scrypt output"""
    n: int = 2**14
    r: int = 8
    p: int = 1


@dataclass(frozen=True, slots=True)
class KioskSettings:
    mode: GateMode = GateMode.AUTO
    pin: PinHash | None = None
    theme: str = "dark"

    def with_changes(self, **changes: Any) -> KioskSettings:
        return replace(self, **changes)


def settings_path(root: Path) -> Path:
    return root / FILENAME


def load_settings(root: Path) -> KioskSettings:
    """Read kiosk.json; a missing file means defaults, a damaged one raises :class:`SettingsDamaged`."""
    path = settings_path(root)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return KioskSettings()
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SettingsDamaged(f"{path} cannot be read: {exc}") from None
    try:
        mode = GateMode(raw.get("mode", "auto"))
        pin_raw = raw.get("pin")
        pin = None if pin_raw is None else PinHash(**pin_raw)
        if pin is not None:
            bytes.fromhex(pin.salt), bytes.fromhex(pin.hash)
        theme = raw.get("theme", "dark")
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    except (AttributeError, TypeError, ValueError) as exc:
        raise SettingsDamaged(f"{path} is damaged: {exc}") from None
    return KioskSettings(mode=mode, pin=pin, theme=theme)


def save_settings(root: Path, settings: KioskSettings) -> None:
    path = settings_path(root)
    root.mkdir(parents=True, exist_ok=True)
    body = {"mode": settings.mode.value, "pin": None if settings.pin is None else asdict(settings.pin),
            "theme": settings.theme}
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(body, indent=2) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
