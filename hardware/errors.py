"""Every error the hardware layer raises, as one tree.

Reader and card trouble at run time never raises out of ``Reader.events()``:
it becomes a :class:`~hardware.base.ReaderStatus` whose ``code`` is one of the
codes below, and the reader keeps trying. These exceptions are raised only

* by :func:`hardware.open_reader` for a path or option that cannot work
  (:class:`BadReaderPath`, :class:`ScriptError`), and
* inside backends, where the polling loop catches them and turns them into
  statuses (everything under :class:`ReaderUnavailable` and :class:`ReadError`).

Boundaries translate nfcpy's, pyscard's and pyusb's exceptions into these;
nothing above ``hardware`` has to catch a third-party error.

    GenbaError (shared.errors)
    └── HardwareError                 code "hardware"
        ├── BadReaderPath             code "bad_reader_path"   a path string open_reader cannot parse
        ├── ScriptError               code "bad_script"        a simulator script line that is not a command (.line)
        ├── ReaderUnavailable         code "reader_unavailable"  the reader cannot be opened (retry later)
        │   ├── NoReader              code "no_reader"         nothing plugged in / nothing matches the path
        │   ├── NoPermission          code "no_permission"     the USB device exists but this user may not open it
        │   ├── ReaderBusy            code "reader_busy"       another program (or a kernel driver) holds it
        │   ├── PcscdUnavailable      code "pcscd_unavailable" the PC/SC daemon is missing or stopped
        │   └── ReaderUnplugged       code "unplugged"         the reader went away while in use
        └── ReadError                 code "read_error"        one read failed; the reader itself is fine
            └── BadCard               code "bad_card"          the card answered garbage, a short or
                                                               wrong-length IDm, or left mid-read
"""

from __future__ import annotations

from shared.errors import GenbaError


class HardwareError(GenbaError):
    code = "hardware"


class BadReaderPath(HardwareError):
    code = "bad_reader_path"


class ScriptError(HardwareError):
    code = "bad_script"

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "line": self.line}


class ReaderUnavailable(HardwareError):
    code = "reader_unavailable"


class NoReader(ReaderUnavailable):
    code = "no_reader"


class NoPermission(ReaderUnavailable):
    code = "no_permission"


class ReaderBusy(ReaderUnavailable):
    code = "reader_busy"


class PcscdUnavailable(ReaderUnavailable):
    code = "pcscd_unavailable"


class ReaderUnplugged(ReaderUnavailable):
    code = "unplugged"


class ReadError(HardwareError):
    code = "read_error"


class BadCard(ReadError):
    code = "bad_card"
