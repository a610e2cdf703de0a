"""The three pillars of sales coaching, one workbook each."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Pillar:
    """One pillar: its workbook and what it is for, in a sentence."""

    key: str
    number: int
    title: str
    purpose: str

    @property
    def notebook(self) -> str:
        """The workbook's file name."""
        return f"{self.number}_{self.key}.ipynb"

    @property
    def path(self) -> str:
        """The workbook's address on the coachkit server."""
        return f"/voila/render/{self.notebook}"


PILLARS = (
    Pillar(
        "prioritize",
        1,
        "Prioritize",
        "Take stock of each rep and decide who to coach on what first.",
    ),
    Pillar(
        "facilitate",
        2,
        "Facilitate",
        "Prepare, observe, hold and write up today's coaching sessions.",
    ),
    Pillar(
        "improve",
        3,
        "Continuously improve",
        "Look back at what changed, what worked and what to adjust.",
    ),
)


def site_path(path: str) -> str:
    """``path`` (such as ``/voila/render/1_prioritize.ipynb``) as a browser asks for
    it: under the address prefix of ``coachkit serve --base-url``, which Voila hands
    the workbook's kernel as ``VOILA_BASE_URL``; else unchanged."""
    base = os.environ.get("VOILA_BASE_URL", "/") or "/"
    return base.rstrip("/") + "/" + path.lstrip("/")


def pillar(key: str) -> Pillar:
    """Return the pillar named ``key`` (prioritize, facilitate or improve)."""
    for p in PILLARS:
        if p.key == key:
            return p
    raise KeyError(key)
