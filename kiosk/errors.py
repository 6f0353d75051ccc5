"""Every error the kiosk's own logic raises, as one tree.

Journal trouble stays :class:`shared.errors.JournalError` (the tap pipeline
turns it into a "NOT recorded" outcome rather than raising); these are the
kiosk's own refusals, each with a stable ``code`` the screens translate.

    KioskError                 code "kiosk"
    ├── PinError               code "pin"
    │   ├── PinNotSet          code "pin_not_set"     no manager PIN configured yet
    │   ├── WrongPin           code "wrong_pin"       .attempts_left before the lock
    │   ├── PinLocked          code "pin_locked"      .retry_in_s seconds until the next try
    │   └── WeakPin            code "weak_pin"        a new PIN that is too short or not digits
    ├── ManagerActionRefused   code "action_refused"  e.g. amend of an event that is not a tap
    └── SettingsDamaged        code "settings_damaged" kiosk.json unreadable
"""

from __future__ import annotations

from shared.errors import GenbaError
from shared.messages import CATALOG


class KioskError(GenbaError):
    code = "kiosk"


class PinError(KioskError):
    code = "pin"


class PinNotSet(PinError):
    code = "pin_not_set"


class WrongPin(PinError):
    code = "wrong_pin"

    def __init__(self, message: str, *, attempts_left: int) -> None:
        super().__init__(message)
        self.attempts_left = attempts_left


class PinLocked(PinError):
    code = "pin_locked"

    def __init__(self, message: str, *, retry_in_s: int) -> None:
        super().__init__(message)
        self.retry_in_s = retry_in_s


class WeakPin(PinError):
    code = "weak_pin"


class ManagerActionRefused(KioskError):
    code = "action_refused"


class SettingsDamaged(KioskError):
    code = "settings_damaged"


CATALOG.update(
    {
        "kiosk": ("キオスクでエラーが発生しました。", "The kiosk reported an error."),
        "pin": ("暗証番号を確認できません。", "The PIN cannot be checked."),
        "pin_not_set": ("管理者の暗証番号が設定されていません。genba kiosk set-pin で設定してください。",
                        "No manager PIN is set. Set one with: genba kiosk set-pin"),
        "wrong_pin": ("暗証番号が違います。", "Wrong PIN."),
        "pin_locked": ("暗証番号の誤りが続いたため、しばらく入力できません。時間をおいて再度お試しください。",
                       "Too many wrong PINs: wait a while, then try again."),
        "weak_pin": ("暗証番号が単純すぎます。推測されにくい番号にしてください。",
                     "The PIN is too simple; choose one that is hard to guess."),
        "action_refused": ("この操作はできません。表示された理由を確認してください。",
                           "This action is refused; see the reason shown."),
        "settings_damaged": ("キオスクの設定ファイルが壊れています。kiosk.json を確認するか、設定し直してください。",
                             "The kiosk's settings file is damaged; check kiosk.json or set it up again."),
    }
)
