"""The hooks a shequ plugin implements, and the markers to implement them with.

A plugin is any module registered under the ``shequ`` entry-point group. It
implements one or more of the hooks below with ``@shequ.hookimpl``; each hook
returns a list, and shequ flattens the lists of all plugins. Built-in
jurisdictions use exactly these hooks, through the same entry points.
"""

# mypy: disable-error-code="empty-body"
# (a hook spec is a signature and a docstring: pluggy never runs its body, the plugins' implementations run instead)

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .model import CatalogAdditions, MetricDef, Standard

PROJECT = "shequ"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_jurisdictions() -> list[Path | Standard]:
    """Declare the jurisdictions (standards) this plugin provides.

    :return: A list of standards: paths to standard TOML files (preferred, so
        errors can name the file), or :class:`shequ.model.Standard` objects.
        Each standard's ``jurisdiction.id`` must be unique across all plugins.
    """


@hookspec
def register_catalog() -> list[Path | CatalogAdditions]:
    """Add entries to the shared catalog (metrics, kinds, flags, departments).

    :return: A list of paths to catalog TOML files (with the tables
        ``metrics``, ``facility_kinds``, ``organization_kinds``, ``flags``,
        ``designations``, ``departments``), or
        :class:`shequ.model.CatalogAdditions` objects. Mark entries only one
        jurisdiction uses with ``jurisdictions = ["id"]``.
    """


@hookspec
def register_metrics() -> list[MetricDef]:
    """Add metrics computed in Python, for what TOML cannot declare.

    :return: A list of :class:`shequ.model.MetricDef` whose ``compute`` is a
        callable ``compute(metric) -> polars.Expr``; ``metric(id)`` gives the
        expression of another metric. The expression must be vectorised (no
        Python per row) and yield null where its inputs are missing.
    """


def hook_names() -> list[str]:
    """The names of every hook spec in this module."""
    return [name for name, value in globals().items() if hasattr(value, f"{PROJECT}_spec")]


def describe(name: str) -> dict[str, Any]:
    """A hook's name, signature and docstring, for documentation and `shequ plugins`."""
    import inspect

    function = globals()[name]
    return {"name": name, "signature": f"{name}{inspect.signature(function)}", "doc": inspect.getdoc(function)}
