"""``apps.shell.html_table``: the tables every workbook shows (issue #25).

The page script sorts and filters tables marked ``ck-sortable`` in the browser
(``tests/test_browser_tables.py``); here, which tables get the mark, and that
the cells stay escaped text.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from coachkit.apps.shell import SORTABLE_CLASS, html_table


def test_a_table_of_rows_can_be_sorted_and_its_cells_stay_text() -> None:
    frame = pd.DataFrame(
        {
            "Rep": ["<b>Ana</b>", "Ben"],
            "Last coached": [dt.date(2026, 12, 7), None],
        }
    )
    shown = html_table(frame)
    assert f'class="dataframe ck-table {SORTABLE_CLASS}"' in shown
    assert "<td>&lt;b&gt;Ana&lt;/b&gt;</td>" in shown
    assert "<td>7 December 2026</td>" in shown
    assert "<td>–</td>" in shown  # sorts last in the browser


def test_one_row_or_grouped_headings_are_not_marked_for_sorting() -> None:
    one = html_table(pd.DataFrame({"Rep": ["Ana"]}))
    assert "ck-table" in one
    assert SORTABLE_CLASS not in one
    grouped = pd.DataFrame(
        [[1, 2], [3, 4]],
        columns=pd.MultiIndex.from_tuples([("Calls", "before"), ("Calls", "after")]),
    )
    assert SORTABLE_CLASS not in html_table(grouped)
    assert html_table(pd.DataFrame(), "No reps yet.") == (
        "<p class='ck-note'>No reps yet.</p>"
    )
