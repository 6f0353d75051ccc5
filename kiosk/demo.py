"""A small demo site (roster, site settings) for screenshots, the simulated reader and newcomers.

Fictional people and companies; card IDms in the simulator's style.
"""

from __future__ import annotations

from collections.abc import Callable

from hardware.sim import SimulatedReader
from kiosk.sources import CardHolder, SiteSettings, StaticSiteView, SyncSummary
from shared.ids import Idm, parse_idm

DEMO_SITE = "90000000000001"
DEMO_SITE_NAME = "渋谷駅前再開発 A棟"

_CARDS: dict[str, CardHolder] = {
    "012E4CD2A1B30001": CardHolder("10000000000001", "山田 太郎", "山田建設株式会社", "ヤマダ タロウ", "型枠大工",
                                   "職長"),
    "012E4CD2A1B30002": CardHolder("10000000000002", "佐藤 花子", "佐藤電設", "サトウ ハナコ", "電工", "作業員"),
    "012E4CD2A1B30003": CardHolder("10000000000003", "高橋 健", "高橋鉄筋工業", "タカハシ ケン", "鉄筋工", "班長"),
    "012E4CD2A1B30004": CardHolder("10000000000004", "田中 誠", "山田建設株式会社", "タナカ マコト", "", "",
                                   missing=("trade", "position")),
    "012E4CD2A1B30005": CardHolder("10000000000005", "鈴木 一郎", "鈴木鳶工業", "スズキ イチロウ", "とび工", "作業員",
                                   on_site_roster=False),
    "012E4CD2A1B30006": CardHolder("10000000000006", "グエン・ヴァン・ナム", "高橋鉄筋工業", "グエン ヴァン ナム",
                                   "鉄筋工", "作業員", language="vi"),
}
"""Fictional workers; グエン・ヴァン・ナム's roster entry names Vietnamese, so his result screen is in Vietnamese."""
CARDS: dict[Idm, CardHolder] = {parse_idm(idm): holder for idm, holder in _CARDS.items()}
UNKNOWN_CARD = "012E99887766AA01"


def demo_site(*, unsent: int = 0) -> StaticSiteView:
    return StaticSiteView(SiteSettings(site=DEMO_SITE, site_name=DEMO_SITE_NAME),
                          cards=dict(CARDS), sync_summary=SyncSummary(unsent=unsent))


DEMO_PIN = "0000"


def roster_csv() -> str:
    """The demo roster in ``genba roster import`` format (workers on the site roster only)."""
    rows = ["worker,name,furigana,employer_name,trade,position,idm,language"]
    rows += [f"{h.worker},{h.name},{h.furigana},{h.employer},{h.trade},{h.position},{idm},{h.language}"
             for idm, h in CARDS.items() if h.on_site_roster]
    return "\n".join(rows) + "\n"


def demo_keys(reader: SimulatedReader) -> tuple[dict[str, Callable[[], None]], list[str]]:
    """Keyboard taps for the demo window: 1–6 the demo cards, 9 an unknown card, u/r unplug/replug."""
    keys: dict[str, Callable[[], None]] = {}
    legend: list[str] = []
    for n, (idm, holder) in enumerate(CARDS.items(), start=1):
        keys[str(n)] = lambda idm=idm: reader.tap(idm)  # type: ignore[misc]
        note = "" if holder.on_site_roster else " — 名簿にない人 / not on the roster"
        legend.append(f"{n}: {holder.name}（{holder.employer}）{note}")
    keys["9"] = lambda: reader.tap(UNKNOWN_CARD)
    keys["u"] = reader.unplug
    keys["r"] = reader.replug
    legend += ["9: 未登録カード / unknown card", "u / r: リーダーを外す・戻す / unplug, replug the reader"]
    return keys, legend
