"""Small counts in anonymised figures that leave the clinic.

DOMAIN.md: "Anonymised figures that leave a clinic never show counts below 5" — one referral a
month with a given complaint can point at a person. A count from 1 to 4 is shown as «<5», and a
median is given only when at least 5 values go into it. A true zero identifies nobody and is
shown as 0. Every anonymised export and every chart of the dashboard goes through here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

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


# Complementary suppression ----------------------------------------------------------------
#
# A table of counts leaves with its row and column totals. Hiding only the cells from 1 to 4
# is not enough: a row whose other cells and total are shown gives the hidden one away by
# subtraction. ``protect_table`` therefore also hides other cells («x») until nobody can solve
# a hidden cell from what is shown:
#
# 1. every count from 1 to 4 reads «<5» (primary), cells and totals alike;
# 2. the table is read with its totals as one grid (the totals are a last column and a last
#    row, the grand total in the corner; every row and column of that grid adds up). Whenever
#    a line of the grid has exactly one hidden number, the next-smallest non-zero number in
#    that line is hidden too («x»), an inner cell before the line's total; repeated over rows
#    and columns until no line has exactly one;
# 3. then ``recoverable`` plays the attacker — the line sums as equations (a hidden number is
#    known when it is a linear combination of them) and the bounds the symbols give («<5» is
#    1–4, «x» is at least 5, since zeros are never hidden and small numbers are «<5»),
#    tightened line by line — then, within a budget of steps (``SEARCH_BUDGET``), looks for
#    another whole completion of the table that changes each hidden number; for any number
#    pinned, one more number in its line is hidden; back to 2 until nothing is pinned. (A
#    table too large for the search within the budget is protected by the first two only.)
#
# So the totals shown are the true totals, except a total that the rule itself hides (a small
# one, or one hidden as the complement of a cell in its line). A zero stays 0: it identifies
# nobody, and hiding it would not widen anything an attacker can bound.

HIDDEN = "x"
COMPLEMENT_RULE = (
    "«x» skjuler et tall som er 5 eller mer, slik at et tall vist som «<5» ikke kan regnes ut "
    "fra summene. Summene er de sanne summene når de vises."
)

Shown = int | str


def _grid(cells: list[list[int]]) -> list[list[int]]:
    """The counts with their row totals as a last column and the column totals (and the grand
    total in the corner) as a last row."""
    columns = len(cells[0]) if cells else 0
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(row[c] for row in grid) for c in range(columns + 1)])
    return grid


def _lines(rows: int, columns: int) -> list[list[tuple[int, int]]]:
    """The grid's lines: each row, then each column, with its total (the last position) last."""
    lines = [[(r, c) for c in range(columns)] for r in range(rows)]
    lines += [[(r, c) for r in range(rows)] for c in range(columns)]
    return lines


def _equations(shown: list[list[Shown]]) -> list[tuple[dict[tuple[int, int], int], int]]:
    """Each line of the shown grid as Σ coefficient × hidden = constant (cells +1, the total
    −1), over the hidden positions."""
    rows, columns = len(shown), len(shown[0])
    equations = []
    for line in _lines(rows, columns):
        coefficients: dict[tuple[int, int], int] = {}
        constant = 0
        for index, (r, c) in enumerate(line):
            sign = -1 if index == len(line) - 1 else 1
            value = shown[r][c]
            if isinstance(value, int):
                constant -= sign * value
            else:
                coefficients[(r, c)] = sign
        if coefficients:
            equations.append((coefficients, constant))
    return equations


