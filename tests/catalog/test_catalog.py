"""The shared catalog: department names as the documents write them, metrics and their units, concepts, conflicts.

Expected ids and units come from core/catalog/core.toml, concepts.toml and departments.toml.
"""

from __future__ import annotations

import pytest

from shequ import hookimpl
from shequ.catalog import Catalog
from shequ.errors import ProblemsError
from shequ.model import CatalogAdditions, ConceptDef, DepartmentDef, KindDef, MetricDef
from shequ.registry import build_registry


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.core()


# --------------------------------------------------------------------------
# departments


@pytest.mark.parametrize(
    ("name", "department_id"),
    [
        ("民政局", "civil_affairs"),
        ("市民政局", "civil_affairs"),
        ("县民政局", "civil_affairs"),
        ("民政部门", "civil_affairs"),  # the canonical Chinese name
        ("civil_affairs", "civil_affairs"),  # the id itself
        ("Civil Affairs Bureau", "civil_affairs"),  # the English name, in any case
        (" 民政局\u3000", "civil_affairs"),  # pasted with spaces
        ("组织部", "organization_dept"),
        ("县委组织部", "organization_dept"),
        ("街道办事处", "street_office"),
        ("各街道办事处", "street_office"),
        ("财政局", "finance"),
    ],
)
def test_department_names_normalise_to_one_id(catalog, name, department_id):
    assert catalog.department_for(name) == department_id


def test_an_unknown_department_name_is_none_not_a_guess(catalog):
    assert catalog.department_for("民政所") is None
    assert catalog.department_for("") is None


def test_every_alias_of_every_department_leads_back_to_it(catalog):
    wrong = {
        (alias, department.id, catalog.department_for(alias))
        for department in catalog.departments.values()
        for alias in department.aliases
        if catalog.department_for(alias) != department.id
    }
    assert wrong == set(), "an alias shared by two departments makes the name ambiguous"


# --------------------------------------------------------------------------
# metrics


@pytest.mark.parametrize(
    ("metric_id", "unit", "zh"),
    [
        ("households", "户", "常住户数"),
        ("service_space_m2", "m²", "社区综合服务设施(办公服务用房)建筑面积"),
        ("staff_office_share", "比例", "办公面积占比"),
        # families: one per facility or organisation kind, named from the kind
        ("area.elderly_day_care", "m²", "社区老年人日间照料中心(站)面积"),
        ("floor.elderly_day_care", "层", "社区老年人日间照料中心(站)所在楼层"),
        ("count.elderly_day_care", "个", "社区老年人日间照料中心(站)数量"),
        ("count.party_branch", "个", "社区党支部数量"),
        ("members.party_branch", "人", "社区党支部成员数"),
        ("flag.grid_management", "", "网格化管理"),
    ],
)
def test_metric_lookup_gives_unit_and_name(catalog, metric_id, unit, zh):
    metric = catalog.metric(metric_id)
    assert (metric.id, metric.unit, metric.zh) == (metric_id, unit, zh)
    assert catalog.has_metric(metric_id)
    assert metric_id in catalog.metric_ids()


def test_a_family_member_reads_the_column_of_its_own_name(catalog):
    assert catalog.metric("area.elderly_day_care").column == "area.elderly_day_care"
    assert catalog.metric("households").column == "households"


def test_a_ratio_metric_names_numerator_and_denominator(catalog):
    assert catalog.metric("staff_office_share").ratio == ("staff_office_m2", "service_space_m2")


def test_only_flags_and_designations_are_boolean(catalog):
    assert catalog.is_boolean("flag.grid_management")
    assert not catalog.is_boolean("count.party_branch")
    assert not catalog.is_boolean("households")


@pytest.mark.parametrize("metric_id", ["service_space_m3", "area.no_such_kind", "area", "members.elderly_day_care"])
def test_an_unknown_metric_is_a_key_error(catalog, metric_id):
    # members.K ranges over organisations only: a facility has no members
    assert not catalog.has_metric(metric_id)
    with pytest.raises(KeyError):
        catalog.metric(metric_id)


def test_metric_ids_are_sorted_and_unique(catalog):
    ids = catalog.metric_ids()
    assert ids == sorted(set(ids))


def test_an_unknown_metric_in_a_standard_gets_a_did_you_mean(make_registry):
    with pytest.raises(ProblemsError) as caught:
        make_registry("""
            [[rules]]
            id = "space"
            title = "面积"
            metric = "service_space_m3"
            requirement = { form = "min", value = 300 }
            source = { clause = "一", quote = "300平方米" }
        """)
    (problem,) = caught.value.problems
    assert problem.where == "rules[0].metric"
    assert "unknown metric 'service_space_m3' (did you mean 'service_space_m2'?)" in str(problem)


