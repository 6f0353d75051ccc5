"""The fast canonical path for flat objects is byte-identical to the rfc8785 reference encoder."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.canonical import canonical_bytes

flat_values = st.one_of(
    st.text(),  # any Unicode, controls and non-BMP included
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.booleans(),
    st.none(),
)


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), flat_values, max_size=16))
def test_flat_objects_encode_exactly_as_rfc8785(obj: dict) -> None:
    try:
        expected = rfc8785.dumps(obj)
    except Exception:
        return  # the reference refuses it (lone surrogates); the fast path must not be trusted either way
    assert canonical_bytes(obj) == expected


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), st.one_of(flat_values, st.floats(allow_nan=False), st.lists(st.integers())),
                       max_size=6))
def test_other_objects_go_through_the_reference_encoder(obj: dict) -> None:
    try:
        expected = rfc8785.dumps(obj)
    except Exception:
        return
    assert canonical_bytes(obj) == expected


def test_keys_sort_by_utf16_units_not_code_points() -> None:
    # U+FF61 sorts after U+1F600 by code point but before it by UTF-16 unit (0xD83D): JCS says UTF-16.
    obj = {"\U0001f600": 1, "\uff61": 2}
    assert canonical_bytes(obj) == rfc8785.dumps(obj)