def _rank(vectors: list[list[Fraction]]) -> int:
    matrix = [row[:] for row in vectors]
    rank = 0
    width = len(matrix[0]) if matrix else 0
    for column in range(width):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(len(matrix)):
            if i != rank and matrix[i][column] != 0:
                factor = matrix[i][column] / matrix[rank][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        rank += 1
    return rank


def recoverable(shown: list[list[Shown]]) -> set[tuple[int, int]]:
    """The hidden positions of a shown grid (``_grid`` layout: totals last) whose value an
    attacker can solve exactly from the numbers and totals shown: by the line equations alone
    (linear algebra over the rationals), or by the bounds the symbols give (``SUPPRESSED``
    1–4, ``HIDDEN`` ≥ 5) tightened through the equations until they meet."""
    equations = _equations(shown)
    unknowns = sorted({position for coefficients, _ in equations for position in coefficients})
    found: set[tuple[int, int]] = set()
    if not unknowns:
        return found
    index = {position: i for i, position in enumerate(unknowns)}
    matrix = [[Fraction(0)] * len(unknowns) for _ in equations]
    for row, (coefficients, _) in zip(matrix, equations, strict=True):
        for position, sign in coefficients.items():
            row[index[position]] = Fraction(sign)
    rank = _rank(matrix)
    for position in unknowns:
        unit = [Fraction(0)] * len(unknowns)
        unit[index[position]] = Fraction(1)
        if _rank([*matrix, unit]) == rank:
            found.add(position)
    low: dict[tuple[int, int], int] = {}
    high: dict[tuple[int, int], float] = {}
    for position in unknowns:
        small = shown[position[0]][position[1]] == SUPPRESSED
        low[position] = 1 if small else LIMIT
        high[position] = LIMIT - 1 if small else math.inf
    for _ in range(4 * len(unknowns) + 4):
        changed = False
        for coefficients, constant in equations:
            for position, sign in coefficients.items():
                # sign × x = constant − Σ others
                others = [(p, s) for p, s in coefficients.items() if p != position]
                rest_low = sum(s * (low[p] if s > 0 else high[p]) for p, s in others)
                rest_high = sum(s * (high[p] if s > 0 else low[p]) for p, s in others)
                lo, hi = constant - rest_high, constant - rest_low
                if sign < 0:
                    lo, hi = -hi, -lo
                if lo > low[position] and lo != -math.inf:
                    low[position] = int(lo)
                    changed = True
                if hi < high[position]:
                    high[position] = hi
                    changed = True
        if not changed:
            break
    found |= {position for position in unknowns if high[position] == low[position]}
    return found


SEARCH_BUDGET = 20_000


def _has_alternative(
    grid: list[list[int]], hidden: set[tuple[int, int]], target: tuple[int, int]
) -> bool | None:
    """Whether another completion of the shown grid (every line adds up; «<5» 1–4, «x» ≥ 5)
    gives ``target`` a value other than its true one: True, False (proved), or None when the
    search ran out of ``SEARCH_BUDGET`` steps. Values are tried nearest the truth first, so
    the usual answer — a change around a cycle of hidden numbers — is found at once."""
    rows, columns = len(grid), len(grid[0])
    order = [target, *sorted(p for p in hidden if p != target)]
    cap = grid[-1][-1] + LIMIT
    line_of: dict[tuple[int, int], list[list[tuple[int, int]]]] = {}
    for line in _lines(rows, columns):
        for position in line:
            line_of.setdefault(position, []).append(line)
    known = {
        (r, c): grid[r][c] for r in range(rows) for c in range(columns) if (r, c) not in hidden
    }
    steps = 0

    def adds_up(position: tuple[int, int]) -> bool:
        for line in line_of[position]:
            complete = all(p in known for p in line)
            if complete and sum(known[p] for p in line[:-1]) != known[line[-1]]:
                return False
        return True

    def options(position: tuple[int, int]) -> list[int]:
        truth = grid[position[0]][position[1]]
        low, high = (1, LIMIT - 1) if is_small(truth) else (LIMIT, cap)
        values = sorted(range(low, high + 1), key=lambda v: (abs(v - truth), v))
        return [v for v in values if v != truth] if position == target else values

    def extend(i: int) -> bool | None:
        nonlocal steps
        if i == len(order):
            return True
        position = order[i]
        for value in options(position):
            steps += 1
            if steps > SEARCH_BUDGET:
                return None
            known[position] = value
            if adds_up(position):
                found = extend(i + 1)
                if found is not False:
                    del known[position]
                    return found
            del known[position]
        return False

    return extend(0)


def _hide_another(
    grid: list[list[int]], hidden: set[tuple[int, int]], line: list[tuple[int, int]]
) -> bool:
    """Hide the smallest non-zero shown number of the line, an inner cell before its total;
    False when there is none."""
    inner, total = line[:-1], line[-1]
    for choices in (inner, [total]):
        candidates = [p for p in choices if p not in hidden and grid[p[0]][p[1]] > 0]
        if candidates:
            hidden.add(min(candidates, key=lambda p: (grid[p[0]][p[1]], p)))
            return True
    return False


def _shown_grid(grid: list[list[int]], hidden: set[tuple[int, int]]) -> list[list[Shown]]:
    return [
        [
            (SUPPRESSED if is_small(value) else HIDDEN) if (r, c) in hidden else value
            for c, value in enumerate(row)
        ]
        for r, row in enumerate(grid)
    ]


@dataclass(frozen=True)
class ProtectedTable:
    """A table as it may leave: ``cells`` (rows × columns), ``row_totals``, ``column_totals``
    and ``total``, each an int or ``SUPPRESSED`` / ``HIDDEN``."""

    cells: list[list[Shown]]
    row_totals: list[Shown]
    column_totals: list[Shown]
    total: Shown

    @property
    def grid(self) -> list[list[Shown]]:
        """The shown table with its totals as the last column and row (``recoverable``'s form)."""
        return [
            *[[*row, t] for row, t in zip(self.cells, self.row_totals, strict=True)],
            [*self.column_totals, self.total],
        ]


def protect_table(cells: list[list[int]]) -> ProtectedTable:
    """The counts (rows × columns, each ≥ 0) with their totals, as they may leave: small
    numbers «<5» and the complementary numbers «x» (the rule above). Raises ``ValueError``
    for a negative count or rows of unequal length."""
    if any(len(row) != len(cells[0]) for row in cells):
        raise ValueError("every row needs the same number of cells")
    if any(value < 0 for row in cells for value in row):
        raise ValueError("counts cannot be negative")
    grid = _grid(cells)
    rows, columns = len(grid), len(grid[0])
    lines = _lines(rows, columns)
    hidden = {(r, c) for r in range(rows) for c in range(columns) if is_small(grid[r][c])}
    while True:
        changed = False
        for line in lines:
            if sum(position in hidden for position in line) == 1:
                changed |= _hide_another(grid, hidden, line)
        if changed:
            continue
        pinned = sorted(recoverable(_shown_grid(grid, hidden)))
        if not pinned:
            pinned = [p for p in sorted(hidden) if _has_alternative(grid, hidden, p) is False]
        if not pinned:
            break
        # One more number in a line of a pinned number that still has one to hide.
        grown = any(
            _hide_another(grid, hidden, line)
            for position in pinned
            for line in lines
            if position in line
        )
        if not grown:
            # Every number of their lines is hidden or zero: the smallest number shown
            # anywhere goes too (and so on until nothing is pinned or nothing is shown).
            rest = [
                (grid[r][c], (r, c))
                for r in range(rows)
                for c in range(columns)
                if (r, c) not in hidden and grid[r][c] > 0
            ]
            if not rest:
                break
            hidden.add(min(rest)[1])
    shown = _shown_grid(grid, hidden)
    return ProtectedTable(
        cells=[row[:-1] for row in shown[:-1]],
        row_totals=[row[-1] for row in shown[:-1]],
        column_totals=shown[-1][:-1],
        total=shown[-1][-1],
    )
