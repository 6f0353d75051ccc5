"""Errors of the edge daemon, as one tree. httpx's exceptions never leave :mod:`syncd.client`.

    GenbaError (shared.errors)
    └── SyncError                 code "sync"
        ├── NotEnrolled           code "not_enrolled"    no pinned server key / server URL yet
        ├── Unreachable           code "unreachable"     connect failed, DNS, network down (nothing was sent)
        ├── Timeout               code "timeout"         no answer in time (the server may have committed)
        ├── TlsError              code "tls"             certificate not trusted
        ├── ServerFailed          code "server_error"    5xx, or the connection broke mid-answer
        ├── BadResponse           code "bad_response"    an answer that is not what docs/api.md says
        ├── Refused               code = the server's    4xx with a machine-readable code (.status, .body)
        └── ForkAlarm             code "fork"            the server holds another history: uploads stop

``transient`` says whether trying again later can help (network, timeouts,
5xx); a refusal or a fork needs a person. ``uncertain`` says the request may
have reached the server: after it, syncd asks ``/device/receipt`` before
anything else.
"""

from __future__ import annotations

from typing import Any

from shared import hints
from shared.errors import GenbaError
from shared.messages import CATALOG


class SyncError(GenbaError):
    code = "sync"
    transient = False
    uncertain = False


class NotEnrolled(SyncError):
    code = "not_enrolled"


class Unreachable(SyncError):
    code = "unreachable"
    transient = True


class Timeout(SyncError):
    code = "timeout"
    transient = True
    uncertain = True


class TlsError(SyncError):
    code = "tls"


class ServerFailed(SyncError):
    code = "server_error"
    transient = True
    uncertain = True


class BadResponse(SyncError):
    code = "bad_response"
    transient = True
    uncertain = True


class Refused(SyncError):
    """The server said no, with a machine-readable code (docs/api.md "Errors")."""

    def __init__(self, message: str, *, status: int, code: str, body: dict[str, Any]) -> None:
        super().__init__(message)
        self.status = status
        self.code = code  # instance attribute: the server's code verbatim
        self.body = body
        self.message_ja = str(body.get("message_ja") or "")

    def to_dict(self) -> dict[str, object]:
        return {**self.body, "code": self.code, "message": self.message, "status": self.status}


class ForkAlarm(SyncError):
    code = "fork"

    def __init__(self, message: str, *, epoch: int, seq: int) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.seq = seq


CATALOG.update(
    {
        "sync": ("同期でエラーが発生しました。", "Syncing failed."),
        "not_enrolled": (
            "この端末はまだサーバーに登録されていません。genba device enroll を実行してください。",
            "This device is not enrolled with a server yet. Run 'genba device enroll'.",
        ),
        "unreachable": (
            "サーバーに接続できません。ネットワークを確認してください。記録は端末に安全に保存されています。",
            "Cannot reach the server. Check the network; the records are kept safely on this device.",
        ),
        "timeout": (
            "サーバーの応答がありません。後で自動的に再送します（記録は重複しません）。",
            "The server did not answer in time. Syncd will retry automatically (records are never duplicated).",
        ),
        "tls": (
            "サーバーの証明書を確認できません。URL と CA 証明書（--ca-bundle）を確認してください。",
            "The server's certificate is not trusted. Check the URL and the CA bundle (--ca-bundle).",
        ),
        "server_error": (
            "サーバー側でエラーが発生しました。後で自動的に再送します。",
            "The server had an internal error. Syncd will retry automatically.",
        ),
        "bad_response": (
            "サーバーから想定外の応答がありました。後で再送します。続く場合は管理者に連絡してください。",
            "The server sent an unexpected answer. Syncd will retry; contact the administrator if it persists.",
        ),
        "revoked": (
            "この端末の鍵はサーバーで失効しています。管理者に新しい登録コードをもらい、"
            f"登録し直してください: {hints.ENROLL}",
            f"This device's key was revoked on the server. Get a new enrollment code from the administrator "
            f"and enroll again: {hints.ENROLL}",
        ),
        "clock_skew": (
            "端末の時計がサーバーと大きくずれています。時計を合わせてください。",
            "The device clock is far from the server's. Set the clock.",
        ),
        "enrollment_code_invalid": (
            "登録コードが正しくありません。コードを確認してください。",
            "The enrollment code is not valid. Check the code.",
        ),
        "enrollment_code_expired": (
            "登録コードの有効期限が切れています。新しいコードを発行してもらってください。",
            "The enrollment code has expired. Ask for a new one.",
        ),
        "enrollment_code_used": (
            "この登録コードは使用済みです。新しいコードを発行してもらってください。",
            "This enrollment code was already used. Ask for a new one.",
        ),
        "epoch_not_newer": (
            "この端末IDはサーバーでより新しい世代で登録済みです。管理者に連絡してください。",
            "The server already knows a newer epoch of this device id. Contact the administrator.",
        ),
    }
)


