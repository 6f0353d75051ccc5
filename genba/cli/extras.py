"""Which optional part of Genba (an "extra") brings which library, so a missing one is named, not traced back.

A kiosk installs ``genba[kiosk]`` and a server ``genba[server]`` (docs/deploy.md); the command line is the
same on both. When a command needs a library of the other role, Python raises ``ModuleNotFoundError`` deep
inside the command; :func:`missing_extra_message` turns that into one line saying which extra to install.
tests/test_extras.py checks this table against pyproject.toml and against what the code imports.
"""

from __future__ import annotations

from shared.messages import t

#: Top-level import name -> the extra whose packages provide it.
EXTRA_OF_MODULE: dict[str, str] = {
    "PySide6": "kiosk",
    "shiboken6": "kiosk",
    "nfc": "kiosk",
    "smartcard": "kiosk",
    "segno": "kiosk",
    "budoux": "kiosk",
    "pydantic_settings": "server",
    "fastapi": "server",
    "starlette": "server",
    "uvicorn": "server",
    "sqlalchemy": "server",
    "alembic": "server",
    "psycopg": "server",
    "prometheus_client": "server",
    "jinja2": "server",
    "markupsafe": "server",
    "openpyxl": "server",
    "weasyprint": "server",
    "holidays": "server",
}


def extra_for(exc: ModuleNotFoundError) -> str | None:
    """The extra that provides the module ``exc`` could not find, or None when it is not one of ours."""
    name = (exc.name or "").split(".")[0]
    return EXTRA_OF_MODULE.get(name)


def missing_extra_message(exc: ModuleNotFoundError) -> str | None:
    """One line naming the missing library and the extra to install, or None when no extra provides it."""
    extra = extra_for(exc)
    if extra is None:
        return None
    role = "kiosk" if extra == "kiosk" else "server"
    return t(
        f"エラー: このコマンドには genba[{extra}] が必要ですが、この端末に入っていません（{exc.name} がありません）。"
        f"`packaging/install.sh --role {role}` で入れ直すか、`uv sync --extra {extra}` "
        f"または `pip install 'genba[{extra}]'` で追加してください。",
        f"Error: this command needs genba[{extra}], which is not installed on this machine ({exc.name} is "
        f"missing). Reinstall with `packaging/install.sh --role {role}`, or add it with `uv sync --extra {extra}` "
        f"or `pip install 'genba[{extra}]'`.",
    )
