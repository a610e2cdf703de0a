"""Plugin tabs in-process: added after the built-in tabs; a broken one says so.

The plugins are real modules: ``tests/example_plugin.py`` (this folder is on
``sys.path`` under pytest), modules written into ``tmp_path`` for the failures, and a
``.dist-info`` folder on ``sys.path`` for the entry-point group.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest

from coachkit.apps import plugins
from coachkit.apps.facilitate import Facilitate
from coachkit.apps.improve import Improve
from coachkit.apps.prioritize import Prioritize
from coachkit.apps.tabs import Tab
from coachkit.errors import CoachkitError
from coachkit.improve import reflections
from coachkit.store import queries
from coachkit.store.database import Store

IMPROVE_TABS = (
    "1. Look back",
    "2. What worked",
    "3. Leading signs",
    "4. Coverage",
    "5. Styles",
    "6. Long term",
    "7. Reflect",
    "8. Self-check",
)
PRIORITIZE_TABS = (
    "1. Team",
    "2. Framework",
    "3. Priorities",
    "4. Performance",
    "5. Assess",
    "6. Plan",
)
OUR_MODULES = (
    "example_plugin",
    "broken_plugin",
    "failing_tab",
    "notes_setup",
    "notes_plugin",
)
GUIDE = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


@pytest.fixture(autouse=True)
def _fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no plugin registered or imported, and ends the same."""
    monkeypatch.delenv(plugins.ENV_VAR, raising=False)
    for name in OUR_MODULES:
        sys.modules.pop(name, None)
    saved = {key: list(tabs) for key, tabs in plugins._TABS.items()}
    for key in plugins._TABS:
        plugins._TABS[key].clear()
    yield
    plugins._TABS.update(saved)
    for name in OUR_MODULES:
        sys.modules.pop(name, None)


def _coach(store: Store) -> int:
    with store.read() as conn:
        frame = queries.coaches(conn)
    return int(frame[frame["role"] == "coach"]["coach_id"].iloc[0])


def _html(widget: w.Widget) -> str:
    if isinstance(widget, w.HTML):
        return str(widget.value)
    return "".join(_html(c) for c in getattr(widget, "children", ()))


def _reflection_count(store: Store, coach: int) -> int:
    with store.read() as conn:
        return len(reflections.reflections(conn, coach, limit=10_000))


def _module(folder: Path, name: str, source: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(source))


def _failing_tab(folder: Path, method: str, error: str) -> None:
    """Write the plugin ``failing_tab``: a Prioritize tab whose ``method`` raises."""
    _module(
        folder,
        "failing_tab",
        f"""
        from coachkit.apps.plugins import register_tab
        from coachkit.apps.tabs import Tab

        class Fails(Tab):
            title = "Fails"
            def {method}:
                raise {error}

        register_tab("prioritize", Fails)
        """,
    )


@pytest.mark.usefixtures("no_callback_errors")
def test_example_plugin_adds_a_tab_that_counts_the_coachs_reflections(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plugins.ENV_VAR, "example_plugin")
    coach = _coach(demo_store)
    app = Improve(db=demo_store.location, coach=coach, today=today)
    assert app.tab_widget.titles == (*IMPROVE_TABS, "Notes count")
    assert app.state.level == "info", app.state.message

    app.tab_widget.selected_index = len(IMPROVE_TABS)  # the coach opens the tab
    expected = _reflection_count(demo_store, coach)
    assert expected > 0
    assert f"You have written {expected} reflections." in _html(app.tab_widget)

    with demo_store.write() as conn:
        reflections.save_reflection(conn, coach, "Ask more open questions.", today)
    app.announce("data")  # as after the team's data was read again
    assert f"You have written {expected + 1} reflections." in _html(app.tab_widget)


@pytest.mark.usefixtures("no_callback_errors")
def test_a_plugin_tab_redraws_on_its_events_and_catches_up_when_opened(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plugins.ENV_VAR, "example_plugin")
    coach = _coach(demo_store)
    app = Improve(db=demo_store.location, coach=coach, today=today)
    notes = len(IMPROVE_TABS)
    app.tab_widget.selected_index = notes
    before = _reflection_count(demo_store, coach)
    app.set_period(app.state.period)  # not one of its events: nothing to redraw
    assert not app.tabs[notes].stale

    app.tab_widget.selected_index = IMPROVE_TABS.index("7. Reflect")
    reflect = app.tabs[app.tab_widget.selected_index]
    reflect.text.value = "Ask more open questions."
    reflect.save.click()
    assert app.state.level == "ok", app.state.message
    tab = app.tabs[notes]
    assert tab.stale, "a reflection was saved while the tab was off screen"
    assert f"You have written {before} reflections." in _html(tab.box)

    app.tab_widget.selected_index = notes  # the coach opens it again
    assert f"You have written {before + 1} reflections." in _html(tab.box)
    assert not tab.stale


