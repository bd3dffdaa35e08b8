"""The quick scan for identifiers (issue 26, point 2) refuses exactly what the plain scan did.

The service clears most text with one search instead of three and skips its own field names.
Here a plain scan (each of the three patterns tried on every key and value, as issue 21 wrote it)
is the reference, and any JSON value, with text made of digits, separators and capitals, must
get the same answer from both.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from icb_service import protocol
from tests.icb_service import events as ev


def plain_scan(value: Any, where: str, field: str = "") -> str | None:
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{protocol._field_name(key)}"
            if isinstance(key, str):
                found = plain_text(key, here, "")
                if found:
                    return found
            if key in protocol._IDENTIFIER_FIELDS and protocol._is_pseudonymous(item):
                continue
            found = plain_scan(item, here, str(key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = plain_scan(item, f"{where}[{index}]", field)
            if found:
                return found
    elif isinstance(value, str):
        return plain_text(value, where, field)
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return f"{where}: finite_number (must be a finite number)"
        if 1_000_000_000 <= abs(value) < 10_000_000_000:
            return f"{where}: {protocol._NHS_RULE}"
    return None


def plain_text(text: str, where: str, field: str) -> str | None:
    if protocol._NHS_NUMBER_LIKE.search(text):
        return f"{where}: {protocol._NHS_RULE}"
    if field not in protocol._DATE_FIELDS and protocol._DATE_LIKE.search(text):
        return f"{where}: date_of_birth_like (looks like a date; dates of birth are never sent)"
    if protocol._NAME_LIKE.search(text):
        return f"{where}: name_like (looks like a name; names are never sent)"
    return None


# Text near the patterns: digits with separators, capitalised words, month names, hex.
texts = st.one_of(
    st.text(alphabet="0123456789 -./", max_size=14),
    st.text(alphabet="AMJSmaryjohnsmith '’-_.", max_size=16),
    st.text(alphabet="0123456789 stndrhJanMarchdecDEC.", max_size=16),
    st.text(max_size=12),
    st.sampled_from(["session_uid", "subject", "taken_on", "date", "Mary Smith", "12 March 1956",
                     "943 476 5919", "2025-01-10", "kg/m2", "mmHg", ev.subject("a"),
                     "1b4e28ba-2fa1-41d2-883f-0016d3cca427"]),
)
numbers = st.one_of(
    st.integers(), st.floats(), st.integers(min_value=999_999_990, max_value=10_000_000_010),
    st.floats(min_value=999_999_999.0, max_value=10_000_000_001.0),
)
keys = st.one_of(texts, st.sampled_from(sorted(protocol._CLEAN_KEYS)))
values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=600, deadline=None)
@given(payload=st.dictionaries(keys, values, max_size=6))
def test_the_quick_scan_finds_what_the_plain_scan_finds(payload: dict[str, Any]) -> None:
    assert protocol._identifier_like(payload, "payload") == plain_scan(payload, "payload")


def test_our_own_field_names_are_never_identifiers() -> None:
    for name in protocol._CLEAN_KEYS:
        assert plain_text(name, "payload.x", "") is None
