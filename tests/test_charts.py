"""Charts: drawn in the kernel as SVG (or by coachkit's pages), saved as PNG or SVG."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import ipywidgets as w
import pandas as pd
import pytest

from coachkit.apps import charts as page_charts
from coachkit.model import charts


def _chart() -> alt.Chart:
    data = pd.DataFrame({"rep": ["Ann", "Bo"], "hours": [2.5, 1.0]})
    return (
        alt.Chart(data, title="Hours <b>per</b> rep")
        .mark_bar()
        .encode(x="hours:Q", y="rep:N")
    )


def test_save_chart_writes_a_png_and_an_svg(tmp_path: Path) -> None:
    png = charts.save_chart(_chart(), tmp_path / "hours.png")
    svg = charts.save_chart(_chart(), tmp_path / "Hours.SVG")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg")
    assert "Ann" in text
    assert "&lt;b&gt;per&lt;/b&gt;" in text  # a title is text, never markup


def test_save_chart_refuses_other_file_types(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"hours\.pdf: a chart is saved as \.png or"):
        charts.save_chart(_chart(), tmp_path / "hours.pdf")
    assert not (tmp_path / "hours.pdf").exists()


def test_the_png_is_twice_the_size_of_the_chart_for_sharp_slides() -> None:
    import struct

    png = charts.to_png(_chart())
    width, height = struct.unpack(">II", png[16:24])
    one = charts.to_png(_chart(), scale=1.0)
    assert (width, height) == tuple(2 * x for x in struct.unpack(">II", one[16:24]))


def test_a_behaviour_name_ending_in_emoji_still_draws_the_skill_chart() -> None:
    # Vega shortened long legend labels in the middle of an emoji, and vl-convert
    # then failed, so the Progress tab broke on such a name (issue #9).
    name = (
        "Build the picture of success together 👩🏽\u200d💻 👨\u200d👩\u200d👧\u200d👦"
    )
    history = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-05-01", "2026-06-01"]),
            "behaviour": [name, name],
            "skill": [2, 3],
            "source": ["coach", "coach"],
        }
    )
    svg = charts.to_svg(charts.skill_chart(history, "Skill <b>over</b> time"))
    assert "Build the picture of success together" in svg
    assert "&lt;b&gt;over&lt;/b&gt;" in svg


def _weekly(rate: float) -> pd.DataFrame:
    weeks = pd.date_range("2026-01-05", periods=4, freq="W-MON")
    return pd.DataFrame(
        {
            "week": weeks,
            "conversations": [40, 12, 35, 30],
            "buyer_actions": [int(40 * rate), 3, int(35 * rate), int(30 * rate)],
            "action_rate": [rate, 0.25, rate, rate],
            "low": [rate - 0.1] * 4,
            "high": [rate + 0.1] * 4,
            "enough": [True, False, True, True],
        }
    )


def _values(spec: dict) -> list[dict]:
    return [row for data in spec["data"] for row in data.get("values", [])]


def test_on_coachkits_pages_a_slot_sends_the_page_a_vega_spec_with_its_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(page_charts.PAGE_DRAWS_CHARTS, "1")
    slot = page_charts.ChartSlot("ck-rate-chart")
    assert isinstance(slot.picture, page_charts.PageChart)
    assert {"ck-chart", "ck-rate-chart"} <= set(slot.picture._dom_classes)
    assert slot.box.children == ()

    slot.show(charts.rate_chart(_weekly(0.4), "Each week"))
    first = slot.picture.spec
    assert first["$schema"].startswith("https://vega.github.io/schema/vega/v6")
    assert 0.4 in [row.get("action_rate") for row in _values(first)]
    assert slot.box.children == (slot.picture,)

    # Another rep: the same widget, a new spec (the page redraws it in place).
    picture = slot.picture
    slot.show(charts.rate_chart(_weekly(0.7), "Each week"))
    assert slot.picture is picture
    rates = [row.get("action_rate") for row in _values(slot.picture.spec)]
    assert 0.7 in rates
    assert 0.4 not in rates

    slot.show(None)
    assert slot.box.children == ()


def test_elsewhere_a_slot_shows_an_svg_picture_redrawn_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(page_charts.PAGE_DRAWS_CHARTS, raising=False)
    slot = page_charts.ChartSlot("ck-activity-chart")
    assert isinstance(slot.picture, w.Image)
    slot.show(charts.activity_chart(_weekly(0.4), "Conversations"))
    first = bytes(slot.picture.value)
    assert first.lstrip().startswith(b"<svg")
    slot.show(charts.activity_chart(_weekly(0.4).assign(conversations=[1, 2, 3, 90])))
    assert slot.box.children == (slot.picture,)
    assert bytes(slot.picture.value) != first


def test_labels_are_drawn_whole_however_long() -> None:
    # vl-convert cuts a label only after measuring it many times (half of a
    # chart's drawing time); labels are shortened in pandas instead.
    name = "A rep whose name is far longer than any axis would show in full"
    chart = alt.Chart(pd.DataFrame({"rep": [name], "n": [1]})).mark_bar()
    svg = charts.to_svg(chart.encode(x="n:Q", y="rep:N"))
    assert f">{name}</text>" in svg
