"""The small HTTP layer of the tablet view: requests, responses, forms, cookies — plain WSGI.

The kiosk may not import the server's web stack (import-linter), and it needs
very little of one: a dozen pages for one or two tablets. A WSGI callable
served by the standard library's ``wsgiref`` in a thread (``kiosk.web.server``)
and rendered with Jinja2 costs no new dependency and is tested without a
socket. Request bodies are small forms only: anything else is refused before
it is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from kiosk.web.errors import BadInput, TooLarge

MAX_BODY = 8 * 1024
"""A form of the tablet view is a few hundred bytes."""
MAX_FIELD = 500

StartResponse = Callable[..., Any]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    cookies: dict[str, str]
    remote: str
    form: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Request:
        headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = str(environ[key])
        cookies: dict[str, str] = {}
        try:
            jar: SimpleCookie = SimpleCookie(headers.get("cookie", ""))
            cookies = {k: m.value for k, m in jar.items()}
        except CookieError:
            cookies = {}
        req = cls(method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
                  path=str(environ.get("PATH_INFO", "/")) or "/",
                  query=_single(parse_qs(str(environ.get("QUERY_STRING", "")), max_num_fields=20)),
                  headers=headers, cookies=cookies, remote=str(environ.get("REMOTE_ADDR", "")))
        if req.method == "POST":
            req.form = _read_form(environ, headers)
        return req

    @property
    def htmx(self) -> bool:
        return self.headers.get("hx-request") == "true"

    @property
    def wants_json(self) -> bool:
        return "application/json" in self.headers.get("accept", "")


def _single(values: dict[str, list[str]]) -> dict[str, str]:
    out = {}
    for key, items in values.items():
        if len(items) != 1:
            raise BadInput(f"field {key!r} given {len(items)} times")
        if len(items[0]) > MAX_FIELD:
            raise BadInput(f"field {key!r} is longer than {MAX_FIELD} characters")
        out[key] = items[0]
    return out


def _read_form(environ: dict[str, Any], headers: dict[str, str]) -> dict[str, str]:
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        length = int(headers.get("content-length") or 0)
    except ValueError:
        raise BadInput("Content-Length is not a number") from None
    if length > MAX_BODY:
        raise TooLarge(f"request body of {length} bytes; at most {MAX_BODY}")
    if length and kind != "application/x-www-form-urlencoded":
        raise BadInput(f"only HTML forms are accepted, not {kind or 'an untyped body'}")
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("the form is not UTF-8") from None
    try:
        return _single(parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=20))
    except ValueError as exc:
        raise BadInput(f"malformed form: {exc}") from None


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def redirect(cls, to: str, *, htmx: bool = False) -> Response:
        if htmx:  # htmx follows a redirect inside the swap; HX-Redirect makes it a page load
            return cls(status=200, headers=[("HX-Redirect", to)])
        return cls(status=303, headers=[("Location", to)])

    @classmethod
    def json(cls, obj: object, status: int = 200) -> Response:
        return cls(json.dumps(obj, ensure_ascii=False).encode(), status, "application/json; charset=utf-8")

    def set_cookie(self, name: str, value: str, *, max_age: int, http_only: bool = True) -> None:
        parts = [f"{name}={value}", "Path=/", f"Max-Age={max_age}", "SameSite=Strict"]
        if http_only:
            parts.append("HttpOnly")
        self.headers.append(("Set-Cookie", "; ".join(parts)))

    def __call__(self, start_response: StartResponse) -> Iterable[bytes]:
        phrase = HTTPStatus(self.status).phrase
        headers = [("Content-Type", self.content_type), ("Content-Length", str(len(self.body))),
                   ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                   ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
                   ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                               "script-src 'self'; frame-ancestors 'none'"),
                   *self.headers]
        start_response(f"{self.status} {phrase}", headers)
        return [self.body]
