"""Whole percentages of a whole add up to 100 (largest remainder), whatever the counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helseiarbeid.core.shares import percentages


def test_three_equal_shares_add_up_to_100_not_99() -> None:
    # Found trying the service: a survey question's answers 1/1/1 showed 33 + 33 + 33 %.
    assert percentages([1, 1, 1]) == [34, 33, 33]
    assert percentages([2, 2, 3]) == [29, 28, 43]  # 28.6, 28.6, 42.9: round alone gives 101
    assert percentages([5, 0, 0]) == [100, 0, 0]
    assert percentages([0, 0]) == [0, 0]
    assert percentages([]) == []
    with pytest.raises(ValueError, match="negative"):
        percentages([1, -1])


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12))
def test_shares_add_up_to_100_and_are_within_one_of_the_exact_share(counts: list[int]) -> None:
    shares = percentages(counts)
    total = sum(counts)
    if total == 0:
        assert shares == [0] * len(counts)
        return
    assert sum(shares) == 100
    for count, share in zip(counts, shares, strict=True):
        assert abs(share - 100 * count / total) < 1
        if count == 0:
            assert share == 0
