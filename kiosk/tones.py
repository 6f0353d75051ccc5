"""The kiosk's feedback sounds, synthesised as small WAV files (no audio assets to ship or license).

Each outcome has its own sound so a worker who is not looking at the screen
still knows what happened: a rising two-note chime for a recorded entry, a
falling one for an exit, a soft single note for a repeat, a double beep for
"recorded, but see the manager", and a long low tone for "NOT recorded".
Pure: returns bytes; :mod:`kiosk.ui.sound` plays them.
"""

from __future__ import annotations

import io
import math
import struct
import wave

RATE = 22_050

# (frequency Hz, seconds) notes; 0 Hz is a pause.
TONES: dict[str, tuple[tuple[float, float], ...]] = {
    "in": ((880.0, 0.12), (1318.5, 0.22)),
    "out": ((1318.5, 0.12), (880.0, 0.22)),
    "repeat": ((1046.5, 0.10),),
    "warn": ((988.0, 0.12), (0.0, 0.08), (988.0, 0.12), (0.0, 0.08), (988.0, 0.12)),
    "error": ((220.0, 0.9),),
}


def wav_bytes(notes: tuple[tuple[float, float], ...], *, volume: float = 0.5) -> bytes:
    """A mono 16-bit WAV of the notes, each with a short fade so it does not click."""
    frames = bytearray()
    for freq, seconds in notes:
        n = int(RATE * seconds)
        fade = max(1, int(RATE * 0.01))
        for i in range(n):
            envelope = min(1.0, i / fade, (n - i) / fade)
            sample = 0.0 if freq == 0 else math.sin(2 * math.pi * freq * i / RATE) * volume * envelope
            frames += struct.pack("<h", int(sample * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out.getvalue()
