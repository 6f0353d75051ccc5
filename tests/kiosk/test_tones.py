"""The synthesised feedback sounds are valid WAV files, one per outcome, and distinct."""

from __future__ import annotations

import io
import wave

from kiosk.tones import RATE, TONES, wav_bytes


def test_each_outcome_has_its_own_valid_wav() -> None:
    blobs = {name: wav_bytes(notes) for name, notes in TONES.items()}
    assert set(blobs) == {"in", "out", "repeat", "warn", "error"}
    assert len(set(blobs.values())) == len(blobs)
    for name, blob in blobs.items():
        with wave.open(io.BytesIO(blob)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
            seconds = w.getnframes() / RATE
        assert 0.05 < seconds < 1.5, name  # short enough not to hold up the next worker
