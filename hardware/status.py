"""What each reader status means to a site manager, in Japanese (default) and English.

A :class:`~hardware.base.ReaderStatus` carries both sentences so the kiosk can
show the site's language without a lookup. Each sentence says what happened
and what to do next; the technical detail (an errno, a PC/SC return code)
goes into ``ReaderStatus.detail`` and the log, never in place of the advice.
"""

from __future__ import annotations

from hardware.base import ReaderStatus, StatusKind
from hardware.errors import HardwareError, ReaderUnavailable

STATUS_MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("カードリーダーの準備ができました。カードをかざしてください。",
           "The card reader is ready. Touch a card."),
    "no_reader": ("カードリーダーが見つかりません。リーダーのUSBケーブルをパソコンに差し込んでください。"
                  "差し込めば自動でつながります。",
                  "No card reader found. Plug the reader's USB cable into this computer; "
                  "it connects automatically."),
    "unplugged": ("カードリーダーが外れました。USBケーブルを差し直してください。自動で再接続します。",
                  "The card reader was unplugged. Plug the USB cable back in; it reconnects automatically."),
    "no_permission": ("カードリーダーを使う権限がありません。管理者が udev ルール（packaging/udev）を入れ、"
                      "キオスクのユーザーを plugdev グループに追加してから、リーダーを差し直してください"
                      "（詳しくは docs/readers.md）。",
                      "No permission to open the card reader. An administrator must install the udev rules "
                      "(packaging/udev), add the kiosk's user to the plugdev group, then re-plug the reader "
                      "(see docs/readers.md)."),
    "reader_busy": ("カードリーダーを別のプログラムが使っています。他の読み取りソフトを終了するか、"
                    "パソコンを再起動してください。",
                    "Another program is using the card reader. Quit other card software or restart the computer."),
    "pcscd_unavailable": ("カード読み取りサービス（pcscd）が動いていません。管理者が "
                          "「sudo apt install pcscd libccid」と「sudo systemctl enable --now pcscd.socket」を"
                          "実行してください。",
                          "The smart-card service (pcscd) is not running. An administrator must run "
                          "'sudo apt install pcscd libccid' and 'sudo systemctl enable --now pcscd.socket'."),
    "read_error": ("カードを読み取れませんでした。カードをリーダーの中央に、もう一度ゆっくりかざしてください。",
                   "The card could not be read. Hold the card flat on the centre of the reader again."),
    "bad_card": ("このカードは読み取れませんでした（対応していないカードか、読み取り中に離れました）。"
                 "キャリアアップカードをもう一度かざしてください。",
                 "This card could not be read (not a supported card, or it was moved away mid-read). "
                 "Touch the CCUS card again."),
    "read_errors_repeated": ("読み取りエラーが続いています。リーダーを差し直してください。"
                             "直らない場合はリーダーを交換してください。",
                             "Read errors keep happening. Re-plug the reader; if that does not help, replace it."),
    "bad_input": ("シミュレーターへの入力が正しくありません。16桁の16進数（IDm）か命令を入力してください。",
                  "The simulator input is not valid. Type a 16-hex-digit IDm or a command."),
    "reader_error": ("カードリーダーで予期しないエラーが発生しました。リーダーを差し直してください。",
                     "The card reader reported an unexpected error. Re-plug the reader."),
}

KIND_OF_CODE: dict[str, StatusKind] = {
    "ok": "connected",
    "no_reader": "disconnected",
    "unplugged": "disconnected",
    "no_permission": "disconnected",
    "reader_busy": "disconnected",
    "pcscd_unavailable": "disconnected",
}
"""Codes that say the reader cannot be used at all; every other non-ok code is an ``error``
that leaves the reader working for the next card."""


def messages_for(code: str) -> tuple[str, str]:
    """The (Japanese, English) advice for a status code; unknown codes get the generic advice."""
    return STATUS_MESSAGES.get(code, STATUS_MESSAGES["reader_error"])


def make_status(reader: str, code: str, mono_us: int, detail: str = "", kind: StatusKind | None = None) -> ReaderStatus:
    """Build the status for ``code`` with its kind (unless given) and both messages filled in."""
    ja, en = messages_for(code)
    kind = kind or KIND_OF_CODE.get(code, "error")
    return ReaderStatus(kind=kind, reader=reader, code=code, message_ja=ja, message_en=en,
                        mono_us=mono_us, detail=detail)


def status_for_error(reader: str, exc: HardwareError, mono_us: int) -> ReaderStatus:
    """The status a backend reports for a hardware error it caught; a reader that cannot be opened is disconnected."""
    code = exc.code if exc.code in STATUS_MESSAGES else "reader_error"
    kind: StatusKind | None = "disconnected" if isinstance(exc, ReaderUnavailable) else None
    return make_status(reader, code, mono_us, exc.message, kind)
