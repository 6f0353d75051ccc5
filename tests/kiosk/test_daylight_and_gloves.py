"""The daylight theme and glove-sized controls (issue 11.10), on the real window and journal."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTime

from kiosk.errors import SettingsDamaged
from kiosk.settings import load_settings
from kiosk.ui.theme import GLOVE_PX, LIGHT
from shared.journal import JournalReader
from tests.kiosk.conftest import YAMADA
from tests.kiosk.test_ui import Screen, screen

__all__ = ["screen"]


def test_daylight_switch_in_manager_mode_is_kept_in_kiosk_json_and_restyles_the_result(screen: Screen) -> None:
    w, m = screen.window, screen.window.manager
    w.open_manager()
    m.tabs.setCurrentIndex(4)
    screen.qtbot.mouseClick(m.theme_button, Qt.MouseButton.LeftButton)
    assert "オン" in m.message.text() and m.theme_button.isChecked()
    assert load_settings(screen.rig.data.root).theme == "light"
    assert f"background: {LIGHT.background}" in w.styleSheet()
    m.closed.emit()
    screen.tap(YAMADA)
    image = w.feedback.grab().toImage()
    middle = image.pixelColor(image.width() // 2, image.height() - image.height() // 6)
    edge = image.pixelColor(2, image.height() // 2)
    assert middle.name() == "#ffffff" and edge.name() == LIGHT.entry, "white page, entry-green frame"
    screen.close_feedback()
    w.open_manager()
    m.tabs.setCurrentIndex(4)
    screen.qtbot.mouseClick(m.theme_button, Qt.MouseButton.LeftButton)
    assert load_settings(screen.rig.data.root).theme == "dark"


def test_an_unknown_theme_in_kiosk_json_is_a_damaged_settings_error(screen: Screen) -> None:
    path = screen.rig.data.root / "kiosk.json"
    path.write_text(json.dumps({"mode": "auto", "theme": "neon"}))
    with pytest.raises(SettingsDamaged, match="theme"):
        load_settings(screen.rig.data.root)


def test_forgotten_card_time_is_set_with_glove_sized_steps(screen: Screen) -> None:
    m = screen.window.manager
    screen.window.open_manager()
    m.tabs.setCurrentIndex(3)
    picker = m.manual_time
    picker.setTime(QTime(7, 42))
    for step in (-60, -10, -1, -1):
        screen.qtbot.mouseClick(picker.buttons[step], Qt.MouseButton.LeftButton)
    assert picker.display.text() == "06:30"
    picker.setTime(QTime(23, 55))
    screen.qtbot.mouseClick(picker.buttons[10], Qt.MouseButton.LeftButton)
    assert picker.time() == QTime(0, 5), "steps wrap around midnight"
    picker.setTime(QTime(6, 30))
    for button in picker.buttons.values():
        assert button.height() >= GLOVE_PX and button.width() >= GLOVE_PX
    m.manual_workers.setCurrentRow(0)
    screen.qtbot.mouseClick(m.manual_in, Qt.MouseButton.LeftButton)
    with JournalReader(screen.rig.data.journal) as reader:
        [stored] = reader.tail(1)
    assert stored.event.kind == "manual" and "T06:30:00" in str(stored.event.claimed_at)


def test_manager_lists_have_glove_rows_drag_scrolling_and_a_wide_scroll_bar(screen: Screen) -> None:
    m = screen.window.manager
    screen.window.open_manager()
    m.tabs.setCurrentIndex(3)
    lst = m.manual_workers
    assert lst.count() > 1
    assert lst.visualItemRect(lst.item(0)).height() >= GLOVE_PX
    screen.window.resize(800, 480)
    bar = lst.verticalScrollBar()
    assert bar.sizeHint().width() >= 36, "a thumb-wide bar, not the default hairline"
    from PySide6.QtWidgets import QScroller
    assert QScroller.hasScroller(lst.viewport()), "the list itself scrolls by dragging"
