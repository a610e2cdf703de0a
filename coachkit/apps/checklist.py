"""A list of tick boxes for picking several things, with no modifier key.

A browser's multiple-choice list (``ipywidgets.SelectMultiple``) needs Ctrl- or
Cmd-click to pick a second item, and a plain click drops what was picked: people
lose their choice without noticing. :class:`CheckList` shows one tick box per
option instead, and keeps the same ``options`` and ``value`` as the widget it
replaces, so code that read a ``SelectMultiple`` reads it unchanged.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from html import escape
from typing import Any

import ipywidgets as w
import traitlets as t


class CheckList(w.VBox):  # type: ignore[misc]
    """Tick boxes for ``options`` ((label, value) pairs); ``value`` is what is ticked.

    ``value`` is a tuple in the options' order. Setting it ticks those boxes;
    ticking a box changes it (observers of ``value`` hear one change per click).
    A value that is not among the options is dropped.
    """

    value = t.Tuple()

    def __init__(
        self,
        options: Sequence[tuple[str, Hashable]] = (),
        description: str = "",
        **kwargs: Any,
    ) -> None:
        self._boxes: list[tuple[Hashable, w.Checkbox]] = []
        self._syncing = False
        # Right-aligned beside the boxes, as the other fields' labels are.
        self._title = w.HTML(
            f"<div style='text-align:right;padding-right:8px'>{escape(description)}"
            "</div>",
            layout=w.Layout(width="130px"),
        )
        self._title.add_class("ck-checklist-title")
        self._list = w.VBox(layout=w.Layout(flex="1 1 auto"))
        super().__init__(**kwargs)
        self.add_class("ck-checklist")
        self.children = [w.HBox([self._title, self._list])]
        self.options = list(options)

    @property
    def options(self) -> list[tuple[str, Hashable]]:
        return [(str(box.description), key) for key, box in self._boxes]

    @options.setter
    def options(self, options: Sequence[tuple[str, Hashable]]) -> None:
        for _key, box in self._boxes:
            box.close()
        self._boxes = []
        for label, key in options:
            box = w.Checkbox(
                value=False,
                description=str(label),
                indent=False,
                layout=w.Layout(width="auto"),
            )
            box.observe(self._ticked, names="value")
            self._boxes.append((key, box))
        self._list.children = [box for _key, box in self._boxes]
        self.value = self.value  # drop what is no longer offered
        self._show(self.value)

    @t.validate("value")
    def _known(self, proposal: Any) -> tuple[Hashable, ...]:
        wanted = set(proposal["value"] or ())
        return tuple(key for key, _box in self._boxes if key in wanted)

    @t.observe("value")
    def _changed(self, change: Any) -> None:
        self._show(change["new"])

    def _show(self, value: Sequence[Hashable]) -> None:
        self._syncing = True
        try:
            for key, box in self._boxes:
                box.value = key in value
        finally:
            self._syncing = False

    def _ticked(self, _change: Any) -> None:
        if not self._syncing:
            self.value = tuple(key for key, box in self._boxes if box.value)
