"""作業員名簿 (全建統一様式第5号 layout), 施工体制台帳 summary, 施工体系図 data and the daily lists, as sheets.

Pure: builders read a loaded :class:`MonthData` (already cut to what the viewer may see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from server.reports.details import CREDENTIAL_LABELS, age_on, expiring
from server.reports.loader import MonthData
from server.reports.model import Column, Sheet
from shared.daylists import Direction, Presence, exit_missing, not_touched

TIER_JA = {0: "元請", 1: "1次", 2: "2次", 3: "3次", 4: "4次"}


def _tier(n: int) -> str:
    return TIER_JA.get(n, f"{n}次")


def roster_sheets(data: MonthData) -> list[Sheet]:
    """作業員名簿: one sheet per employer, in the columns of 全建統一様式第5号 that Genba holds.

    Workers whose roster-level fields the viewer may not read are left out entirely."""
    by_company: dict[str, list[str]] = {}
    for e in data.roster:
        if e.worker in data.sheet_allowed:
            by_company.setdefault(e.employer, [])
            if e.worker not in by_company[e.employer]:
                by_company[e.employer].append(e.worker)
    sheets = []
    for company in sorted(by_company, key=data.company_name):
        name = data.company_name(company)
        cols = [Column("No", 4, "num"), Column("ふりがな\n氏名", 16), Column("技能者ID", 15), Column("職種", 10),
                Column("立場", 6), Column("雇入年月日", 11), Column("生年月日\n(年齢)", 12),
                Column("緊急連絡先", 20), Column("健康診断日\n一般 / 特殊", 12), Column("健康保険", 5, "flag"),
                Column("年金保険", 5, "flag"), Column("雇用保険", 5, "flag"), Column("建退共", 5, "flag"),
                Column("新規入場者\n教育", 11), Column("資格・技能講習・特別教育（有効期限）", 36)]
        sheet = Sheet(name[:31], f"作業員名簿 {name}", cols, paper="A3", frozen_columns=2)
        n = 0
        for w in sorted(by_company[company], key=lambda x: data.workers[x].furigana):
            if w not in data.sheet_allowed:
                continue
            d = data.details.get(w)
            n += 1
            worker = data.workers[w]
            entry = data.entry_of(w)
            born = f"{d.birth_date.isoformat()} ({age_on(d.birth_date, data.today)})" if d and d.birth_date else ""
            contact = " ".join(x for x in (d.emergency_name, d.emergency_relation, d.emergency_phone) if x) if d else ""
            checks = f"{_iso(d.health_general)} / {_iso(d.health_special)}" if d else ""
            creds = "、".join(f"{CREDENTIAL_LABELS[c.kind]}:{c.name}" + (f"（{c.expires.isoformat()}まで）"
                                                                         if c.expires else "")
                             for c in (d.credentials if d else ()))
            educated = data.education.get(w)
            sheet.add([n, f"{worker.furigana}\n{worker.name}", w, (entry.trade_name if entry else None) or "",
                       (entry.position if entry else None) or "", _iso(d.hire_date) if d else "", born, contact,
                       checks, worker.health_insurance, worker.pension, worker.employment_insurance,
                       worker.retirement_fund, educated.isoformat() if educated else "未実施", creds],
                      "" if educated else "warn")
        sheet.notes = ["全建統一様式第5号の項目のうち Genba が保持するもの。○=加入 ×=未加入 空欄=不明。",
                       "新規入場者教育が未実施の技能者は色付きで表示します。"]
        sheets.append(sheet)
    return sheets


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


@dataclass(frozen=True, slots=True)
class ChartNode:
    tier: str
    name: str
    company: str
    status: str
    work: str
    workers: int
    children: tuple[ChartNode, ...]


def structure_chart(data: MonthData) -> ChartNode:
    """施工体系図 as a tree: each company with tier, work, status and its workers on the roster this month."""
    counts: dict[str, int] = {}
    for e in data.roster:
        counts[e.employer] = counts.get(e.employer, 0) + 1

    def node(member: Any) -> ChartNode:
        kids = tuple(node(c) for c in data.structure.children(member.member))
        status = "CCUS未登録" if member.placeholder else ("登録" if member.status == "registered" else "未承認")
        return ChartNode(_tier(member.tier), member.name, member.company or "", status,
                         member.work_name or member.work_description, counts.get(member.company or "", 0), kids)

    return node(data.structure.prime)


def ledger_sheet(data: MonthData) -> Sheet:
    """施工体制台帳 summary: every company of the structure, in tree order."""
    cols = [Column("次数", 6), Column("事業者名", 26), Column("事業者ID", 15), Column("上位事業者", 22),
            Column("建設業許可番号", 24), Column("工事名称・内容", 26), Column("状態", 9), Column("承認日", 11),
            Column("名簿人数", 7, "num")]
    sheet = Sheet("施工体制台帳", f"施工体制台帳（概要） {data.site.name}", cols, paper="A4")
    tz = ZoneInfo(data.site.timezone)  # an approval's date is the site's, not UTC's (a day behind until 09:00 JST)
    counts: dict[str, int] = {}
    for e in data.roster:
        counts[e.employer] = counts.get(e.employer, 0) + 1
    order = [data.structure.prime, *data.structure.descendants(data.structure.prime.member)]
    order.sort(key=lambda m: (m.tier, m.member))
    for m in order:
        parent = data.structure.get(m.parent).name if m.parent is not None else ""
        company = data.companies.get(m.company or "")
        status = "CCUS未登録" if m.placeholder else ("登録" if m.status == "registered" else "未承認")
        approved = m.approved_at.astimezone(tz).date().isoformat() if m.approved_at else ""
        sheet.add([_tier(m.tier), m.name, m.company or "", parent, (company.licence_no if company else None) or "",
                   " / ".join(x for x in (m.work_name, m.work_description) if x), status, approved,
                   counts.get(m.company or "", 0)],
                  "warn" if status != "登録" else "")
    return sheet


def presences(data: MonthData, day: date) -> list[Presence]:
    """The day as :mod:`shared.daylists` reads it, from work-history rows and the roster."""
    rows = {r["worker"]: r for r in data.rows if r["work_day"] == day.isoformat() and r["worker"]}
    out = []
    for w in sorted({e.worker for e in data.roster if e.covers(day)} | set(rows)):
        r = rows.get(w)
        entry = data.entry_of(w, day)
        employer = entry.employer if entry else (r["employer"] if r else "") or ""
        touches = r["taps"] if r and r["source"] == "card" else 0
        last: Direction | None = None
        if r:
            last = "in" if "entry_without_exit" in r["flags"] else ("out" if r["last_exit"] else None)
        out.append(Presence(w, employer, entry is not None, touches, last, r is not None))
    return out


def daily_sheets(data: MonthData, day: date) -> list[Sheet]:
    """未タッチ者 and 退場漏れ per company for ``day``; expiring items (30 days) and missing education."""
    day_list = presences(data, day)
    cols = [Column("所属事業者", 24), Column("技能者ID", 15), Column("氏名", 16), Column("記録", 14)]
    untouched = Sheet("未タッチ者", f"未タッチ者 {day.isoformat()}", list(cols), landscape=False)
    for x in not_touched(day_list):
        untouched.add([data.company_name(x.company), x.worker, data.workers[x.worker].name,
                       "手入力・補正あり" if x.worked else "記録なし"], "" if x.worked else "muted")
    missing_exit = Sheet("退場漏れ", f"退場漏れ {day.isoformat()}", list(cols), landscape=False)
    for x in exit_missing(day_list):
        missing_exit.add([data.company_name(x.company), x.worker, data.workers[x.worker].name, "退場タッチなし"])
    soon = Sheet("期限30日以内", f"有効期限・健康診断の期限（{day.isoformat()} から30日以内・期限切れ）",
                 [Column("所属事業者", 24), Column("技能者ID", 15), Column("氏名", 16), Column("項目", 30),
                  Column("期限", 11), Column("状態", 8)], landscape=False)
    for e in expiring(list(data.details.values()), day):
        w = data.workers[e.worker]
        soon.add([data.company_name(w.employer), e.worker, w.name, e.label, e.due.isoformat(),
                  "期限切れ" if e.due < day else "まもなく"], "warn" if e.due < day else "")
    uneducated = Sheet("教育未実施", "新規入場者教育 未実施", list(cols), landscape=False)
    on_roster = sorted({e.worker for e in data.roster if e.covers(day)},
                       key=lambda w: (data.company_name(data.workers[w].employer), w))
    for wid in on_roster:
        if wid not in data.education:
            uneducated.add([data.company_name(data.workers[wid].employer), wid, data.workers[wid].name, "未実施"],
                           "warn")
    for s in (untouched, missing_exit, soon, uneducated):
        if not s.rows:
            s.notes.append("該当なし")
    untouched.notes.append("名簿に載っていて、その日にカードのタッチがない技能者。")
    missing_exit.notes.append("その日の最後の有効なタッチが入場の技能者（当日は「まだ現場にいる」）。")
    return [untouched, missing_exit, soon, uneducated]
