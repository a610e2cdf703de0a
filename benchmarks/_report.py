"""The results table: one row per measure, with its target and whether it was met.

:func:`write_results` puts the table, the date and the machine between two marker
lines in ``benchmarks/RESULTS.md`` and leaves the notes around them as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import statistics
from dataclasses import dataclass
from pathlib import Path

START = "<!-- results: written by benchmarks/run.py; do not edit by hand -->"
END = "<!-- end of results -->"


@dataclass
class Row:
    """One measure: its samples, how to show them, and its target."""

    target: str  # "1. Cold page", ...
    measure: str
    values: list[float]
    unit: str  # "s", "ms", "MB", "x"
    ratio: float | None = None  # over the row it is compared with
    limit: str = ""  # e.g. "≤ 1.30x", "< 300 ms"
    met: bool | None = None

    @property
    def median(self) -> float:
        good = [v for v in self.values if not math.isnan(v)]
        return statistics.median(good) if good else math.nan


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), by linear interpolation."""
    ordered = sorted(v for v in values if not math.isnan(v))
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def publish(text: str, timings: dict[str, list[float]], path: Path | None) -> None:
    """Print a script's table; also write its timings to ``path`` as JSON, if given."""
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(timings, indent=2))


def _num(value: float, unit: str) -> str:
    if math.isnan(value):
        return "–"
    if unit == "ms":
        return f"{value:.0f}"
    if unit == "MB":
        return f"{value:.1f}"
    return f"{value:.2f}"


def spread(row: Row) -> str:
    """min–max for a few samples; p90 and max for many (interactions, writers)."""
    good = [v for v in row.values if not math.isnan(v)]
    if len(good) < 2:
        return ""
    if len(good) >= 10:
        return f"p90 {_num(pct(good, 90), row.unit)}, max {_num(max(good), row.unit)}"
    return f"{_num(min(good), row.unit)}–{_num(max(good), row.unit)}"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| target | measure | median | spread | ratio | limit | met |",
        "|---|---|---:|---|---:|---|:-:|",
    ]
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        met = {True: "yes", False: "**no**", None: ""}[row.met]
        lines.append(
            f"| {row.target} | {row.measure} | {_num(row.median, row.unit)} "
            f"{row.unit} | {spread(row)} | {ratio} | {row.limit} | {met} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """One line about the machine: CPU, cores, memory, load, Python."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} CPUs{memory}{load}; "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def block(rows: list[Row], notes: list[str], started: str) -> str:
    """The generated part of RESULTS.md."""
    parts = [
        START,
        f"Run of {dt.date.today().isoformat()} (started {started}) on {machine()}.",
        "",
        table(rows),
    ]
    if notes:
        parts += ["", *[f"- {note}" for note in notes]]
    parts.append(END)
    return "\n".join(parts)


def write_results(path: Path, generated: str) -> None:
    """Replace the generated block of ``path`` (or add one at the end)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Results\n\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + generated + after
    else:
        text = text.rstrip("\n") + "\n\n" + generated + "\n"
    path.write_text(text, encoding="utf-8")
