"""Comparison views: standards side by side, diff, responsibilities, timeline, cost.

Expected numbers are computed by hand from the documents (quoted beside them),
not taken from the code's output. Snapshots of every view on the sample data
and the five built-in plugins live in tests/test_views/.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from shequ import views
from shequ.cli import main
from shequ.errors import ShequError
from shequ.registry import get_registry

AS_OF = dt.date(2024, 1, 1)
SAMPLE = Path(__file__).parents[2] / "examples" / "communities.csv"
BUILT_IN = ["changchun", "donghai", "longgang", "panzhihua", "xiamen"]


@pytest.fixture(scope="module")
def registry():
    return get_registry()


def cells(table: pl.DataFrame, metric: str, households: int | None = None) -> dict[str, dict]:
    frame = table.filter(pl.col("metric") == metric)
    if households is not None:
        frame = frame.filter(pl.col("households") == households)
    return {row["jurisdiction"]: row for row in frame.iter_rows(named=True)}


# --------------------------------------------------------------------------
# standards


def test_service_space_for_1500_households(registry):
    # changchun 二(二)8: 每百户…不低于30平方米(…不足300平方米的,按不少于300平方米设置) → max(300, 15 × 30) = 450
    # donghai 二(一): 每百户不少于30平方米、最少不低于600平方米 → max(600, 450) = 600
    # panzhihua: 每百户不低于20平方米 (no floor) → 15 × 20 = 300; longgang and xiamen set no total
    table = views.standards_table(registry, ["service_space_m2"], households=[1500], as_of=AS_OF)
    got = cells(table, "service_space_m2", 1500)
    assert {j: got[j]["required_min"] for j in BUILT_IN} == {
        "changchun": 450,
        "donghai": 600,
        "panzhihua": 300,
        "longgang": None,
        "xiamen": None,
    }
    assert got["changchun"]["concrete"] == "≥ 450 m²" and got["donghai"]["concrete"] == "≥ 600 m²"
    assert got["longgang"]["status"] == got["xiamen"]["status"] == "not_regulated"
    assert got["longgang"]["concrete"] == "not regulated"
    assert [j for j in BUILT_IN if got[j]["strictest_min"]] == ["donghai"]
    assert all(got[j]["unit"] == "m²" for j in BUILT_IN)


def test_service_space_for_800_and_3000_households(registry):
    table = views.standards_table(registry, ["service_space_m2"], households=[800, 3000], as_of=AS_OF)
    small, large = cells(table, "service_space_m2", 800), cells(table, "service_space_m2", 3000)
    # 800 households: changchun 240 < floor 300 → 300; donghai 600; panzhihua 8 × 20 = 160
    assert (
        small["changchun"]["required_min"],
        small["donghai"]["required_min"],
        small["panzhihua"]["required_min"],
    ) == (300, 600, 160)
    # 3000 households: changchun and donghai 30 × 30 = 900 (a tie, both strictest); panzhihua 600
    assert (
        large["changchun"]["required_min"],
        large["donghai"]["required_min"],
        large["panzhihua"]["required_min"],
    ) == (900, 900, 600)
    assert {j for j in BUILT_IN if large[j]["strictest_min"]} == {"changchun", "donghai"}


def test_size_unknown_means_depends_not_zero(registry):
    table = views.standards_table(registry, ["service_space_m2"], as_of=AS_OF)
    got = cells(table, "service_space_m2")
    assert got["changchun"]["status"] == "depends" and got["changchun"]["required_min"] is None
    assert "depends on households" in got["changchun"]["concrete"]
    # donghai's separate 600 m² rule (三(三)2, due 2019-06-20) holds whatever the size
    assert got["donghai"]["status"] == "regulated" and got["donghai"]["required_min"] == 600


def test_household_ranges_and_the_strictest_bounds(registry):
    table = views.standards_table(registry, ["households"], households=[1500], as_of=AS_OF)
    got = cells(table, "households")
    # changchun 二(一)2 1000—2000户; panzhihua 城市社区 ≥ 2000户; donghai 2000-3000户 or 10000人 (alternatives)
    assert (got["changchun"]["required_min"], got["changchun"]["required_max"]) == (1000, 2000)
    assert got["panzhihua"]["required_min"] == 2000 and got["panzhihua"]["strictest_min"]
    assert got["donghai"]["concrete"] == "2000–3000 户 or population: ≥ 10000 人"
    assert got["donghai"]["required_min"] is None  # alternatives are not ranked
    assert not got["changchun"]["strictest_max"]  # only one jurisdiction sets a maximum


def test_shares_are_normalised_to_percent_and_to_the_ratio_metric(registry):
    # donghai 三(三)2: 工作人员办公使用面积不超过…总面积的20% — a share of staff_office_m2 in service_space_m2
    for metric in ("staff_office_share", "staff_office_m2"):
        table = views.standards_table(registry, [metric], as_of=AS_OF)
        got = cells(table, "staff_office_share")
        assert got["donghai"]["required_max"] == 20 and got["donghai"]["unit"] == "%"
        assert got["donghai"]["concrete"] == "≤ 20%"
        assert "staff_office_share" in got["donghai"]["normalised"]
        assert got["changchun"]["status"] == "not_regulated"


def test_staged_requirements_follow_the_date(registry):
    # changchun 二(三)14: 注册率达到4%以上 (2018年年底), 10%以上 (到2020年)
    before = views.standards_table(registry, ["volunteer_registration_rate"], as_of=dt.date(2019, 6, 1))
    after = views.standards_table(registry, ["volunteer_registration_rate"], as_of=AS_OF)
    assert cells(before, "volunteer_registration_rate")["changchun"]["concrete"] == "≥ 4%"
    assert cells(after, "volunteer_registration_rate")["changchun"]["concrete"] == "≥ 10%"


def test_population_conditions(registry):
    # panzhihua: population ≥ 5000 → one more full-time deputy
    unknown = cells(
        views.standards_table(registry, ["full_time_deputies"], households=[1500], as_of=AS_OF), "full_time_deputies"
    )
    assert unknown["panzhihua"]["status"] == "depends" and "population ≥ 5000" in unknown["panzhihua"]["concrete"]
    large = cells(
        views.standards_table(registry, ["full_time_deputies"], households=[2000], population=6000, as_of=AS_OF),
        "full_time_deputies",
    )
    assert large["panzhihua"]["status"] == "regulated" and large["panzhihua"]["required_min"] == 1
    small = cells(
        views.standards_table(registry, ["full_time_deputies"], households=[1500], population=4000, as_of=AS_OF),
        "full_time_deputies",
    )
    assert small["panzhihua"]["status"] == "not_applicable"
    estimated = views.standards_table(
        registry, ["full_time_deputies"], households=[2000], persons_per_household=2.8, as_of=AS_OF
    )
    assert estimated.get_column("population").unique().to_list() == [5600]
    assert cells(estimated, "full_time_deputies")["panzhihua"]["status"] == "regulated"


def test_kind_selects_the_rules(registry):
    # panzhihua 一般: 城市社区2000户, 城镇社区700户, 农村社区300户; changchun's plan is for urban communities only
    rural = cells(
        views.standards_table(registry, ["households"], households=[500], kind="rural", as_of=AS_OF), "households"
    )
    assert rural["panzhihua"]["required_min"] == 300
    assert rural["changchun"]["status"] == "not_applicable" and "only urban" in rural["changchun"]["concrete"]


def test_flag_only_rules_do_not_count_towards_the_bounds(registry):
    # longgang: 200 m² office for every urban community; 350 m² only for 村改居 communities
    got = cells(
        views.standards_table(registry, ["area.residents_committee_office"], as_of=AS_OF),
        "area.residents_committee_office",
    )
    assert got["longgang"]["required_min"] == 200
    assert "≥ 350 m² [only where village_to_residence]" in got["longgang"]["concrete"]


def test_equal_bounds_are_not_marked(registry):
    # changchun 二(一)2 居民委员会一般配置5至9人; longgang 5-9 members as well; fixed bounds at every size
    table = views.standards_table(registry, ["committee_members"], households=[800, 1500], as_of=AS_OF)
    for size in (800, 1500):
        got = cells(table, "committee_members", size)
        assert got["changchun"]["concrete"] == got["longgang"]["concrete"] == "5–9 人"
        assert not any(c["strictest_min"] or c["strictest_max"] for c in got.values())


def test_default_metrics_and_shared(registry):
    table = views.standards_table(registry, households=[1500], as_of=AS_OF)
    shared = views.standards_table(registry, households=[1500], as_of=AS_OF, shared=True)
    metrics = set(table.get_column("metric"))
    assert {"service_space_m2", "households", "staff_office_share"} <= metrics
    assert set(shared.get_column("metric")) < metrics and "staff_office_share" not in set(shared.get_column("metric"))
    # every selected jurisdiction has a cell for every metric: nothing is dropped
    assert table.group_by("metric").len().get_column("len").unique().to_list() == [5]


def test_unknown_metric_and_kind(registry):
    with pytest.raises(ShequError, match="did you mean 'service_space_m2'"):
        views.standards_table(registry, ["service_space_m3"])
    with pytest.raises(ShequError, match="unknown community kind"):
        views.standards_table(registry, kind="city")


def test_matrix_marks_the_strictest(registry):
    table = views.standards_table(registry, ["service_space_m2"], households=[1500], as_of=AS_OF)
    (row,) = views.standards_matrix(table).to_dicts()
    assert row["donghai"] == "≥ 600 m² ★" and row["changchun"] == "≥ 450 m²" and row["xiamen"] == "not regulated"


# --------------------------------------------------------------------------
# diff


def test_diff_changchun_donghai(registry):
    frame = views.diff(registry, "changchun", "donghai", as_of=AS_OF)
    rows = {(r["metric"], r["aspect"]): r for r in frame.iter_rows(named=True)}
    floor = rows[("service_space_m2", "minimum")]
    assert (floor["a_value"], floor["b_value"]) == (300, 600)
    assert floor["status"] == "b_stricter" and floor["stricter"] == "donghai" and floor["difference"] == 300
    assert floor["difference_pct"] == 100
    assert "donghai stricter by 300 m²" in floor["summary"]
    rate = rows[("service_space_m2", "rate per 100 households")]
    assert (rate["a_value"], rate["b_value"], rate["status"]) == (30, 30, "same")
    size = rows[("households", "requirement")]
    assert size["a_text"] == "1000–2000 户"
    assert "2000–3000 户" in size["b_text"] and "population: ≥ 10000 人" in size["b_text"]
    assert size["status"] == "not_comparable"
    assert rows[("staff_office_share", None)]["status"] == "only_b"
    assert rows[("area.outdoor_activity", None)]["status"] == "only_a"
    assert rows[("flag.work_access_system", "presence")]["status"] == "same"


def test_diff_at_a_size_and_rates(registry):
    frame = views.diff(registry, "panzhihua", "changchun", households=[1500], as_of=AS_OF)
    rows = {(r["metric"], r["aspect"]): r for r in frame.iter_rows(named=True)}
    rate = rows[("service_space_m2", "rate per 100 households")]
    assert (rate["a_value"], rate["b_value"], rate["stricter"], rate["difference"]) == (20, 30, "changchun", 10)
    at_size = rows[("service_space_m2", "minimum at 1500 households")]
    assert (at_size["a_value"], at_size["b_value"], at_size["difference"]) == (300, 450, 150)
    # changchun alone caps the size: the stricter one on that aspect
    assert rows[("households", "maximum")]["stricter"] == "changchun"
    assert rows[("households", "minimum")]["stricter"] == "panzhihua"


def test_diff_errors(registry):
    with pytest.raises(ShequError, match="two different"):
        views.diff(registry, "donghai", "donghai")
    with pytest.raises(ShequError, match="did you mean 'donghai'"):
        views.diff(registry, "changchun", "donghia")


# --------------------------------------------------------------------------
# responsibilities


def test_responsibilities_by_chinese_alias(registry):
    frame = views.responsibilities(registry, "民政局")
    assert set(frame.get_column("department")) == {"civil_affairs"}
    lead = frame.filter(pl.col("role") == "lead")
    # donghai 一(二): 民政局总牵头; changchun: 民政局 is 责任单位 of 二(三)12 准入制度
    assert ("donghai", "civil_affairs_lead") in set(
        zip(lead.get_column("jurisdiction"), lead.get_column("task"), strict=False)
    )
    responsible = frame.filter((pl.col("jurisdiction") == "changchun") & (pl.col("role") == "responsible"))
    assert "t12_work_access" in responsible.get_column("task").to_list()
    assert views.responsibilities(registry, "civil_affairs").equals(frame)


def test_responsibilities_matrix_shows_every_jurisdiction(registry):
    frame = views.responsibilities(registry, "civil_affairs", roles=["lead"])
    rows = views.responsibilities_matrix(frame, BUILT_IN, by_department=True)
    assert [r["jurisdiction"] for r in rows] == BUILT_IN
    by = {r["jurisdiction"]: r for r in rows}
    assert by["changchun"]["lead"] == "—"
    assert any(t.startswith("civil_affairs_lead") for t in by["donghai"]["lead"])
    overall = views.responsibilities_matrix(views.responsibilities(registry), BUILT_IN, by_department=False)
    finance = next(r for r in overall if r["department"] == "finance")
    assert set(finance) == {"department", "zh", *BUILT_IN}


def test_responsibilities_unknown_department(registry):
    with pytest.raises(ShequError, match="unknown department '民正局'"):
        views.responsibilities(registry, "民正局")
    with pytest.raises(ShequError, match="unknown role"):
        views.responsibilities(registry, roles=["leader"])


# --------------------------------------------------------------------------
# timeline


def test_timeline_statuses_from_dates(registry):
    frame = views.timeline(registry, ["donghai"], as_of=dt.date(2019, 6, 20))
    assert frame.get_column("date").is_sorted()
    rows = {(r["kind"], r["id"]): r for r in frame.iter_rows(named=True)}
    # 三(三)2 (damaged '2620日之前' = 6月20日之前): falls due on the as-of date itself
    assert rows[("rule", "service_space_floor_600")]["status"] == "due"
    assert rows[("rule", "service_space_floor_600")]["days"] == 0
    # 三(三)1 5月21日之前: before
    assert rows[("rule", "staff_recruitment_50")]["status"] == "past"
    assert rows[("rule", "work_access_system")]["status"] == "upcoming"
    assert rows[("rule", "work_access_system")]["days"] == 30
    assert rows[("document", "dzbf2019_31")]["date"] == dt.date(2019, 4, 25)
    assert rows[("milestone", "premises_adjusted")]["status"] == "due"


def test_timeline_judged_on_data(registry):
    frame = pl.DataFrame(
        {
            "id": ["A", "B", "C"],
            "kind": ["urban", "urban", "urban"],
            "count.police_room": [1, 0, None],
            "count.governance_center": [1, 1, 1],
            "volunteers.registered": [50, 10, None],
            "population": [1000, 1000, 1000],
        },
        schema={
            "id": pl.String,
            "kind": pl.String,
            "count.police_room": pl.Int64,
            "count.governance_center": pl.Int64,
            "volunteers.registered": pl.Int64,
            "population": pl.Int64,
        },
    )
    timeline = views.timeline(registry, ["changchun"], as_of=dt.date(2021, 6, 1), communities=frame)
    rows = {r["id"]: r for r in timeline.iter_rows(named=True)}
    # police rooms (2018年底前): A has one, B none, C unknown → overdue
    assert rows["police_room"]["status"] == "overdue"
    assert (rows["police_room"]["passed"], rows["police_room"]["failed"], rows["police_room"]["unknown"]) == (1, 1, 1)
    assert rows["governance_center"]["status"] == "done"
    # volunteer registration: 4 % by 2018 (superseded), 10 % by 2020: A 5 %, B 1 % → overdue
    assert rows["volunteer_registration#1"]["status"] == "superseded"
    assert rows["volunteer_registration#2"]["status"] == "overdue"
    assert rows["volunteer_registration#2"]["title"].endswith("≥ 10%")
    # the task delivering the police rooms takes the worst status of its rules
    assert rows["t22_safety_legal"]["status"] == "overdue"
    assert rows["issued"]["status"] == "past"  # milestones are not judged


def test_timeline_statuses_are_documented():
    text = (Path(__file__).parents[2] / "docs" / "views.md").read_text(encoding="utf-8")
    for status in views.TIMELINE_STATUSES:
        assert f"`{status}`" in text


# --------------------------------------------------------------------------
# cost


def cost_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["U1", "R1", "V1", "U2", "U3"],
            "kind": ["urban", "rural", "village", "urban", "urban"],
            "households": [1000, 500, None, None, 800],
            "flags": [[], [], [], [], ["village_to_residence"]],
        },
        schema={"id": pl.String, "kind": pl.String, "households": pl.Int64, "flags": pl.List(pl.String)},
    )


def test_cost_by_hand(registry):
    report = views.cost(registry, cost_frame(), ["changchun", "panzhihua", "longgang"])
    items = {(r["id"], r["obligation"]): r for r in report.items.iter_rows(named=True)}
    # changchun 二(一)6: 按每户每年10元 → 1000 households: 10,000 yuan a year; only urban communities
    assert items[("U1", "work_funds")]["yuan"] == 10_000
    assert items[("R1", "work_funds")]["status"] == "not_applicable"
    assert items[("U2", "work_funds")]["status"] == "unknown" and items[("U2", "work_funds")]["yuan"] is None
    # panzhihua 三(五)4: 城市社区每年不低于5万元, 农村4万, 村3万; 每百户3000元
    assert items[("U1", "office_funds_urban")]["yuan"] == 50_000
    assert items[("R1", "office_funds_rural")]["yuan"] == 40_000
    assert items[("V1", "office_funds_village")]["yuan"] == 30_000
    assert items[("U1", "special_funds")]["yuan"] == 30_000
    assert items[("R1", "special_funds")]["yuan"] == 15_000
    # longgang 第四十七条: 20万元 start-up funds for communities set up by 村改居
    assert items[("U3", "village_to_residence_start_up_funds")]["yuan"] == 200_000
    assert items[("U1", "village_to_residence_start_up_funds")]["status"] == "not_applicable"
    assert items[("U1", "work_funds")]["payer"] == "finance (财政局)"
    assert items[("U1", "work_funds")]["clause"] == "二(一)6"

    by = {(r["id"], r["jurisdiction"]): r for r in report.by_community.iter_rows(named=True)}
    assert by[("U1", "panzhihua")]["yearly_yuan"] == 80_000
    assert by[("R1", "panzhihua")]["yearly_yuan"] == 55_000
    # no household count: the special funds are unknown, so the total is unknown, not 30,000
    v1 = by[("V1", "panzhihua")]
    assert v1["yearly_yuan"] is None and v1["yearly_yuan_known"] == 30_000 and v1["yearly_unknown"] == 1
    assert by[("R1", "changchun")]["yearly_yuan"] == 0  # nothing committed for a rural community
    assert by[("U3", "longgang")]["one_off_yuan_known"] == 200_000

    totals = {(r["jurisdiction"], r["obligation"]): r for r in report.totals.iter_rows(named=True)}
    work = totals[("changchun", "work_funds")]
    assert (work["communities"], work["unknown"], work["total_yuan"], work["total_yuan_known"]) == (2, 1, None, 18_000)
    assert totals[("panzhihua", "office_funds_urban")]["total_yuan"] == 150_000
    summary = {r["jurisdiction"]: r for r in report.summary.iter_rows(named=True)}
    assert summary["changchun"]["yearly_yuan"] is None and summary["changchun"]["yearly_yuan_known"] == 18_000


def test_cost_bounds_and_jurisdictions_without_obligations(make_registry, registry):
    mini = make_registry("""
        [[obligations]]
        id = "per_household"
        title = "每户补贴"
        kind = "yearly"
        amount_yuan = 10
        basis = "households"
        min_yuan = 5000
        max_yuan = 20000
        payer = ["finance"]
        source = { clause = "一", quote = "每户10元" }
    """)
    frame = pl.DataFrame({"id": ["S", "M", "L"], "households": [100, 1000, 5000]})
    items = views.cost(mini, frame).items
    assert items.get_column("yuan").to_list() == [5000, 10_000, 20_000]
    donghai = views.cost(registry, cost_frame(), ["donghai"])
    assert donghai.items.is_empty()
    assert donghai.summary.row(0, named=True)["obligations"] == 0
    assert donghai.by_community.get_column("yearly_yuan").to_list() == [0.0] * 5


# --------------------------------------------------------------------------
# CLI


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(main, list(args))
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return invoke


def test_cli_standards(run):
    result = run(
        "standards",
        "--metric",
        "service_space_m2",
        "--households",
        "1500",
        "--households",
        "800",
        "--as-of",
        "2024-01-01",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    got = {(c["jurisdiction"], c["households"]): c["required_min"] for c in data["cells"]}
    assert got[("changchun", 1500)] == 450 and got[("donghai", 1500)] == 600 and got[("panzhihua", 1500)] == 300
    assert got[("changchun", 800)] == 300 and got[("longgang", 800)] is None
    assert any("population not given" in n for n in data["notes"])
    assert {r["rule"] for r in data["rules"]} == {
        "service_space",
        "service_space_per_100_households",
        "service_space_floor_600",
    }
    table = run("standards", "--metric", "service_space_m2", "--households", "1500", "--as-of", "2024-01-01")
    assert "≥ 600 m² ★" in table.stdout and "not regulated" in table.stdout and "\\u" not in table.stdout
    markdown = run(
        "standards",
        "--metric",
        "households",
        "--format",
        "markdown",
        "--kind",
        "rural",
        "--households",
        "500",
        "--persons-per-household",
        "2.8",
    )
    assert markdown.stdout.startswith("### Standards side by side") and "households × 2.8" in markdown.stdout
    csv = run("standards", "--metric", "staff_office_m2", "--format", "csv")
    header = csv.stdout.splitlines()[0].split(",")
    assert header[:3] == ["metric", "label", "unit"] and "staff_office_share" in csv.stdout


def test_cli_standards_errors(run):
    result = run("standards", "--metric", "service_space_m3", code=2)
    assert "did you mean 'service_space_m2'" in result.stderr
    run("standards", "--kind", "city", code=2)
    run("standards", "--households", "-5", code=2)


def test_cli_diff(run):
    data = json.loads(run("diff", "changchun", "donghai", "--as-of", "2024-01-01", "--format", "json").stdout)
    assert (data["a"], data["b"]) == ("changchun", "donghai")
    floor = next(d for d in data["differences"] if d["metric"] == "service_space_m2" and d["aspect"] == "minimum")
    assert (floor["a_value"], floor["b_value"], floor["stricter"]) == (300, 600, "donghai")
    table = run("diff", "changchun", "donghai", "--differences-only", "--format", "markdown").stdout
    assert "donghai stricter" in table and "only changchun" in table and "| same |" not in table
    csv = run("diff", "changchun", "donghai", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("metric,label,unit,qualifier,aspect")
    assert "unknown jurisdiction 'donghia'" in run("diff", "changchun", "donghia", code=2).stderr
    every = json.loads(
        run("diff", "panzhihua", "changchun", "--kind", "all", "--metric", "households", "--format", "json").stdout
    )["differences"]
    # panzhihua 城市社区2000户 / 城镇700户 / 农村300户 against changchun's urban 1000—2000户
    assert {(d["qualifier"], d["aspect"], d["status"]) for d in every} == {
        ("urban", "minimum", "a_stricter"),
        ("urban", "maximum", "b_stricter"),
        ("rural", None, "only_a"),
        ("town", None, "only_a"),
    }


def test_cli_responsibilities(run):
    data = json.loads(run("responsibilities", "--department", "民政局", "--format", "json").stdout)
    assert data["department"] == "civil_affairs" and data["department_zh"] == "民政部门"
    assert [row["jurisdiction"] for row in data["matrix"]] == BUILT_IN
    assert {a["department"] for a in data["assignments"]} == {"civil_affairs"}
    table = run("responsibilities", "--department", "civil_affairs", "-j", "donghai", "--role", "lead").stdout
    assert "civil_affairs_lead" in table
    overall = run("responsibilities", "--format", "markdown").stdout
    assert "| civil_affairs | 民政部门 |" in overall
    csv = run("responsibilities", "--format", "csv", "-j", "changchun").stdout
    assert csv.splitlines()[0].startswith("jurisdiction,department,department_zh,role")
    assert "did you mean" in run("responsibilities", "--department", "civil_affair", code=2).stderr


def test_cli_timeline(run):
    data = json.loads(run("timeline", "-j", "donghai", "--as-of", "2019-06-01", "--format", "json").stdout)
    statuses = {(e["kind"], e["id"]): e["status"] for e in data["events"]}
    assert statuses[("rule", "service_space_floor_600")] == "upcoming"
    assert statuses[("rule", "staff_recruitment_50")] == "past"
    dates = [e["date"] for e in data["events"]]
    assert dates == sorted(dates)
    judged = json.loads(
        run(
            "timeline",
            "-j",
            "changchun",
            "--as-of",
            "2024-01-01",
            "--data",
            str(SAMPLE),
            "--status",
            "overdue",
            "--format",
            "json",
        ).stdout
    )
    assert judged["events"] and {e["status"] for e in judged["events"]} == {"overdue"}
    table = run("timeline", "-j", "xiamen", "--as-of", "2020-01-01").stdout
    assert "upcoming" in table and "2020-12-31" in table
    run("timeline", "--status", "late", code=2)


def test_cli_cost(run):
    data = json.loads(run("cost", str(SAMPLE), "--format", "json").stdout)
    assert {r["jurisdiction"] for r in data["summary"]} == set(BUILT_IN)
    assert {"totals", "by_community", "items"} <= set(data)
    table = run("cost", str(SAMPLE), "-j", "panzhihua", "--format", "markdown").stdout
    assert "社区公共服务和社会管理专项资金" in table and "finance (财政局)" in table
    assert "Money committed, by jurisdiction" in run("cost", str(SAMPLE)).stdout
    csv = run("cost", str(SAMPLE), "-j", "changchun", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("id,name,district,kind,jurisdiction,obligation")
    assert len(csv.splitlines()) == 1 + 30
    missing = run("cost", "no/such/file.csv", code=2)
    assert "does not exist" in missing.stderr


def test_every_command_accepts_every_format(run):
    commands = [
        ["standards", "--metric", "service_space_m2"],
        ["diff", "changchun", "donghai"],
        ["responsibilities", "--department", "财政局"],
        ["timeline", "-j", "donghai"],
        ["cost", str(SAMPLE), "-j", "changchun"],
    ]
    for command in commands:
        for fmt in ("table", "json", "csv", "markdown"):
            result = run(*command, "--format", fmt)
            assert result.stdout.strip(), (command, fmt)
            if fmt == "json":
                json.loads(result.stdout)


def test_help_lists_the_commands(run):
    text = run("--help").stdout
    for command in ("standards", "diff", "responsibilities", "timeline", "cost", "whatif"):
        assert command in text


# --------------------------------------------------------------------------
# Snapshots (tests/test_views/): every view on the sample data and the five plugins


@pytest.fixture(scope="module")
def sample():
    from shequ.io import load_communities

    return load_communities(SAMPLE)


def test_snapshot_standards(registry, data_regression):
    every = views.standards_table(registry, households=[1500], population=4200, as_of=AS_OF)
    shared = views.standards_table(registry, households=[800, 1500, 3000], as_of=AS_OF, shared=True)
    data_regression.check(
        {
            "matrix_1500_households": views.records(views.standards_matrix(every)),
            "shared_metrics": views.records(
                shared.select(
                    "metric",
                    "households",
                    "jurisdiction",
                    "status",
                    "concrete",
                    "required_min",
                    "required_max",
                    "strictest_min",
                    "strictest_max",
                    "rules",
                )
            ),
        }
    )


def test_snapshot_standards_rules(registry, data_regression):
    rules = views.standards_rules(registry, households=[1500], population=4200, as_of=AS_OF)
    data_regression.check({"rules": views.records(rules)})


@pytest.mark.parametrize(("a", "b"), [("changchun", "donghai"), ("changchun", "panzhihua"), ("longgang", "xiamen")])
def test_snapshot_diff(registry, data_regression, a, b):
    frame = views.diff(registry, a, b, households=[1500], as_of=AS_OF)
    data_regression.check({"differences": views.records(frame)})


def test_snapshot_responsibilities(registry, data_regression):
    frame = views.responsibilities(registry)
    data_regression.check(
        {
            "assignments": views.records(frame.drop("rules", "department_zh", "role_zh")),
            "matrix": views.responsibilities_matrix(frame, BUILT_IN, by_department=False),
        }
    )


def test_snapshot_timeline(registry, sample, data_regression):
    frame = views.timeline(registry, as_of=dt.date(2019, 6, 30), communities=sample)
    data_regression.check({"events": views.records(frame)})


def test_snapshot_cost(registry, sample, data_regression):
    report = views.cost(registry, sample)
    data_regression.check(
        {
            "summary": views.records(report.summary),
            "totals": views.records(report.totals.drop("quote")),
            "by_community": views.records(report.by_community),
        }
    )


def test_snapshot_whatif(registry, sample, data_regression):
    from shequ.reform import apply_reforms

    reformed = apply_reforms(
        registry,
        [
            "donghai.service_space_per_100_households.requirement.floor=400",
            "changchun.community_size.requirement.max=2500",
        ],
    )
    report = views.whatif(registry, reformed, sample, as_of=AS_OF)
    data_regression.check(
        {
            "jurisdictions": report.jurisdictions,
            "rules": views.records(report.rules),
            "summary": views.records(report.summary.filter(pl.col("changed") > 0)),
            "changes": views.records(report.changes),
        }
    )


def test_snapshots_keep_chinese_readable():
    folder = Path(__file__).parent / "test_views"
    files = sorted(folder.glob("*.yml"))
    if not files:
        pytest.skip("snapshots not written yet (first run)")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "\\u" not in text and "\\x" not in text, path.name
    assert "长政办〔2018〕61号" in (folder / "test_snapshot_cost.yml").read_text(encoding="utf-8")


def test_compare_baseline_shows_both_sides_of_a_reform():
    from click.testing import CliRunner

    from shequ.cli import main

    result = CliRunner().invoke(
        main,
        [
            "--set",
            "donghai.service_space_per_100_households.requirement.floor=400",
            "compare",
            str(SAMPLE),
            "--baseline",
            "--as-of",
            "2021-01-01",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["reforms"] and any("floor=400" in note for note in payload["reforms"])
    assert payload["summary"], "baseline and reformed summary per community"
