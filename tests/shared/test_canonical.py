"""The fast canonical path for flat objects is byte-identical to the rfc8785 reference encoder.

Both directions count: what the reference encodes we encode to the same bytes, and what the reference
refuses (lone surrogates, integers beyond ±2^53, NaN and infinities) we refuse too, with a FormatError.
The strategies include such values on purpose, and each test counts that both branches really ran.
"""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from shared.canonical import canonical_bytes
from shared.errors import FormatError

LONE_SURROGATES = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1,
                          max_size=3)
TEXT = st.one_of(st.text(), LONE_SURROGATES.map(lambda s: "a" + s))  # any Unicode, and some the reference refuses
flat_values = st.one_of(
    TEXT,
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.integers(min_value=2**53, max_value=2**64) | st.integers(min_value=-(2**64), max_value=-(2**53)),
    st.booleans(),
    st.none(),
)
REFUSED_BY_THE_REFERENCE = (rfc8785.CanonicalizationError, UnicodeEncodeError, TypeError, ValueError)


def same_as_reference(obj: dict[str, object]) -> str:
    """Assert our bytes equal the reference's, or that we refuse what it refuses; say which happened."""
    try:
        expected = rfc8785.dumps(obj)
    except REFUSED_BY_THE_REFERENCE:
        with pytest.raises(FormatError):
            canonical_bytes(obj)
        event("refused by both")
        return "refused"
    assert canonical_bytes(obj) == expected
    event("encoded identically")
    return "encoded"


OUTCOMES: dict[str, set[str]] = {"flat": set(), "other": set()}


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), flat_values, max_size=16))
@example({"a": "\ud800"})
@example({"a": 2**53})
def test_flat_objects_encode_exactly_as_rfc8785_or_are_refused_like_it(obj: dict[str, object]) -> None:
    OUTCOMES["flat"].add(same_as_reference(obj))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, st.one_of(flat_values, st.floats(), st.lists(st.integers())), max_size=6))
@example({"\udc00": 1})
@example({"a": float("nan")})
def test_other_objects_go_through_the_reference_encoder_and_refuse_like_it(obj: dict[str, object]) -> None:
    OUTCOMES["other"].add(same_as_reference(obj))


def test_both_outcomes_were_exercised_by_the_property_tests() -> None:
    # Runs after the two property tests (file order): a strategy that never produced a refused (or an encoded)
    # object would make one branch vacuous.
    if not all(OUTCOMES.values()):
        pytest.skip("run with the property tests above (this file, in order)")
    assert {"flat": {"refused", "encoded"}, "other": {"refused", "encoded"}} == OUTCOMES


@pytest.mark.parametrize("obj", [{"a": "\ud800"}, {"\udc00": 1}, {"a": 2**53}, {"a": -(2**53)},
                                 {"a": float("nan")}, {"a": float("inf")}, {"a": ["x", "\udfff"]}])
def test_what_the_reference_refuses_we_refuse_with_a_format_error(obj: dict[str, object]) -> None:
    with pytest.raises(REFUSED_BY_THE_REFERENCE):
        rfc8785.dumps(obj)
    with pytest.raises(FormatError):
        canonical_bytes(obj)


def test_keys_sort_by_utf16_units_not_code_points() -> None:
    # U+FF61 sorts after U+1F600 by code point but before it by UTF-16 unit (0xD83D): JCS says UTF-16.
    obj = {"\U0001f600": 1, "\uff61": 2}
    assert canonical_bytes(obj) == rfc8785.dumps(obj)
