"""Every refusal of the reports part, as one tree (all are domain errors: same JSON body, same handler).

    DomainError (server.domain.errors)
    └── Invalid                          code "invalid"                  422
        ├── UnknownReportKind            code "unknown_report_kind"      422  KIND not in the fixed set
        ├── UnknownReportFormat          code "unknown_report_format"    406  no format both sides accept
        ├── RangeTooLarge                code "report_range_too_large"   422  more months/rows than a report holds
        ├── NotRepresentable             code "not_representable_in_cp932" 422  a character CP932 lacks (𠮷 …)
        └── BadDetails                   code "invalid_worker_details"   422  作業員名簿 fields malformed

Nothing in this part writes while rendering, so a refusal never leaves anything half done.
"""

from __future__ import annotations

from server.domain.errors import Invalid


class UnknownReportKind(Invalid):
    code = "unknown_report_kind"
    message_ja = "帳票の種類が正しくありません。一覧から選んでください。"


class UnknownReportFormat(Invalid):
    code = "unknown_report_format"
    message_ja = "指定された出力形式には対応していません（csv、csv-cp932、xlsx、pdf、json）。"


class RangeTooLarge(Invalid):
    code = "report_range_too_large"
    message_ja = "指定された範囲が大きすぎます。期間や対象を絞ってください。"


class NotRepresentable(Invalid):
    code = "not_representable_in_cp932"
    message_ja = "Shift_JIS（CP932）で表せない文字があります。UTF-8 の CSV（format=csv）を使ってください。"


class BadDetails(Invalid):
    code = "invalid_worker_details"
    message_ja = "作業員名簿の項目の形式が正しくありません。"
