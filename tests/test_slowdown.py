"""GENBA_TEST_SLOWDOWN: the factor the arm64 smoke test sets under emulation; bad values are refused clearly."""

from __future__ import annotations

import pytest

from tests.slowdown import VARIABLE, allow, slowdown


def test_unset_or_empty_means_no_slowdown() -> None:
    assert slowdown({}) == 1.0
    assert slowdown({VARIABLE: " "}) == 1.0


def test_a_factor_multiplies_every_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    assert slowdown({VARIABLE: "10"}) == 10.0
    monkeypatch.setenv(VARIABLE, "2.5")
    assert allow(60) == 150.0
    monkeypatch.delenv(VARIABLE)
    assert allow(60) == 60.0


@pytest.mark.parametrize(("raw", "why"), [("ten", "not a number"), ("0.5", "out of range"), ("0", "out of range"),
                                          ("101", "out of range"), ("nan", "out of range"), ("inf", "out of range"),
                                          ("-3", "out of range")])
def test_a_bad_factor_is_refused_with_what_to_give(raw: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as refused:
        slowdown({VARIABLE: raw})
    assert "from 1 to 100" in str(refused.value) and VARIABLE in str(refused.value)
