"""Which optional part of Genba (an "extra") brings which library, so a missing one is named, not traced back.

A kiosk installs ``genba[kiosk]`` and a server ``genba[server]`` (docs/deploy.md); the command line is the
same on both. When a command needs a library of the other role, Python raises ``ModuleNotFoundError`` deep
inside the command; :func:`missing_extra_message` turns that into one line saying which extra to install.
tests/test_extras.py checks that every library the code imports from an extra is named this way.
"""

from __future__ import annotations

import importlib.metadata
import re

from shared.messages import t

#: Top-level import name -> the extra whose packages provide it, for the names that are not simply the
#: distribution's name (those are read from the install's metadata: :func:`_declared_extras`).
EXTRA_OF_MODULE: dict[str, str] = {
    "PySide6": "kiosk",  # pyside6-essentials / pyside6-addons
    "shiboken6": "kiosk",
    "nfc": "kiosk",  # nfcpy
    "smartcard": "kiosk",  # pyscard
    "starlette": "server",  # comes with fastapi
    "markupsafe": "server",  # comes with jinja2
    "multipart": "server",  # python-multipart
}
ROLE_EXTRAS = ("kiosk", "server")


def _declared_extras() -> dict[str, str]:
    """Import-style name -> role extra, from this install's own metadata (pyproject's optional dependencies).

    Covers every library whose import name is its distribution name (jinja2, openpyxl, budoux, …), so a
    library added to an extra needs no entry in :data:`EXTRA_OF_MODULE`; only names that differ do.
    """
    try:
        requirements = importlib.metadata.requires("genba") or []
    except importlib.metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return {}
    found: dict[str, str] = {}
    for text in requirements:
        name = re.match(r"[A-Za-z0-9._-]+", text)
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", text)
        if name and extra and extra.group(1) in ROLE_EXTRAS:
            found.setdefault(name.group(0).lower().replace("-", "_").replace(".", "_"), extra.group(1))
    return found


def extra_for(exc: ModuleNotFoundError) -> str | None:
    """The extra that provides the module ``exc`` could not find, or None when it is not one of ours."""
    name = (exc.name or "").split(".")[0]
    return EXTRA_OF_MODULE.get(name) or _declared_extras().get(name.lower())


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
