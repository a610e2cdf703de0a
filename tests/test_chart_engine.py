"""One chart engine serves every kernel of a server (issue 24): same answer, and a
kernel still draws when the engine is not there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import vl_convert as vlc

from coachkit.model import chart_engine
from coachkit.model.chart_engine import ENGINE_VAR, convert

SPEC = {
    "data": {"values": [{"x": 1, "y": "<b>Ana</b>"}, {"x": 2, "y": "Bo"}]},
    "mark": "bar",
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y"}},
}


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The engine, as the kernel template starts it, with this test as its parent."""
    path = str(tmp_path / "engine")
    command = [sys.executable, "-m", "coachkit.model.chart_engine", path]
    proc = subprocess.Popen([*command, str(os.getpid())], stdin=subprocess.DEVNULL)
    monkeypatch.setenv(ENGINE_VAR, path)
    yield path
    proc.kill()
    proc.wait()


def test_the_shared_engine_answers_as_vl_convert_does(engine: str) -> None:
    assert convert(SPEC, "vega") == vlc.vegalite_to_vega(SPEC)
    assert convert(SPEC, "svg") == vlc.vegalite_to_svg(SPEC)
    assert engine not in chart_engine._GONE


def test_a_spec_the_engine_refuses_raises_vl_converts_own_error(engine: str) -> None:
    with pytest.raises(ValueError, match="Vega-Lite to Vega conversion failed"):
        convert({"mark": "no-such-mark"}, "vega")
    assert engine not in chart_engine._GONE  # still used for the next chart
    assert convert(SPEC, "vega") == vlc.vegalite_to_vega(SPEC)


def test_without_an_engine_a_kernel_draws_its_charts_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "nothing-here")
    monkeypatch.setenv(ENGINE_VAR, missing)
    monkeypatch.setattr(chart_engine, "_GONE", set())
    assert convert(SPEC, "vega") == vlc.vegalite_to_vega(SPEC)
    started = time.monotonic()
    assert convert(SPEC, "vega") == vlc.vegalite_to_vega(SPEC)
    assert time.monotonic() - started < 1, "it waited for the missing engine again"
