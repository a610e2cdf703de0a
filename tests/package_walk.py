"""Every public function of coachkit, found by walking the package (for the tests
that prove each function checks who is asking)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import coachkit


def public_functions(
    skipped: tuple[str, ...],
) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Each public function defined in a coachkit module, by full name; modules
    whose name has a part in ``skipped`` are left out."""
    for info in pkgutil.walk_packages(coachkit.__path__, "coachkit."):
        if any(part in info.name for part in skipped):
            continue
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", fn


def store_functions(
    skipped: tuple[str, ...],
) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Those of :func:`public_functions` whose first parameter is a connection or
    a store."""
    for name, fn in public_functions(skipped):
        params = list(inspect.signature(fn).parameters)
        if params and params[0] in ("conn", "store"):
            yield name, fn
