"""What each error means to a person, in Japanese (default) and English.

Error classes carry a precise technical message; this catalogue adds, per
error code, a sentence saying what happened and what to do next. Screens and
the CLI show ``explain(exc)``; machine interfaces use ``exc.to_dict()``.
"""

from __future__ import annotations

import os

from shared import hints
from shared.errors import GenbaError

LANGS = ("ja", "en")

CATALOG: dict[str, tuple[str, str]] = {
    "error": ("エラーが発生しました。", "Something went wrong."),
    "malformed": ("データの形式が正しくありません。送り元を確認してください。",
                  "The data is not in the expected format. Check where it came from."),
    "invalid_idm": ("カードのID（IDm）が正しくありません。16桁の16進数が必要です。",
                    "The card ID (IDm) is invalid: 16 hexadecimal digits are required."),
    "invalid_timestamp": ("日時の形式が正しくありません（RFC 3339、時差付き）。",
                          "The timestamp is not RFC 3339 with an offset."),
    "invalid_id": ("IDの形式が正しくありません。", "An identifier is not in the expected form."),
    "not_canonical": ("データが正規形（RFC 8785）ではありません。改変された可能性があります。",
                      "The data is not in canonical form (RFC 8785); it may have been altered."),
    "key_error": ("鍵ファイルを使えません。", "The key file cannot be used."),
    "key_permissions": ("鍵ファイルが他のユーザーから読める状態です。権限を600にするか、鍵を作り直してください。",
                        "The key file is readable by others. Make it mode 600 or replace the key."),
    "key_missing": ("端末の鍵ファイルがありません。バックアップから戻すか、端末を登録し直して新しい世代を始めてください"
                    f"（{hints.ENROLL}）。記録ファイルはそのままです。",
                    "The device's key file is missing. Restore it from a backup, or enroll the device again to "
                    f"start a new epoch ({hints.ENROLL}). The journal was left as it is."),
    "verification": ("検証に失敗しました。", "Verification failed."),
    "bad_signature": ("署名が正しくありません。データが改変されたか、別の鍵で署名されています。",
                      "The signature does not verify: the data was altered or signed by another key."),
    "unknown_key": (f"登録されていない（または失効した）端末の鍵です。端末を登録し直してください: {hints.ENROLL}",
                    f"The device key is not enrolled (or was revoked). Enroll the device again: {hints.ENROLL}"),
    "broken_chain": ("記録の連鎖が壊れています。改変・欠落・並べ替えの可能性があります。",
                     "The record chain is broken: altered, missing or reordered records."),
    "gap": ("記録に抜けがあります。前の記録から送り直してください。",
            "Records are missing. Send again from the next expected record."),
    "fork": ("同じ番号に異なる記録があります（分岐）。管理者に連絡してください。",
             "Two different records share a number (fork). Contact the administrator."),
    "wrong_device": ("別の端末の記録が混ざっています。", "Records of another device are mixed in."),
    "too_large": ("データが大きすぎます。小さく分けて送ってください。",
                  "The data is too large. Send it in smaller parts."),
    "clock_skew": ("端末の時計がサーバーと10分以上ずれています。時計を合わせてから送り直してください。",
                   "The device clock is more than 10 minutes off the server's; correct it and send again."),
    "replayed": ("同じ要求が二度送られました（再送攻撃の可能性）。新しい要求として送り直してください。",
                 "The same request arrived twice (a possible replay); send it again as a new request."),
    "journal": ("記録ファイル（ジャーナル）でエラーが発生しました。", "The journal reported an error."),
    "journal_busy": ("別のプログラムが記録ファイルを使用中です（キオスクが起動中？）。",
                     "Another program is writing the journal (is the kiosk running?)."),
    "journal_write_failed": ("記録できませんでした。ディスクの空きと書き込み可否を確認してください。",
                             "NOT recorded. Check free disk space and that the disk is writable."),
    "foreign_journal": ("この記録ファイルは別の端末のものです。データフォルダを確認してください。",
                        "This journal belongs to another device. Check the data directory."),
    "journal_damaged": ("記録ファイル（journal.db）が壊れています。ファイルは変更していません。コピーを取り"
                        "（未送信の記録が残っている可能性があります）、管理者に連絡してください。",
                        "The journal (journal.db) is damaged; it was not changed. Keep a copy (it may still hold "
                        "unsent taps) and contact the administrator."),
    "journal_lost": ("記録ファイル（journal.db）が失われたか入れ替わっています。サーバーが受領済みの記録がありません。"
                     "このままでは記録できません（分岐します）。管理者は端末を登録し直してください"
                     f"（{hints.ENROLL}、新しい世代）。ディスク上のファイルはそのままです。",
                     "The journal (journal.db) was lost or replaced: it lacks records the server already "
                     "acknowledged. Nothing can be recorded as it is (it would fork). Site manager: enroll the "
                     f"device again ({hints.ENROLL}, a new epoch). Nothing on disk was changed."),
}


def current_lang() -> str:
    """The language for messages: GENBA_LANG if set to 'en' or 'ja', else Japanese."""
    lang = os.environ.get("GENBA_LANG", "ja").strip().lower()[:2]
    return lang if lang in LANGS else "ja"


def summary(exc: GenbaError, lang: str | None = None) -> str:
    """What happened and what to do, without the technical detail.

    An error may carry its own ``message_ja`` (the server's and the domain's
    do, often naming the very record refused); otherwise the catalogue entry
    for its code speaks for it. Each package registers its codes in
    :data:`CATALOG` beside its error classes; tests/test_messages.py checks
    that every error class in the code base is covered.
    """
    lang = lang or current_lang()
    ja, en = CATALOG.get(exc.code, CATALOG["error"])
    if lang == "ja":
        own = getattr(exc, "message_ja", None)
        return own if isinstance(own, str) and own else ja
    return en


def explain(exc: GenbaError, lang: str | None = None) -> str:
    """One line for a person: what happened and what to do, then the technical detail."""
    return f"{summary(exc, lang)} ({exc.code}: {exc.message})"


def t(ja: str, en: str, lang: str | None = None) -> str:
    """Pick the Japanese or English form of a message."""
    return en if (lang or current_lang()) == "en" else ja
