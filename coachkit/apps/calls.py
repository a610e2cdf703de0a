"""Recorded calls on a page: add a transcript, read its numbers, weigh its evidence.

Three parts, used by Facilitate (Prep and Observe) and Prioritize (Assess):

- :class:`CallUpload` takes a transcript file (Zoom, Teams, Otter, Gong), asks who
  each new speaker is (the rep, the buyer's side, or someone else on our side; the
  answer is remembered), asks for the call's day when the file does not say it, and
  imports it all or nothing (:func:`coachkit.model.calls.store.save_calls`).
- :func:`calls_html` shows the rep's latest calls with the numbers measured from
  them, each number with one sentence on how it was worked out.
- :class:`CallEvidence` lists, under one behaviour, the moments in the calls where a
  phrase of that behaviour came up, with the time; the coach uses one as evidence or
  sets it aside. Nothing is scored by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.shell import beside, html_table, text
from coachkit.apps.tabs import field
from coachkit.errors import CoachkitError
from coachkit.model.formats import day
from coachkit.model.vocabulary import choices, words

#: What a person picks for each speaker, and the side it means.
SIDE_CHOICES = (("Pick one", ""), *choices("side"))
#: The file types a transcript comes in.
ACCEPT = ".vtt,.srt,.txt,.json"
#: How many calls the list shows.
LATEST = 5


def clock(seconds: float | None) -> str:
    """A time in a call as people read it: 4:05, or 1:02:03."""
    if seconds is None or pd.isna(seconds):
        return "–"
    whole = int(round(float(seconds)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def rep_coach(app: Any, rep_id: int) -> int:
    """The coach a rep belongs to (a lead imports into the rep's own coach's team)."""
    s = app.state
    if not s.sees_all and s.coach_id is not None:
        return int(s.coach_id)
    from coachkit.model import team

    with app.store.read() as conn:
        return int(team.get_rep(conn, rep_id).coach_id)


class CallUpload:
    """Choose a transcript, say who is who, import it; ``box`` is the widget.

    Parameters
    ----------
    app
        The workbook: its ``store``, ``state`` (with ``rep_id``) and ``today``.
    css
        The class that names this panel on the page.
    after
        Called after a call was imported (to read the store again).
    """

    def __init__(self, app: Any, css: str, after: Callable[[], None] | None = None):
        self.app = app
        self.after = after
        self._transcripts: list[Any] = []
        self._name = ""
        self.upload = field(w.FileUpload(accept=ACCEPT, multiple=False), "ck-call-file")
        self.upload.description = "Choose a transcript"
        self.upload.layout.width = "220px"
        self.upload.observe(self._on_file, names="value")
        self.speakers = field(w.VBox(), "ck-call-speakers")
        self.day = field(w.DatePicker(description="Day of the call"), "ck-call-day")
        self.day.layout.display = "none"
        self.redact = field(
            w.Checkbox(
                value=True,
                description="Hide e-mail addresses and phone numbers",
                indent=False,
                layout=w.Layout(width="auto"),
            ),
            "ck-call-redact",
        )
        self.run = field(
            w.Button(description="Import the call", button_style="primary"),
            "ck-call-import",
        )
        self.run.disabled = True
        self.run.on_click(self._guarded("importing the call", self._import))
        self.report = field(w.HTML(), "ck-call-report")
        self.box = field(
            w.VBox(
                [
                    w.HTML(
                        "<h3>Add a recorded call</h3><p class='ck-note'>A transcript "
                        "from Zoom or Teams (.vtt), Otter (.srt or .txt) or Gong "
                        "(.json). coachkit measures it here, on this server, and "
                        "keeps it with this rep's records.</p>"
                    ),
                    self.upload,
                    self.speakers,
                    self.day,
                    self.redact,
                    self.run,
                    self.report,
                ]
            ),
            css,
        )

    # -- choosing a file -------------------------------------------------------
    def chosen(self) -> tuple[str, bytes] | None:
        files = self.upload.value
        if not files:
            return None
        first = files[0]
        return str(first["name"]), bytes(first["content"])

    def _on_file(self, _change: object = None) -> None:
        self._guarded("reading the transcript", self.check)()

    def check(self) -> None:
        """Read the chosen file; ask for what is missing, or say what is wrong."""
        from coachkit.exchange.calls import read_transcripts
        from coachkit.model.calls.store import unmapped_speakers

        self.run.disabled = True
        self._transcripts = []
        self.speakers.children = []
        self.day.layout.display = "none"
        chosen = self.chosen()
        if chosen is None:
            self.report.value = ""
            return
        rep_id = self.app.state.rep_id
        if rep_id is None:
            self._tell("Rep: open a rep first, then choose the transcript.", "error")
            return
        name, data = chosen
        self._name = name
        try:
            transcripts = read_transcripts(data, name)
        except CoachkitError as exc:
            self._tell(f"{exc} Nothing was imported.", "error")
            return
        coach = rep_coach(self.app, rep_id)
        unknown = unmapped_speakers(self.app.store, coach, rep_id, transcripts)
        self._transcripts = transcripts
        rep_name = self._rep_name()
        rows = []
        for speaker in unknown:
            guess = "rep" if _same_name(speaker, rep_name) else ""
            pick = w.Dropdown(
                options=SIDE_CHOICES,
                value=guess,
                description=speaker,
                style={"description_width": "initial"},
            )
            pick.observe(lambda _c: self._ready(), names="value")
            rows.append(field(pick, "ck-call-side"))
        self.speakers.children = (
            [
                w.HTML(
                    "<p>Who is who? coachkit remembers your answer for the next "
                    "call.</p>"
                ),
                *rows,
            ]
            if rows
            else []
        )
        undated = [t for t in transcripts if t.held_on is None]
        if undated:
            self.day.layout.display = None
            if self.day.value is None:
                self.day.value = self.app.today
        calls = len(transcripts)
        what = "1 call" if calls == 1 else f"{calls} calls"
        self._tell(
            f"{name}: {what} read. {self._missing() or 'Ready to import.'}", "info"
        )
        self._ready()

    def _missing(self) -> str:
        if any(not pick.value for pick in self._picks()):
            return "Say who each speaker is, then press Import the call."
        return ""

    def _picks(self) -> list[w.Dropdown]:
        return [c for c in self.speakers.children if isinstance(c, w.Dropdown)]

    def _ready(self) -> None:
        self.run.disabled = not self._transcripts or bool(self._missing())

    # -- importing -------------------------------------------------------------
    def _import(self, _button: object = None) -> None:
        from coachkit.model.calls.store import save_calls

        rep_id = self.app.state.rep_id
        if not self._transcripts or rep_id is None:
            return
        sides = {pick.description: pick.value for pick in self._picks()}
        self.run.disabled = True
        try:
            saved = save_calls(
                self.app.store,
                rep_coach(self.app, rep_id),
                rep_id,
                self._transcripts,
                sides=sides,
                held_on=self.day.value if self.day.layout.display != "none" else None,
                redact=bool(self.redact.value),
            )
        except CoachkitError as exc:
            self._ready()
            self._tell(f"{exc} Nothing was imported.", "error")
            return
        words = []
        for call in saved:
            how = "added" if call.created else "updated (it was imported before)"
            words.append(f"{call.title} ({day(call.held_on)}) {how}")
        self._transcripts = []
        self.speakers.children = []
        self.day.layout.display = "none"
        self._tell("Call " + "; ".join(words) + ".", "ok")
        if self.after is not None:
            self.after()

    def _tell(self, message: str, level: str) -> None:
        self.report.value = beside(message, level)
        self.app.state.say(message, level)

    def _rep_name(self) -> str:
        name = getattr(self.app, "rep_name", None)
        return str(name()) if callable(name) else ""

    def _guarded(self, doing: str, fn: Any) -> Any:
        from coachkit.apps.shell import guarded

        return guarded(self.app.state, doing)(fn)


def _same_name(speaker: str, rep: str) -> bool:
    from coachkit.model.text import name_key

    return bool(rep) and name_key(speaker) == name_key(rep)


# -- the numbers ---------------------------------------------------------------
#: The numbers a call list shows: column, heading, how it reads.
_SHOWN = (
    ("talk_share", "Rep talked", lambda v: f"{v:.0%}"),
    ("longest_monologue_s", "Longest rep monologue", clock),
    ("longest_story_s", "Longest buyer story", clock),
    ("rep_questions", "Rep questions (about)", lambda v: f"{int(v)}"),
    ("switches_per_min", "Speaker switches a minute", lambda v: f"{v:.1f}"),
    ("rep_words_per_min", "Rep words a minute", lambda v: f"{v:.0f}"),
    ("patience_s", "Pause before the rep answers (about)", lambda v: f"{v:.1f} s"),
)


def calls_html(frame: pd.DataFrame, heading: str = "Recorded calls") -> str:
    """The latest calls with their numbers, and how each number is worked out."""
    from coachkit.model.calls.metrics import METRIC_NOTES, TALK_SHARE_REFERENCE

    if frame.empty:
        return (
            f"<h3>{text(heading)}</h3><p class='ck-note'>No recorded calls for this "
            "rep yet. Add a transcript to see how much the rep talks, how many "
            "questions they ask, and where the team's key phrases came up.</p>"
        )
    latest = frame.sort_values("held_on", ascending=False).head(LATEST)
    shown = pd.DataFrame({"Day": latest["held_on"], "Call": latest["title"]})
    shown["Length"] = latest["duration_s"].map(clock)
    for column, heading_text, fmt in _SHOWN:
        if column in latest:
            shown[heading_text] = latest[column].map(
                lambda v, f=fmt: "–" if v is None or pd.isna(v) else f(v)
            )
    notes = "".join(
        f"<li><b>{text(h)}</b>: {text(METRIC_NOTES[c])}</li>"
        for c, h, _ in _SHOWN
        if c in METRIC_NOTES
    )
    reference = (
        f"For comparison, Gong Labs found that top sellers talk about "
        f"{TALK_SHARE_REFERENCE:.0%} of the time on their calls."
    )
    more = (
        f"<p class='ck-note'>The latest {LATEST} of {len(frame)} calls.</p>"
        if len(frame) > LATEST
        else ""
    )
    return (
        f"<h3>{text(heading)}</h3>"
        + f"<div class='ck-table-wrap'>{html_table(shown.reset_index(drop=True))}</div>"
        + more
        + f"<p class='ck-note'>{text(reference)}</p>"
        + "<details class='ck-call-notes'><summary>How these numbers are worked "
        f"out</summary><ul>{notes}</ul></details>"
    )


# -- evidence ------------------------------------------------------------------


class CallEvidence:
    """The moments in a rep's calls where one behaviour's phrases came up.

    Each shows the words around the phrase, who said them, the call and the time.
    "Use as evidence" keeps it with the rep's record (and ``on_use`` gets its
    words, so a form can add them to what the coach writes); "Not evidence" sets it
    aside. Either can be taken back.
    """

    def __init__(
        self,
        app: Any,
        css: str,
        on_use: Callable[[str], None] | None = None,
        limit: int = 3,
    ) -> None:
        self.app = app
        self.on_use = on_use
        self.limit = limit
        self.box = field(w.VBox(), css)
        self._hits: list[Any] = []

    def show(self, hits: Sequence[Any]) -> None:
        """Show these hits (newest first), at most ``limit`` still to decide."""
        self._hits = list(hits)
        open_hits = [h for h in self._hits if h.status == "open"][: self.limit]
        used = [h for h in self._hits if h.status == "confirmed"]
        rows: list[w.Widget] = []
        if open_hits or used:
            rows.append(w.HTML("<span class='ck-note'>Heard on recorded calls:</span>"))
        for hit in used + open_hits:
            rows.append(self._row(hit))
        left = sum(1 for h in self._hits if h.status == "open") - len(open_hits)
        if left > 0:
            rows.append(
                w.HTML(f"<span class='ck-note'>…and {left} more to look at.</span>")
            )
        self.box.children = rows

    def _row(self, hit: Any) -> w.Widget:
        when = f"{text(day(hit.held_on))}, at {clock(hit.at_s)}"
        who = text(hit.speaker)  # the rep: phrases are looked for in what they say
        quote = w.HTML(
            f"<blockquote class='ck-call-quote'>“{text(hit.snippet)}”<br>"
            f"<span class='ck-note'>{who}, {text(hit.call_title)}, {when} · "
            f"matched “{text(hit.phrase)}”</span></blockquote>"
        )
        if hit.status == "confirmed":
            undo = field(w.Button(description="Take back"), "ck-hit-undo")
            undo.on_click(self._decider(hit, "open"))
            status = w.HTML(beside(words("hit_status", "confirmed"), "ok"))
            return field(w.VBox([quote, w.HBox([status, undo])]), "ck-hit")
        use = field(
            w.Button(description="Use as evidence", button_style="success"),
            "ck-hit-use",
        )
        use.on_click(self._decider(hit, "confirmed"))
        drop = field(w.Button(description="Not evidence"), "ck-hit-dismiss")
        drop.on_click(self._decider(hit, "dismissed"))
        return field(w.VBox([quote, w.HBox([use, drop])]), "ck-hit")

    def _decider(self, hit: Any, status: str) -> Any:
        from coachkit.apps.shell import guarded

        def decide(_button: Any = None) -> None:
            from coachkit.model.calls.store import decide_hit

            decide_hit(self.app.store, hit.id, status)
            changed = [
                h if h.id != hit.id else _with_status(h, status) for h in self._hits
            ]
            self.show(changed)
            if status == "confirmed" and self.on_use is not None:
                self.on_use(
                    f"Call {day(hit.held_on)} at {clock(hit.at_s)}: “{hit.snippet}”"
                )
            words = {
                "confirmed": "Kept as evidence.",
                "dismissed": "Set aside: not evidence.",
                "open": "Taken back: still to decide.",
            }[status]
            self.app.state.say(words, "ok")

        return guarded(self.app.state, "saving your choice")(decide)


def _with_status(hit: Any, status: str) -> Any:
    """The same hit (a :class:`coachkit.model.calls.store.CallHit`), decided."""
    return hit._replace(status=status)


class EvidenceByBehaviour:
    """Call evidence grouped under each behaviour it belongs to; ``box`` is the widget.

    Parameters
    ----------
    app
        The workbook.
    css
        The class that names this list on the page.
    """

    def __init__(self, app: Any, css: str) -> None:
        self.app = app
        self.box = field(w.VBox(), css)

    def show(self, hits: Sequence[Any], names: dict[int, str]) -> None:
        """Show ``hits`` under the behaviours in ``names`` (in that order)."""
        groups: list[w.Widget] = []
        for behaviour_id, name in names.items():
            mine = [h for h in hits if h.behaviour_id == behaviour_id]
            if not any(h.status in ("open", "confirmed") for h in mine):
                continue
            evidence = CallEvidence(self.app, f"ck-call-evidence-{behaviour_id}")
            evidence.show(mine)
            groups.append(w.HTML(f"<h4>{text(name)}</h4>"))
            groups.append(evidence.box)
        if groups:
            groups.insert(
                0,
                w.HTML(
                    "<h3>Moments from the calls</h3><p class='ck-note'>Where a "
                    "phrase your team links to a behaviour came up. Use one as "
                    "evidence, or set it aside: nothing is scored by itself.</p>"
                ),
            )
        self.box.children = groups
