"""Japanese and Chinese lines split into phrases (BudouX, Google's phrase segmenter, pure Python).

A line of Japanese has no spaces; breaking it between any two characters splits words ("があ／りません"). The
kiosk's labels (``kiosk/ui/phrases.py``) and the command line's help (``genba/cli/words.py``) both break
such text only between the phrases this module gives. Text without kana or CJK ideographs (English,
Vietnamese, Indonesian, Tagalog) is one phrase: it already breaks at spaces.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from budoux import Parser

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff9f]")
"""Kana, CJK ideographs and full-width forms: text that needs phrase breaking."""


@lru_cache(maxsize=2)
def _parser(lang: str) -> Parser:
    # imported on first use: every `genba` command imports this module, few of them break Japanese lines
    from budoux import load_default_japanese_parser, load_default_simplified_chinese_parser

    return load_default_simplified_chinese_parser() if lang == "zh" else load_default_japanese_parser()


def phrases(line: str, lang: str = "ja") -> list[str]:
    """The phrases of one line, in order (they join back to ``line``); ``[line]`` when it has no CJK text."""
    if not CJK.search(line):
        return [line]
    return list(_parser("zh" if lang.startswith("zh") else "ja").parse(line)) or [line]
