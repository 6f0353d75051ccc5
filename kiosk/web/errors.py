"""Every refusal of the tablet view, as one tree; each maps to an HTTP status and a stable ``code``.

    TabletError                 code "tablet"                  500
    ├── NotPaired               code "tablet_not_paired"       401  no session cookie, or an unknown one
    ├── SessionExpired          code "tablet_session_expired"  401  the session ran out or was revoked
    ├── CsrfRefused             code "tablet_csrf_refused"     403  a POST without this session's token
    ├── PairingRefused          code "tablet_pairing_refused"  401  wrong or expired pairing code / PIN
    ├── PairingLocked           code "tablet_pairing_locked"   429  too many wrong tries: .retry_in_s
    ├── BadInput                code "tablet_bad_input"        400  a malformed field (which one is said)
    ├── TooLarge                code "tablet_too_large"        413  a request body over the limit
    ├── TabletNotFound          code "tablet_not_found"        404  no such page or file
    └── KioskUnavailable        code "tablet_kiosk_busy"       503  the kiosk did not answer in time

Manager actions refused by the kiosk's own rules stay :class:`kiosk.errors.ManagerActionRefused` (409).
"""

from __future__ import annotations

from shared.errors import GenbaError
from shared.messages import CATALOG


class TabletError(GenbaError):
    code = "tablet"
    status = 500


class NotPaired(TabletError):
    code = "tablet_not_paired"
    status = 401


class SessionExpired(TabletError):
    code = "tablet_session_expired"
    status = 401


class CsrfRefused(TabletError):
    code = "tablet_csrf_refused"
    status = 403


class PairingRefused(TabletError):
    code = "tablet_pairing_refused"
    status = 401


class PairingLocked(TabletError):
    code = "tablet_pairing_locked"
    status = 429

    def __init__(self, message: str, *, retry_in_s: int) -> None:
        super().__init__(message)
        self.retry_in_s = retry_in_s


class BadInput(TabletError):
    code = "tablet_bad_input"
    status = 400


class TooLarge(TabletError):
    code = "tablet_too_large"
    status = 413


class TabletNotFound(TabletError):
    code = "tablet_not_found"
    status = 404


class KioskUnavailable(TabletError):
    code = "tablet_kiosk_busy"
    status = 503


CATALOG.update(
    {
        "tablet": ("タブレット画面でエラーが発生しました。ページを再読み込みしてください。",
                   "The tablet view failed. Reload the page."),
        "tablet_not_paired": ("このタブレットはキオスクと接続されていません。キオスクの管理者モードに表示される"
                              "コードで接続してください。",
                              "This tablet is not paired with the kiosk. Pair it with the code shown in the "
                              "kiosk's manager mode."),
        "tablet_session_expired": ("接続の有効期限が切れたか、取り消されました。もう一度接続してください。",
                                   "The pairing expired or was revoked. Pair the tablet again."),
        "tablet_csrf_refused": ("この操作は受け付けられません（ページが古い可能性）。ページを再読み込みして"
                                "やり直してください。",
                                "This request was refused (the page may be stale). Reload the page and try "
                                "again."),
        "tablet_pairing_refused": ("コードまたは暗証番号が違うか、期限切れです。キオスクに表示されている"
                                   "コードを確認してください。",
                                   "Wrong or expired code or PIN. Check the code shown on the kiosk."),
        "tablet_pairing_locked": ("誤りが続いたため、しばらく接続できません。時間をおくか、キオスクで新しい"
                                  "コードを表示してください。",
                                  "Too many wrong tries: wait, or show a new code on the kiosk."),
        "tablet_bad_input": ("入力内容に誤りがあります。表示された項目を確認してください。",
                             "Some input is invalid; check the field named."),
        "tablet_too_large": ("送信内容が大きすぎます。", "The request is too large."),
        "tablet_not_found": ("ページが見つかりません。", "Page not found."),
        "tablet_kiosk_busy": ("キオスクが応答しません。少し待ってからやり直してください。",
                              "The kiosk did not answer. Wait a moment and try again."),
    }
)
