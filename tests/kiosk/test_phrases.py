"""Japanese lines break between phrases, never inside a word, at every width (issue 11.10)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from kiosk.ui.phrases import INVISIBLE, FitLabel, PhraseLabel, lines, mid_phrase_breaks, phrased

SENTENCES = [
    "（音は出ません: この端末には音声出力がありません）",
    "高橋鉄筋工業株式会社の職長に伝えてください。",
    "この現場の名簿にあなたの職種・立場が登録されていません。職長に伝えてください。",
    "記録を保存できませんでした（ディスクが満杯か書き込み禁止の可能性）。すぐに現場管理者に伝え、紙の入退場簿に記入してください。",
]


def font(px: int) -> QFont:
    f = QFont("Noto Sans CJK JP")
    f.setPixelSize(px)
    return f


def test_plain_qt_breaks_inside_words_so_the_check_can_fail(qapp: QApplication) -> None:
    """Without phrasing, Qt's own wrap gives exactly the breaks the issue shows (があ／りません …)."""
    bad = [cut for text in SENTENCES for width in range(120, 720, 20)
           for cut in mid_phrase_breaks(text, font(24), width)]
    assert any("があ／り" in b or "工／業" in b or "鉄筋工／" in b for b in bad), bad[:10]


@pytest.mark.parametrize("px", [18, 24, 36, 52])
def test_phrased_text_breaks_only_between_phrases_at_every_width(qapp: QApplication, px: int) -> None:
    for text in SENTENCES:
        shown = phrased(text)
        assert shown.translate(INVISIBLE).replace("\u00a0", " ") == text
        for width in range(px * 8, px * 30, px):
            assert mid_phrase_breaks(shown, font(px), width) == [], (text, px, width)


def test_latin_text_is_left_alone_and_mixed_text_keeps_latin_words_whole(qapp: QApplication) -> None:
    assert phrased("Recorded. Have a safe day.") == "Recorded. Have a safe day."
    assert "U\u2060S" not in phrased("USBケーブルを確認してください。")
    assert phrased("请把卡平放在读卡器上再刷一次。", "zh_CN") != "请把卡平放在读卡器上再刷一次。"


def test_label_text_is_the_plain_text_and_the_headline_shrinks_to_fit(qapp: QApplication) -> None:
    label = PhraseLabel()
    label.setText("この端末には音声出力がありません")
    assert label.text() == "この端末には音声出力がありません"
    head = FitLabel(max_lines=2)
    head.set_max_px(120)
    head.setText("この現場の名簿にありません")
    width = 500
    px = head.best_px(width)
    assert 40 < px < 120
    laid = lines(phrased("この現場の名簿にありません"), _sized(head, px), width)
    assert len(laid) <= 2 and all(w <= width for _, w in laid)
    assert head.best_px(3000) == 120, "a wide screen gets the full size"


def _sized(label: FitLabel, px: int) -> QFont:
    f = QFont(label.font())
    f.setPixelSize(px)
    return f
