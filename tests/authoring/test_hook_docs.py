"""The worked examples of docs/hooks/ run as written: their plugin module, loaded beside their rule, judges data."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from pathlib import Path

import polars as pl
import pytest
from support import MINI_HEADER

from shequ.authoring.testing import standard_snapshot
from shequ.catalog.listing import catalog_rows
from shequ.engine import evaluate
from shequ.registry import build_registry

HOOKS = Path(__file__).resolve().parents[2] / "docs" / "hooks"
_EXAMPLE = re.compile(r"<!-- hook-example: (?P<what>\w+) -->\n```\w*\n(?P<body>.*?)^```", re.DOTALL | re.MULTILINE)


def examples(name: str) -> dict[str, str]:
    return {m["what"]: m["body"] for m in _EXAMPLE.finditer((HOOKS / name).read_text(encoding="utf-8"))}


def load_example(tmp_path: Path, name: str) -> tuple[object, Path]:
    """The example's module, imported from a file (so its source is there to read), and its standard TOML."""
    found = examples(name)
    package = tmp_path / "shequ_mycity"
    package.mkdir()
    rule = found["rule"]
    quote = re.search(r'quote = "([^"]+)"', rule)
    assert quote is not None
    standard = package / "mycity.toml"
    standard.write_text(MINI_HEADER.format(id="mycity") + 'text = "document.txt"\n' + rule, encoding="utf-8")
    (package / "document.txt").write_text(quote[1], encoding="utf-8")
    (package / "__init__.py").write_text(found["module"], encoding="utf-8")
    spec = importlib.util.spec_from_file_location("shequ_mycity_doc_example", package / "__init__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module, standard


@pytest.fixture
def register_metrics_example(tmp_path):
    module, _ = load_example(tmp_path, "register_metrics.md")
    yield build_registry([("mycity", module)], include_installed=False)
    sys.modules.pop("shequ_mycity_doc_example", None)


def test_every_hook_has_a_page_with_a_python_example():
    from shequ.hookspecs import hook_names

    for name in hook_names():
        text = (HOOKS / f"{name}.md").read_text(encoding="utf-8")
        assert "```python" in text and "@hookimpl" in text, f"docs/hooks/{name}.md shows no example"


def test_the_register_metrics_example_judges_data(register_metrics_example):
    registry = register_metrics_example
    frame = pl.DataFrame(
        {
            "id": ["A", "B", "C"],
            "service_space_m2": [320.0, 200.0, None],
            "area.residents_committee_office": [150.0, 250.0, 400.0],
        }
    )
    results = evaluate(frame, ["mycity"], as_of=dt.date(2024, 1, 1), registry=registry)
    verdicts = {row["id"]: row["verdict"] for row in results.details().to_dicts()}
    assert verdicts == {"A": "pass", "B": "fail", "C": "unknown"}  # max(200, 250) < 300; C lacks one area


def test_the_register_metrics_example_shows_in_the_catalog_and_the_snapshot(register_metrics_example):
    registry = register_metrics_example
    (row,) = [row for row in catalog_rows(registry.catalog, "metrics") if row["id"] == "larger_premises_m2"]
    assert (row["family"], row["origin"], row["unit"]) == ("computed", "mycity", "m²")
    snapshot = standard_snapshot(registry.get("mycity"), registry)
    (added,) = snapshot["added_metrics"]
    assert added["id"] == "larger_premises_m2" and "max_horizontal" in added["formula"]


def test_validate_knows_the_python_metrics_of_the_installed_plugin_it_checks(tmp_path, monkeypatch):
    """The bug of issue 15: validate said "unknown metric" for a plugin's own Python metric once installed."""
    from shequ import registry as registry_module
    from shequ.checks.validate import validate_path

    module, standard = load_example(tmp_path, "register_metrics.md")
    before = [str(problem) for problem in validate_path(standard.parent)]
    assert any("unknown metric 'larger_premises_m2'" in problem for problem in before)  # not installed: no code

    load_plugins = registry_module.load_plugins

    def installed_too(manager, only=None):  # as if `pip install -e` had added its entry point
        infos = load_plugins(manager, only)
        manager.register(module, name="mycity")
        return infos

    monkeypatch.setattr(registry_module, "load_plugins", installed_too)
    assert validate_path(standard.parent) == []
    sys.modules.pop("shequ_mycity_doc_example", None)


def test_the_register_catalog_example_judges_data(tmp_path):
    module, _ = load_example(tmp_path, "register_catalog.md")
    try:
        registry = build_registry([("mycity", module)], include_installed=False)
    finally:
        sys.modules.pop("shequ_mycity_doc_example", None)
    (row,) = [row for row in catalog_rows(registry.catalog, "kinds") if row["id"] == "tea_house"]
    assert row["origin"] == "mycity" and "area.tea_house" in row["metrics"]
    frame = pl.DataFrame({"id": ["A", "B", "C"], "area.tea_house": [45.0, 12.0, None]})
    results = evaluate(frame, ["mycity"], as_of=dt.date(2024, 1, 1), registry=registry)
    assert {row["id"]: row["verdict"] for row in results.details().to_dicts()} == {
        "A": "pass",
        "B": "fail",
        "C": "unknown",
    }
