"""Qt's translation system for the screen: English source strings, Japanese by default.

Sources are ``kiosk/i18n/kiosk_ja.ts`` (edit with pyside6-linguist, refresh
with pyside6-lupdate); the compiled ``kiosk_ja.qm`` beside it is committed and
loaded here. Japanese is installed at start; a worker may pick English for
their tap, after which the screen returns to Japanese.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGES = ("ja", "en")
SOURCE_LANGUAGE = "en"


def qm_path(lang: str) -> Path:
    return I18N_DIR / f"kiosk_{lang}.qm"


class Translations:
    """Switches the application's language; one translator at a time, shared by the whole process
    (use :func:`translations`: a second instance would leave its own translator installed)."""

    def __init__(self) -> None:
        self.lang = SOURCE_LANGUAGE
        self._translator: QTranslator | None = None

    def use(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}")
        if lang == self.lang:
            return
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            QCoreApplication.removeTranslator(self._translator)
            self._translator = None
        if lang != SOURCE_LANGUAGE:
            translator = QTranslator()
            if not translator.load(str(qm_path(lang))):
                raise FileNotFoundError(f"missing compiled translation {qm_path(lang)}; run pyside6-lrelease")
            QCoreApplication.installTranslator(translator)
            self._translator = translator
        self.lang = lang


_shared: Translations | None = None


def translations() -> Translations:
    """The process's one :class:`Translations`."""
    global _shared
    if _shared is None:
        _shared = Translations()
    return _shared
