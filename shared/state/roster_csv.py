"""Reading a roster CSV (作業員名簿) for sites that run without a server.

Pure: bytes in, validated :class:`RosterWorker` values out, or one error
listing every bad line — never a partial roster. The columns (English or
Japanese headers, any order; docs/syncd.md):

    worker (技能者ID)  name (氏名)  furigana (フリガナ)  employer (所属事業者ID)
    employer_name (所属事業者名)  trade (職種)  trade_code (職種コード)
    position (立場)  idm (カードIDm; several cards separated by ';' or one row per card)
    language (言語: the worker's own language as a code such as vi, zh-CN, id, tl, en; empty = Japanese)

Encoding: UTF-8 (with or without BOM) or CP932 (Shift_JIS as Excel writes it).
"""

from __future__ import annotations

import csv
import io

from shared.state.errors import RosterEncoding, RosterInvalid, RosterTooLarge
from shared.state.model import RosterWorker, check_roster, roster_invalid

MAX_ROSTER_BYTES = 5 * 1024 * 1024
MAX_ROSTER_ROWS = 50_000

HEADERS: dict[str, str] = {}
for _field, _names in {
    "worker": ("worker", "worker_id", "技能者id", "技能者ｉｄ", "技能者番号"),
    "name": ("name", "氏名", "名前", "技能者氏名"),
    "furigana": ("furigana", "フリガナ", "ふりがな", "氏名カナ", "氏名（カナ）", "カナ"),
    "employer": ("employer", "employer_id", "所属事業者id", "事業者id"),
    "employer_name": ("employer_name", "所属事業者名", "事業者名", "会社名"),
    "trade": ("trade", "職種"),
    "trade_code": ("trade_code", "職種コード"),
    "position": ("position", "立場", "役職"),
    "idm": ("idm", "card_idm", "カードidm", "カードＩＤｍ", "カード"),
    "language": ("language", "lang", "言語"),
}.items():
    for _n in _names:
        HEADERS[_n.lower()] = _field
REQUIRED = ("worker", "name")


def decode_roster(data: bytes) -> str:
    """UTF-8 (BOM tolerated) first, then CP932; refuse anything else."""
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterTooLarge(f"roster file is {len(data)} bytes; the limit is {MAX_ROSTER_BYTES}")
    if b"\x00" in data:
        raise RosterEncoding("roster file contains NUL bytes: it is not a text CSV (is it an Excel .xlsx?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_exc:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            line = data[: utf8_exc.start].count(b"\n") + 1
            raise RosterEncoding(
                f"roster file is neither UTF-8 nor CP932 (first undecodable byte on line {line})"
            ) from None


def parse_roster_csv(data: bytes) -> list[RosterWorker]:
    """Parse and validate a roster CSV. Raises a :class:`shared.state.errors.StateError` subclass."""
    text = decode_roster(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise RosterInvalid(f"not a readable CSV: {exc}", problems=[(0, str(exc))]) from None
    if not rows:
        raise RosterInvalid("the roster file is empty", problems=[(1, "no header line")])
    if len(rows) - 1 > MAX_ROSTER_ROWS:
        raise RosterTooLarge(f"roster has {len(rows) - 1} rows; the limit is {MAX_ROSTER_ROWS}")
    header = [h.strip().lower() for h in rows[0]]
    columns: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    for i, h in enumerate(header):
        field = HEADERS.get(h)
        if field is None:
            problems.append((1, f"unknown column {rows[0][i].strip()!r}"))
        elif field in columns:
            problems.append((1, f"column {rows[0][i].strip()!r} given twice"))
        else:
            columns[field] = i
    for field in REQUIRED:
        if field not in columns:
            problems.append((1, f"missing column {field!r}"))
    if problems:
        raise RosterInvalid("the header line is wrong; see docs/syncd.md for the columns", problems=problems)
    entries: list[tuple[int, dict[str, object]]] = []
    bad_width: list[tuple[int, str]] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines (Excel leaves some at the end)
        if len(row) != len(header):
            bad_width.append((n, f"has {len(row)} fields, the header has {len(header)}"))
            continue
        raw: dict[str, object] = {f: row[i] for f, i in columns.items() if f != "idm"}
        cell = row[columns["idm"]] if "idm" in columns else ""
        raw["idms"] = [p.strip() for p in cell.replace("；", ";").split(";") if p.strip()]
        entries.append((n, raw))
    try:
        workers = check_roster(entries)
    except RosterInvalid as exc:
        if not bad_width:
            raise
        raise roster_invalid(exc.problems + bad_width) from None
    if bad_width:
        raise roster_invalid(bad_width)
    return workers
