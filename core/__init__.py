"""shequ (社区): Chinese local standards for urban community construction, as code.

Importing this package is cheap: plugins and Polars load on first use. The
public Python API is re-exported here lazily::

    import shequ

    registry = shequ.get_registry()  # installed jurisdictions
    results = shequ.evaluate("examples/communities.json", ["changchun"])
    results.summary()  # a Polars DataFrame
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .hookspecs import hookimpl

__version__ = "0.1.0"

_LAZY = {
    "get_registry": "registry",
    "Registry": "registry",
    "load_communities": "io",
    "evaluate": "engine",
    "Results": "engine",
    "Community": "model",
    "Facility": "model",
    "Organization": "model",
    "Standard": "model",
    "Rule": "model",
    "ProblemsError": "errors",
    "Problem": "errors",
}

__all__ = ["hookimpl", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'shequ' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