class SiblingError(SyncError):
    """A sibling gate's answer or batch was refused (docs/syncd.md "Sibling gates")."""

    code = "sibling"


class SiblingUnreachable(SiblingError):
    code = "sibling_unreachable"
    transient = True


class SiblingUnknown(SiblingError):
    """A sibling whose device key this gate does not know (not in the site configuration, not paired)."""

    code = "sibling_unknown_key"


class SiblingRefused(SiblingError):
    """A sibling answered a request with a refusal (bad signature, unknown key...)."""

    code = "sibling_refused"


class SiblingForged(SiblingError):
    """A sibling batch whose signature or chain does not verify: refused, stored as an alarm."""

    code = "sibling_forged"


class SiblingForked(SiblingError):
    """A sibling batch with another event at a seq already held: refused, stored as an alarm."""

    code = "sibling_forked"


class SiblingForeign(SiblingError):
    """A sibling batch carrying events of another site: refused, stored as an alarm."""

    code = "sibling_foreign"


class PairRefused(SiblingError):
    code = "sibling_pair_refused"


class PairLocked(SiblingError):
    code = "sibling_pair_locked"


class PairExpired(SiblingError):
    code = "sibling_pair_expired"


CATALOG.update(
    {
        "sibling": ("隣のゲートとの通信でエラーが発生しました。", "Talking to a sibling gate failed."),
        "sibling_unreachable": (
            "隣のゲートに接続できません。電源と LAN を確認してください。記録はそれぞれのゲートに保存されています。",
            "Cannot reach a sibling gate. Check its power and the LAN; each gate keeps its own records safely.",
        ),
        "sibling_unknown_key": (
            "隣のゲートの鍵がわかりません。サーバーに一度つなぐか、genba siblings pair でペアリングしてください。",
            "This gate does not know the sibling's device key. Connect to the server once, or pair the gates "
            "with 'genba siblings pair'.",
        ),
        "sibling_refused": (
            "隣のゲートが要求を拒否しました。ゲート同士のペアリングを確認してください。",
            "The sibling gate refused the request. Check that the gates are paired.",
        ),
        "sibling_forged": (
            "隣のゲートから署名の合わない記録が届きました。取り込まずに警報として保存しました。管理者に連絡してください。",
            "A sibling gate sent records whose signature does not verify. They were refused and kept as an "
            "alarm. Contact the administrator.",
        ),
        "sibling_forked": (
            "隣のゲートから、既に受け取った記録と食い違う記録が届きました（分岐）。取り込まずに警報として保存しました。"
            "管理者に連絡してください。",
            "A sibling gate sent a record that differs from one already received at the same number (a fork). "
            "It was refused and kept as an alarm. Contact the administrator.",
        ),
        "sibling_foreign": (
            "隣のゲートから別の現場の記録が届きました。取り込まずに警報として保存しました。ゲートの設定を確認してください。",
            "A sibling gate sent records of another site. They were refused and kept as an alarm. Check the "
            "gates' set-up.",
        ),
        "sibling_pair_refused": (
            "ペアリングコードが違います（または使用済みです）。相手のゲートに表示されたコードを確かめて、もう一度入力してください。",
            "The pairing code is wrong (or already used). Check the code shown on the other gate and type it again.",
        ),
        "sibling_pair_expired": (
            "ペアリングコードの期限（10分）が切れています。相手のゲートで新しいコードを表示してください。",
            "The pairing code has expired (codes last 10 minutes). Show a new code on the other gate.",
        ),
        "sibling_pair_locked": (
            "誤ったペアリングコードが続いたため、しばらくペアリングできません。相手のゲートで新しいコードを表示してください。",
            "Too many wrong pairing codes: pairing is locked for a while. Show a new code on the other gate.",
        ),
    }
)
