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
