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
            ├── BadCard               code "bad_card"          the card answered garbage, a short or
            │                                                  wrong-length IDm, or left mid-read
            └── BadInput              code "bad_input"         the simulator's standard input had a bad line
"""

from __future__ import annotations

from shared.errors import GenbaError
from shared.messages import CATALOG


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


class BadInput(ReadError):
    code = "bad_input"


CATALOG.update(
    {
        "hardware": ("カードリーダーでエラーが発生しました。", "The card reader reported an error."),
        "bad_reader_path": (
            "リーダーの指定が正しくありません（usb、pcsc、udp:ホスト:ポート、sim など）。",
            "The reader path is not valid (usb, pcsc, udp:host:port, sim, …).",
        ),
        "bad_script": ("模擬リーダーのスクリプトに誤りがあります。行番号を確認してください。",
                       "The simulated reader's script has an error; check the line number."),
        "reader_unavailable": ("カードリーダーを開けません。接続を確認してください。",
                               "The card reader cannot be opened; check its connection."),
        "no_reader": ("カードリーダーが見つかりません。USBケーブルを挿し直してください。",
                      "No card reader found. Plug the USB cable in again."),
        "no_permission": ("カードリーダーを使う権限がありません。"
                          "udev ルールを入れ、plugdev グループに追加してください。",
                          "No permission to open the reader: install the udev rules and add the user to plugdev."),
        "reader_busy": ("カードリーダーを別のプログラムが使用中です。他のアプリを終了してください。",
                        "Another program is using the card reader; close it."),
        "pcscd_unavailable": ("PC/SC サービス（pcscd）が動いていません。pcscd を起動してください。",
                              "The PC/SC service (pcscd) is not running; start pcscd."),
        "unplugged": ("カードリーダーが外れました。USBケーブルを確認してください。",
                      "The card reader was unplugged; check the USB cable."),
        "read_error": ("カードを読み取れませんでした。もう一度タッチしてください。",
                       "The card could not be read; touch it again."),
        "bad_input": ("模擬リーダーへの入力行が正しくありません。IDm（16桁の16進数）か命令を入力してください。",
                      "A line typed into the simulated reader is not valid: type an IDm (16 hex digits) or a "
                      "command."),
        "bad_card": ("カードの応答が正しくありません。もう一度タッチし、続く場合はカードを確認してください。",
                     "The card answered incorrectly; touch again, and check the card if it persists."),
    }
)
