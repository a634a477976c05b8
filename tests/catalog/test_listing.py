"""The catalog as rows (shequ.catalog.listing): every entry, its family and formula, and which plugin added it.

Expected ids and units are read from core/catalog/core.toml itself; plugin-added entries from the
built-in plugins' ``[catalog]`` tables (longgang adds ``party_org_committee_members``).
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from support import FilePlugin, write_standard

from shequ import hookimpl
from shequ.catalog import Catalog
from shequ.catalog.listing import CATALOG_SECTIONS, catalog_rows, catalog_summary, check_section
from shequ.errors import ShequError
from shequ.model import CatalogAdditions, KindDef, MetricDef
from shequ.registry import build_registry, get_registry
from shequ.suggest import did_you_mean


def _core_metrics() -> list[dict]:
    text = resources.files("shequ.catalog").joinpath("core.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["metrics"]


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


class MetricPlugin:
    """A Python plugin computing one metric, as the register_metrics hook lets it."""

    @hookimpl
    def register_metrics(self):
        return [
            MetricDef(
                id="persons_per_household",
                zh="户均人口",
                en="Persons per household",
                unit="人/户",
                compute=lambda metric: metric("population") / metric("households"),
            )
        ]


def test_every_core_metric_is_listed_with_its_unit_and_core_as_origin():
    rows = by_id(catalog_rows(Catalog.core(), "metrics"))
    expected = _core_metrics()
    assert len(expected) > 30
    for metric in expected:
        row = rows[metric["id"]]
        assert row["unit"] == metric.get("unit", "")
        assert row["zh"] == metric["zh"]
        assert row["origin"] == "core"
        assert row["family"] == ("ratio" if "ratio" in metric else "column")


def test_a_ratio_shows_its_formula_and_a_column_its_column():
    rows = by_id(catalog_rows(Catalog.core(), "metrics"))
    assert rows["households_per_grid"]["formula"] == "households ÷ grids"
    assert rows["households_per_grid"]["concept"] == "grid_size"
    assert rows["households"]["formula"] is None and rows["households"]["column"] == "households"
    assert "户数" in rows["households"]["aliases"]


def test_family_members_are_metrics_of_their_family():
    catalog = Catalog.core()
    rows = by_id(catalog_rows(catalog, "metrics"))
    assert set(rows) == set(catalog.metric_ids())
    kind = next(iter(catalog.facility_kinds))
    assert rows[f"area.{kind}"]["family"] == "area" and rows[f"area.{kind}"]["unit"] == "m²"
    assert rows[f"floor.{kind}"]["family"] == "floor"
    flag = next(iter(catalog.flags))
    assert rows[f"flag.{flag}"]["family"] == "flag" and rows[f"flag.{flag}"]["origin"] == "core"


def test_a_metric_a_built_in_plugin_adds_names_that_plugin():
    rows = by_id(catalog_rows(get_registry().catalog, "metrics"))
    row = rows["party_org_committee_members"]
    assert row["origin"] == "longgang"
    assert row["jurisdictions"] == ["longgang"]
    assert row["unit"] == "人" and row["family"] == "column"
    assert rows["households"]["origin"] == "core"


def test_a_hook_registered_metric_is_computed_and_names_its_plugin():
    registry = build_registry([("householdsize", MetricPlugin())], include_installed=False)
    row = by_id(catalog_rows(registry.catalog, "metrics"))["persons_per_household"]
    assert row["family"] == "computed"
    assert row["origin"] == "householdsize"
    assert row["unit"] == "人/户" and row["column"] is None and row["formula"] is None


def test_a_kind_a_plugin_adds_gives_its_family_metrics_that_plugin(tmp_path):
    body = """
    [[catalog.facility_kinds]]
    id = "tea_house"
    zh = "茶馆"
    en = "Tea house"
    """
    registry = build_registry([("teas", FilePlugin(write_standard(tmp_path, body)))], include_installed=False)
    kinds = by_id(catalog_rows(registry.catalog, "kinds"))
    assert kinds["tea_house"]["origin"] == "teas"
    assert kinds["tea_house"]["metrics"] == ["area.tea_house", "floor.tea_house", "count.tea_house"]
    metrics = by_id(catalog_rows(registry.catalog, "metrics"))
    assert metrics["count.tea_house"]["origin"] == "teas" and metrics["count.tea_house"]["family"] == "count"


def test_an_entry_two_plugins_share_names_both():
    catalog = Catalog.core()
    tea = KindDef(id="tea_house", zh="茶馆", jurisdictions=("a",))
    assert catalog.add(CatalogAdditions(facility_kinds=(tea,)), origin="a.toml", plugin="a") == []
    shared = KindDef(id="tea_house", zh="茶馆", jurisdictions=("b",))
    assert catalog.add(CatalogAdditions(facility_kinds=(shared,)), origin="b.toml", plugin="b") == []
    row = by_id(catalog_rows(catalog, "kinds"))["tea_house"]
    assert row["origin"] == "a, b" and row["jurisdictions"] == ["a", "b"]


def test_an_evolved_catalog_does_not_change_the_origins_of_the_first():
    import attrs

    catalog = Catalog.core()
    copy = attrs.evolve(catalog, facility_kinds=dict(catalog.facility_kinds))
    copy.add(CatalogAdditions(facility_kinds=(KindDef(id="tea_house", zh="茶馆"),)), origin="x", plugin="x")
    assert ("facility_kinds", "tea_house") not in catalog.added_by
    assert copy.added_by_of("facility_kinds", "tea_house") == ("x",)


def test_departments_list_the_names_documents_use():
    rows = by_id(catalog_rows(Catalog.core(), "departments"))
    assert "民政局" in rows["civil_affairs"]["aliases"]
    assert rows["civil_affairs"]["zh"] and rows["civil_affairs"]["origin"] == "core"


def test_concepts_list_their_metrics():
    rows = by_id(catalog_rows(Catalog.core(), "concepts"))
    assert "service_space_m2" in rows["premises"]["metrics"]
    assert rows["premises"]["origin"] == "core"


def test_the_summary_counts_every_section_by_origin():
    catalog = get_registry().catalog
    summary = by_id([{**row, "id": row["section"]} for row in catalog_summary(catalog)])
    assert list(summary) == list(CATALOG_SECTIONS)
    for section, row in summary.items():
        assert row["entries"] == len(catalog_rows(catalog, section)) == sum(row["by_origin"].values())
        if section != "events":  # core declares no event columns: plugins do
            assert next(iter(row["by_origin"])) == "core"
    assert summary["metrics"]["by_origin"]["longgang"] > 0
    assert summary["departments"]["entries"] == len(catalog.departments)


@pytest.mark.parametrize("section", ["metric", "departmnts", "kind"])
def test_an_unknown_section_is_refused_with_a_hint(section):
    with pytest.raises(ShequError) as caught:
        check_section(section)
    assert f"unknown catalog section '{section}'" in str(caught.value)
    assert did_you_mean(section, list(CATALOG_SECTIONS)) in str(caught.value)
    assert "did you mean" in str(caught.value)
