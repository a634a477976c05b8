"""The frames the charts draw and the charts' specs, on hand-worked throwaway standards and the sample data.

Nothing a document does not state may be drawn as a number: "not regulated", "not
encoded" and "not in force" are categories of their own, and unknown money is
never 0.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from shequ.report import charts as c
from shequ.report import data as d
from shequ.report.build import Scope, available_kinds, make_chart

SCALED = """
[[rules]]
id = "space"
title = "用房每百户30平方米,不低于600平方米"
metric = "service_space_m2"
requirement = { form = "scaled_min", rate = 30, per = 100, basis = "households", floor = 600 }
source = { clause = "一", quote = "每百户30平方米,不低于600平方米" }

[[rules]]
id = "funds"
title = "每户每年10元"
metric = "work_funds_per_household_yuan"
requirement = { form = "min", value = 10 }
source = { clause = "二", quote = "每户每年10元" }
"""

FLAT = """
[[rules]]
id = "space"
title = "用房不少于300平方米"
metric = "service_space_m2"
requirement = { form = "min", value = 300 }
source = { clause = "一", quote = "不少于300平方米" }

[[gaps]]
concepts = ["work_funds"]
reason = "第二条经费标准在文本中缺失"
"""

LATER = """
[[rules]]
id = "space"
title = "用房不少于900平方米"
metric = "service_space_m2"
requirement = { form = "min", value = 900 }
source = { clause = "一", quote = "不少于900平方米" }
"""


@pytest.fixture
def three(tmp_path):
    """``scaled`` (30 m² per 100 households, floor 600; 10 元 per household), ``flat`` (300 m²; its funds
    clause missing from the copy), ``later`` (900 m², in a document dated 2030)."""
    from support import registry_with, write_standard

    later = write_standard(tmp_path, LATER, "later").read_text(encoding="utf-8").replace("2018-08-22", "2030-01-01")
    (tmp_path / "later.toml").write_text(later, encoding="utf-8")
    return registry_with(
        write_standard(tmp_path, SCALED, "scaled"), write_standard(tmp_path, FLAT, "flat"), tmp_path / "later.toml"
    )


AS_OF = dt.date(2025, 1, 1)


def test_scaling_follows_each_rule_and_leaves_the_silent_without_a_line(three):
    frame = d.scaling_frame(three, as_of=AS_OF, households=(0, 1000, 2000, 4000))
    space = {
        (r["jurisdiction"], r["households"]): r["required"]
        for r in frame.filter(pl.col("metric") == "service_space_m2").iter_rows(named=True)
    }
    assert [space["scaled", n] for n in (0, 1000, 2000, 4000)] == [600, 600, 600, 1200]  # max(30 × n/100, 600)
    assert [space["flat", n] for n in (0, 4000)] == [300, 300]
    assert space["later", 1000] is None  # its document is dated after the as-of date: no line, never 0
    funds = frame.filter(pl.col("metric") == "work_funds_yuan")
    by = {(r["jurisdiction"], r["households"]): r for r in funds.iter_rows(named=True)}
    assert by["scaled", 2000]["required"] == 20_000  # 10 元 per household × 2,000 households
    assert by["flat", 2000]["required"] is None and by["flat", 2000]["category"] == "not_encoded"
    assert by["later", 2000]["category"] == "not_in_force"
    assert by["scaled", 2000]["rules"].startswith("funds (二)")


def test_strictness_is_a_share_of_the_strictest_and_states_are_never_numbers(three):
    frame = d.strictness_frame(three, as_of=AS_OF, households=1000)
    premises = {r["jurisdiction"]: r for r in frame.filter(pl.col("concept") == "premises").iter_rows(named=True)}
    assert premises["scaled"]["strictness"] == 1.0 and premises["scaled"]["number"] == "≥ 600 m²"
    assert premises["flat"]["strictness"] == pytest.approx(300 / 600)
    assert premises["later"]["category"] == "not_in_force" and premises["later"]["strictness"] is None
    funds = {r["jurisdiction"]: r for r in frame.filter(pl.col("concept") == "work_funds").iter_rows(named=True)}
    assert funds["flat"]["category"] == "not_encoded" and funds["flat"]["strictness"] is None
    assert funds["later"]["category"] == "not_in_force"
    # every cell without a comparable number has no strictness at all
    assert (
        frame.filter(pl.col("category") != "regulated")["strictness"].null_count()
        == frame.filter(pl.col("category") != "regulated").height
    )
    # later says something about premises (not in force) and the two others regulate it: shared by three
    assert set(d.shared_only(frame)["concept"]) >= {"premises"}


def test_strictness_chart_keeps_states_apart_from_the_shade(three):
    frame = d.strictness_frame(three, as_of=AS_OF, households=1000)
    names = d.jurisdiction_names(three, (), "zh")
    spec = c.spec(c.strictness_chart(frame, "zh", names))
    shades, others, _numbers = spec["layer"]
    assert shades["transform"] == [{"filter": "datum.category === 'regulated'"}]
    assert shades["encoding"]["color"]["field"] == "strictness"
    states = others["encoding"]["color"]["scale"]["domain"]
    assert states == ["未编码（文本不全）", "未生效"]  # the states present, each its own legend entry
    assert names == {"scaled": "试验 (scaled)", "flat": "试验 (flat)", "later": "试验 (later)"}  # one name: ids added
    assert "$schema" not in spec and "http" not in json.dumps(spec)


def test_sweep_chart_draws_a_whatif_sweep_frame_and_names_missing_columns():
    frame = pl.DataFrame(
        {
            "value": [100.0, 200.0, 300.0],
            "communities_failing": [1, 4, 9],
            "share_failing": [0.1, 0.4, 0.9],
            "cost_yearly_yuan": [1000.0, None, 3000.0],
            "cost_one_off_yuan": [0.0, 0.0, 0.0],
        }
    )
    spec = c.spec(c.sweep_chart(frame, "en", "donghai.service_space_floor_600.requirement.value"))
    share, cost = spec["vconcat"]
    assert [row["share_failing"] for row in share["data"]["values"]] == [0.1, 0.4, 0.9]
    assert share["encoding"]["x"]["title"] == "donghai.service_space_floor_600.requirement.value"
    yearly = [r["yuan"] for r in cost["data"]["values"] if r["period"] == "Yearly cost (yuan)"]
    assert yearly == [1000.0, None, 3000.0]  # unknown stays a gap, not 0
    with pytest.raises(ValueError, match="missing: share_failing"):
        c.sweep_chart(frame.drop("share_failing"), "en")


def test_every_kind_draws_on_the_sample_data_in_both_languages(sample_scope):
    for lang in ("zh", "en"):
        scope = sample_scope(lang)
        assert available_kinds(scope) == [
            "scaling",
            "strictness",
            "compliance",
            "failing",
            "timeline",
            "responsibilities",
            "cost",
        ]
        texts = {
            kind: json.dumps(c.spec(make_chart(kind, scope)), ensure_ascii=False) for kind in ("compliance", "cost")
        }
        if lang == "zh":
            assert "达标" in texts["compliance"] and "每年" in texts["cost"]
        else:
            assert "pass" in texts["compliance"] and "yearly" in texts["cost"] and "达标" not in texts["compliance"]


def test_compliance_counts_are_the_engines_totals(sample_scope):
    scope = sample_scope("en")
    frame = d.compliance_frame(scope.results)
    totals = scope.results.totals()
    for row in totals.iter_rows(named=True):
        got = dict(frame.filter(pl.col("jurisdiction") == row["jurisdiction"]).select("verdict", "count").iter_rows())
        assert got["fail"] == row["fail"] and got["pass"] == row["pass"] and got["unknown"] == row["unknown"]
    failing = d.failing_rules_frame(scope.results, scope.registry, top=5)
    details = scope.results.details().filter(pl.col("verdict") == "fail")
    top = failing.row(0, named=True)
    expected = details.filter((pl.col("jurisdiction") == top["jurisdiction"]) & (pl.col("rule") == top["rule"]))
    assert top["communities"] == expected["id"].n_unique() and top["quote"] and top["clause"]
    assert failing["communities"].to_list() == sorted(failing["communities"].to_list(), reverse=True)
    rule = scope.registry.get(top["jurisdiction"]).standard.rule(top["rule"])
    assert top["title_en"] == (rule.title_en or rule.title)  # English labels where the plugin gives them


def test_unknown_cost_is_marked_not_zero(sample_scope):
    scope = sample_scope("en")
    frame = d.cost_frame(scope.registry, scope.communities, as_of=scope.as_of)
    unknown = frame.filter(pl.col("unknown_items") > 0)
    assert unknown.height > 0 and unknown["yuan"].null_count() == unknown.height
    spec = json.dumps(c.spec(c.cost_chart(frame, "en", scope.names)), ensure_ascii=False)
    row = unknown.row(0, named=True)
    period = {"yearly": "yearly", "one_off": "one-off", "unstated": "period not stated"}[row["period"]]
    assert f"{period}: {row['yuan_known']:,.0f} known + unknown ({row['unknown_items']} items)" in spec


@pytest.fixture(scope="module")
def _sample():
    from shequ.io import load_communities
    from shequ.registry import get_registry

    from .conftest import SAMPLE_CSV

    return get_registry(), load_communities(SAMPLE_CSV)


@pytest.fixture
def sample_scope(_sample):
    registry, table = _sample
    scopes: dict[str, Scope] = {}

    def make(lang: str) -> Scope:
        if lang not in scopes:
            scopes[lang] = Scope(registry=registry, communities=table, as_of=dt.date(2026, 12, 1), lang=lang)
        return scopes[lang]

    return make


def test_the_responsibility_matrix_keeps_receiving_and_approving_authorities():
    from shequ.registry import get_registry

    # donghai 三(二)3: 由县政府审批,批文抄送市民政局备案 (approving: government; receiving: civil affairs)
    frame = d.responsibility_frame(get_registry(), ["donghai"], as_of=dt.date(2021, 1, 1))
    roles = {row["department"]: row["roles"] for row in frame.iter_rows(named=True)}
    assert "approving" in roles["government"]
    assert "receiving" in roles["civil_affairs"]
    assert c.label(c.ROLE_LABELS, "approving", "zh") == "审批"
