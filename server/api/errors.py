"""Exception handlers: every refusal becomes ``{"code", "message", "message_ja", ...}`` with the right status.

The statuses come from :mod:`server.http_errors` (the errors themselves know no HTTP); the handlers here
add what only the JSON API does: the server time in every body, 405's ``Allow`` header, the logging.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from server.http_errors import http_status, to_body
from shared.errors import GenbaError

log = logging.getLogger("genba.server.api")

_HTTP_CODES = {400: ("malformed", "要求の形式が正しくありません。JSON として読めません。"),
               404: ("not_found", "見つかりません。URLを確認してください。"),
               405: ("method_not_allowed", "このURLではその操作はできません。")}


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first route's).

    Asks the routes themselves, method by method: included routers nest their routes.
    """
    methods = set()
    for method in _METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            methods.add(method)
    return sorted(methods)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def document_refusals(app: FastAPI) -> None:
    """The served OpenAPI says what the API answers: a request that fails validation is 400 ``malformed`` with
    the error body, never FastAPI's default 422 ``HTTPValidationError`` (which this API does not send)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        for item in doc.get("paths", {}).values():
            for operation in item.values():
                responses = operation.get("responses", {})
                default_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
                if default_422.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                    del responses["422"]
                    responses.setdefault("400", {"description": "Malformed input (`malformed`)", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
        schemas = doc.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def error_response(request: Request, exc: GenbaError) -> JSONResponse:
    """The answer to a refusal: its status, its body with the server time, a log line when it is the server's fault.

    The one mapping for the JSON API: FastAPI's exception handler and the lean upload path
    (:func:`server.api.routes.batches.serve_upload`) both answer with it.
    """
    status = http_status(exc)
    if status >= 500:
        log.error("request_failed", extra={"code": exc.code, "detail": exc.message, "path": request.url.path})
    body = to_body(exc)
    ctx = getattr(request.app.state, "genba", None)
    if ctx is not None:  # every JSON answer tells the device the server's time (docs/api.md)
        body.setdefault("server_time", ctx.stamp())
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    document_refusals(app)

    @app.exception_handler(GenbaError)
    async def genba_error(request: Request, exc: GenbaError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
        message = f"{'.'.join(first['loc'])}: {first['msg']}" if first["loc"] else str(first["msg"])
        return JSONResponse(
            {"code": "malformed", "message": message[:300], "message_ja": "要求の形式が正しくありません。",
             "problems": problems[:20]},
            status_code=400,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, ja = _HTTP_CODES.get(exc.status_code, ("http_error", "要求を処理できませんでした。"))
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse({"code": code, "message": str(exc.detail), "message_ja": ja},
                            status_code=exc.status_code, headers=headers or None)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected_error", extra={"path": request.url.path})
        return JSONResponse({"code": "server_error", "message": "internal error; see the server log",
                             "message_ja": "サーバー内部でエラーが発生しました。サーバーのログを確認してください。"},
                            status_code=500)
