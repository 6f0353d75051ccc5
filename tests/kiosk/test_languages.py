"""The worker-facing screens in Vietnamese, Chinese, Indonesian and Tagalog: picked for one tap on the screen,
or from the roster's language for that worker's result; Japanese again afterwards (issue 11.11)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from kiosk.ui.i18n import LANGUAGES, NATIVE_NAMES, for_worker
from tests.kiosk.conftest import SATO, YAMADA
from tests.kiosk.test_ui import Screen, screen

__all__ = ["screen"]  # the fixture, re-used


def speaks(screen: Screen, idm: str, lang: str) -> None:
    site = screen.rig.site
    site.cards[idm] = replace(site.cards[idm], language=lang)


def test_a_worker_whose_roster_names_vietnamese_gets_the_result_in_vietnamese_then_japanese(screen: Screen) -> None:
    speaks(screen, YAMADA, "vi")
    screen.tap(YAMADA)
    fb = screen.window.feedback
    assert fb.headline.text() == "Vào  07:42"
    assert fb.detail.text() == "Đã ghi nhận. Chúc một ngày làm việc an toàn."
    assert fb.name.text() == "山田 太郎", "names stay as the roster writes them"
    screen.close_feedback()
    assert screen.model.lang == "ja"
    assert screen.window.idle.prompt.text() == "カードをタッチしてください"


def test_the_next_worker_without_a_roster_language_gets_japanese_even_while_a_result_is_up(screen: Screen) -> None:
    speaks(screen, YAMADA, "zh-CN")
    screen.tap(YAMADA)
    assert screen.window.feedback.detail.text() == "已记录。祝您今天工作平安。"
    screen.tap(SATO)  # before the first result closed
    assert screen.window.feedback.detail.text() == "記録しました。今日も安全に。"
    assert screen.model.lang == "ja"


def test_a_language_picked_on_screen_wins_over_the_roster_and_lasts_one_tap(screen: Screen) -> None:
    speaks(screen, YAMADA, "vi")
    w = screen.window
    screen.qtbot.mouseClick(w.idle.english, Qt.MouseButton.LeftButton)
    screen.qtbot.mouseClick(w.language.buttons["id"], Qt.MouseButton.LeftButton)
    assert w.idle.prompt.text() == "Silakan tempelkan kartu Anda"
    assert w.idle.english.text() == "日本語に戻す", "the way back to Japanese is always in Japanese"
    screen.tap(YAMADA)
    assert w.feedback.detail.text() == "Tercatat. Selamat bekerja dengan aman."
    screen.close_feedback()
    assert screen.model.lang == "ja" and w.idle.prompt.text() == "カードをタッチしてください"


def test_the_language_list_names_every_language_in_itself_and_tagalog_works(screen: Screen) -> None:
    w = screen.window
    assert [w.language.buttons[lang].text() for lang in LANGUAGES] == [NATIVE_NAMES[lang] for lang in LANGUAGES]
    screen.qtbot.mouseClick(w.idle.english, Qt.MouseButton.LeftButton)
    screen.qtbot.mouseClick(w.language.buttons["tl"], Qt.MouseButton.LeftButton)
    screen.tap(YAMADA)
    assert w.feedback.headline.text() == "Pasok  07:42"


def test_opening_manager_mode_returns_to_japanese(screen: Screen) -> None:
    screen.model.use_language_for_next_tap("vi")
    screen.window.open_pin()
    assert screen.model.lang == "ja" and not screen.model.english_for_next_tap


def test_roster_language_tags_map_to_screen_languages() -> None:
    tags = ("vi", "VI", "zh-cn", "zh-TW", "zh_Hans", "in", "fil", "tl", "en-us", "ne", "ja", "")
    assert [for_worker(t) for t in tags] == [
        "vi", "vi", "zh_CN", "zh_CN", "zh_CN", "id", "tl", "tl", "en", "en", None, None]
