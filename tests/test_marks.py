"""coachkit's mark on the files it writes, and the check before replacing one."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from coachkit.errors import CoachkitError
from coachkit.exchange.marks import (
    HTML_MARK,
    MARKDOWN_MARK,
    check_replace,
    is_ours,
    mark_png,
    write_files,
)
from coachkit.model import charts


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Each chunk's type and data; fails on a broken checksum or a missing end."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF, kind
        found.append((kind, data))
        at += 12 + length
    assert found[-1][0] == b"IEND"
    return found


def test_a_marked_png_is_still_the_same_valid_picture() -> None:
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a")
    plain = charts.to_png(chart)
    marked = mark_png(plain)
    chunks = _chunks(marked)
    assert chunks[0][0] == b"IHDR"
    assert (b"tEXt", b"Software\x00coachkit") in chunks
    assert [c for c in chunks if c[0] != b"tEXt"] == _chunks(plain)
    assert mark_png(marked) == marked  # marked once only


@pytest.mark.parametrize(
    ("name", "content", "ours"),
    [
        (
            "r.html",
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n{HTML_MARK}',
            1,
        ),
        ("r.html", "<!DOCTYPE html>\n<html><head><title>Mine</title>", 0),
        ("r.md", f"{MARKDOWN_MARK}\n\n# Coaching plan\n", 1),
        ("r.md", "# My notes\n", 0),
        ("r.md", f"# My notes on coachkit\n\n{MARKDOWN_MARK}\n", 0),
        ("r.txt", f"notes about {HTML_MARK}", 0),
    ],
)
def test_only_a_file_with_the_mark_in_its_place_is_ours(
    tmp_path: Path, name: str, content: str, ours: int
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert is_ours(path) is bool(ours)


def test_a_hand_made_file_is_refused_by_name_with_force_as_the_way_out(
    tmp_path: Path,
) -> None:
    mine = tmp_path / "team.html"
    mine.write_text("<p>my own page</p>")
    with pytest.raises(CoachkitError) as err:
        check_replace(mine)
    message = str(err.value)
    assert str(mine) in message
    assert "--force" in message
    assert "\n" not in message
    check_replace(mine, force=True)  # force lets it through
    check_replace(tmp_path / "new.html")  # nothing there: fine


def test_one_file_in_the_way_stops_all_and_writes_nothing(tmp_path: Path) -> None:
    picture = tmp_path / "plan-chart.png"
    picture.write_bytes(b"my holiday photo")
    files: dict[Path, str | bytes] = {
        picture: mark_png(b""),
        tmp_path / "plan.md": f"{MARKDOWN_MARK}\n\n# Plan\n",
    }
    with pytest.raises(CoachkitError, match="plan-chart.png"):
        write_files(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan-chart.png"]
    assert picture.read_bytes() == b"my holiday photo"


def test_own_files_are_replaced_in_place_with_nothing_left_beside_them(
    tmp_path: Path,
) -> None:
    page = tmp_path / "out" / "team.html"
    first = f"<!DOCTYPE html>\n<head>{HTML_MARK}</head>one"
    assert write_files({page: first}) == [page.resolve()]
    write_files({page: first.replace("one", "two")})
    assert page.read_text(encoding="utf-8").endswith("two")
    page.write_text("<p>now it is mine</p>")
    write_files({page: first}, force=True)
    assert page.read_text(encoding="utf-8") == first
    assert [p.name for p in page.parent.iterdir()] == ["team.html"]
