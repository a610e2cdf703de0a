"""Charts drawn in the kernel: on screen as SVG, saved as PNG or SVG files."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from coachkit import charts


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
