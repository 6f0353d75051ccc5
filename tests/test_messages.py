"""Every error a person can meet has words in Japanese (the default) and English saying what to do."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

from shared.errors import Gap, GenbaError
from shared.messages import CATALOG, explain, summary

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PACKAGES = ("shared", "hardware", "kiosk", "syncd", "server")


def _import_every_module_that_defines_errors() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if info.name.endswith(("errors", "request_auth")) or ".errors." in info.name:
                importlib.import_module(info.name)


def _every_error_class() -> list[type[GenbaError]]:
    _import_every_module_that_defines_errors()
    seen: list[type[GenbaError]] = []
    stack = [GenbaError]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


ERRORS = _every_error_class()


def test_the_walk_finds_the_error_trees_of_every_package() -> None:
    modules = {cls.__module__.split(".")[0] for cls in ERRORS}
    assert set(PACKAGES) <= modules
    assert len(ERRORS) > 50


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_error_has_japanese_words_of_its_own(cls: type[GenbaError]) -> None:
    own = getattr(cls, "message_ja", None)
    registered = cls.code in CATALOG
    assert registered or isinstance(own, str), f"{cls.__name__} ({cls.code}) has no Japanese message"
    ja = own if isinstance(own, str) else CATALOG[cls.code][0]
    assert JAPANESE.search(ja), f"{cls.code}: the Japanese message is not Japanese: {ja!r}"
    if registered:
        en = CATALOG[cls.code][1]
        assert en and not JAPANESE.search(en), f"{cls.code}: the English message is not English: {en!r}"


def test_explain_gives_the_specific_words_then_the_technical_detail() -> None:
    gap = Gap("expected seq 4, batch starts at 6", next_expected=4)
    assert explain(gap, "ja").startswith(CATALOG["gap"][0])
    assert explain(gap, "en") == f"{CATALOG['gap'][1]} (gap: expected seq 4, batch starts at 6)"


def test_an_error_carrying_its_own_japanese_is_explained_with_it() -> None:
    from server.domain.errors import NotFound

    err = NotFound("no site 12345678901234", message_ja="現場 12345678901234 は登録されていません。")
    assert summary(err, "ja") == "現場 12345678901234 は登録されていません。"
    assert "12345678901234" in explain(err, "ja")
