"""Feedback sounds through QtMultimedia; silent, with a visible note, when there is no audio output.

Sites often run a kiosk with no speaker (and CI has no sound card): the
player then says so on screen instead of pretending, and the kiosk works on.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.pipeline import Outcome, OutcomeKind
from kiosk.tones import TONES, wav_bytes

log = logging.getLogger(__name__)


def sound_for(outcome: Outcome) -> str:
    if outcome.kind is OutcomeKind.RECORDED:
        return "out" if outcome.direction == "out" else "in"
    if outcome.kind is OutcomeKind.REPEAT:
        return "repeat"
    if outcome.kind in (OutcomeKind.UNKNOWN_CARD, OutcomeKind.NOT_ON_ROSTER):
        return "warn"
    return "error"


class SoundPlayer(QObject):
    """Plays one sound per outcome. ``available`` is False when the machine has no audio output."""

    def __init__(self, parent: QObject | None = None, *, enabled: bool = True) -> None:
        super().__init__(parent)
        self.available = enabled and bool(QMediaDevices.audioOutputs())
        self.played: list[str] = []
        """Names of the sounds requested (played or, when silent, skipped), for logs and tests."""
        self._effects: dict[str, QSoundEffect] = {}
        if not self.available:
            log.warning("no audio output: the kiosk is silent and says so on screen")
            return
        # One folder per user, reused across restarts (the tones never change within a version).
        self._dir = Path(tempfile.gettempdir()) / f"genba-kiosk-sounds-{os.getuid()}"
        self._dir.mkdir(mode=0o700, exist_ok=True)
        for name, notes in TONES.items():
            path = self._dir / f"{name}.wav"
            data = wav_bytes(notes)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            self._effects[name] = effect

    def play(self, outcome: Outcome) -> str:
        name = sound_for(outcome)
        self.played.append(name)
        del self.played[:-50]
        effect = self._effects.get(name)
        if effect is not None:
            effect.play()
        return name
