"""A small demo site (roster, site settings) for screenshots, the simulated reader and newcomers.

Fictional people and companies; card IDms in the simulator's style.
"""

from __future__ import annotations

from kiosk.sources import CardHolder, SiteSettings, StaticSiteView, SyncSummary

DEMO_SITE = "90000000000001"
DEMO_SITE_NAME = "渋谷駅前再開発 A棟"

CARDS: dict[str, CardHolder] = {
    "012E4CD2A1B30001": CardHolder("10000000000001", "山田 太郎", "山田建設株式会社", "ヤマダ タロウ", "型枠大工",
                                   "職長"),
    "012E4CD2A1B30002": CardHolder("10000000000002", "佐藤 花子", "佐藤電設", "サトウ ハナコ", "電工", "作業員"),
    "012E4CD2A1B30003": CardHolder("10000000000003", "高橋 健", "高橋鉄筋工業", "タカハシ ケン", "鉄筋工", "班長"),
    "012E4CD2A1B30004": CardHolder("10000000000004", "田中 誠", "山田建設株式会社", "タナカ マコト", "", "",
                                   missing=("trade", "position")),
    "012E4CD2A1B30005": CardHolder("10000000000005", "鈴木 一郎", "鈴木鳶工業", "スズキ イチロウ", "とび工", "作業員",
                                   on_site_roster=False),
}
UNKNOWN_CARD = "012E99887766AA01"


def demo_site(*, unsent: int = 0) -> StaticSiteView:
    return StaticSiteView(SiteSettings(site=DEMO_SITE, site_name=DEMO_SITE_NAME, repeat_window_s=120),
                          cards=dict(CARDS), sync_summary=SyncSummary(unsent=unsent))
