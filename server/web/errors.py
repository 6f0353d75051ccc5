# ruff: noqa: E501  (Japanese messages are wider than they are long)
"""Errors of the back-office console, as one tree; each has a ``code``, an HTTP status and Japanese words.

    WebError                      code "web"                  400
    ├── CsrfRefused               code "csrf"                 403  a form without this session's token
    ├── SignInRequired            code "signin_required"      401  no session, or it expired
    ├── SignInFailed              code "signin_failed"        401  wrong name or password
    ├── SignInLocked              code "signin_locked"        429  too many failures for this name or client
    ├── SetupLinkInvalid          code "setup_link_invalid"   404  unknown, used or expired set-password link
    ├── PageNotFound              code "not_found"            404  no page at this address (the console's 404 page)
    └── FormInvalid               code "form_invalid"         422  field errors (``.fields``: name → i18n key)
"""

from __future__ import annotations

from shared.errors import GenbaError


class WebError(GenbaError):
    code = "web"
    status = 400
    message_ja = "要求を処理できませんでした。"


class CsrfRefused(WebError):
    code = "csrf"
    status = 403
    message_ja = "フォームの有効期限が切れたか、別のページから送られました。ページを読み込み直してからもう一度送ってください。"


class SignInRequired(WebError):
    code = "signin_required"
    status = 401
    message_ja = "サインインが必要です（一定時間操作がないとサインアウトされます）。もう一度サインインしてください。"


class SignInFailed(WebError):
    code = "signin_failed"
    status = 401
    message_ja = "サインイン名またはパスワードが違います。"


class SignInLocked(WebError):
    code = "signin_locked"
    status = 429
    message_ja = "失敗が続いたため、しばらくサインインできません。時間をおいて試すか、管理者にパスワードの再設定を依頼してください。"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class SetupLinkInvalid(WebError):
    code = "setup_link_invalid"
    status = 404
    message_ja = "このパスワード設定リンクは使えません（使用済み・期限切れ・誤り）。管理者に新しいリンクを依頼してください。"


class PageNotFound(WebError):
    code = "not_found"
    status = 404
    message_ja = "このアドレスのページはありません。"


class FormInvalid(WebError):
    code = "form_invalid"
    status = 422
    message_ja = "入力に誤りがあります。赤く示した項目を直してください。"

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid fields: " + ", ".join(sorted(fields)))
        self.fields = fields
