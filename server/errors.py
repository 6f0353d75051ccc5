"""Every error the sync server raises, as one tree, each with a stable code and a Japanese message.

The sync server refuses bad input *before* changing anything; each refusal
is one of these, or one of :mod:`shared.errors` (the verifier's). None knows
HTTP: :mod:`server.http_errors` maps each to its status and its body
``{"code", "message", "message_ja", ...extra}`` (docs/api.md "Errors").

    GenbaError (shared.errors)
    └── ServerError                  code "server_error"
        ├── SettingsError            code "settings"  (start-up refused; not an HTTP answer)
        ├── AuthRequired             code "auth_required"
        ├── BadToken                 code "bad_token"
        ├── Revoked                  code "revoked"
        ├── NotFound                 code "not_found"
        ├── EnrollmentCodeInvalid    code "enrollment_code_invalid"
        ├── EnrollmentCodeUsed       code "enrollment_code_used"
        ├── EnrollmentCodeExpired    code "enrollment_code_expired"
        ├── EpochNotNewer            code "epoch_not_newer"
        ├── UnsupportedMediaType     code "unsupported_media_type"
        ├── KeyNameRefused           code "key_name"
        ├── WrongSite                code "wrong_site"  (.seq, .event_site, .assigned_site)
        ├── MoveInPast               code "move_in_past"  (.acked)
        ├── AlreadyAssigned          code "already_assigned"
        └── BodyTooLarge             code "too_large"  (.limit)
"""

from __future__ import annotations

from shared.errors import GenbaError


class ServerError(GenbaError):
    code = "server_error"
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
    message_ja = "認証が必要です。端末の署名付きヘッダーを付けて送ってください。"


class BadToken(ServerError):
    code = "bad_token"
    message_ja = "管理者トークンがないか、正しくありません。"


class Revoked(ServerError):
    code = "revoked"
    message_ja = "この端末の鍵は失効しています。新しい登録コードで端末を登録し直してください。"


class UnknownDevice(ServerError):
    code = "not_found"
    message_ja = "見つかりません。"


class EnrollmentCodeInvalid(ServerError):
    code = "enrollment_code_invalid"
    message_ja = "登録コードが正しくありません。入力を確認するか、新しいコードを発行してもらってください。"


class EnrollmentCodeUsed(ServerError):
    code = "enrollment_code_used"
    message_ja = "この登録コードはすでに使われています。新しいコードを発行してもらってください。"


class EnrollmentCodeExpired(ServerError):
    code = "enrollment_code_expired"
    message_ja = "登録コードの有効期限が切れています。新しいコードを発行してもらってください。"


class EpochNotNewer(ServerError):
    code = "epoch_not_newer"
    message_ja = "この端末はすでにこの世代（epoch）以降で登録されています。新しい世代で登録してください。"


class UnsupportedMediaType(ServerError):
    code = "unsupported_media_type"
    message_ja = "Content-Type が正しくありません。"


class BodyTooLarge(ServerError):
    code = "too_large"
    message_ja = "データが大きすぎます。小さく分けて送ってください。"


class KeyNameRefused(ServerError):
    """A device key must be named ``<device>.e<epoch>``: never ``genba-server`` or any other name."""

    code = "key_name"
    message_ja = ("端末の鍵の名前が正しくありません（「端末ID.e世代」である必要があります）。"
                  "端末の鍵を作り直してください。")


class WrongSite(ServerError):
    """An event names a site the device is not assigned to at that event's position in its chain."""

    code = "wrong_site"
    message_ja = ("この端末は記録に書かれた現場に割り当てられていません。何も保存していません。"
                  "端末を移設した場合は管理者が現場の割り当てを変更してください（genba server move-device）。")


class MoveInPast(ServerError):
    """A move may not change the site of events the server already holds."""

    code = "move_in_past"
    message_ja = "受領済みの記録の現場は変更できません。受領済みの番号より後から割り当ててください。"


class AlreadyAssigned(ServerError):
    code = "already_assigned"
    message_ja = "この端末はその時点ですでにこの現場に割り当てられています。"


