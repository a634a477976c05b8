"""Plugin loading: entry points, hooks, and clear errors naming the plugin and the place."""

from __future__ import annotations

import inspect
from pathlib import Path

import polars as pl
import pytest
from support import FilePlugin, registry_with, write_standard

from shequ import hookimpl, hookspecs
from shequ.engine import evaluate
from shequ.errors import ProblemsError, ShequError
from shequ.model import CatalogAdditions, KindDef, MetricDef
from shequ.registry import build_registry, get_registry

RULE = """
[[rules]]
id = "size"
title = "社区规模"
metric = "{metric}"
requirement = {{ form = "range", min = 1000, max = 2000 }}
source = {{ clause = "2", quote = "1000—2000户" }}

[[tasks]]
id = "t1"
title = "社区居委会建设"
responsible = ["{department}"]
guiding = ["civil_affairs"]
source = {{ clause = "2", quote = "(责任单位:各街道办事处;指导单位:民政局)" }}
"""


def test_the_five_built_ins_load_through_entry_points():
    registry = get_registry()
    assert {"changchun", "panzhihua", "longgang", "donghai", "xiamen"} <= set(registry.standards)
    plugins = {p.name: p for p in registry.plugins}
    for name in ("changchun", "panzhihua", "longgang", "donghai", "xiamen"):
        assert plugins[name].distribution == "shequ"
        assert plugins[name].module == f"shequ_plugins.{name}"
        assert plugins[name].hooks == ("register_jurisdictions",)


def test_a_throwaway_plugin_is_loaded_and_evaluated(tmp_path):
    path = write_standard(tmp_path, RULE.format(metric="households", department="street_office"), "throwaway")
    registry = registry_with(path)
    assert list(registry.standards) == ["throwaway"]
    frame = pl.DataFrame({"id": ["a", "b"], "households": [1500, 2500]})
    results = evaluate(frame, ["throwaway"], registry=registry)
    assert results.details().get_column("verdict").to_list() == ["pass", "fail"]


def test_two_plugins_claiming_one_id_is_an_error(tmp_path):
    first = write_standard(tmp_path, "", "same", name="a.toml")
    second = write_standard(tmp_path, "", "same", name="b.toml")
    with pytest.raises(ProblemsError) as caught:
        build_registry([("first", FilePlugin(first)), ("second", FilePlugin(second))], include_installed=False)
    (problem,) = caught.value.problems
    assert "jurisdiction id 'same' is already declared by plugin 'first'" in str(problem)
    assert "plugin 'second'" in str(problem)


def test_unknown_metric_and_department_name_the_plugin_and_place(tmp_path):
    path = write_standard(tmp_path, RULE.format(metric="housholds", department="民政局"))
    with pytest.raises(ProblemsError) as caught:
        registry_with(path)
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 2
    assert (
        "rules[0].metric: unknown metric 'housholds' (did you mean 'households'?) (plugin 'test-plugin')" in messages[0]
    )
    assert (
        "tasks[0].responsible[0]: unknown department '民政局' (the catalog id for it is 'civil_affairs')" in messages[1]
    )


def test_a_rule_without_source_names_the_plugin(tmp_path):
    body = RULE.format(metric="households", department="street_office").replace(
        'source = { clause = "2", quote = "1000—2000户" }\n', ""
    )
    with pytest.raises(ProblemsError) as caught:
        registry_with(write_standard(tmp_path, body))
    (problem,) = caught.value.problems
    assert problem.where == "rules[0].source"
    assert "required field missing" in problem.message
    assert problem.plugin == "test-plugin"  # a field, rendered in the message, not pasted into it
    assert str(problem).endswith("(plugin 'test-plugin')")


