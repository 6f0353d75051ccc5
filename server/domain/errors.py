"""Every error the domain core raises, as one tree; none knows HTTP.

The domain core (site structure, roster, bindings, reconciliation, corrections,
disclosure) refuses bad requests *before* anything is changed: each refusal is
one of these, carrying a stable machine-readable ``code`` (used verbatim in the
API's JSON error body) and Japanese words. Which HTTP status answers each is
decided by the HTTP layer (:mod:`server.http_errors`, docs/api.md "Errors"),
never here.

    DomainError                      code "domain"
    ├── NotFound                     code "not_found"                  unknown site/company/worker/…
    ├── Forbidden                    code "forbidden"                  the caller's role may not do this
    ├── Invalid                      code "invalid"                    well-formed but not acceptable
    │   ├── EmployerNotOnSite        code "employer_not_on_site"       roster entry for a company not on the site
    │   ├── UnsupportedLanguage      code "unsupported_language"       a worker's language the kiosk has no screen in
    │   ├── CorrectionInFuture       code "correction_in_future"
    │   └── CorrectionTooLate        code "correction_past_deadline"   past the end of the month after the work day
    └── Conflict                     code "conflict"                   contradicts the current state
        ├── AlreadyApproved          code "already_approved"
        ├── WrongApprover            code "wrong_company"              only the invited company may approve
        ├── Cycle                    code "structure_cycle"
        ├── AlreadyOnSite            code "already_on_site"
        ├── NotPlaceholder           code "not_placeholder"
        ├── PendingBelowPlaceholder  code "pending_below_placeholder"
        ├── OverlappingBinding       code "overlapping_binding"
        ├── AlreadyDecided           code "correction_decided"
        ├── OverlappingRoster        code "overlapping_roster"
        └── Duplicate                code "duplicate"
"""

from __future__ import annotations

from shared.errors import GenbaError


class DomainError(GenbaError):
    """A refused domain request; nothing was changed."""

    code = "domain"
    message_ja = "要求を処理できませんでした。"

    def __init__(self, message: str, *, message_ja: str | None = None, **extra: object) -> None:
        super().__init__(message)
        if message_ja is not None:
            self.message_ja = message_ja
        self.extra = extra

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "message_ja": self.message_ja, **self.extra}


class NotFound(DomainError):
    code = "not_found"
    message_ja = "指定されたIDが見つかりません。IDを確認してください。"


class Forbidden(DomainError):
    code = "forbidden"
    message_ja = "この操作を行う権限がありません。"


class Invalid(DomainError):
    code = "invalid"
    message_ja = "入力内容が正しくありません。"


class EmployerNotOnSite(Invalid):
    code = "employer_not_on_site"
    message_ja = "この事業者は現場の施工体制に登録（承認済み）されていません。先に施工体制登録を完了してください。"


class UnsupportedLanguage(Invalid):
    code = "unsupported_language"
    message_ja = "この言語には対応していません。ja, en, vi, zh, id, tl のいずれか（未設定は空）を指定してください。"


class CorrectionInFuture(Invalid):
    code = "correction_in_future"
    message_ja = "未来の日付の就業履歴は補正できません。"


class CorrectionTooLate(Invalid):
    code = "correction_past_deadline"
    message_ja = "事後補正の期限（就労翌月末）を過ぎています。"


class Conflict(DomainError):
    code = "conflict"
    message_ja = "現在の状態と矛盾するため処理できません。"


class AlreadyApproved(Conflict):
    code = "already_approved"
    message_ja = "この招待はすでに承認されています。"


class WrongApprover(Conflict):
    code = "wrong_company"
    message_ja = "この招待を承認できるのは招待された事業者だけです。"


class Cycle(Conflict):
    code = "structure_cycle"
    message_ja = "施工体制が循環してしまうため登録できません。"


class AlreadyOnSite(Conflict):
    code = "already_on_site"
    message_ja = "この事業者はすでにこの現場の施工体制に含まれています。"


class NotPlaceholder(Conflict):
    code = "not_placeholder"
    message_ja = "置換できるのはCCUS未登録事業者（事業者名のみ）の枠だけです。"


class PendingBelowPlaceholder(Conflict):
    code = "pending_below_placeholder"
    message_ja = "CCUS未登録事業者の下位に未承認の事業者がいるため置換できません。承認後に置換してください。"


class OverlappingBinding(Conflict):
    code = "overlapping_binding"
    message_ja = "このカードは同じ期間に別の技能者に紐付けられています。期間を確認してください。"


class AlreadyDecided(Conflict):
    code = "correction_decided"
    message_ja = "この補正申請はすでに承認または却下されています。"


class Duplicate(Conflict):
    code = "duplicate"
    message_ja = "同じIDのデータがすでに登録されています。"


class OverlappingRoster(Conflict):
    code = "overlapping_roster"
    message_ja = "この技能者は同じ期間にすでにこの現場の作業員名簿に登録されています。"
