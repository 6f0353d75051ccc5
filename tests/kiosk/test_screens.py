"""Every screen at every supported size: it fits, touch targets are ≥ 48 px, and nothing visible is
left untranslated. Walks the same demo scenes as tools/render_screenshots.py (real journal, real taps)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QListWidget, QTabBar, QWidget

from kiosk.ui.i18n import I18N_DIR, TRANSLATED, qm_path, ts_path
from kiosk.ui.phrases import PhraseLabel, mid_phrase_breaks
from kiosk.ui.theme import MIN_TOUCH_PX, SCREEN_SIZES

ROOT = Path(__file__).resolve().parents[2]
TS = I18N_DIR / "kiosk_ja.ts"
QM = I18N_DIR / "kiosk_ja.qm"
BIN = Path(sys.executable).parent
SCREENS = 36
"""Screens the tool renders per size (tools/render_screenshots.py)."""
BANNER = {"idle-problems": 2, "idle-problems-3": 3,
          **{f"idle-problems-{lang}": 3 for lang in TRANSLATED if lang != "ja"}}
"""Idle screens with several problems at once, and how many the banner must name (issue 11: it was cut off)."""

ALLOWED_LATIN = re.compile(r"^(English|Language|USB|PIN|IDm|genba|kiosk|set-pin|[A-Z])$")
"""Latin words that may appear on a Japanese screen: the language button, acronyms, commands, card IDs."""


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_screenshots", ROOT / "tools" / "render_screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return load_tool()


def translations(lang: str = "ja") -> dict[str, str]:
    """Source → finished translation ('' when unfinished) in one language's .ts file."""
    tree = ET.parse(ts_path(lang))
    out = {}
    for m in tree.iter("message"):
        tr = m.find("translation")
        done = tr is not None and tr.text and tr.get("type") is None
        out[m.findtext("source") or ""] = (tr.text or "") if done and tr is not None else ""
    return out


def visible_texts(root: QWidget) -> Iterator[tuple[QWidget, str]]:
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.objectName() == "tech_detail":
            continue
        if isinstance(w, QLabel | QAbstractButton):
            yield w, w.text()
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                yield w, w.tabText(i)
        elif isinstance(w, QListWidget):
            for i in range(w.count()):
                yield w, w.item(i).text()


def walk(tool: ModuleType, size: tuple[int, int], tmp: Path) -> Iterator[tuple[str, QWidget]]:
    app = QApplication.instance()
    assert app is not None
    scene = tool.Scene(tmp)
    try:
        scene.window.resize(*size)
        scene.window.show()
        for name, action in tool.screens(scene):
            action()
            if name.startswith("_"):
                continue
            scene.window.resize(*size)
            app.processEvents()
            yield name, scene.window
        scene.window.close()
    finally:
        scene.model.shutdown()
        scene.close()


def check_banner(name: str, window: QWidget, problems: int) -> None:
    """Every problem whole in the banner, in type a passer-by can read, and the window still its own size."""
    idle = window.idle
    banner = idle.problems
    assert window.stack.currentWidget() is idle and banner.isVisibleTo(idle)
    assert banner.text().count("⚠") == problems, f"{name}: {banner.text()!r}"
    assert banner.needed(banner.width()) <= banner.height(), f"{name}: the banner is cut off"
    bottom = banner.mapTo(idle, banner.rect().bottomLeft()).y()
    assert bottom < min(b.mapTo(idle, b.rect().topLeft()).y() for b in (idle.force_in, idle.manager)), \
        f"{name}: the banner runs under the buttons"
    assert banner.px >= idle.metrics.px(15), f"{name}: banner type {banner.px} px is too small to read"
    assert not idle.clock.isVisibleTo(idle) and idle.date.text().endswith(idle.clock.text()), \
        f"{name}: the time moves beside the date while the banner takes the clock's place"


