"""``/docs`` (Swagger UI) and ``/redoc`` from the vendored assets: the API documentation works offline.

Both pages are the vendored bundles' own, with two accessibility fixes axe-core asked for: the page language
(``lang="en"``, the language of the API's descriptions); for Swagger UI, ``static/docs-a11y.css`` darkens the
colours below WCAG AA contrast and ``static/docs-a11y.js`` makes the deep link nested in each operation's
button a plain text (tests/web/test_browser_a11y.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


def _accessible(page: HTMLResponse, *, css: str | None = None, js: str | None = None) -> HTMLResponse:
    html = bytes(page.body).decode("utf-8").replace("<html>", '<html lang="en">', 1)
    if css:
        html = html.replace("</head>", f'<link rel="stylesheet" href="{css}">\n</head>', 1)
    if js:
        html = html.replace("</body>", f'<script src="{js}"></script>\n</body>', 1)
    return HTMLResponse(html, status_code=page.status_code)


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    return _accessible(get_swagger_ui_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} — API",
                                           swagger_js_url="/static/vendor/swagger-ui-bundle.js",
                                           swagger_css_url="/static/vendor/swagger-ui.css",
                                           swagger_favicon_url="/static/favicon.svg"),
                       css="/static/docs-a11y.css", js="/static/docs-a11y.js")


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return _accessible(get_redoc_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} — API",
                                      redoc_js_url="/static/vendor/redoc.standalone.js",
                                      redoc_favicon_url="/static/favicon.svg", with_google_fonts=False))
