"""Errors of the audit log's API and commands.

    ServerError (server.errors)
    ├── NotLogged           code "not_logged"          404  the thing asked for is not in the log (yet)
    ├── BadProofRequest     code "bad_proof_request"   400  sizes or indices no proof can have
    └── AuditFailed         code "audit_failed"        (CLI) the database or the log differs from what was signed
"""

from __future__ import annotations

from server.errors import ServerError


class NotLogged(ServerError):
    code = "not_logged"
    message_ja = "監査ログにまだ記録されていません。数秒後にもう一度問い合わせてください。"


class BadProofRequest(ServerError):
    code = "bad_proof_request"
    message_ja = "証明を作れない大きさまたは番号です。ログの大きさ以下の値を指定してください。"


class AuditFailed(ServerError):
    code = "audit_failed"
    message_ja = "データベースまたは監査ログが、署名された記録と一致しません。最初の相違点を確認してください。"
