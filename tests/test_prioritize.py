"""The analyst API of pillar 1: tables as DataFrames, charts as Altair specs."""

import pandas as pd
import pytest

from coachkit.prioritize import tables as prioritize
from coachkit.store.database import Store


def _gaps(reps: int, behaviours: int = 3) -> pd.DataFrame:
    rows = [
        {
            "rep_id": r,
            "rep": f"Rep {r:03d}",
            "behaviour": f"Behaviour {b}",
            "gap": float((r + b) % 4),
            "skill": float(4 - (r + b) % 4),
        }
        for r in range(reps)
        for b in range(behaviours)
    ]
    return pd.DataFrame(rows)


def test_small_team_heatmap_has_one_cell_per_rep_and_behaviour() -> None:
    cells = prioritize.heatmap_cells(_gaps(5))
    assert len(cells) == 15
    assert set(cells["row"]) == {f"Rep {r:03d}" for r in range(5)}
    assert list(cells.drop_duplicates("behaviour")["behaviour_order"]) == [0, 1, 2]


def test_big_organisation_heatmap_averages_each_team() -> None:
    gaps = _gaps(100)
    coach_of = pd.Series({r: f"Coach {r % 4}" for r in range(100)})
    cells = prioritize.heatmap_cells(gaps, max_reps=40, coach_of=coach_of)
    assert len(cells) == 4 * 3
    expected = gaps[gaps["rep_id"] % 4 == 0].groupby("behaviour")["gap"].mean()
    mine = cells[cells["row"] == "Coach 0"].set_index("behaviour")["gap"]
    pd.testing.assert_series_equal(mine, expected, check_names=False)


def test_heatmap_chart_carries_only_the_cells_it_draws(demo_store: Store) -> None:
    chart = prioritize.heatmap(demo_store)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    gaps = prioritize.skill_gaps(demo_store)
    assert len(data) == len(gaps)  # 19 active demo reps: one cell each
    assert spec["layer"][0]["mark"]["type"] == "rect"
    assert spec["layer"][0]["encoding"]["color"]["field"] == "gap"


def test_ranking_lists_every_factor_and_at_most_two_suggestions(
    demo_store: Store,
) -> None:
    ranked = prioritize.ranking(demo_store, today=pd.Timestamp("2026-06-15").date())
    for factor in ("gap", "objective", "spread", "recency", "confidence"):
        assert ranked[f"{factor}_factor"].between(0, 1).all()
    assert ranked.groupby("rep_id")["suggested"].sum().max() <= 2
    assert ranked["score"].is_monotonic_decreasing


@pytest.mark.parametrize("coach", [None, 1])
def test_every_table_is_a_dataframe(demo_store: Store, coach: int | None) -> None:
    for table in (
        prioritize.roster(demo_store, coach),
        prioritize.skill_gaps(demo_store, coach),
        prioritize.performance(demo_store, coach),
        prioritize.styles(demo_store, coach),
        prioritize.framework(demo_store),
    ):
        assert isinstance(table, pd.DataFrame)
        assert not table.empty