@pytest.mark.usefixtures("no_callback_errors")
def test_the_example_in_the_guide_works_as_written(
    demo_store: Store,
    today: dt.date,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = re.search(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert found, "docs/extending.md has no Python example"
    (tmp_path / "notes_plugin.py").write_text(found.group(1))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(plugins.ENV_VAR, "notes_plugin")
    coach = _coach(demo_store)
    app = Improve(db=demo_store.location, coach=coach, today=today)
    assert app.tab_widget.titles == (*IMPROVE_TABS, "Notes count")
    count = _reflection_count(demo_store, coach)
    tab = app.tab("notes_count")
    assert f"You have written {count} reflections." in _html(tab.box)


def test_broken_plugins_leave_the_built_in_tabs_and_say_which_failed(
    demo_store: Store,
    today: dt.date,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _module(tmp_path, "broken_plugin", "import not_installed_package\n")
    _failing_tab(
        tmp_path, "__init__(self, app)", 'ValueError("the notes folder is missing")'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(plugins.ENV_VAR, "broken_plugin, failing_tab,no_such_plugin")
    app = Prioritize(db=demo_store.location, coach=_coach(demo_store), today=today)

    assert app.tab_widget.titles == PRIORITIZE_TABS
    assert app.rep_picker.options, "the workbook still lists the reps"
    assert app.state.level == "error"
    message = app.state.message
    assert (
        "The tab from plugin 'broken_plugin' could not be added: "
        "No module named 'not_installed_package'"
    ) in message
    assert (
        "The tab from plugin 'failing_tab' could not be added: "
        "the notes folder is missing"
    ) in message
    assert "The tab from plugin 'no_such_plugin' could not be added" in message
    assert "Traceback" not in message


def test_a_plugin_tab_that_fails_to_show_its_data_says_so_in_place(
    demo_store: Store,
    today: dt.date,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _failing_tab(tmp_path, "draw(self, changed)", 'KeyError("quota")')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(plugins.ENV_VAR, "failing_tab")
    app = Prioritize(db=demo_store.location, coach=_coach(demo_store), today=today)

    assert app.tab_widget.titles == (*PRIORITIZE_TABS, "Fails")
    assert app.rep_picker.options, "the workbook still lists the reps"
    app.tab_widget.selected_index = len(PRIORITIZE_TABS)  # the coach opens the tab
    said = "The tab from plugin 'failing_tab' could not show its data: 'quota'"
    assert app.state.message == said
    assert said in html.unescape(_html(app.tabs[-1].box))


@pytest.mark.usefixtures("no_callback_errors")
def test_an_installed_package_adds_a_tab_through_its_entry_point(
    demo_store: Store,
    today: dt.date,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _module(
        tmp_path,
        "notes_setup",
        """
        import ipywidgets as w

        from coachkit.apps.plugins import register_tab
        from coachkit.apps.tabs import Tab

        class OpenRep(Tab):
            title = "Open rep"
            redraws_on = frozenset({"rep"})
            def __init__(self, app):
                super().__init__(app)
                self.shown = w.HTML()
                self.box.children = [self.shown]
            def draw(self, changed):
                self.shown.value = "Open: " + self.app.rep_name()

        def setup():
            register_tab("facilitate", OpenRep)
        """,
    )
    dist = tmp_path / "coachkit_notes-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: coachkit-notes\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[coachkit.tabs]\nnotes = notes_setup:setup\nsample = example_plugin\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    coach = _coach(demo_store)

    facilitate = Facilitate(db=demo_store.location, coach=coach, today=today)
    assert facilitate.tab_widget.titles[-1] == "Open rep"
    assert facilitate.rep_name()
    facilitate.tab_widget.selected_index = len(facilitate.tabs) - 1
    assert facilitate.tabs[-1].shown.value == f"Open: {facilitate.rep_name()}"
    improve = Improve(db=demo_store.location, coach=coach, today=today)
    assert improve.tab_widget.titles == (*IMPROVE_TABS, "Notes count")
    assert facilitate.state.level == improve.state.level == "info"


def test_registering_a_tab_for_an_unknown_workbook_is_a_clear_error() -> None:
    from example_plugin import NotesCountTab

    with pytest.raises(CoachkitError, match="workbook 'coach': there is none") as exc:
        plugins.register_tab("coach", NotesCountTab)
    assert "'prioritize', 'facilitate', 'improve'" in str(exc.value)

    class Plain(Tab):
        title = "Plain"

    with pytest.raises(CoachkitError, match="subclass of coachkit.apps.improve"):
        plugins.register_tab("improve", Plain)
    plugins.register_tab("improve", NotesCountTab)  # again: still one tab
    assert plugins.registered_tabs("improve") == [NotesCountTab]
