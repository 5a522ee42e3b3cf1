"""Small counts in anonymised figures that leave the clinic.

DOMAIN.md: "Anonymised figures that leave a clinic never show counts below 5" — one referral a
month with a given complaint can point at a person. A count from 1 to 4 is shown as «<5», and a
median is given only when at least 5 values go into it. A true zero identifies nobody and is
shown as 0. Every anonymised export and every chart of the dashboard goes through here.
"""

from __future__ import annotations

LIMIT = 5
SUPPRESSED = "<5"
RULE = (
    "Tall fra 1 til 4 vises som «<5», og medianer regnes bare ut når minst 5 henvisninger "
    "inngår, slik at ingen enkeltperson kan kjennes igjen."
)


def is_small(count: int) -> bool:
    return 0 < count < LIMIT


def shown(count: int) -> int | str:
    """The count as it may leave the clinic: itself, or «<5» from 1 to 4."""
    return SUPPRESSED if is_small(count) else count


def shown_text(count: int) -> str:
    """``shown`` as text, for templates."""
    return str(shown(count))
