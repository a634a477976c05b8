"""The public API (``shequ/__init__.py``): every name resolves, importing stays cheap, the version is the package's."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

import shequ


@pytest.mark.parametrize("name", shequ.__all__)
def test_every_public_name_resolves(name):
    assert getattr(shequ, name) is not None


def test_all_is_a_sorted_list_without_repeats():
    assert shequ.__all__ == sorted(set(shequ.__all__))


def test_plugin_authors_find_what_they_write_a_jurisdiction_with():
    from shequ import errors, hookspecs, model

    assert shequ.hookimpl is hookspecs.hookimpl
    for name in ("Standard", "Rule", "MetricDef", "CatalogAdditions", "KindDef", "DepartmentDef"):
        assert getattr(shequ, name) is getattr(model, name)
    for name in ("ShequError", "ProblemsError", "Problem", "SchemaError", "PluginError"):
        assert getattr(shequ, name) is getattr(errors, name)


def test_lazy_names_are_the_library_objects():
    from shequ.engine import Results, evaluate
    from shequ.io import load_communities
    from shequ.registry import Registry, get_registry

    assert (shequ.evaluate, shequ.Results, shequ.load_communities) == (evaluate, Results, load_communities)
    assert (shequ.get_registry, shequ.Registry) == (get_registry, Registry)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'evaluat'"):
        _ = shequ.evaluat
    assert not hasattr(shequ, "evaluat")


def test_version_is_the_installed_metadata():
    assert shequ.__version__ == importlib.metadata.version("shequ")


def test_dir_lists_the_public_names():
    assert set(shequ.__all__) <= set(dir(shequ))


def test_import_loads_neither_polars_nor_plugins_nor_the_registry():
    code = (
        "import sys, shequ; "
        "heavy = ('polars', 'cattrs', 'shequ.registry', 'shequ.engine', 'shequ.io'); "
        "heavy = sorted(m for m in heavy if m in sys.modules); "
        "plugins = sorted(m for m in sys.modules if m.startswith('shequ_plugins')); "
        "print(heavy, plugins)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[] []", completed.stderr
