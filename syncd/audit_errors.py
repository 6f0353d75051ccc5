"""Errors of the device's audit-log check (``genba audit check``, :mod:`syncd.audit`).

    SyncError (syncd.errors)
    ├── LogRewritten      code "log_rewritten"    the server's log no longer extends the one this device saw
    └── LogOmits          code "log_omits_event"  the log does not hold this device's event as the journal has it
"""

from __future__ import annotations

from syncd.errors import SyncError


class LogRewritten(SyncError):
    code = "log_rewritten"
    message_ja = ("サーバーの監査ログが、この端末が以前に確認した記録を書き換えています。サーバー管理者と"
                  "監査担当者に連絡し、この端末の log-checkpoint.note と受領証を保全してください。")


class LogOmits(SyncError):
    code = "log_omits_event"
    message_ja = ("サーバーの監査ログに、この端末の記録が端末の台帳と同じ形で載っていません。サーバー管理者に"
                  "連絡し、端末の台帳（journal.db）を保全してください。")
