"""Whole percentages of a whole that add up to 100: the largest-remainder method (Hamilton's).

Rounding each share on its own can sum to 99 or 101 (three equal shares: 33 + 33 + 33); a
reader adding them up then doubts every figure. Here each share is first rounded down, and the
points still missing go one each to the shares with the largest remainders (ties: the earlier
share, so the result is stable for the same counts). Every page that shows percentages of one
whole takes them from here."""

from __future__ import annotations

from collections.abc import Sequence


def percentages(counts: Sequence[int]) -> list[int]:
    """Whole percentages of ``sum(counts)`` per count, adding up to exactly 100 (all 0 when the
    sum is 0). A count of 0 gets 0 %. Raises ValueError for a negative count."""
    if any(count < 0 for count in counts):
        raise ValueError("a count cannot be negative")
    total = sum(counts)
    if total == 0:
        return [0 for _ in counts]
    floors = [100 * count // total for count in counts]
    remainders = [100 * count % total for count in counts]
    missing = 100 - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda index: (-remainders[index], index))
    for index in by_remainder[:missing]:
        floors[index] += 1
    return floors
