"""The fast canonical path also covers objects holding lists of strings (batches): byte-identical to rfc8785.

As in test_canonical.py, both directions count: lists holding lone surrogates are refused by the reference
and must be refused by us (FormatError), and the strategy produces such lists on purpose.
"""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shared.canonical import canonical_bytes, parse_canonical
from tests.shared.test_canonical import TEXT, same_as_reference

values = st.one_of(
    TEXT,
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.booleans(),
    st.none(),
    st.lists(TEXT, max_size=8),  # any Unicode, controls, non-BMP and lone surrogates included
)
OUTCOMES: set[str] = set()


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), values, max_size=10))
@example({"events": ["ok", "\ud83d"]})
def test_objects_with_string_lists_encode_exactly_as_rfc8785_or_are_refused_like_it(obj: dict[str, object]) -> None:
    outcome = same_as_reference(obj)
    OUTCOMES.add(outcome)
    if outcome == "encoded":
        assert parse_canonical(canonical_bytes(obj), max_bytes=1 << 20) == obj


def test_both_outcomes_were_exercised() -> None:
    if not OUTCOMES:
        pytest.skip("run with the property test above (this file, in order)")
    assert {"refused", "encoded"} == OUTCOMES


def test_lists_of_other_things_still_use_the_reference_encoder() -> None:
    obj = {"a": [1, "x", None], "b": [["nested"]], "c": [1.5]}
    assert canonical_bytes(obj) == rfc8785.dumps(obj)