# --------------------------------------------------------------------------
# additions and conflicts


def test_an_identical_entry_is_not_a_conflict():
    catalog = Catalog.core()
    same = catalog.metrics["households"]
    assert catalog.add(CatalogAdditions(metrics=(same,)), origin="plugin 'p'") == []


def test_an_entry_that_redefines_a_core_entry_is_reported():
    catalog = Catalog.core()
    clash = MetricDef(id="households", unit="人", zh="户数", column="households")
    (problem,) = catalog.add(CatalogAdditions(metrics=(clash,)), origin="plugin 'p'")
    assert (problem.file, problem.where) == ("plugin 'p'", "catalog.metrics[0]")
    assert problem.message == "metric 'households' is already defined differently"
    assert catalog.metrics["households"].unit == "户", "core's definition stays"


def test_a_local_entry_two_jurisdictions_share_lists_both_users():
    catalog = Catalog.core()
    flag = {"id": "night_patrol", "zh": "夜间巡逻"}
    assert catalog.add(CatalogAdditions(flags=(KindDef(**flag, jurisdictions=("b",)),)), origin="b.toml") == []
    assert catalog.add(CatalogAdditions(flags=(KindDef(**flag, jurisdictions=("a",)),)), origin="a.toml") == []
    assert catalog.flags["night_patrol"].jurisdictions == ("a", "b")


class CatalogPlugin:
    """A plugin that adds catalog entries through the register_catalog hook."""

    def __init__(self, additions: CatalogAdditions):
        self.additions = additions

    @hookimpl
    def register_catalog(self):
        return [self.additions]


def test_a_plugin_redefining_a_core_department_is_reported_with_its_name():
    clash = CatalogAdditions(departments=(DepartmentDef(id="civil_affairs", zh="民政所"),))
    with pytest.raises(ProblemsError) as caught:
        build_registry([("clash", CatalogPlugin(clash))], include_installed=False)
    (problem,) = caught.value.problems
    # the plugin and the place are named, whichever structured field carries the plugin
    assert "plugin 'clash'" in str(problem)
    assert problem.where == "catalog.departments[0]"
    assert problem.message == "department 'civil_affairs' is already defined differently"


def test_a_standard_whose_catalog_table_clashes_with_core_is_reported_with_its_file(make_registry):
    with pytest.raises(ProblemsError) as caught:
        make_registry("""
            [[catalog.metrics]]
            id = "service_space_m2"
            unit = "平方米"
            zh = "服务用房面积"
            column = "service_space_m2"
        """)
    (problem,) = caught.value.problems
    assert "mini.toml" in str(problem)
    assert problem.where == "catalog.metrics[0]"
    assert "metric 'service_space_m2' is already defined differently" in problem.message


def test_a_plugin_department_is_found_by_its_alias():
    new = CatalogAdditions(departments=(DepartmentDef(id="grid_office", zh="网格办", aliases=("县网格办",)),))
    registry = build_registry([("grid", CatalogPlugin(new))], include_installed=False)
    assert registry.catalog.department_for("县网格办") == "grid_office"
    assert registry.catalog.department_for("民政局") == "civil_affairs", "core's departments remain"


# --------------------------------------------------------------------------
# concepts: metrics that measure the same thing


@pytest.mark.parametrize(
    ("concept", "metrics"),
    [
        # the office-and-service premises, by area per size, by the committee's office area, by presence
        ("premises", {"service_space_m2", "area.residents_committee_office", "count.residents_committee_office"}),
        # 大学毕业生或社会工作专业人员: either counts; social workers per community and per 10 000 residents
        (
            "community_workers",
            {"full_time_staff", "social_workers", "college_graduates", "graduates_or_social_workers"},
        ),
        # 党员活动室 by area (Longgang) and by presence (Xiamen)
        ("party_member_activity_room", {"area.party_member_activity_room", "count.party_member_activity_room"}),
        # 志愿者注册率 per community and registered volunteers over an area
        ("volunteer_registration", {"volunteer_registration_rate", "registered_volunteers"}),
    ],
)
def test_core_concepts_group_the_metrics_that_measure_one_thing(catalog, concept, metrics):
    assert set(catalog.concepts[concept].metrics) >= metrics
    assert {catalog.concept_of(metric) for metric in metrics} == {concept}


