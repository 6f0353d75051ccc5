"""Errors of the edge state (state.db) and the roster import, as one tree.

    GenbaError (shared.errors)
    └── StateError                 code "state"
        ├── StateBusy              code "state_busy"        another process holds the state writer lock
        ├── StateDamaged           code "state_damaged"     state.db unreadable or from a newer version
        ├── RosterInvalid          code "roster_invalid"    .problems: [(line, message)] — nothing imported
        ├── RosterTooLarge         code "roster_too_large"  file or row count over the limit
        ├── RosterEncoding         code "roster_encoding"   neither UTF-8 nor CP932
        ├── SiteConflict           code "site_conflict"     --site names another site than the one already set
        └── ReceiptRefused         code "receipt_refused"   a receipt that must not be stored
            ├── ReceiptForeign     code "receipt_foreign"   for another device (or an epoch this device never had)
            └── ReceiptMismatch    code "receipt_mismatch"  acknowledges a head our journal does not have

Forged receipts raise :class:`shared.errors.BadSignature` / ``UnknownKey`` from
the signed-note layer, unchanged. Each code also gets a person's sentence in
Japanese and English, registered into :data:`shared.messages.CATALOG` here so
``explain(exc)`` speaks for these errors like for the core's.
"""

from __future__ import annotations

from shared.errors import GenbaError
from shared.messages import CATALOG


class StateError(GenbaError):
    code = "state"


class StateBusy(StateError):
    code = "state_busy"


class StateDamaged(StateError):
    code = "state_damaged"


class RosterInvalid(StateError):
    code = "roster_invalid"

    def __init__(self, message: str, *, problems: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.problems = problems

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "problems": [{"line": n, "message": m} for n, m in self.problems]}


class RosterTooLarge(StateError):
    code = "roster_too_large"


class RosterEncoding(StateError):
    code = "roster_encoding"


class SiteConflict(StateError):
    code = "site_conflict"


class ReceiptRefused(StateError):
    code = "receipt_refused"


class ReceiptForeign(ReceiptRefused):
    code = "receipt_foreign"


class ReceiptMismatch(ReceiptRefused):
    code = "receipt_mismatch"


CATALOG.update(
    {
        "state": (
            "同期状態ファイル（state.db）でエラーが発生しました。",
            "The sync state (state.db) reported an error.",
        ),
        "state_busy": (
            "同期デーモン（syncd）が同期状態ファイルを使用中です。syncd を止めてからやり直してください。",
            "The sync daemon (syncd) is using the state file. Stop syncd, then try again.",
        ),
        "state_damaged": (
            "同期状態ファイルが読めません。管理者に連絡してください（記録ファイルは無事です）。",
            "The sync state file cannot be read. Contact the administrator (the journal itself is safe).",
        ),
        "roster_invalid": (
            "名簿ファイルに誤りがあります。何も取り込んでいません。表示された行を直してやり直してください。",
            "The roster file has errors; nothing was imported. Fix the lines shown and try again.",
        ),
        "roster_too_large": (
            "名簿ファイルが大きすぎます。何も取り込んでいません。",
            "The roster file is too large; nothing was imported.",
        ),
        "roster_encoding": (
            "名簿ファイルの文字コードが読めません。UTF-8 か Shift_JIS（CP932）で保存してください。",
            "The roster file's encoding is unreadable. Save it as UTF-8 or Shift_JIS (CP932).",
        ),
        "site_conflict": (
            "この端末にはすでに別の現場が設定されています。何も変更していません。",
            "This device is already set to another site; nothing was changed.",
        ),
        "receipt_refused": (
            "受領証を受け付けませんでした。何も保存していません。",
            "The receipt was refused; nothing was stored.",
        ),
        "receipt_foreign": (
            "この受領証は別の端末のものです。何も保存していません。正しいファイルか確認してください。",
            "This receipt is for another device; nothing was stored. Check that it is the right file.",
        ),
        "receipt_mismatch": (
            "受領証の内容がこの端末の記録と一致しません（分岐の恐れ）。管理者に連絡してください。",
            "The receipt does not match this device's records (possible fork). Contact the administrator.",
        ),
    }
)
