"""Small-cell suppression for the published (public) figures.

A table is a grid of counts (rows x columns) with its totals: a total column when
`row_totals`, a total row when `column_totals`, and the grand total where both meet. Every
row and every column of that extended grid, totals included, is a "line": its parts add up
to its total.

1. Primary: every count from 1 to threshold - 1 is hidden (zeros are published: a zero
   reveals nobody).
2. Secondary: a line with exactly one hidden cell gives it away (total minus the other
   parts, or the sum of the parts for a hidden total). So in such a line the smallest
   non-zero published part is hidden as well, or the line's total when no part is left.
   Hiding a cell may break another line, so this repeats until every line has zero or at
   least two hidden cells; it ends, since cells are only ever added.

`forced` cells are hidden from the start: a margin hidden in one table (the contacts per
month, the grand total) must be hidden in every table that shows it too
(reports/services/exports.py links them).
"""

from __future__ import annotations

Cell = tuple[int, int]


def extended_grid(
    cells: list[list[int]], *, row_totals: bool = True, column_totals: bool = True
) -> list[list[int]]:
    """The cells with a total column and/or a total row appended."""
    grid = [[*row, sum(row)] if row_totals else list(row) for row in cells]
    if column_totals:
        width = len(grid[0]) if grid else 0
        grid.append([sum(row[j] for row in grid) for j in range(width)])
    return grid


def table_lines(
    n_rows: int, n_columns: int, *, row_totals: bool = True, column_totals: bool = True
) -> list[tuple[list[Cell], Cell]]:
    """(parts, total) of every line of an extended grid of n_rows x n_columns parts."""
    lines = []
    if row_totals:
        for i in range(n_rows + (1 if column_totals else 0)):
            lines.append(([(i, j) for j in range(n_columns)], (i, n_columns)))
    if column_totals:
        for j in range(n_columns + (1 if row_totals else 0)):
            lines.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
    return lines


def suppressed_cells(
    cells: list[list[int]],
    *,
    threshold: int,
    row_totals: bool = True,
    column_totals: bool = True,
    forced: set[Cell] | frozenset[Cell] = frozenset(),
) -> set[Cell]:
    """The cells of the extended grid (see `extended_grid`) to hide."""
    grid = extended_grid(cells, row_totals=row_totals, column_totals=column_totals)
    hidden = {
        (i, j)
        for i, row in enumerate(grid)
        for j, value in enumerate(row)
        if 0 < value < threshold or ((i, j) in forced and value != 0)
    }
    n_rows, n_columns = len(cells), len(cells[0]) if cells else 0
    lines = table_lines(n_rows, n_columns, row_totals=row_totals, column_totals=column_totals)
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            if sum((cell in hidden) for cell in (*parts, total)) != 1:
                continue
            candidates = sorted(
                (grid[i][j], (i, j)) for i, j in parts if (i, j) not in hidden and grid[i][j] != 0
            )
            # No part left to hide: all others are zero, so the total gives the one away.
            hidden.add(candidates[0][1] if candidates else total)
            changed = True
    return hidden


def suppress(
    cells: list[list[int]],
    *,
    threshold: int,
    row_totals: bool = True,
    column_totals: bool = True,
    forced: set[Cell] | frozenset[Cell] = frozenset(),
) -> list[list[int | None]]:
    """The extended grid as published: `None` where a count is hidden."""
    grid = extended_grid(cells, row_totals=row_totals, column_totals=column_totals)
    hidden = suppressed_cells(
        cells,
        threshold=threshold,
        row_totals=row_totals,
        column_totals=column_totals,
        forced=forced,
    )
    return [
        [None if (i, j) in hidden else value for j, value in enumerate(row)]
        for i, row in enumerate(grid)
    ]
