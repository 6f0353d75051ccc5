"""Card readers behind one interface: ``open_reader(path)`` gives a :class:`Reader` of taps and statuses.

    from hardware import open_reader, Tap, ReaderStatus
    reader = open_reader("usb")          # or "pcsc", "udp:localhost:54321", "sim", "sim:taps.txt", "auto"
    for event in reader.events():        # blocks between events; never raises for reader trouble
        ...
    reader.close()                       # from any thread

Path forms are listed in :mod:`hardware.paths`; the simulator's script format
in :mod:`hardware.sim`. Backends are imported only when asked for, so the
simulator works (and starts fast) without touching nfcpy or pyscard.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, cast

from hardware.base import Reader, ReaderEvent, ReaderStatus, StatusKind, Tap
from hardware.errors import BadReaderPath, HardwareError, ScriptError
from hardware.paths import ReaderPath, parse_reader_path
from hardware.polling import DataBlock
from hardware.sim import SimulatedReader, load_script
from shared.clock import Clock

__all__ = [
    "BadReaderPath",
    "DataBlock",
    "HardwareError",
    "Reader",
    "ReaderEvent",
    "ReaderPath",
    "ReaderStatus",
    "ScriptError",
    "SimulatedReader",
    "StatusKind",
    "Tap",
    "open_reader",
    "parse_reader_path",
]


def open_reader(path: str, *, clock: Clock | None = None, **options: Any) -> Reader:
    """The reader named by ``path``; raises :class:`BadReaderPath` / :class:`ScriptError` for a bad path.

    Nothing is opened yet: the device is looked for when ``events()`` is first
    iterated, and a missing or unplugged device becomes a status, not an error.
    ``options`` go to the backend: ``reader_id`` (the id taps carry) for all;
    ``poll_interval``, ``retry_interval``, ``data_block`` (a :class:`DataBlock`)
    for the real backends; ``stream`` (default standard input) for ``sim:-``.
    """
    parsed = parse_reader_path(path)
    if parsed.kind == "sim":
        return _open_sim(parsed, clock, options)
    module, name = _BACKENDS[parsed.kind]
    backend = getattr(importlib.import_module(module), name)
    return cast(Reader, backend(parsed, clock=clock, **options))


_BACKENDS = {
    "usb": ("hardware.nfcpy_backend", "NfcpyReader"),
    "udp": ("hardware.nfcpy_backend", "NfcpyReader"),
    "pcsc": ("hardware.pcsc_backend", "PcscReader"),
    "auto": ("hardware.auto", "AutoReader"),
}


def _open_sim(parsed: ReaderPath, clock: Clock | None, options: dict[str, Any]) -> SimulatedReader:
    unknown = set(options) - {"reader_id", "stream"}
    if unknown:
        raise BadReaderPath(f"the simulated reader takes no option {', '.join(sorted(unknown))}")
    reader_id = options.get("reader_id")
    if parsed.target is None:
        return SimulatedReader(parsed.text, clock=clock, reader_id=reader_id)
    if parsed.target == "-":
        return SimulatedReader(parsed.text, clock=clock, reader_id=reader_id, stream=options.get("stream", sys.stdin))
    return SimulatedReader(parsed.text, clock=clock, reader_id=reader_id, script=load_script(parsed.target))