@pytest.mark.parametrize("size", SCREEN_SIZES, ids=[f"{w}x{h}" for w, h in SCREEN_SIZES])
def test_every_screen_fits_has_big_touch_targets_and_no_untranslated_text(
    tool: ModuleType, size: tuple[int, int], tmp_path: Path, qapp: QApplication
) -> None:
    sources = {lang: {src for src, tr in translations(lang).items() if tr and src != tr} for lang in TRANSLATED}
    seen = 0
    for name, window in walk(tool, size, tmp_path):
        seen += 1
        assert (window.width(), window.height()) == size, f"{name} does not fit {size}"
        current = window.stack.currentWidget()
        for button in current.findChildren(QAbstractButton):
            if button.isVisibleTo(current):
                assert button.height() >= MIN_TOUCH_PX and button.width() >= MIN_TOUCH_PX, (
                    name, button.text(), type(button).__name__, button.parent(), button.size())
        for label in current.findChildren(PhraseLabel):
            if label.isVisibleTo(current) and label.wordWrap():
                cuts = mid_phrase_breaks(QLabel.text(label), label.font(), label.contentsRect().width())
                assert cuts == [], f"{name}: a line breaks inside a phrase: {cuts}"
                # Qt's line boxes carry the CJK font's generous leading: a box up to 15 % short still shows every
                # glyph whole; a missing line (the clipped third line of a banner) is far more.
                needs = label.heightForWidth(label.width())
                assert needs <= label.height() * 1.15 + 2, (
                    f"{name}: {label.text()!r} is cut off ({needs} > {label.height()})")
        if name in BANNER:
            check_banner(name, window, BANNER[name])
        lang = window.model.lang
        if lang == "en" or name == "language":
            continue  # English on purpose; the language list names every language in itself
        for widget, text in visible_texts(current):
            assert text not in sources[lang], f"{name}: untranslated {text!r} on a {lang} screen"
            if lang in ("ja", "zh_CN"):
                for word in re.findall(r"[A-Za-z][A-Za-z-]*", re.sub(r"[0-9A-F]{16}", "", text)):
                    assert ALLOWED_LATIN.match(word), f"{name}: English word {word!r} in {text!r} ({widget})"
    assert seen == SCREENS


def test_every_message_in_the_ts_file_has_a_finished_translation() -> None:
    tree = ET.parse(TS)
    messages = list(tree.iter("message"))
    assert len(messages) > 100
    for m in messages:
        tr = m.find("translation")
        assert tr is not None and tr.text and tr.get("type") is None, m.findtext("source")


def worker_facing_sources(tmp: Path) -> set[str]:
    """Every string the idle and feedback screens (and the words they share) can show a worker, found by
    pyside6-lupdate itself in those modules."""
    out = tmp / "worker.ts"
    modules = [str(ROOT / "kiosk" / "ui" / m) for m in ("feedback.py", "idle.py", "texts.py")]
    subprocess.run([str(BIN / "pyside6-lupdate"), *modules, "-ts", str(out), "-locations", "none"], check=True,
                   capture_output=True)
    return {m.findtext("source") or "" for m in ET.parse(out).iter("message")}


@pytest.mark.parametrize("lang", [lang for lang in TRANSLATED if lang != "ja"])
def test_every_worker_facing_string_is_translated_in_every_worker_language(lang: str, tmp_path: Path) -> None:
    """Manager screens may fall back to English in these languages; nothing a worker reads may."""
    done = translations(lang)
    facing = worker_facing_sources(tmp_path)
    assert len(facing) > 50, "lupdate found too few strings in the worker-facing modules"
    missing = sorted(s for s in facing if not done.get(s))
    assert missing == [], f"{lang}: worker-facing strings without a translation: {missing}"
    for src in facing:
        for marker in re.findall(r"%[0-9]", src):
            assert marker in done[src], f"{lang}: {src!r} lost {marker} in {done[src]!r}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_ts_file_covers_every_string_in_the_sources(tmp_path: Path, lang: str) -> None:
    copy = tmp_path / f"kiosk_{lang}.ts"
    copy.write_bytes(ts_path(lang).read_bytes())
    sources = sorted(str(p) for p in (ROOT / "kiosk" / "ui").glob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), *sources, "-ts", str(copy), "-no-obsolete", "-locations", "none"],
                   check=True, capture_output=True)
    fresh = {m.findtext("source"): m.find("translation") for m in ET.parse(copy).iter("message")}
    assert set(fresh) == set(translations(lang)), f"kiosk_{lang}.ts does not hold exactly the sources' strings"
    if lang == "ja":
        unfinished = [src for src, tr in fresh.items() if tr is None or tr.get("type") == "unfinished"]
        assert unfinished == [], f"strings without a Japanese translation: {unfinished}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_committed_qm_matches_the_ts(tmp_path: Path, lang: str) -> None:
    out = tmp_path / f"kiosk_{lang}.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), str(ts_path(lang)), "-qm", str(out)], check=True,
                   capture_output=True)
    fix = f"run: pyside6-lrelease kiosk/i18n/kiosk_{lang}.ts -qm kiosk/i18n/kiosk_{lang}.qm"
    assert out.read_bytes() == qm_path(lang).read_bytes(), fix


def test_screenshot_script_renders_pngs(tool: ModuleType, tmp_path: Path, qapp: QApplication) -> None:
    problems = tool.render(tmp_path, [(800, 480)])
    assert problems == []
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(pngs) == SCREENS and "idle-800x480.png" in pngs and "feedback-vi-800x480.png" in pngs
