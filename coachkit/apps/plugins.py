"""Tabs from a user's own module, added after a workbook's built-in tabs.

A plugin is a Python module that calls :func:`register_tab` when it is imported.
coachkit imports plugins when a workbook starts, from two places:

- the modules named in ``COACHKIT_PLUGINS`` (comma-separated module names);
- the entry points in the group ``coachkit.tabs`` of installed packages. An entry
  point names a module (imported, like the ones in ``COACHKIT_PLUGINS``) or a
  function that takes no arguments (called once it is imported).

A plugin that fails to import, or a tab that fails to build or to show its data,
never stops the workbook: its built-in tabs still show, and the status line says
which plugin failed. See ``docs/extending.md``.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
from importlib.metadata import entry_points
from typing import Any

import ipywidgets as w

from coachkit.apps.shell import text
from coachkit.apps.tabs import Tab
from coachkit.errors import CoachkitError
from coachkit.model.pillars import PILLARS

log = logging.getLogger("coachkit")

#: The entry-point group installed packages use to add tabs.
ENTRY_POINT_GROUP = "coachkit.tabs"
#: The environment variable that lists plugin modules to import.
ENV_VAR = "COACHKIT_PLUGINS"

#: pillar key -> [(plugin name, tab class)], in the order they were registered.
_TABS: dict[str, list[tuple[str, type[Tab]]]] = {p.key: [] for p in PILLARS}
#: The plugin being imported now (names the tabs it registers).
_loading: str | None = None


def register_tab(pillar: str, tab_class: type[Tab]) -> None:
    """Add ``tab_class`` to the workbook of ``pillar``, after its built-in tabs.

    Parameters
    ----------
    pillar
        ``"prioritize"``, ``"facilitate"`` or ``"improve"``.
    tab_class
        A :class:`coachkit.apps.tabs.Tab` subclass; for ``"improve"``, a
        :class:`coachkit.apps.improve.tabs.ImproveTab` subclass (a ``Tab`` with
        the ``frames`` and ``charts`` every Improve tab has). The workbook builds
        it with itself as the only argument, when it starts (so a tab that cannot
        be built is reported at once), and draws it as it does its own tabs.
        Registering a class twice adds it once.

    Raises
    ------
    CoachkitError
        If ``pillar`` is not a workbook, or ``tab_class`` is not the right kind of tab.
    """
    if pillar not in _TABS:
        known = ", ".join(repr(key) for key in _TABS)
        raise CoachkitError(
            f"Cannot add a tab to the workbook {pillar!r}: there is none. "
            f"Use one of {known}."
        )
    base = _base_tab(pillar)
    if not (isinstance(tab_class, type) and issubclass(tab_class, base)):
        raise CoachkitError(
            f"A tab for the {pillar!r} workbook must be a subclass of "
            f"{base.__module__}.{base.__name__}; got {tab_class!r}."
        )
    if any(cls is tab_class for _name, cls in _TABS[pillar]):
        return
    _TABS[pillar].append((_loading or tab_class.__module__, tab_class))


def registered_tabs(pillar: str) -> list[type[Tab]]:
    """The tab classes registered for ``pillar`` so far, in order."""
    return [cls for _name, cls in _TABS.get(pillar, [])]


def load_plugins() -> list[str]:
    """Import the plugins in ``COACHKIT_PLUGINS`` and the ``coachkit.tabs`` group.

    Returns
    -------
    list of str
        One plain sentence per plugin that could not be imported.
    """
    problems = []
    names = [n.strip() for n in os.environ.get(ENV_VAR, "").split(",") if n.strip()]
    for name in names:
        problems += _run(name, lambda name=name: importlib.import_module(name))
    for point in entry_points(group=ENTRY_POINT_GROUP):
        problems += _run(point.name, lambda point=point: _load_entry_point(point))
    return problems


def add_plugin_tabs(app: Any, tabs: list[Any]) -> list[Any]:
    """Load the plugins and return ``tabs`` followed by the plugin tabs of ``app``.

    Problems are kept in ``app.plugin_problems``; the workbook shows them in the
    status line.
    """
    problems = load_plugins()
    added = []
    for name, cls in _TABS[app.pillar_key]:
        try:
            tab = cls(app)
        except Exception as exc:
            log.exception("the tab from plugin %r could not be built", name)
            problems.append(_could_not_add(name, exc))
            continue
        _guard(tab, name)
        added.append(tab)
    app.plugin_problems = problems
    return [*tabs, *added]


def _base_tab(pillar: str) -> type[Tab]:
    if pillar == "improve":
        from coachkit.apps.improve.tabs import ImproveTab

        return ImproveTab
    return Tab


def _load_entry_point(point: Any) -> None:
    value = point.load()
    if callable(value) and not isinstance(value, type):
        value()


def _run(name: str, load: Any) -> list[str]:
    global _loading
    _loading = name
    try:
        load()
    except Exception as exc:
        log.exception("plugin %r could not be loaded", name)
        return [_could_not_add(name, exc)]
    finally:
        _loading = None
    return []


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _could_not_add(name: str, exc: BaseException) -> str:
    return f"The tab from plugin '{name}' could not be added: {_reason(exc)}"


#: The methods a workbook calls on its tabs; a plugin's errors in them are caught.
_CALLED = ("load", "draw")


def _guard(tab: Tab, name: str) -> None:
    """Catch errors in the plugin tab's methods: say them, and show them in the tab."""
    for method_name in _CALLED:
        method = getattr(tab, method_name, None)
        if method is not None:
            setattr(tab, method_name, _guarded(tab, name, method))


def _guarded(tab: Tab, name: str, method: Any) -> Any:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            log.exception("the tab from plugin %r failed", name)
            message = f"The tab from plugin '{name}' could not show its data: "
            message += _reason(exc)
            if message not in tab.app.plugin_problems:  # shown again after a reload
                tab.app.plugin_problems.append(message)
            tab.state.fail(message)
            tab.box.children = [w.HTML(f"<p class='ck-note'>{text(message)}</p>")]
        return None

    return call
