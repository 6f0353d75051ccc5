"""Three more reports of a site-month, as sheets: the 作業員名簿's 社会保険加入状況 variant, the 月別集約
(monthly totals per worker and per company) and the 下請負業者一覧 (再下請負通知 summary).

Pure: builders read a loaded :class:`MonthData`, already cut to what the viewer may see (server.reports.loader).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from server.reports.loader import MonthData
from server.reports.model import Column, RowStyle, Sheet

INSURANCE_OK, INSURANCE_MISSING, INSURANCE_UNKNOWN = "適正", "未加入あり", "不明あり"
_VERDICT_STYLE: dict[str, RowStyle] = {INSURANCE_OK: "", INSURANCE_MISSING: "warn", INSURANCE_UNKNOWN: "muted"}


def insurance_verdict(health: bool | None, pension: bool | None, employment: bool | None) -> str:
    """適正 when all three are joined; 未加入あり when any is known not joined; otherwise 不明あり."""
    values = (health, pension, employment)
    if any(v is False for v in values):
        return INSURANCE_MISSING
    if all(v is True for v in values):
        return INSURANCE_OK
    return INSURANCE_UNKNOWN


def _tier(n: int) -> str:
    return "元請" if n == 0 else f"{n}次"


def insurance_sheets(data: MonthData) -> list[Sheet]:
    """作業員名簿（社会保険加入状況）: a summary per company, then one sheet per employer with the 社会保険 columns
    of 全建統一様式第5号 that Genba holds (加入 yes / no / unknown; it holds no insurer names or numbers).

    Like the 作業員名簿, only workers whose roster-level fields the viewer may read are listed."""
    by_company: dict[str, list[str]] = defaultdict(list)
    for e in data.roster:
        if e.worker in data.sheet_allowed and e.worker not in by_company[e.employer]:
            by_company[e.employer].append(e.worker)
    summary = Sheet("集計", f"社会保険加入状況 集計 {data.month}",
                    [Column("所属事業者", 24), Column("事業者ID", 15), Column("事業者の\n社会保険", 8, "flag"),
                     Column("技能者数", 7, "num"), Column("健康保険\n加入", 7, "num"),
                     Column("年金保険\n加入", 7, "num"), Column("雇用保険\n加入", 7, "num"),
                     Column("3保険\n適正", 7, "num"), Column("未加入\nあり", 7, "num"), Column("不明\nあり", 7, "num"),
                     Column("適正加入率\n(%)", 9, "num")],
                    landscape=False)
    sheets = []
    totals = [0] * 7
    for company in sorted(by_company, key=data.company_name):
        name = data.company_name(company)
        cols = [Column("No", 4, "num"), Column("ふりがな\n氏名", 16), Column("技能者ID", 15), Column("職種", 10),
                Column("健康保険", 7, "flag"), Column("年金保険", 7, "flag"), Column("雇用保険", 7, "flag"),
                Column("3保険の判定", 10), Column("建退共", 6, "flag")]
        sheet = Sheet(name[:31], f"作業員名簿（社会保険加入状況） {name}", cols, paper="A4", frozen_columns=2)
        counts = [0] * 7
        ordered = sorted(by_company[company], key=lambda w: (data.workers[w].furigana, w))
        for n, w in enumerate(ordered, 1):
            worker = data.workers[w]
            entry = data.entry_of(w)
            verdict = insurance_verdict(worker.health_insurance, worker.pension, worker.employment_insurance)
            sheet.add([n, f"{worker.furigana}\n{worker.name}", w, (entry.trade_name if entry else None) or "",
                       worker.health_insurance, worker.pension, worker.employment_insurance, verdict,
                       worker.retirement_fund],
                      _VERDICT_STYLE[verdict])
            counts[0] += 1
            counts[1] += worker.health_insurance is True
            counts[2] += worker.pension is True
            counts[3] += worker.employment_insurance is True
            counts[4] += verdict == INSURANCE_OK
            counts[5] += verdict == INSURANCE_MISSING
            counts[6] += verdict == INSURANCE_UNKNOWN
        sheet.notes = ["○=加入 ×=未加入 空欄=不明。3保険（健康保険・年金保険・雇用保険）がすべて○で「適正」、"
                       "ひとつでも×があれば「未加入あり」。保険者名・被保険者番号は Genba では保持していません。"]
        sheets.append(sheet)
        c = data.companies.get(company)
        summary.add([name, company, c.insurance_ok if c else None, *counts, _rate(counts[4], counts[0])],
                    "warn" if counts[5] else "")
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    summary.add(["合計", "", None, *totals, _rate(totals[4], totals[0])], "total")
    summary.notes = ["適正加入率 = 3保険すべて加入の技能者 ÷ 名簿の技能者（今月、名簿に載っている期間がある人）。"]
    return [summary, *sheets]


def _rate(part: int, whole: int) -> Any:
    return round(100 * part / whole, 1) if whole else None


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def monthly_totals_sheets(data: MonthData) -> list[Sheet]:
    """月別集約: per worker (days worked, by card, by manual record or correction, time on site, 建退共 days), then
    per company (workers, person-days, card person-days, touch rate, time on site, 建退共 days)."""
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in data.roster:
        per.setdefault(e.worker, [])
    for r in data.rows:
        per[r["worker"] or f"card:{r['idm']}"].append(r)

    def key(subject: str) -> tuple[str, str, str]:
        w = data.workers.get(subject)
        return (data.company_name(w.employer) if w else "~", w.furigana if w else "~", subject)

    workers = Sheet("技能者別", f"月別集約（技能者別） {data.month}",
                    [Column("No", 4, "num"), Column("所属事業者", 20), Column("技能者ID", 15), Column("氏名", 14),
                     Column("職種", 10), Column("就業日数", 7, "num"), Column("カード\nタッチ日数", 8, "num"),
                     Column("手入力・\n補正日数", 8, "num"), Column("在場時間\n(h)", 8, "num"),
                     Column("時刻不明日", 7, "num"), Column("建退共\n加入", 6, "flag"),
                     Column("建退共\n充当日数", 7, "num")], paper="A4", frozen_columns=4)
    companies: dict[str, list[int]] = {}
    totals = [0, 0, 0, 0, 0, 0]
    for n, subject in enumerate(sorted(per, key=key), 1):
        rows = per[subject]
        w = data.workers.get(subject)
        days = len({r["work_day"] for r in rows})
        card = len({r["work_day"] for r in rows if r["source"] == "card" and r["worker"]})
        minutes = sum(r["minutes_on_site"] or 0 for r in rows)
        unknown = sum(1 for r in rows if r["minutes_on_site"] is None)
        member = w.retirement_fund if w else None
        credited = days if member else 0
        entry = data.entry_of(subject) if w else None
        workers.add([n, data.company_name(w.employer) if w else "", subject if w else "",
                     w.name if w else f"未登録カード {subject[5:]}", (entry.trade_name if entry else None) or "",
                     days, card, days - card, _hours(minutes), unknown, member, credited if member else "—"],
                    "" if w else "warn")
        company = w.employer if w else ""
        c = companies.setdefault(company, [0, 0, 0, 0, 0])
        for i, v in enumerate((1 if days else 0, days, card, minutes, credited)):
            c[i] += v
        for i, v in enumerate((days, card, days - card, minutes, unknown, credited)):
            totals[i] += v
    workers.add(["", "合計", "", "", "", totals[0], totals[1], totals[2], _hours(totals[3]), totals[4], None,
                 totals[5]], "total")
    workers.notes = ["就業日数 = この現場の記録（就業履歴）がある日。カードタッチ日数 = 技能者のカードで記録された日、"
                     "手入力・補正日数 = 現場での手入力または承認された補正による日。",
                     "在場時間は入場から退場まで（退場・入場の片方がない日は時刻不明日）で、給与計算上の労働時間ではありません。",
                     "建退共充当日数は建退共加入者のみ（未加入・不明は —）。"]
    by_company = Sheet("事業者別", f"月別集約（事業者別） {data.month}",
                       [Column("所属事業者", 24), Column("事業者ID", 15), Column("就業技能者数", 8, "num"),
                        Column("延べ人工", 8, "num"), Column("カードタッチ\n人工", 9, "num"),
                        Column("タッチ率\n(%)", 8, "num"), Column("在場時間\n(h)", 9, "num"),
                        Column("建退共\n充当日数", 8, "num")], landscape=False)
    grand = [0, 0, 0, 0, 0]
    for company in sorted(companies, key=lambda c: (c == "", data.company_name(c))):
        c = companies[company]
        by_company.add([data.company_name(company) if company else "未登録カード", company, c[0], c[1], c[2],
                        _rate(c[2], c[1]), _hours(c[3]), c[4]], "" if company else "warn")
        grand = [a + b for a, b in zip(grand, c, strict=True)]
    by_company.add(["合計", "", grand[0], grand[1], grand[2], _rate(grand[2], grand[1]), _hours(grand[3]), grand[4]],
                   "total")
    by_company.notes = ["タッチ率 = カードタッチ人工 ÷ 延べ人工（KPI の就業履歴蓄積率と同じ数え方）。"]
    return [by_company, workers]


def subcontractor_sheet(data: MonthData) -> Sheet:
    """下請負業者一覧: every company below the prime with its 再下請負通知 state (invited, approved or still
    pending, or a name-only placeholder), its 建設業許可, insurance, roster headcount and this month's work."""
    tz = ZoneInfo(data.site.timezone)
    cols = [Column("次数", 6), Column("事業者名", 24), Column("事業者ID", 15), Column("直近上位の注文者", 22),
            Column("建設業許可番号", 20), Column("工事名称・内容", 24), Column("再下請負通知", 10),
            Column("通知日", 11), Column("承認日", 11), Column("社会保険", 7, "flag"), Column("名簿人数", 7, "num"),
            Column("今月\n就業者数", 8, "num"), Column("今月\n延べ人工", 8, "num")]
    sheet = Sheet("下請負業者一覧", f"下請負業者一覧（再下請負通知） {data.site.name} {data.month}", cols, paper="A3")
    roster: dict[str, set[str]] = defaultdict(set)
    for e in data.roster:
        roster[e.employer].add(e.worker)
    worked: dict[str, set[str]] = defaultdict(set)
    person_days: dict[str, int] = defaultdict(int)
    for r in data.rows:
        if r["worker"] and r["employer"]:
            worked[r["employer"]].add(r["worker"])
            person_days[r["employer"]] += 1
    subs = list(data.structure.descendants(data.structure.prime.member))
    subs.sort(key=lambda m: (m.tier, m.member))
    totals = [0, 0, 0]
    for m in subs:
        parent = data.structure.get(m.parent).name if m.parent is not None else ""
        company = data.companies.get(m.company or "")
        state = "CCUS未登録" if m.placeholder else ("承認済" if m.status == "registered" else "未承認")
        cid = m.company or ""
        figures = [len(roster.get(cid, ())), len(worked.get(cid, ())), person_days.get(cid, 0)] if cid else [0, 0, 0]
        sheet.add([_tier(m.tier), m.name, cid, parent, (company.licence_no if company else None) or "",
                   " / ".join(x for x in (m.work_name, m.work_description) if x), state,
                   m.invited_at.astimezone(tz).date().isoformat(),
                   m.approved_at.astimezone(tz).date().isoformat() if m.approved_at and not m.placeholder else "",
                   company.insurance_ok if company else None, *figures],
                  "" if state == "承認済" else "warn")
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
    sheet.add(["", f"下請負業者 {len(subs)} 社", "", "", "", "", "", "", "", None, *totals], "total")
    sheet.notes = ["元請の下にある全次数の事業者（施工体制に登録された順）。再下請負通知: 承認済 = 上位の注文者が承認、"
                   "未承認 = 招待済みで承認待ち、CCUS未登録 = 名称のみの登録。",
                   "通知日・承認日は現場の現地日付。今月の人数・人工はこの現場の就業履歴から数えます。"]
    return sheet
