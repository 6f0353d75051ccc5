"""Runs one ``genba`` child process at a time for the manager screen and reports its one-line result.

"Sync now" and "export to USB" are syncd's commands (see :mod:`kiosk.commands`); QProcess keeps the
touch screen responsive while they run, and the manager reads the command's own last line.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QProcess, Signal

from kiosk import commands

translate = QCoreApplication.translate


class CommandRunner(QObject):
    message = Signal(str)
    """What to tell the manager: running, done (with the command's last line) or failed (with its reason)."""
    finished = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None

    def run(self, argv: list[str], what: str) -> bool:
        """Start ``argv``; False (and a message) while another command is still running."""
        if self.process is not None:
            self.message.emit(translate("Kiosk", "Please wait: the previous action is still running."))
            return False
        proc = QProcess(self)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        proc.finished.connect(lambda code, _status: self._finished(proc, code, what))
        proc.errorOccurred.connect(lambda _err: self._finished(proc, -1, what))
        self.process = proc
        self.message.emit(translate("Kiosk", "Running: %1…").replace("%1", what))
        proc.start(argv[0], argv[1:])
        return True

    def _finished(self, proc: QProcess, code: int, what: str) -> None:
        if self.process is not proc:
            return  # errorOccurred and finished can both arrive for one process
        self.process = None
        output = bytes(proc.readAll().data()).decode("utf-8", "replace")
        line = commands.last_line(output) or proc.errorString()
        if code == 0:
            self.message.emit(translate("Kiosk", "Done: %1. %2").replace("%1", what).replace("%2", line))
        else:
            self.message.emit(translate("Kiosk", "Failed: %1. %2").replace("%1", what).replace("%2", line))
        self.finished.emit(code)
        proc.deleteLater()
