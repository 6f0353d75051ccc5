"""Qt's translation system for the screen: English source strings, Japanese by default.

Sources are ``kiosk/i18n/kiosk_<lang>.ts`` (edit with pyside6-linguist, refresh with pyside6-lupdate); the
compiled ``.qm`` files beside them are committed and loaded here. Japanese is installed at start. A worker
may pick another language for their tap (English, Vietnamese, simplified Chinese, Indonesian, Tagalog),
and a worker whose roster entry names their language sees their result screen in it; after the feedback
the screen returns to Japanese. The manager screens exist in Japanese and English only: in the other
languages their strings are left untranslated in the .ts files and Qt shows the English source.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGES = ("ja", "en", "vi", "zh_CN", "id", "tl")
"""Every language of the worker-facing screens, Japanese first."""
TRANSLATED = ("ja", "vi", "zh_CN", "id", "tl")
"""Languages with a .ts file (English is the source)."""
SOURCE_LANGUAGE = "en"
NATIVE_NAMES = {"ja": "日本語", "en": "English", "vi": "Tiếng Việt", "zh_CN": "简体中文", "id": "Bahasa Indonesia",
                "tl": "Tagalog"}
"""Each language's name in itself: what the language buttons show."""
_ROSTER_TAGS = {"ja": "ja", "en": "en", "vi": "vi", "zh": "zh_CN", "id": "id", "in": "id", "tl": "tl", "fil": "tl"}


def qm_path(lang: str) -> Path:
    return I18N_DIR / f"kiosk_{lang}.qm"


def ts_path(lang: str) -> Path:
    return I18N_DIR / f"kiosk_{lang}.ts"


def for_worker(tag: str) -> str | None:
    """The screen language for a roster's language tag (``vi``, ``zh-cn``, ``fil``…); None for Japanese or none.

    All Chinese variants get simplified Chinese (closer to a Chinese reader than Japanese); any other language
    we have no translation for gets English, the second language of every screen.
    """
    tag = tag.strip().lower().replace("_", "-")
    if not tag:
        return None
    lang = _ROSTER_TAGS.get(tag.split("-")[0], SOURCE_LANGUAGE)
    return None if lang == "ja" else lang


class Translations:
    """Switches the application's language; one translator at a time, shared by the whole process
    (use :func:`translations`: a second instance would leave its own translator installed)."""

    def __init__(self) -> None:
        self.lang = SOURCE_LANGUAGE
        self._translator: QTranslator | None = None
        self._loaded: dict[str, QTranslator] = {}
        """Translators loaded once each: a foreign worker's tap must not read a file from disk."""

    def _load(self, lang: str) -> QTranslator:
        translator = self._loaded.get(lang)
        if translator is None:
            translator = QTranslator()
            if not translator.load(str(qm_path(lang))):
                raise FileNotFoundError(f"missing compiled translation {qm_path(lang)}; run pyside6-lrelease")
            self._loaded[lang] = translator
        return translator

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
            translator = self._load(lang)
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
