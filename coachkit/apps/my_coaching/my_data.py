""" "What coachkit keeps about you": what is stored, and a download of it (CSV).

The list says, in plain words, what coachkit keeps about the rep and what of it
the rep sees (:data:`coachkit.rep_side.VISIBLE` decides; docs/rep_page.md explains
the defaults). "Download my data (CSV)" makes one zip file of CSV files, one per
kind of record, when pressed.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import ipywidgets as w

from coachkit.apps.downloads import data_link
from coachkit.apps.shell import guarded
from coachkit.apps.tabs import field

#: What coachkit keeps about a rep, in words (the rep sees every item marked so).
KEPT = (
    "Your name, your coach, and your sign-in name if you have one.",
    "Your coaching plan: the behaviours you work on and your goals.",
    "Each session: its day and kind, what went well, what to change, the next "
    "session's day, and your own rating of it.",
    "The actions you agreed to, and whether they were done, with your words.",
    "Ratings of your skill and will: your coach's and your own.",
    "Your numbers: conversations, meetings, wins and the like, week by week.",
    "Numbers from your recorded calls (how much you talked, how many questions "
    "you asked), if your coach added any.",
)
NOT_SHOWN = (
    "Your coach's own notes, and their scores of how each session went, stay "
    "theirs: they are not on this page or in your download."
)


class DataSection:
    """The list of what is kept, and the download button with its link."""

    key = "data"

    def __init__(self, app: Any) -> None:
        self.app = app
        items = "".join(f"<li>{item}</li>" for item in KEPT)
        self.about = field(
            w.HTML(
                "<h2>What coachkit keeps about you</h2>"
                f"<ul>{items}</ul><p class='ck-note'>{NOT_SHOWN}</p>"
            ),
            "ck-my-data-about",
        )
        self.download = field(
            w.Button(description="Download my data (CSV)"), "ck-my-data-button"
        )
        self.download.layout.width = "auto"
        self.download.on_click(guarded(app.state, "making your download")(self._make))
        self.link = field(w.HTML(), "ck-my-data-link")
        self.box = w.VBox([self.about, self.download, self.link])

    def draw(self, page: Any) -> None:
        self.link.value = ""

    def _make(self, _button: Any = None) -> None:
        files = self.app.my_data()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(files.items()):
                archive.writestr(name, data)
        self.link.value = data_link(
            "my-coaching-data.zip", "application/zip", buffer.getvalue(), "ck-my-data"
        )
        self.app.state.say(
            "Your data is ready: use the Download link below the button.", "info"
        )
