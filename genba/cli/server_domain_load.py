"""``genba server load FILE``: registry, structure, cards and roster from one JSON file, all or nothing.

The file is what a back office exports from its own systems (or writes by hand)::

    {"companies": [{"company": "…14 digits…", "name": "…", "origin": "ccus"}, …],
     "workers":   [{"worker": "…", "name": "…", "furigana": "…", "employer": "…", "trade_minor": "0201"}, …],
     "sites":     [{"site": "…", "name": "…", "prime": "…", "day_boundary": "04:00"}, …],
     "structure": [{"site": "…", "action": "invite", "by": "…", "parent": 1, "company": "…"},
                   {"site": "…", "action": "approve", "by": "…", "member": 2},
                   {"site": "…", "action": "place", "by": "…", "parent": 2, "name": "(個人)塗装"},
                   {"site": "…", "action": "replace", "by": "…", "member": 3, "company": "…"},
                   {"site": "…", "action": "work", "by": "…", "member": 2, "work_name": "…"}],
     "cards":     [{"idm": "…16 hex…", "worker": "…", "valid_from": "2026-01-01"}, …],
     "roster":    [{"site": "…", "worker": "…", "valid_from": "2026-11-01", "trade_code": "0201",
                    "position": "職長"}, …]}

Every record passes the same checks as the API (one transaction: the first refusal stores nothing).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from server.context import ServerContext
from server.domain import structure as st
from server.domain.errors import Invalid
from server.domain.registry import CardBinding, Company, Site, Worker
from server.domain.roster import RosterEntry
from server.store import domain_records as rec
from server.store.domain_reconcile import recompute_card, recompute_worker
from server.store.engine import write_transaction

MAX_FILE_BYTES = 64 * 1024 * 1024
SECTIONS = ("companies", "workers", "sites", "structure", "cards", "roster")


def _dates(obj: dict[str, Any], *names: str) -> dict[str, Any]:
    out = dict(obj)
    for n in names:
        if out.get(n) is not None:
            try:
                out[n] = date.fromisoformat(out[n])
            except (TypeError, ValueError):
                raise Invalid(f"{n} must be YYYY-MM-DD: {out[n]!r}"[:120], field=n) from None
    return out


def _record(kind: str, i: int, build: Any, obj: Any) -> Any:
    if not isinstance(obj, dict):
        raise Invalid(f"{kind}[{i}] must be an object")
    try:
        return build(obj)
    except TypeError as exc:  # unknown or missing fields
        raise Invalid(f"{kind}[{i}]: {exc}"[:200]) from None
    except Invalid as exc:
        raise Invalid(f"{kind}[{i}]: {exc.message}", message_ja=f"{kind} の {i} 番目: {exc.message_ja}") from None


def load(ctx: ServerContext, path: Path) -> dict[str, int]:
    """Load the file in one transaction; return the count per section."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise Invalid(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"{path} is not UTF-8 JSON: {exc}"[:200],
                      message_ja="ファイルがUTF-8のJSONではありません。") from None
    if not isinstance(data, dict) or set(data) - set(SECTIONS):
        raise Invalid(f"the file must be an object with the sections {', '.join(SECTIONS)}")
    counts = {s: 0 for s in SECTIONS}
    now = ctx.now()
    with write_transaction(ctx.engine) as conn:
        for i, obj in enumerate(data.get("companies", [])):
            rec.add_company(conn, _record("companies", i, lambda o: Company(**o), obj))
            counts["companies"] += 1
        for i, obj in enumerate(data.get("workers", [])):
            w = _record("workers", i, lambda o: Worker(**{**o, "qualifications": tuple(o.get("qualifications", ()))}),
                        obj)
            rec.add_worker(conn, w)
            counts["workers"] += 1
        for i, obj in enumerate(data.get("sites", [])):
            def site(o: dict[str, Any]) -> Site:
                o = _dates(o, "accumulation_from", "accumulation_to")
                if "day_boundary" in o:
                    o["day_boundary"] = time.fromisoformat(o["day_boundary"])
                return Site(**o)

            rec.add_site(conn, _record("sites", i, site, obj), at=now)
            counts["sites"] += 1
        for i, obj in enumerate(data.get("structure", [])):
            _structure_step(conn, i, obj, now)
            counts["structure"] += 1
        for i, obj in enumerate(data.get("cards", [])):
            b = _record("cards", i, lambda o: CardBinding(**_dates(o, "valid_from", "valid_to")), obj)
            rec.add_binding(conn, b)
            recompute_card(conn, b.idm)
            counts["cards"] += 1
        for i, obj in enumerate(data.get("roster", [])):
            def entry(o: dict[str, Any]) -> RosterEntry:
                o = _dates(o, "valid_from", "valid_to")
                employer = rec.get_worker(conn, o.get("worker", "")).employer
                return RosterEntry(**{"employer": employer, **o, "health_checks": tuple(o.get("health_checks", ())),
                                      "qualifications": tuple(o.get("qualifications", ()))})

            e = _record("roster", i, entry, obj)
            rec.add_roster_entry(conn, e)
            recompute_worker(conn, e.site, e.worker)
            counts["roster"] += 1
    return counts


def _structure_step(conn: Any, i: int, obj: Any, now: datetime) -> None:
    if not isinstance(obj, dict) or obj.get("action") not in ("invite", "approve", "place", "replace", "work"):
        raise Invalid(f"structure[{i}] needs an action: invite, approve, place, replace or work")
    s = rec.load_structure(conn, str(obj.get("site", "")))
    by = str(obj.get("by", ""))
    try:
        action = obj["action"]
        if action == "invite":
            company = rec.get_company(conn, obj["company"])
            s, change = st.invite(s, parent=int(obj["parent"]), by=by, company=company.company, name=company.name,
                                  at=now)
        elif action == "approve":
            s, change = st.approve(s, member=int(obj["member"]), by=by, at=now)
        elif action == "place":
            s, change = st.place_unregistered(s, parent=int(obj["parent"]), by=by, name=str(obj["name"]), at=now)
        elif action == "replace":
            company = rec.get_company(conn, obj["company"])
            s, change = st.replace_placeholder(s, member=int(obj["member"]), by=by, company=company.company,
                                               name=company.name, at=now)
        else:
            s, change = st.set_work(s, member=int(obj["member"]), by=by, work_name=str(obj.get("work_name", "")),
                                    work_description=str(obj.get("work_description", "")), at=now)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"structure[{i}]: missing or malformed field {exc}"[:200]) from None
    rec.record_change(conn, change)