def test_register_catalog_adds_kinds_that_rules_can_use(tmp_path):
    class CatalogPlugin:
        @hookimpl
        def register_catalog(self):
            return [CatalogAdditions(facility_kinds=(KindDef(id="tea_house", zh="茶馆", jurisdictions=("mini",)),))]

    body = """
    [[rules]]
    id = "tea"
    title = "茶馆"
    metric = "count.tea_house"
    requirement = { form = "present" }
    source = { clause = "1", quote = "茶馆" }
    """
    registry = build_registry(
        [("catalog", CatalogPlugin()), ("mini", FilePlugin(write_standard(tmp_path, body)))], include_installed=False
    )
    assert registry.catalog.metric("area.tea_house").zh == "茶馆面积"
    frame = pl.DataFrame({"id": ["a", "b", "c"], "count.tea_house": [1, 0, None]})
    verdicts = evaluate(frame, ["mini"], registry=registry).details().get_column("verdict").to_list()
    assert verdicts == ["pass", "fail", "unknown"]


def test_register_metrics_computes_in_python(tmp_path):
    class MetricPlugin:
        @hookimpl
        def register_metrics(self):
            return [
                MetricDef(
                    id="persons_per_household",
                    zh="户均人口",
                    unit="人/户",
                    compute=lambda metric: metric("population") / metric("households"),
                )
            ]

    body = """
    [[rules]]
    id = "household_size"
    title = "户均人口"
    metric = "persons_per_household"
    requirement = { form = "max", value = 3 }
    source = { clause = "1", quote = "3" }
    """
    registry = build_registry(
        [("m", MetricPlugin()), ("mini", FilePlugin(write_standard(tmp_path, body)))], include_installed=False
    )
    frame = pl.DataFrame({"id": ["a", "b", "c"], "population": [2500, 4000, None], "households": [1000, 1000, 900]})
    details = evaluate(frame, ["mini"], registry=registry).details()
    assert details.get_column("verdict").to_list() == ["pass", "fail", "unknown"]
    assert details.get_column("value").to_list()[:2] == [2.5, 4.0]


def test_an_unknown_hook_is_refused(tmp_path):
    class Typo:
        @hookimpl
        def register_jurisdiction(self):  # missing the final "s"
            return []

    with pytest.raises(Exception) as caught:
        build_registry([("typo", Typo())], include_installed=False)
    assert "register_jurisdiction" in str(caught.value)


def test_shequ_plugins_env_loads_only_some(monkeypatch):
    from shequ.registry import _cached_registry

    monkeypatch.setenv("SHEQU_PLUGINS", "donghai,changchun")
    assert sorted(get_registry().standards) == ["changchun", "donghai"]
    monkeypatch.setenv("SHEQU_PLUGINS", "atlantis")
    _cached_registry.cache_clear()
    with pytest.raises(ShequError, match="atlantis"):
        get_registry()
    _cached_registry.cache_clear()


def test_every_hook_has_a_docstring_signature_and_a_test():
    """Datasette's rule: a hook nobody tests or documents is a hook nobody can rely on."""
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.rglob("*.py"))
    docs_dir = Path(__file__).parents[1] / "docs" / "hooks"
    for name in hookspecs.hook_names():
        function = getattr(hookspecs, name)
        assert inspect.getdoc(function), f"hook {name} has no docstring"
        assert inspect.signature(function).return_annotation != inspect.Signature.empty, name
        assert f"def {name}(" in tests, f"hook {name} has no test"
        page = docs_dir / f"{name}.md"
        assert page.exists(), f"hook {name} has no documentation page {page}"
        assert f"{name}(" in page.read_text(encoding="utf-8"), f"{page} does not show the signature"


def test_a_schema_typo_does_not_hide_the_other_problems_of_the_file(tmp_path):
    body = (
        RULE.format(metric="housholds", department="street_office")
        + """
[[rules]]
id = "typo"
title = "拼写错误"
metric = "households"
requirement = { form = "min", value = 1 }
strenght = "target"
source = { clause = "3", quote = "q" }
"""
    )
    with pytest.raises(ProblemsError) as caught:
        registry_with(write_standard(tmp_path, body))
    messages = sorted(str(p) for p in caught.value.problems)
    assert len(messages) == 2, messages
    assert "rules[0].metric: unknown metric 'housholds' (did you mean 'households'?)" in messages[0]
    assert "rules[1]: unknown key(s) 'strenght' (did you mean 'strength'?)" in messages[1]
