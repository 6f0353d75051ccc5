"""The fast canonical path also covers objects holding lists of strings (batches): byte-identical to rfc8785."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.canonical import canonical_bytes, parse_canonical

values = st.one_of(
    st.text(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.booleans(),
    st.none(),
    st.lists(st.text(), max_size=8),  # any Unicode, controls and non-BMP included
)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), values, max_size=10))
def test_objects_with_string_lists_encode_exactly_as_rfc8785(obj: dict[str, object]) -> None:
    try:
        expected = rfc8785.dumps(obj)
    except Exception:
        return  # the reference refuses it (lone surrogates)
    assert canonical_bytes(obj) == expected
    assert parse_canonical(expected, max_bytes=1 << 20) == obj


def test_lists_of_other_things_still_use_the_reference_encoder() -> None:
    obj = {"a": [1, "x", None], "b": [["nested"]], "c": [1.5]}
    assert canonical_bytes(obj) == rfc8785.dumps(obj)
