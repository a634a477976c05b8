"""The comparison commands through click's CliRunner: standards, diff, responsibilities, timeline, cost.

Expected values are worked out by hand (and, where a test says so, recomputed
from the plugin TOML it cites), never read back from the command's own output.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from shequ.cli import main

ROOT = Path(__file__).parents[2]
PLUGINS = ROOT / "plugins"
SAMPLE = ROOT / "examples" / "communities.csv"
AS_OF = "2024-01-01"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def ok(*args: str | Path) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result


def plugin_toml(jurisdiction_id: str) -> dict:
    with (PLUGINS / jurisdiction_id / f"{jurisdiction_id}.toml").open("rb") as handle:
        return tomllib.load(handle)


def toml_rule(jurisdiction_id: str, rule_id: str) -> dict:
    return next(rule for rule in plugin_toml(jurisdiction_id)["rules"] if rule["id"] == rule_id)


def scaled_minimum(requirement: dict, basis: float) -> float:
    """A scaled_min requirement worked out as its docstring says: max(floor, basis / per × rate)."""
    assert requirement["form"] == "scaled_min"
    return max(requirement.get("floor", 0), basis / requirement["per"] * requirement["rate"])


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------
# standards


def document_dates() -> dict[str, dt.date]:
    return {
        j: plugin_toml(j)["documents"][0]["date"] for j in ("changchun", "donghai", "longgang", "panzhihua", "xiamen")
    }


def premises_cells(households: str, as_of: str) -> dict[str, dict]:
    command = ["standards", "--metric", "service_space_m2", "--households", households, "--as-of", as_of]
    result = ok(*command, "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["as_of"] == as_of
    return {cell["jurisdiction"]: cell for cell in payload["cells"]}


def test_standards_for_1500_households_from_the_plugin_tomls():
    changchun = toml_rule("changchun", "service_space")["requirement"]
    donghai = toml_rule("donghai", "service_space_per_100_households")["requirement"]
    donghai_floor = toml_rule("donghai", "service_space_floor_600")["requirement"]
    # changchun: max(300, 1500 / 100 × 30) = 450; donghai: max(600, 450) = 600 and a flat 600
    expected = {
        "changchun": scaled_minimum(changchun, 1500),
        "donghai": max(scaled_minimum(donghai, 1500), donghai_floor["min"]),
    }
    assert expected == {"changchun": 450, "donghai": 600}

    cells = premises_cells("1500", AS_OF)
    assert {j: cells[j]["required_min"] for j in expected} == expected
    assert {cell["concept"] for cell in cells.values()} == {"premises"}
    assert cells["changchun"]["concrete"] == "≥ 450 m²"
    assert cells["donghai"]["concrete"] == "≥ 600 m²" and cells["donghai"]["strictest_min"] is True
    assert cells["donghai"]["rules"] == ["service_space_per_100_households", "service_space_floor_600"]
    # longgang 第三十二条 办公用房200平方米以上 on area.residents_committee_office: the same concept, not ranked
    assert "area.residents_committee_office" in cells["longgang"]["under"]
    assert cells["longgang"]["required_min"] is None and cells["longgang"]["state"] == "regulated"
    # a jurisdiction whose TOML names the premises among its gaps says so, with the reason
    for jurisdiction_id, cell in cells.items():
        gaps = [g for g in plugin_toml(jurisdiction_id).get("gaps", []) if "premises" in g["concepts"]]
        if gaps and cell["status"] in ("not_encoded", "not_regulated"):
            assert cell["state"] == "not_encoded" and gaps[0]["reason"] in cell["concrete"]


def test_standards_before_and_after_the_documents():
    dates = document_dates()
    # no document is dated before 2005: on 2004-01-01 nothing is in force
    assert min(dates.values()) > dt.date(2004, 1, 1)
    early = premises_cells("1500", "2004-01-01")
    assert {j: c["state"] for j, c in early.items() if j in dates} == dict.fromkeys(dates, "not_in_force")
    assert early["national"]["state"] == "not_regulated"  # the national law in force in 2004 sets no premises
    # 2020: Longgang (2005) regulates the concept by its office space
    assert dates["longgang"] == dt.date(2005, 7, 27)
    longgang = premises_cells("1500", "2020-01-01")["longgang"]
    assert "regulated under area.residents_committee_office: ≥ 200 m²" in longgang["concrete"]


def test_standards_table_puts_the_jurisdictions_side_by_side():
    result = ok("standards", "--metric", "service_space_m2", "--households", "1500", "--as-of", AS_OF)
    row = next(line for line in result.stdout.splitlines() if line.startswith("│ premises"))
    cells = [part.strip() for part in row.split("│")[1:-1]]
    # concept, metric, label, unit, households, then one column per jurisdiction in id order
    assert cells[:2] == ["premises", "service_space_m2"]
    assert cells[3:7] == ["m²", "1500", "≥ 450 m²", "≥ 600 m² ★"]
    assert "households: 1500" in result.stdout and f"as of {AS_OF}" in result.stdout


def test_standards_for_a_small_community_the_floors_decide():
    # 800 households: changchun max(300, 240) = 300; donghai max(600, 240) = 600
    cells = premises_cells("800", AS_OF)
    assert (cells["changchun"]["required_min"], cells["donghai"]["required_min"]) == (300, 600)


def test_standards_unknown_metric_is_exit_2_with_a_hint():
    result = run("standards", "--metric", "service_space_m3")
    assert result.exit_code == 2 and result.stdout == ""
    assert "did you mean 'service_space_m2'" in result.stderr


# --------------------------------------------------------------------------
# diff


def test_diff_changchun_donghai_on_service_space():
    size = ("--households", "1500")
    result = ok(
        "diff", "changchun", "donghai", "--metric", "service_space_m2", *size, "--as-of", AS_OF, "--format", "json"
    )
    payload = json.loads(result.stdout)
    rows = {row["aspect"]: row for row in payload["differences"]}
    assert set(rows) == {"minimum", "rate per 100 households", "minimum at 1500 households"}
    # floors: 300 (changchun 二(二)8) against 600 (donghai 二(一)): donghai stricter by 300, i.e. 100 %
    floor = rows["minimum"]
    assert (floor["a_value"], floor["b_value"], floor["stricter"]) == (300, 600, "donghai")
    assert floor["status"] == "b_stricter"
    assert (floor["difference"], floor["difference_pct"]) == (300, 100)
    # both 30 m² per 100 households
    rate = rows["rate per 100 households"]
    assert (rate["a_value"], rate["b_value"], rate["status"]) == (30, 30, "same")
    # at 1500 households: 450 against 600
    sized = rows["minimum at 1500 households"]
    assert (sized["a_value"], sized["b_value"], sized["difference"]) == (450, 600, 150)


def test_diff_names_what_only_one_side_regulates():
    result = ok("diff", "changchun", "donghai", "--as-of", AS_OF, "--format", "json")
    status = {row["metric"]: row["status"] for row in json.loads(result.stdout)["differences"] if not row["aspect"]}
    # changchun 二(二)8 户外活动场所不低于1000平方米; donghai has no such rule
    assert status["area.outdoor_activity"] == "only_a"
    # donghai 二(二)2 服务半径为1.5-2公里左右; changchun has no such rule
    assert status["service_radius_km"] == "only_b"
    assert status["flag.service_center_five_unified"] == "only_b"


def test_diff_table_says_who_is_stricter_in_words():
    result = ok(
        "diff", "changchun", "donghai", "--metric", "service_space_m2", "--as-of", AS_OF, "--format", "markdown"
    )
    line = next(line for line in result.stdout.splitlines() if "| minimum |" in line)
    assert "| ≥ 300 m² | ≥ 600 m² | donghai stricter |" in line
    assert "donghai stricter by 300 m²" in line


def test_diff_the_other_way_round_swaps_the_sides():
    result = ok("diff", "donghai", "changchun", "--metric", "service_space_m2", "--as-of", AS_OF, "--format", "json")
    floor = next(row for row in json.loads(result.stdout)["differences"] if row["aspect"] == "minimum")
    assert (floor["a_value"], floor["b_value"], floor["status"]) == (600, 300, "a_stricter")


# --------------------------------------------------------------------------
# responsibilities


def civil_affairs_tasks_in_toml(jurisdiction_id: str) -> set[tuple[str, str]]:
    roles = ("lead", "responsible", "guiding", "cooperating", "receiving", "approving")
    return {
        (task["id"], role)
        for task in plugin_toml(jurisdiction_id)["tasks"]
        for role in roles
        if "civil_affairs" in task.get(role, [])
    }


def test_responsibilities_of_the_civil_affairs_bureau_by_its_chinese_name():
    result = ok("responsibilities", "--department", "民政局", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["department"] == "civil_affairs" and payload["department_zh"] == "民政部门"
    donghai = {(a["task"], a["role"]) for a in payload["assignments"] if a["jurisdiction"] == "donghai"}
    # donghai 一(二) 县民政局要做好总牵头 (lead); 三(二)3 批文抄送市民政局备案: it receives the approval (受理/备案)
    assert donghai == {("civil_affairs_lead", "lead"), ("approval_and_filing", "receiving")}
    for jurisdiction_id in ("changchun", "donghai", "longgang", "panzhihua", "xiamen"):
        shown = {(a["task"], a["role"]) for a in payload["assignments"] if a["jurisdiction"] == jurisdiction_id}
        assert shown == civil_affairs_tasks_in_toml(jurisdiction_id), jurisdiction_id


@pytest.mark.parametrize("name", ["县民政局", "市民政局", "民政部门", "civil_affairs"])
def test_every_name_of_the_bureau_gives_the_same_answer(name):
    reference = json.loads(ok("responsibilities", "--department", "民政局", "--format", "json").stdout)
    payload = json.loads(ok("responsibilities", "--department", name, "--format", "json").stdout)
    assert payload["department"] == "civil_affairs"
    assert payload["assignments"] == reference["assignments"]


def test_responsibilities_table_for_one_jurisdiction():
    result = ok("responsibilities", "--department", "民政局", "-j", "donghai", "--format", "markdown")
    assert "### Tasks of civil_affairs (民政部门) by jurisdiction and role" in result.stdout
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("| donghai |")]
    assert "civil_affairs_lead" in row and "approval_and_filing" in row and row.endswith("| 2 |")


def test_responsibilities_unknown_department_is_exit_2_with_a_hint():
    result = run("responsibilities", "--department", "民证局")
    assert result.exit_code == 2 and result.stdout == ""
    assert "unknown department '民证局' (did you mean '民政局'?)" in result.stderr


# --------------------------------------------------------------------------
# timeline


def dated_items_in_toml(jurisdiction_id: str) -> dict[tuple[str, str], dt.date]:
    """(kind, id) → date of every milestone, and of every task and rule with a due date."""
    data = plugin_toml(jurisdiction_id)
    dates = {("milestone", m["id"]): m["date"] for m in data["milestones"]}
    dates.update({("task", t["id"]): t["due"] for t in data["tasks"] if "due" in t})
    dates.update({("rule", r["id"]): r["due"] for r in data["rules"] if "due" in r})
    return dates


def expected_status(date: dt.date, as_of: dt.date) -> str:
    return "past" if date < as_of else "due" if date == as_of else "upcoming"


@pytest.mark.parametrize("as_of", [dt.date(2019, 5, 1), dt.date(2019, 5, 5)], ids=["2019-05-01", "2019-05-05"])
def test_timeline_statuses_follow_the_dates_in_the_toml(as_of):
    result = ok("timeline", "-j", "donghai", "--as-of", as_of.isoformat(), "--format", "json")
    events = {(e["kind"], e["id"]): e for e in json.loads(result.stdout)["events"]}
    dates = dated_items_in_toml("donghai")
    assert set(dates) <= set(events)
    for key, date in dates.items():
        assert events[key]["date"] == date.isoformat(), key
        assert events[key]["status"] == expected_status(date, as_of), key
        assert events[key]["days"] == (date - as_of).days, key


def test_timeline_on_1_may_2019_by_hand():
    result = ok("timeline", "-j", "donghai", "--as-of", "2019-05-01", "--format", "json")
    events = json.loads(result.stdout)["events"]
    by_id = {(e["kind"], e["id"]): e for e in events}
    # 三(一)1 4月29日之前 成立领导小组: two days before
    kickoff = by_id[("milestone", "leading_group_and_kickoff")]
    assert (kickoff["status"], kickoff["days"]) == ("past", -2)
    # 三(二)2 5月10日 请示件: nine days ahead
    assert by_id[("task", "community_requests")]["status"] == "upcoming"
    assert by_id[("task", "community_requests")]["days"] == 9
    # nothing falls on 1 May itself
    assert "due" not in {e["status"] for e in events}
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    assert events[0]["kind"] == "document" and events[0]["date"] == "2019-04-25"


def test_timeline_on_5_may_2019_marks_the_day_due():
    result = ok("timeline", "-j", "donghai", "--as-of", "2019-05-05", "--status", "due", "--format", "json")
    # 三(二)1 5月5日之前: the streets' endorsement, as a milestone and as a task
    assert {(e["kind"], e["id"]) for e in json.loads(result.stdout)["events"]} == {
        ("milestone", "street_opinion"),
        ("task", "street_opinion_on_plan"),
    }


def test_timeline_unknown_status_is_exit_2():
    result = run("timeline", "-j", "donghai", "--status", "late")
    assert result.exit_code == 2 and result.stdout == "" and "unknown status 'late'" in result.stderr


# --------------------------------------------------------------------------
# cost


def test_cost_of_one_community_by_hand():
    community = next(row for row in sample_rows() if row["id"] == "SYN-001")
    households = int(community["households"])
    assert (community["kind"], households) == ("urban", 2693)
    work_funds = next(o for o in plugin_toml("changchun")["obligations"] if o["id"] == "work_funds")
    # changchun 二(一)6: 按每户每年10元 → 2693 × 10 = 26,930 yuan a year
    expected_changchun = work_funds["amount_yuan"] * households / work_funds["per"]
    assert expected_changchun == 26_930
    # panzhihua 三(五)4: 城市社区每年不低于5万元 (yearly); 按照每百户3000元 (no period stated: 'unstated')
    # → 50,000 a year, and 26.93 × 3,000 = 80,790 of no stated period, never added to the yearly money
    special = next(o for o in plugin_toml("panzhihua")["obligations"] if o["id"] == "special_funds")
    assert special["kind"] == "unstated"
    expected_unstated = households / special["per"] * special["amount_yuan"]

    result = ok("cost", SAMPLE, "-j", "changchun", "-j", "panzhihua", "--format", "json")
    payload = json.loads(result.stdout)
    by = {(r["id"], r["jurisdiction"]): r for r in payload["by_community"]}
    assert by[("SYN-001", "changchun")]["yearly_yuan"] == expected_changchun
    assert by[("SYN-001", "panzhihua")]["yearly_yuan"] == 50_000
    assert by[("SYN-001", "panzhihua")]["unstated_yuan"] == pytest.approx(expected_unstated)
    assert by[("SYN-001", "panzhihua")]["one_off_yuan"] == 0
    item = next(i for i in payload["items"] if (i["id"], i["obligation"]) == ("SYN-001", "work_funds"))
    assert (item["yuan"], item["clause"], item["payer"]) == (26_930, "二(一)6", "finance (财政局)")


def test_cost_before_the_documents_commits_nothing():
    result = ok("cost", SAMPLE, "-j", "changchun", "--as-of", "2018-01-01", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2018-01-01"
    # changchun's plan is dated 2018-08-22
    assert {item["status"] for item in payload["items"]} == {"not_in_force"}
    (summary,) = payload["summary"]
    assert summary["yearly_yuan"] == 0 and summary["yearly_unknown_items"] == 0


def test_cost_total_for_a_jurisdiction_by_hand():
    # changchun's work funds cover urban communities only: 10 yuan × every urban household
    urban = [row for row in sample_rows() if row["kind"] == "urban"]
    expected = 10 * sum(int(row["households"]) for row in urban)
    result = ok("cost", SAMPLE, "-j", "changchun", "--format", "json")
    payload = json.loads(result.stdout)
    (total,) = payload["totals"]
    assert total["obligation"] == "work_funds"
    assert (total["communities"], total["not_applicable"]) == (len(urban), 30 - len(urban))
    assert total["total_yuan"] == expected
    (summary,) = payload["summary"]
    assert summary["yearly_yuan"] == expected and summary["one_off_yuan"] == 0


def test_cost_table_shows_the_total():
    urban_households = sum(int(row["households"]) for row in sample_rows() if row["kind"] == "urban")
    result = ok("cost", SAMPLE, "-j", "changchun", "--format", "markdown")
    assert "### Money committed, by jurisdiction" in result.stdout
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("| changchun | work_funds |")]
    assert f"| {10 * urban_households} |" in line
