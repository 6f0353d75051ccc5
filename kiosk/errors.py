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
