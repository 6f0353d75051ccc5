"""Every error the sync server raises, as one tree, each with its HTTP status and a Japanese message.

The sync server refuses bad input *before* changing anything; each refusal
is one of these, or one of :mod:`shared.errors` (the verifier's), which
:func:`http_status` maps to a status. Bodies are ``to_body(exc)``:
``{"code", "message", "message_ja", ...extra}`` (docs/api.md "Errors").

    GenbaError (shared.errors)
    └── ServerError                  code "server_error"             500
        ├── SettingsError            code "settings"                 (start-up refused; not an HTTP answer)
        ├── AuthRequired             code "auth_required"            401
        ├── BadToken                 code "bad_token"                401
        ├── Revoked                  code "revoked"                  403
        ├── NotFound                 code "not_found"                404
        ├── EnrollmentCodeInvalid    code "enrollment_code_invalid"  404
        ├── EnrollmentCodeUsed       code "enrollment_code_used"     409
        ├── EnrollmentCodeExpired    code "enrollment_code_expired"  410
        ├── EpochNotNewer            code "epoch_not_newer"          409
        ├── UnsupportedMediaType     code "unsupported_media_type"   415
        ├── WrongSite                code "wrong_site"               403  (.seq, .event_site, .assigned_site)
        ├── MoveInPast               code "move_in_past"             409  (.acked)
        ├── AlreadyAssigned          code "already_assigned"         409
        └── BodyTooLarge             code "too_large"                413  (.limit)
"""

from __future__ import annotations

from shared.errors import GenbaError
from shared.messages import summary


class ServerError(GenbaError):
    code = "server_error"
    status = 500
    message_ja = "サーバーでエラーが発生しました。"

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.extra = extra

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, **self.extra}


class SettingsError(ServerError):
    code = "settings"
    message_ja = "サーバーの設定が正しくありません。"


class AuthRequired(ServerError):
    code = "auth_required"
    status = 401
    message_ja = "認証が必要です。端末の署名付きヘッダーを付けて送ってください。"


class BadToken(ServerError):
    code = "bad_token"
    status = 401
    message_ja = "管理者トークンがないか、正しくありません。"


class Revoked(ServerError):
    code = "revoked"
    status = 403
    message_ja = "この端末の鍵は失効しています。新しい登録コードで端末を登録し直してください。"


class NotFound(ServerError):
    code = "not_found"
    status = 404
    message_ja = "見つかりません。"


class EnrollmentCodeInvalid(ServerError):
    code = "enrollment_code_invalid"
    status = 404
    message_ja = "登録コードが正しくありません。入力を確認するか、新しいコードを発行してもらってください。"


class EnrollmentCodeUsed(ServerError):
    code = "enrollment_code_used"
    status = 409
    message_ja = "この登録コードはすでに使われています。新しいコードを発行してもらってください。"


class EnrollmentCodeExpired(ServerError):
    code = "enrollment_code_expired"
    status = 410
    message_ja = "登録コードの有効期限が切れています。新しいコードを発行してもらってください。"


class EpochNotNewer(ServerError):
    code = "epoch_not_newer"
    status = 409
    message_ja = "この端末はすでにこの世代（epoch）以降で登録されています。新しい世代で登録してください。"


class UnsupportedMediaType(ServerError):
    code = "unsupported_media_type"
    status = 415
    message_ja = "Content-Type が正しくありません。"


class BodyTooLarge(ServerError):
    code = "too_large"
    status = 413
    message_ja = "データが大きすぎます。小さく分けて送ってください。"


class WrongSite(ServerError):
    """An event names a site the device is not assigned to at that event's position in its chain."""

    code = "wrong_site"
    status = 403
    message_ja = ("この端末は記録に書かれた現場に割り当てられていません。何も保存していません。"
                  "端末を移設した場合は管理者が現場の割り当てを変更してください（genba server move-device）。")


class MoveInPast(ServerError):
    """A move may not change the site of events the server already holds."""

    code = "move_in_past"
    status = 409
    message_ja = "受領済みの記録の現場は変更できません。受領済みの番号より後から割り当ててください。"


class AlreadyAssigned(ServerError):
    code = "already_assigned"
    status = 409
    message_ja = "この端末はその時点ですでにこの現場に割り当てられています。"


_STATUS_BY_CODE = {
    "malformed": 400,
    "invalid_idm": 400,
    "invalid_timestamp": 400,
    "invalid_id": 400,
    "not_canonical": 400,
    "bad_signature": 400,
    "broken_chain": 400,
    "wrong_device": 400,
    "verification": 400,
    "unknown_key": 401,
    "replayed": 401,
    "clock_skew": 401,
    "gap": 409,
    "fork": 409,
    "too_large": 413,
}

def http_status(exc: GenbaError) -> int:
    """The HTTP status for any Genba error: its own ``status`` if it has one, else by code."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    return _STATUS_BY_CODE.get(exc.code, 400)


def message_ja(exc: GenbaError) -> str:
    return summary(exc, "ja")


def to_body(exc: GenbaError) -> dict[str, object]:
    """The JSON error body: code, English message, Japanese message, and the error's extra fields."""
    body = dict(exc.to_dict())
    body.setdefault("message_ja", message_ja(exc))
    body["message_ja"] = message_ja(exc) if not isinstance(body.get("message_ja"), str) else body["message_ja"]
    return body
