"""Roster CSV import: every line checked before anything is stored; a preview lists every bad line.

Columns (UTF-8, with or without BOM; a header line is required):
``worker,valid_from,valid_to,trade_code,trade_name,position,work_content,hazardous``.
Each line goes through the API's request model (:class:`server.api.routes.roster.RosterIn`), the permission
rule (:func:`server.domain.disclosure.may_manage_roster`) and the store's own checks
(:func:`server.store.domain_records.add_roster_entry`: the employer is on the site's structure, no overlap).
All lines are inserted in one transaction, and rolled back when any line is bad or when only previewing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from server.api.routes.roster import RosterIn
from server.domain.disclosure import Principal, may_manage_roster
from server.domain.errors import DomainError, Forbidden
from server.domain.roster import RosterEntry
from server.store import domain_records as rec
from server.store.domain_reconcile import recompute_worker
from server.store.engine import write_transaction
from server.web.forms import PYDANTIC_KEYS
from server.web.i18n import translate

COLUMNS = ("worker", "valid_from", "valid_to", "trade_code", "trade_name", "position", "work_content", "hazardous")
MAX_BYTES = 1024 * 1024
MAX_LINES = 5000


@dataclass
class ImportResult:
    good: list[dict[str, Any]] = field(default_factory=list)
    bad: list[tuple[int, str, str]] = field(default_factory=list)
    """(line number, the line's worker id or '', what is wrong in the viewer's language)."""
    stored: bool = False


class _Rollback(Exception):
    pass


def parse(data: bytes, lang: str) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str, str]]]:
    if len(data) > MAX_BYTES:
        return [], [(0, "", translate("csv_too_large", lang))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, "", translate("csv_not_utf8", lang))]
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames][:1] != ["worker"] or \
            not {"worker", "valid_from"} <= {f.strip() for f in reader.fieldnames}:
        return [], [(1, "", translate("csv_header", lang, columns=",".join(COLUMNS)))]
    lines, bad = [], []
    for row in reader:
        if reader.line_num > MAX_LINES + 1:
            bad.append((reader.line_num, "", translate("csv_too_many", lang, n=MAX_LINES)))
            break
        extra = row.pop(None, None)
        if extra:
            bad.append((reader.line_num, row.get("worker") or "", translate("csv_extra_columns", lang)))
            continue
        lines.append((reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}))
    return lines, bad


def run_import(engine: sa.Engine, p: Principal, site: str, data: bytes, lang: str, *, commit: bool) -> ImportResult:
    lines, bad = parse(data, lang)
    result = ImportResult(bad=bad)
    if not lines and not bad:
        result.bad.append((0, "", translate("csv_empty", lang)))
    if result.bad and not lines:
        return result
    try:
        with write_transaction(engine) as conn:
            s = rec.get_site(conn, site)
            structure = rec.load_structure(conn, site)
            touched: set[str] = set()
            for number, row in lines:
                body = {k: v for k, v in row.items() if k in COLUMNS and v != ""}
                unknown = sorted(k for k in row if k not in COLUMNS)
                if unknown:
                    result.bad.append((number, row.get("worker", ""), translate("csv_unknown_column", lang,
                                                                                 name=unknown[0])))
                    continue
                try:
                    entry_in = RosterIn.model_validate(body)
                    w = rec.get_worker(conn, entry_in.worker)
                    if not may_manage_roster(p, s, w.employer, structure, rec.proxies_of(conn, w.employer)):
                        raise Forbidden(translate("csv_not_allowed", "en"),
                                        message_ja=translate("csv_not_allowed", "ja"))
                    e = RosterEntry(site=site, worker=w.worker, employer=w.employer, valid_from=entry_in.valid_from,
                                    valid_to=entry_in.valid_to, trade_code=entry_in.trade_code,
                                    trade_name=entry_in.trade_name, position=entry_in.position,
                                    work_content=entry_in.work_content, hazardous=entry_in.hazardous)
                    rec.add_roster_entry(conn, e)
                    touched.add(w.worker)
                    result.good.append({"line": number, **body, "name": w.name if p.role == "admin" or
                                        (p.company == w.employer) else ""})
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = str(first["loc"][0]) if first.get("loc") else ""
                    key = PYDANTIC_KEYS.get(str(first["type"]), "bad_value")
                    result.bad.append((number, row.get("worker", ""), f"{where}: {translate(key, lang)}"))
                except DomainError as exc:
                    words = exc.message_ja if lang == "ja" else exc.message
                    result.bad.append((number, row.get("worker", ""), words))
            if result.bad or not commit:
                raise _Rollback
            for worker in touched:
                recompute_worker(conn, site, worker)
            result.stored = True
    except _Rollback:
        pass
    return result
