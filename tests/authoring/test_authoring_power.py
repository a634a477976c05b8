"""Issue 15's promise, end to end: a derived metric and a recurring deadline written in TOML alone.

A package made by ``shequ new-plugin`` is edited the way an author would (a
provision in the document, a metric in ``[catalog]``, two rules) and then has
to pass ``shequ validate``, the conformance kit and, installed with
``pip install -e``, its own tests. No Python is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path

from click.testing import CliRunner
from support import registry_with, sh

from shequ.authoring.testing import assert_conforms, conformance_problems
from shequ.checks import validate
from shequ.cli import main
from shequ.engine import evaluate
from shequ.io import load_communities

PROVISIONS = (
    "（六）社区居民活动和服务用房不少于440平方米，不含工作人员办公用房。\n（七）社区每年4月底之前提交年度服务申请。\n"
)

CATALOG = """
[[catalog.metrics]]
id = "resident_activity_space_m2"
zh = "居民活动和服务用房面积"
en = "Resident activity and service space"
unit = "m²"
difference = ["service_space_m2", "staff_office_m2"]
jurisdictions = ["mycity"]

[[catalog.flags]]
id = "service_application_filed"
zh = "已提交年度服务申请"
jurisdictions = ["mycity"]
"""

RULES = """
[[rules]]
id = "resident_activity_space"
title = "居民活动和服务用房不少于440平方米"
metric = "resident_activity_space_m2"
requirement = { form = "min", value = 440 }
source = { clause = "二(六)", quote = "社区居民活动和服务用房不少于440平方米，不含工作人员办公用房" }
notes = "不含工作人员办公用房: the service space less the staff offices."

[[rules]]
id = "service_application"
title = "每年4月底之前提交年度服务申请"
metric = "flag.service_application_filed"
requirement = { form = "present" }
due = { every = "year", by = "04-30" }
source = { clause = "二(七)", quote = "社区每年4月底之前提交年度服务申请" }
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def edit(package: Path) -> Path:
    """Add the two provisions to the scaffold's document and encode them in its TOML; the TOML's path."""
    source = package / "src" / "shequ_mycity"
    document = source / "document.txt"
    text = document.read_text(encoding="utf-8")
    anchor = "（四）每个社区设立警务室。\n"
    assert anchor in text, "the scaffold's document changed: update this test"
    document.write_text(text.replace(anchor, anchor + PROVISIONS, 1), encoding="utf-8")
    standard = source / "mycity.toml"
    text = standard.read_text(encoding="utf-8")
    head, catalog, tail = text.partition("\n[[catalog.metrics]]")
    # rules go before the first table after them; catalog entries at the end, where the scaffold keeps its own
    head = head.replace("\n# --- Tasks", RULES + "\n# --- Tasks", 1)
    standard.write_text(head + catalog + tail + CATALOG, encoding="utf-8")
    return standard


COMMUNITIES = textwrap.dedent("""\
    id,name,kind,households,service_space_m2,staff_office_m2,flags
    A,甲社区,urban,1500,560,100,service_application_filed
    B,乙社区,urban,1500,560,130,grid_management
    C,丙社区,urban,1500,560,,
    """)


def verdicts_of(standard: Path, data: Path, as_of: dt.date) -> dict[tuple[str, str], str]:
    registry = registry_with(standard)
    table = load_communities(data, catalog=registry.catalog)
    results = evaluate(table, ["mycity"], as_of=as_of, registry=registry)
    return {
        (row["id"], row["rule"]): row["verdict"]
        for row in results.details().to_dicts()
        if row["rule"] in ("resident_activity_space", "service_application")
    }


