"""The errors know no HTTP; the HTTP layer (server.http_errors) answers each with the status it always had."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from server import errors as srv
from server.audit import errors as audit
from server.domain import errors as dom
from server.http_errors import STATUS_BY_CODE, STATUS_BY_TYPE, answer_with, http_status, to_body
from server.reports import errors as reports
from shared.errors import FormatError, GenbaError

ERROR_MODULES = (dom, srv, audit, reports)

# Every refusal's status as it was when the errors carried it themselves (issue 10 item 7 changes none).
STATUS = {
    dom.DomainError: 400, dom.NotFound: 404, dom.Forbidden: 403, dom.Invalid: 422, dom.EmployerNotOnSite: 422,
    dom.UnsupportedLanguage: 422,
    dom.CorrectionInFuture: 422, dom.CorrectionTooLate: 422, dom.Conflict: 409, dom.AlreadyApproved: 409,
    dom.WrongApprover: 403, dom.Cycle: 409, dom.AlreadyOnSite: 409, dom.NotPlaceholder: 409,
    dom.PendingBelowPlaceholder: 409, dom.OverlappingBinding: 409, dom.AlreadyDecided: 409, dom.Duplicate: 409,
    dom.OverlappingRoster: 409,
    reports.UnknownReportKind: 422, reports.UnknownReportFormat: 406, reports.RangeTooLarge: 422,
    reports.NotRepresentable: 422, reports.BadDetails: 422,
    srv.ServerError: 500, srv.SettingsError: 500, srv.AuthRequired: 401, srv.BadToken: 401, srv.Revoked: 403,
    srv.UnknownDevice: 404, srv.EnrollmentCodeInvalid: 404, srv.EnrollmentCodeUsed: 409, srv.EnrollmentCodeExpired: 410,
    srv.EpochNotNewer: 409, srv.UnsupportedMediaType: 415, srv.BodyTooLarge: 413, srv.KeyNameRefused: 400,
    srv.WrongSite: 403, srv.MoveInPast: 409, srv.AlreadyAssigned: 409,
    audit.NotLogged: 404, audit.BadProofRequest: 400, audit.AuditFailed: 500,
}


def _errors(module: ModuleType) -> list[type[GenbaError]]:
    return [c for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, GenbaError) and c.__module__ == module.__name__]


@pytest.mark.parametrize("module", ERROR_MODULES, ids=lambda m: m.__name__)
def test_no_domain_or_service_error_carries_an_http_status(module: ModuleType) -> None:
    for cls in _errors(module):
        assert "status" not in vars(cls), f"{cls.__name__} knows HTTP; map it in server.http_errors instead"


def test_every_error_is_answered_with_its_status() -> None:
    every = [c for m in ERROR_MODULES for c in _errors(m)]
    assert set(every) == set(STATUS), "a new error: add its status here and in server.http_errors"
    for cls, status in STATUS.items():
        assert http_status(cls.__new__(cls)) == status, cls.__name__
    assert set(STATUS_BY_TYPE) <= set(STATUS)


def test_verifier_errors_by_code_and_the_api_choice_for_auth_headers() -> None:
    exc = FormatError("bad header")
    assert http_status(exc) == STATUS_BY_CODE["malformed"] == 400
    assert http_status(answer_with(exc, 401)) == 401  # a malformed Authorization header is 401 malformed
    assert to_body(exc)["code"] == "malformed" and isinstance(to_body(exc)["message_ja"], str)


def test_body_keeps_code_words_and_extra_fields() -> None:
    body = to_body(srv.BodyTooLarge("too big", limit=10))
    assert (body["code"], body["limit"], body["message"]) == ("too_large", 10, "too big")
    assert body["message_ja"] == srv.BodyTooLarge.message_ja
    body = to_body(dom.Cycle("loop", message_ja="循環"))
    assert (body["code"], body["message_ja"]) == ("structure_cycle", "循環")
