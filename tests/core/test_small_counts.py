"""Issue 15 §5: complementary suppression. From a shown table and its shown totals nobody can
solve a hidden cell exactly — checked against a brute-force attacker that tries every
completion the shown table allows, not against the module's own attacker."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helseiarbeid.core.small_counts import (
    HIDDEN,
    SUPPRESSED,
    ProtectedTable,
    Shown,
    protect_table,
)

# Mostly small counts, so tables need a lot of suppression; zeros and larger ones too.
COUNT = st.one_of(st.integers(0, 6), st.integers(0, 12))
TABLES = st.integers(1, 3).flatmap(
    lambda rows: st.integers(1, 3).flatmap(
        lambda columns: st.lists(
            st.lists(COUNT, min_size=columns, max_size=columns), min_size=rows, max_size=rows
        )
    )
)


def _lines(rows: int, columns: int) -> list[list[tuple[int, int]]]:
    """Each row and column of the grid, its total (the last position) last."""
    return [[(r, c) for c in range(columns)] for r in range(rows)] + [
        [(r, c) for r in range(rows)] for c in range(columns)
    ]


def _completions(grid: list[list[Shown]], cap: int) -> list[dict[tuple[int, int], int]]:
    """Every assignment of the hidden numbers (``SUPPRESSED`` 1–4, ``HIDDEN`` 5–cap) under
    which every row and column of the grid (totals last) adds up: a plain search, where a
    number that is the last unknown of a line is computed from it instead of tried."""
    rows, columns = len(grid), len(grid[0])
    lines = _lines(rows, columns)
    hidden = [(r, c) for r in range(rows) for c in range(columns) if isinstance(grid[r][c], str)]
    known: dict[tuple[int, int], int] = {
        (r, c): v for r in range(rows) for c in range(columns) if isinstance(v := grid[r][c], int)
    }
    found: list[dict[tuple[int, int], int]] = []

    def domain(position: tuple[int, int]) -> range:
        small = grid[position[0]][position[1]] == SUPPRESSED
        return range(1, 5) if small else range(5, cap + 1)

    def forced(position: tuple[int, int]) -> int | None:
        for line in lines:
            if position in line and all(p in known for p in line if p != position):
                inner = sum(known[p] for p in line[:-1] if p != position)
                return known[line[-1]] - inner if position != line[-1] else inner
        return None

    def adds_up() -> bool:
        for line in lines:
            if all(p in known for p in line):
                if sum(known[p] for p in line[:-1]) != known[line[-1]]:
                    return False
            elif line[-1] in known:
                low = sum(known.get(p, domain(p).start) for p in line[:-1])
                if low > known[line[-1]]:
                    return False
        return True

    def extend(i: int) -> None:
        if i == len(hidden):
            found.append({p: known[p] for p in hidden})
            return
        position = hidden[i]
        value = forced(position)
        options = [value] if value is not None and value in domain(position) else []
        if value is None:
            options = list(domain(position))
        for option in options:
            known[position] = option
            if adds_up():
                extend(i + 1)
            del known[position]

    extend(0)
    return found


@settings(max_examples=200, deadline=None)
@given(TABLES)
def test_no_hidden_cell_can_be_solved_from_the_shown_table(cells: list[list[int]]) -> None:
    shown = protect_table(cells)
    grid = shown.grid
    # Every shown number is the true one.
    truth = [[*row, sum(row)] for row in cells]
    truth.append([sum(row[c] for row in truth) for c in range(len(truth[0]))])
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, int):
                assert value == truth[r][c]
            elif value == SUPPRESSED:
                assert 1 <= truth[r][c] <= 4
            else:
                assert value == HIDDEN
                assert truth[r][c] >= 5
    hidden = [(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if isinstance(v, str)]
    if not hidden:
        return
    completions = _completions(grid, cap=truth[-1][-1] + 5)
    assert completions, "the true table is one completion"
    for position in hidden:
        assert len({completion[position] for completion in completions}) >= 2, (
            cells,
            grid,
            position,
        )


def test_a_row_with_one_small_cell_hides_its_next_smallest() -> None:
    shown = protect_table([[3, 10, 12], [8, 9, 20], [15, 0, 7]])
    assert shown == ProtectedTable(
        cells=[[SUPPRESSED, HIDDEN, 12], [HIDDEN, HIDDEN, 20], [15, 0, 7]],
        row_totals=[25, 37, 22],
        column_totals=[26, 19, 39],
        total=84,
    )


def test_two_ones_are_not_given_away_by_their_sum() -> None:
    # «<5» + «<5» = 2 could only be 1 + 1: another cell of the row is hidden as well.
    shown = protect_table([[1, 1, 10], [7, 8, 9]])
    assert shown.cells[0][:2] == [SUPPRESSED, SUPPRESSED]
    assert HIDDEN in shown.cells[0] or shown.row_totals[0] == HIDDEN


def test_zeros_and_large_counts_are_shown_as_they_are() -> None:
    shown = protect_table([[0, 12], [30, 7]])
    assert shown.cells == [[0, 12], [30, 7]]
    assert shown.total == 49
