"""Bulk inserts without a round trip per row: ``COPY`` on PostgreSQL, multi-row ``INSERT`` on SQLite.

Every hot path that stores many rows (ingest's events, the worker's derived
rows, rebuild) goes through :func:`insert_rows`. Both forms run inside the
caller's transaction, so a failure rolls back with everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

SQLITE_MAX_PARAMS = 32_000
"""SQLite (≥ 3.32) allows 32,766 host parameters per statement; keep under it."""


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in as few statements as the database allows."""
    if not rows:
        return
    cols = list(rows[0].keys())
    if conn.dialect.name == "postgresql":
        _copy(conn, table, cols, rows, row=_values(cols))
    elif conn.dialect.name == "sqlite":
        _multi_values(conn, table, cols, rows, row=_values(cols))
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        conn.execute(table.insert(), list(rows))


def insert_tuples(conn: sa.Connection, table: sa.Table, cols: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """:func:`insert_rows` for rows already given as tuples in ``cols`` order (no dict built per row)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, cols, rows)
        return
    _multi_values(conn, table, cols, rows)


def _values(cols: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A row's values in ``cols`` order, picked at C speed (``itemgetter``); always a tuple."""
    if len(cols) == 1:
        one = cols[0]
        return lambda r: (r[one],)
    return itemgetter(*cols)


def _copy(conn: sa.Connection, table: sa.Table, cols: Sequence[str], rows: Sequence[Any], *,
          row: Callable[[Any], Sequence[Any]] | None = None) -> None:
    """``COPY … FROM STDIN`` of ``rows`` on the psycopg connection inside this same transaction: each row a tuple
    in ``cols`` order, or turned into one by ``row``."""
    raw: Any = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in cols)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for r in rows if row is None else map(row, rows):
            copy.write_row(r)


def _multi_values(conn: sa.Connection, table: sa.Table, cols: Sequence[str], rows: Sequence[Any], *,
                  row: Callable[[Any], Sequence[Any]] | None = None, tail: str = "", mark: str = "?") -> None:
    """Multi-row ``INSERT … VALUES`` of ``rows`` in chunks within the parameter limit: each row a tuple in ``cols``
    order, or turned into one by ``row``; ``tail`` follows the values (an ``ON CONFLICT`` clause); ``mark`` is the
    driver's placeholder."""
    per = max(1, SQLITE_MAX_PARAMS // len(cols))
    names = ", ".join(f'"{c}"' for c in cols)
    one = "(" + ", ".join([mark] * len(cols)) + ")"
    for i in range(0, len(rows), per):
        chunk = rows[i:i + per]
        params = chain.from_iterable(chunk if row is None else map(row, chunk))
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ' + ", ".join([one] * len(chunk)) + tail
        conn.exec_driver_sql(sql, tuple(params))


def upsert_tuples(conn: sa.Connection, table: sa.Table, cols: Sequence[str], key: Sequence[str],
                  rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``cols`` order), or where a row with the same ``key`` columns exists, set its other
    columns to the given values: multi-row ``INSERT … ON CONFLICT … DO UPDATE`` (both databases), in as few
    statements as the parameter limit allows. ``rows`` must not repeat a key."""
    if not rows:
        return
    update = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c not in key)
    conflict = f' ON CONFLICT ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in key)}) '
    conflict += f"DO UPDATE SET {update}" if update else "DO NOTHING"
    _multi_values(conn, table, cols, rows, tail=conflict, mark="%s" if conn.dialect.name == "postgresql" else "?")
