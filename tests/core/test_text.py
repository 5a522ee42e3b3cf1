"""The text rules every input goes through (core.text)."""

from __future__ import annotations

import re

import pytest

from helseiarbeid.core.text import TextProblem, normalise, remove_controls


def test_normalise_rules() -> None:
    assert normalise("  a\u200b ") == "a"
    assert normalise("\u3164") == ""
    assert normalise("x\r\ny") == "x\ny"
    with pytest.raises(TextProblem, match="U\\+0000"):
        normalise("a\u0000")
    with pytest.raises(TextProblem, match="U\\+D800"):
        normalise("a\ud800")
    assert remove_controls("a\u0000b\u0085c") == "abc"
    assert re.fullmatch(r"[\w ]+", normalise("Ærlig talt"))
