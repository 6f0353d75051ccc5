"""How a refusal is answered over HTTP: its status, by error type or code, and its JSON body.

The errors themselves know nothing of HTTP: the pure domain
(:mod:`server.domain.errors`), the sync server's services (:mod:`server.errors`),
the audit log and the reports raise a stable machine-readable ``code`` and words;
this table is the one place that turns them into statuses, for both HTTP
surfaces (the JSON API's handlers, :mod:`server.api.errors`, and the console's
error pages, :mod:`server.web.render`). Only errors an HTTP surface defines for
itself (the console's :mod:`server.web.errors`) carry their own ``status``.

A status is looked up in this order: the status the API chose for this one
answer (:func:`answer_with`: a malformed or unverifiable *authentication header*
is 401, whatever the error), the error's type (most specific class first), the
error's code (the verifier's :mod:`shared.errors`), an HTTP surface's own
``status``, else 400.
"""

from __future__ import annotations

from server import errors as srv
from server.audit import errors as audit
from server.domain import errors as dom
from server.reports import errors as reports
from shared.errors import GenbaError
from shared.messages import summary

STATUS_BY_TYPE: dict[type[GenbaError], int] = {
    # the pure domain (server.domain.errors)
    dom.DomainError: 400,
    dom.NotFound: 404,
    dom.Forbidden: 403,
    dom.Invalid: 422,
    dom.Conflict: 409,
    dom.WrongApprover: 403,
    # reports (server.reports.errors; all are domain errors)
    reports.UnknownReportFormat: 406,
    # the sync server's services (server.errors)
    srv.ServerError: 500,
    srv.AuthRequired: 401,
    srv.BadToken: 401,
    srv.Revoked: 403,
    srv.UnknownDevice: 404,
    srv.EnrollmentCodeInvalid: 404,
    srv.EnrollmentCodeUsed: 409,
    srv.EnrollmentCodeExpired: 410,
    srv.EpochNotNewer: 409,
    srv.UnsupportedMediaType: 415,
    srv.BodyTooLarge: 413,
    srv.KeyNameRefused: 400,
    srv.WrongSite: 403,
    srv.MoveInPast: 409,
    srv.AlreadyAssigned: 409,
    # the audit log (server.audit.errors)
    audit.NotLogged: 404,
    audit.BadProofRequest: 400,
}
"""Status by error type; a subclass not listed takes its nearest listed base's."""

STATUS_BY_CODE: dict[str, int] = {
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
"""Status by code, for the errors of :mod:`shared` (the verifier's, the journal's), which have no type here."""

_CHOSEN = "_genba_http_status"


def answer_with(exc: GenbaError, status: int) -> GenbaError:
    """Answer this one error with ``status`` (the API's choice for where it was raised); returns ``exc``."""
    setattr(exc, _CHOSEN, status)
    return exc


def http_status(exc: GenbaError) -> int:
    """The HTTP status that answers ``exc`` (see the module docstring for the order)."""
    chosen = getattr(exc, _CHOSEN, None)
    if isinstance(chosen, int):
        return chosen
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_TYPE:
            return STATUS_BY_TYPE[cls]
    if exc.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[exc.code]
    own = getattr(exc, "status", None)  # an HTTP surface's own error (server.web.errors)
    return own if isinstance(own, int) else 400


def to_body(exc: GenbaError) -> dict[str, object]:
    """The JSON error body: code, English message, Japanese message, and the error's extra fields."""
    body = dict(exc.to_dict())
    if not isinstance(body.get("message_ja"), str):
        body["message_ja"] = summary(exc, "ja")
    return body
