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

import sys
from typing import Any

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
    _check_options(parsed, options)
    if parsed.kind == "sim":
        return _open_sim(parsed, clock, options)
    # Imported here, not at the top: the simulator must work (and start fast) without nfcpy or pyscard.
    if parsed.kind in ("usb", "udp"):
        from hardware.nfcpy_backend import NfcpyReader

        return NfcpyReader(parsed, clock=clock, **options)
    if parsed.kind == "pcsc":
        from hardware.pcsc_backend import PcscReader

        return PcscReader(parsed, clock=clock, **options)
    from hardware.auto import AutoReader

    return AutoReader(parsed, clock=clock, **options)


_OPTIONS = {
    "sim": {"reader_id", "stream"},
    "usb": {"reader_id", "poll_interval", "retry_interval", "data_block", "sysfs", "devroot"},
    "udp": {"reader_id", "poll_interval", "retry_interval", "data_block"},
    "pcsc": {"reader_id", "poll_interval", "retry_interval", "data_block"},
    "auto": {"reader_id", "poll_interval", "retry_interval", "data_block", "sysfs", "devroot"},
}


def _check_options(parsed: ReaderPath, options: dict[str, Any]) -> None:
    unknown = set(options) - _OPTIONS[parsed.kind]
    if unknown:
        raise BadReaderPath(f"a {parsed.kind} reader takes no option {', '.join(sorted(unknown))}; "
                            f"it takes {', '.join(sorted(_OPTIONS[parsed.kind]))}")


def _open_sim(parsed: ReaderPath, clock: Clock | None, options: dict[str, Any]) -> SimulatedReader:
    reader_id = options.get("reader_id")
    if parsed.target is None:
        return SimulatedReader(parsed.text, clock=clock, reader_id=reader_id)
    if parsed.target == "-":
        return SimulatedReader(parsed.text, clock=clock, reader_id=reader_id, stream=options.get("stream", sys.stdin))
    return SimulatedReader(parsed.text, clock=clock, reader_id=reader_id, script=load_script(parsed.target))
