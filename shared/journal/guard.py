"""A damaged journal.db is an error with a code, never a raw ``sqlite3.DatabaseError`` — and never written over.

Damage comes in three shapes that SQLite reports differently: a garbage
header ("file is not a database", on the first statement), a truncated file
and random bytes in the middle ("database disk image is malformed", as soon
as a damaged page is read — which may be long after opening). So:

- :func:`check_intact` runs SQLite's ``quick_check`` over the whole file
  before anyone writes to it (the writer) or trusts it (syncd at start);
- :func:`guarded` wraps every reading method so that damage found later is
  :class:`~shared.errors.JournalDamaged` too, with the file's name;
- a journal another process holds locked is :class:`~shared.errors.JournalBusy`,
  not damage.

Nothing here ever writes.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from shared.errors import JournalBusy, JournalDamaged, JournalError

P = ParamSpec("P")
R = TypeVar("R")


def translate(path: Path, exc: sqlite3.Error) -> JournalError:
    """The Genba error for a SQLite error on journal ``path``."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return JournalBusy(f"{path} is locked by another process ({text}); try again")
    return JournalDamaged(
        f"{path} is damaged ({text}); it was not changed. Keep a copy (it may still hold unsent taps) "
        "and contact the administrator", first_bad_seq=None)


def check_intact(conn: sqlite3.Connection, path: Path) -> None:
    """Raise :class:`JournalDamaged` unless SQLite finds every page of the file readable and consistent."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        raise translate(path, exc) from None
    if [tuple(r) for r in rows] != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in rows[:3])
        raise JournalDamaged(f"{path} is damaged (SQLite: {detail}); it was not changed. Keep a copy and "
                             "contact the administrator", first_bad_seq=None)


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn SQLite errors inside a reader method into Genba errors naming the journal (``self.path``)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise translate(getattr(args[0], "path", Path("journal.db")), exc) from None

    return wrapper


def guarded_iter(method: Callable[P, Iterator[Any]]) -> Callable[P, Iterator[Any]]:
    """:func:`guarded` for generators: damage may show only when a later row is fetched."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
        try:
            yield from method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise translate(getattr(args[0], "path", Path("journal.db")), exc) from None

    return wrapper