def test_a_derived_metric_and_a_recurring_deadline_in_toml_alone_validate_conform_and_judge(tmp_path):
    package = tmp_path / "shequ-mycity"
    assert invoke("new-plugin", "mycity", "--name", "示例市", "--dir", str(package)).exit_code == 0
    standard = edit(package)

    assert [str(problem) for problem in validate.validate_path(package)] == []
    result = invoke("validate", str(package), "--format", "json")
    assert result.exit_code == 0, result.output
    registry = registry_with(standard)
    assert conformance_problems("mycity", registry) == []
    assert_conforms("mycity", registry)

    definition = registry.catalog.metric("resident_activity_space_m2")
    assert (definition.unit, definition.formula) == ("m²", "service_space_m2 − staff_office_m2")

    data = tmp_path / "communities.csv"
    data.write_text(COMMUNITIES, encoding="utf-8")
    # 560 − 100 = 460 ≥ 440; 560 − 130 = 430 < 440; C's office area is unknown
    before = verdicts_of(standard, data, dt.date(2024, 3, 1))  # the document is dated 2024-01-01
    assert before[("A", "service_application")] == before[("B", "service_application")] == "not_due"
    after = verdicts_of(standard, data, dt.date(2026, 6, 1))
    assert after == {
        ("A", "resident_activity_space"): "pass",
        ("B", "resident_activity_space"): "fail",
        ("C", "resident_activity_space"): "unknown",
        ("A", "service_application"): "pass",
        ("B", "service_application"): "fail",
        ("C", "service_application"): "unknown",
    }


def test_a_unit_mismatch_names_plugin_metric_operands_and_units(tmp_path):
    package = tmp_path / "shequ-mycity"
    assert invoke("new-plugin", "mycity", "--name", "示例市", "--dir", str(package)).exit_code == 0
    standard = edit(package)
    text = standard.read_text(encoding="utf-8")
    standard.write_text(
        text.replace(
            'difference = ["service_space_m2", "staff_office_m2"]', 'difference = ["service_space_m2", "households"]'
        ),
        encoding="utf-8",
    )
    result = invoke("validate", str(package))
    assert result.exit_code == 2
    assert (
        "catalog.metrics.resident_activity_space_m2: derived metric 'resident_activity_space_m2' (added by mycity): "
        "difference service_space_m2 (m²) − households (户): operands of a difference must share one unit"
    ) in " ".join(result.output.split())


def test_the_edited_package_passes_its_own_tests_once_installed(tmp_path, overlay_venv):
    assert sh("shequ new-plugin mycity --name 示例市", tmp_path, overlay_venv).returncode == 0
    edit(tmp_path / "shequ-mycity")
    validated = sh("shequ validate shequ-mycity", tmp_path, overlay_venv)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    installed = sh("pip install -e './shequ-mycity[test]'", tmp_path, overlay_venv)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    shown = sh("shequ show mycity --format json", tmp_path, overlay_venv)
    assert shown.returncode == 0, shown.stderr
    rules = {rule["id"]: rule for rule in json.loads(shown.stdout)["rules"]}
    assert rules["service_application"]["due"] == {"every": "year", "by": "04-30"}
    listed = sh("shequ catalog metrics --format json", tmp_path, overlay_venv)
    rows = {row["id"]: row for row in json.loads(listed.stdout)["rows"]}
    row = rows["resident_activity_space_m2"]
    assert (row["unit"], row["family"], row["formula"], row["origin"]) == (
        "m²",
        "difference",
        "service_space_m2 − staff_office_m2",
        "mycity",
    )
    timeline = sh("shequ timeline -j mycity --as-of 2026-06-01 --format json", tmp_path, overlay_venv)
    assert timeline.returncode == 0, timeline.stderr
    dates = [row["date"] for row in json.loads(timeline.stdout)["events"] if row["id"] == "service_application"]
    assert dates == ["2026-04-30", "2027-04-30"]  # the cycle just judged, and the next one

    regenerated = sh("pytest --force-regen", tmp_path / "shequ-mycity", overlay_venv)
    assert "test_standard_snapshot" in regenerated.stdout  # the snapshot records the two new rules, once
    tested = sh("pytest", tmp_path / "shequ-mycity", overlay_venv)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert re.search(r"\b3 passed\b", tested.stdout)
    snapshot = (tmp_path / "shequ-mycity/tests/test_conformance/test_standard_snapshot.yml").read_text(encoding="utf-8")
    assert "resident_activity_space_m2" in snapshot and "every: year" in snapshot
