"""Small-cell suppression of the public figures: no count from 1 to threshold - 1 is
published, and no hidden count can be worked out from a row's or column's total."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.services.exports import HIDDEN, publish, report_tables
from reports.services.figures import annual_figures_direct
from reports.services.suppression import (
    extended_grid,
    suppress,
    suppressed_cells,
    table_lines,
)

THRESHOLD = 5


def assert_safe(cells, published, *, threshold=THRESHOLD, row_totals=True, column_totals=True):
    grid = extended_grid(cells, row_totals=row_totals, column_totals=column_totals)
    for grid_row, published_row in zip(grid, published, strict=True):
        for value, shown in zip(grid_row, published_row, strict=True):
            # Published counts are the true ones, never small; zeros are never hidden.
            assert shown is None or shown == value
            assert shown is None or not 0 < shown < threshold
            assert value != 0 or shown == 0
    n_rows, n_columns = len(cells), len(cells[0])
    lines = table_lines(n_rows, n_columns, row_totals=row_totals, column_totals=column_totals)
    for parts, total in lines:
        hidden = [cell for cell in (*parts, total) if published[cell[0]][cell[1]] is None]
        # One hidden cell in a line is the total minus the others (or their sum).
        assert len(hidden) != 1, (parts, total, published)


def test_small_counts_are_hidden_and_zeros_are_not():
    published = suppress([[3, 0, 10], [7, 8, 9]], threshold=THRESHOLD)
    assert published[0][0] is None
    assert published[0][1] == 0
    assert_safe([[3, 0, 10], [7, 8, 9]], published)


def test_secondary_suppression_hides_the_next_smallest_cell_of_the_row_and_column():
    cells = [[3, 20, 10], [30, 40, 50], [60, 70, 80]]
    published = suppress(cells, threshold=THRESHOLD)
    # Row 0: 10 is the smallest other count; column 0: 30.
    assert published[0][2] is None
    assert published[1][0] is None
    assert published[0][1] == 20
    assert_safe(cells, published)


def test_one_d_table_against_its_total():
    cells = [[2], [40], [50], [0]]
    published = suppress(cells, threshold=THRESHOLD, row_totals=False)
    assert published == [[None], [None], [50], [0], [92]]
    assert_safe(cells, published, row_totals=False)


def test_a_lone_small_count_among_zeros_hides_the_total():
    cells = [[0, 3, 0], [0, 0, 0]]
    published = suppress(cells, threshold=THRESHOLD)
    assert published[0][3] is None  # the row's total equals the hidden count
    assert published[2][1] is None  # and so does the column's
    assert published[2][3] is None
    assert_safe(cells, published)


def test_forced_cells_are_hidden_and_protected():
    cells = [[10, 20], [30, 40]]
    hidden = suppressed_cells(cells, threshold=THRESHOLD, forced={(0, 2)})
    assert (0, 2) in hidden
    assert len(hidden) > 1


def test_nothing_to_hide_hides_nothing():
    cells = [[0, 5], [6, 0]]
    assert suppressed_cells(cells, threshold=THRESHOLD) == set()


tables = st.integers(1, 5).flatmap(
    lambda n_rows: st.integers(1, 5).flatmap(
        lambda n_columns: st.lists(
            st.lists(
                st.one_of(st.just(0), st.integers(1, 6), st.integers(0, 60)),
                min_size=n_columns,
                max_size=n_columns,
            ),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)


@settings(max_examples=400, deadline=None)
@given(cells=tables, threshold=st.integers(1, 8))
def test_property_two_d_tables_are_safe(cells, threshold):
    assert_safe(cells, suppress(cells, threshold=threshold), threshold=threshold)


@settings(max_examples=300, deadline=None)
@given(column=st.lists(st.integers(0, 30), min_size=1, max_size=8), threshold=st.integers(1, 8))
def test_property_one_d_tables_are_safe(column, threshold):
    cells = [[value] for value in column]
    published = suppress(cells, threshold=threshold, row_totals=False)
    assert_safe(cells, published, threshold=threshold, row_totals=False)


@pytest.mark.django_db
def test_every_table_of_real_figures_is_safe_and_shared_margins_agree(register):
    tables = publish(report_tables(annual_figures_direct(2026)), THRESHOLD)
    hidden_links, shown_links = set(), set()
    for table in tables:
        published = [
            [None if value == HIDDEN else value for value in row] for row in table.published
        ]
        assert_safe(
            table.cells,
            published,
            row_totals=table.row_totals,
            column_totals=table.column_totals,
        )
        for cell, link in table.links().items():
            (hidden_links if cell in table.hidden else shown_links).add(link)
    # A margin (contacts of a month, of a channel, the grand total) shown in one table is
    # shown in all: never hidden in one table and published in another.
    assert not hidden_links & shown_links
    assert any(table.hidden for table in tables)
