"""Manager mode's first tab: who is on site, who left, unknown cards, and workers with a gate warning."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QGridLayout, QLabel, QListWidgetItem

from kiosk.sources import CardHolder
from kiosk.today import Presence
from kiosk.ui import texts
from kiosk.ui.manager_common import ROLE, ManagerPage, make_list, translate
from kiosk.ui.theme import Metrics

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TodayPage(ManagerPage):
    def build(self) -> None:
        self.inside_title, self.left_title, self.unknown_title = QLabel(), QLabel(), QLabel()
        self.inside_list, self.left_list, self.unknown_list = make_list(), make_list(), make_list()
        # Workers who tapped today with a gate warning (lapsed credential, no new-entrant education): issue 12.
        self.gate_title, self.gate_list = QLabel(), make_list()
        self.grid = QGridLayout(self)
        self.portrait = False

    def set_metrics(self, metrics: Metrics) -> None:
        super().set_metrics(metrics)
        self.portrait = metrics.portrait
        grid = self.grid
        while grid.count():
            grid.takeAt(0)
        pairs = [(self.inside_title, self.inside_list), (self.left_title, self.left_list),
                 (self.unknown_title, self.unknown_list), (self.gate_title, self.gate_list)]
        for i, (title, lst) in enumerate(pairs):
            if metrics.portrait:
                grid.addWidget(title, 2 * i, 0)
                grid.addWidget(lst, 2 * i + 1, 0)
            else:
                grid.addWidget(title, 0, i)
                grid.addWidget(lst, 1, i)

    def person(self, p: Presence) -> str:
        holder = self.model.core.site.worker(p.worker) if p.worker else None
        who = holder.name if holder else (translate("Kiosk", "Unknown card %1").replace("%1", p.idm or ""))
        if holder and holder.employer:
            who += f"（{holder.employer}）"
        parts = [who]
        if p.first_in:
            parts.append(f"{texts.direction('in')} {texts.clock(p.first_in)}")
        if p.last_out and not p.inside:
            parts.append(f"{texts.direction('out')} {texts.clock(p.last_out)}")
        return "  ".join(parts)

    def refresh(self) -> None:
        today = self.model.core.today
        inside, left, unknown = today.inside(), today.left(), today.unknown_cards()
        self.inside_title.setText(translate("Kiosk", "On site (%1)").replace("%1", str(len(inside))))
        self.left_title.setText(translate("Kiosk", "Left (%1)").replace("%1", str(len(left))))
        self.unknown_title.setText(translate("Kiosk", "Unknown cards (%1)").replace("%1", str(len(unknown))))
        for lst, people in ((self.inside_list, inside), (self.left_list, left), (self.unknown_list, unknown)):
            lst.clear()
            for p in people:
                lst.addItem(self.person(p))
        flagged = self.flagged_today()
        self.gate_title.setText(translate("Kiosk", "Education or qualification warnings (%1)")
                                .replace("%1", str(len(flagged))))
        self.gate_list.clear()
        for p, h in flagged:
            who = f"{h.name}（{h.employer}）" if h.employer else h.name
            first = f"  {texts.direction('in')} {texts.clock(p.first_in)}" if p.first_in else ""
            item = QListWidgetItem(f"⚠ {texts.gate_short(h.gate)}\n{who}{first}")  # what is wrong first
            item.setData(ROLE, h.worker)
            self.gate_list.addItem(item)

    def flagged_today(self) -> list[tuple[Presence, CardHolder]]:
        """Workers who touched today and whose roster entry carries a gate warning, in the order they came."""
        out = []
        for p in sorted(self.model.core.today.inside() + self.model.core.today.left(),
                        key=lambda p: (p.first_in or p.last_out or _EPOCH, p.key)):
            flagged = self.model.core.site.worker(p.worker) if p.worker else None
            if flagged is not None and flagged.gate:
                out.append((p, flagged))
        return out