def test_a_metric_in_no_concept_is_its_own_concept(catalog):
    assert catalog.concept_of("households") == "households"
    alone = catalog.concept("households")
    assert (alone.id, alone.metrics, alone.zh) == ("households", ("households",), "常住户数")
    assert catalog.has_concept("premises") and catalog.has_concept("households")
    assert not catalog.has_concept("no_such_thing")
    with pytest.raises(KeyError):
        catalog.concept("no_such_thing")


def test_every_core_concept_names_known_metrics_once(catalog):
    assert catalog.check_concepts() == []
    members = [metric for concept in catalog.concepts.values() for metric in concept.metrics]
    assert len(members) == len(set(members))


def test_a_plugin_adds_its_metric_to_a_core_concept_by_id_and_name():
    catalog = Catalog.core()
    local = MetricDef(id="developer_space_m2", unit="m²", zh="配建用房", column="indicators.developer_space_m2")
    premises = catalog.concepts["premises"]
    more = ConceptDef(id="premises", zh=premises.zh, en=premises.en, metrics=("developer_space_m2",))
    assert catalog.add(CatalogAdditions(metrics=(local,), concepts=(more,)), origin="plugin 'p'") == []
    assert catalog.concepts["premises"].metrics == (*premises.metrics, "developer_space_m2")
    assert catalog.concept_of("developer_space_m2") == "premises"
    assert catalog.check_concepts() == []
    assert Catalog.core().concept_of("developer_space_m2") == "developer_space_m2", "the core catalog is untouched"


def test_a_concept_redefined_with_other_names_is_reported():
    catalog = Catalog.core()
    clash = ConceptDef(id="premises", zh="用房", metrics=("staff_office_m2",))
    (problem,) = catalog.add(CatalogAdditions(concepts=(clash,)), origin="plugin 'p'")
    assert (problem.file, problem.where) == ("plugin 'p'", "catalog.concepts[0]")
    assert problem.message == "concept 'premises' is already defined differently"


def test_a_metric_in_two_concepts_is_a_catalog_error():
    catalog = Catalog.core()
    twice = ConceptDef(id="office_space", zh="办公用房", metrics=("service_space_m2",))
    assert catalog.add(CatalogAdditions(concepts=(twice,)), origin="b.toml") == []
    (problem,) = catalog.check_concepts()
    assert (problem.file, problem.where) == ("b.toml", "concepts.office_space")
    assert "metric 'service_space_m2' is already in concept 'premises'" in problem.message


def test_a_concept_naming_an_unknown_metric_or_a_metric_id_is_a_catalog_error():
    catalog = Catalog.core()
    typo = ConceptDef(id="grid_staff", zh="网格人员", metrics=("grid_worker",))
    squatter = ConceptDef(id="households", zh="户", metrics=("population",))
    catalog.add(CatalogAdditions(concepts=(typo, squatter)), origin="c.toml")
    messages = [problem.message for problem in catalog.check_concepts()]
    assert "unknown metric 'grid_worker' (did you mean 'grid_workers'?)" in messages
    assert "concept id 'households' is the id of a metric it does not hold" in messages


def test_a_standard_whose_concept_reuses_a_metric_fails_to_load(make_registry):
    with pytest.raises(ProblemsError) as caught:
        make_registry("""
            [[catalog.concepts]]
            id = "offices"
            zh = "办公用房"
            metrics = ["area.residents_committee_office"]
        """)
    (problem,) = caught.value.problems
    assert "mini.toml" in str(problem)
    assert "metric 'area.residents_committee_office' is already in concept 'premises'" in problem.message


def test_the_installed_plugins_keep_every_metric_in_one_concept():
    from shequ.registry import get_registry

    catalog = get_registry().catalog
    assert catalog.check_concepts() == []
    # a plugin may add its own metrics to a core concept; core's members stay where core put them
    assert catalog.concept_of("area.residents_committee_office") == "premises"
    assert catalog.concept_of("count.party_member_activity_room") == "party_member_activity_room"


def test_a_gap_names_known_concepts_or_metrics(make_registry):
    registry = make_registry("""
        [[gaps]]
        concepts = ["premises", "households"]
        reason = "the annex with the premises standard is missing from the copy"
    """)
    assert registry.get("mini").standard.gaps[0].concepts == ("premises", "households")
    with pytest.raises(ProblemsError) as caught:
        make_registry("""
            [[gaps]]
            concepts = ["premise"]
            reason = "the annex is missing"
        """)
    (problem,) = caught.value.problems
    assert problem.where == "gaps[0].concepts[0]"
    assert "unknown concept 'premise' (did you mean 'premises'?)" in problem.message
