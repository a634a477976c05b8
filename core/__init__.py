"""shequ (社区): Chinese local standards for urban community construction, as code.

The public API is ``__all__`` below: what a plugin author writes a
jurisdiction with (``hookimpl``, the model records, the errors) and what a
user evaluates data with::

    import shequ

    registry = shequ.get_registry()  # installed jurisdictions
    results = shequ.evaluate("examples/communities.json", ["changchun"])
    results.summary()  # a Polars DataFrame

Importing this package must stay cheap, because every plugin imports it for
``hookimpl`` and ``shequ --help`` must answer at once: it loads no plugin, no
Polars and not even attrs. So the names below are real imports for a type
checker, but every one resolves on first use at run time through
:data:`_LAZY` (a literal map from name to module) and ``__getattr__``: the
Polars-backed ``evaluate``, ``Results`` and ``load_communities``;
``get_registry`` and ``Registry``, whose module pulls in cattrs and entry-point
metadata; and the errors and model records, which are attrs classes (attrs
alone costs about as much start-up time as the rest of the CLI).
``__version__`` is read from the installed package's metadata, once, on first
use, for the same reason.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Results, evaluate
    from .errors import PluginError, Problem, ProblemsError, SchemaError, ShequError
    from .hookspecs import hookimpl
    from .io import load_communities
    from .model import (
        CatalogAdditions,
        Community,
        DepartmentDef,
        Facility,
        KindDef,
        MetricDef,
        Organization,
        Rule,
        Standard,
    )
    from .registry import Registry, get_registry

    __version__: str

__all__ = [
    "CatalogAdditions",
    "Community",
    "DepartmentDef",
    "Facility",
    "KindDef",
    "MetricDef",
    "Organization",
    "PluginError",
    "Problem",
    "ProblemsError",
    "Registry",
    "Results",
    "Rule",
    "SchemaError",
    "ShequError",
    "Standard",
    "__version__",
    "evaluate",
    "get_registry",
    "hookimpl",
    "load_communities",
]

#: The names imported on first use, and the module each comes from (see the module docstring for why).
_LAZY = {
    "PluginError": "shequ.errors",
    "Problem": "shequ.errors",
    "ProblemsError": "shequ.errors",
    "SchemaError": "shequ.errors",
    "ShequError": "shequ.errors",
    "hookimpl": "shequ.hookspecs",
    "CatalogAdditions": "shequ.model",
    "Community": "shequ.model",
    "DepartmentDef": "shequ.model",
    "Facility": "shequ.model",
    "KindDef": "shequ.model",
    "MetricDef": "shequ.model",
    "Organization": "shequ.model",
    "Rule": "shequ.model",
    "Standard": "shequ.model",
    "Registry": "shequ.registry",
    "get_registry": "shequ.registry",
    "Results": "shequ.engine",
    "evaluate": "shequ.engine",
    "load_communities": "shequ.io",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        value = version("shequ")
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'shequ' has no attribute {name!r}")
    globals()[name] = value  # resolved once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
