"""Derived metrics and deadlines that are not one date: the engine, the reference oracle, the loader, the timeline."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from support import registry_with, write_standard

from shequ.engine import evaluate
from shequ.engine.export import write_results
from shequ.engine.reference import evaluate_rule
from shequ.errors import ProblemsError
from shequ.io import load_communities
from shequ.model import Recurring, next_occurrence
from shequ.model.deadlines import first_occurrence, latest_occurrence
from shequ.views import timeline

# The mini standard's document is dated 2018-08-22 (tests/support.py).
BODY = """
[[rules]]
id = "activity_space"
title = "活动用房不少于440平方米"
metric = "activity_space_m2"
requirement = { form = "min", value = 440 }
source = { clause = "一", quote = "活动用房不少于440平方米" }

[[rules]]
id = "all_rooms"
title = "用房合计不少于600平方米"
metric = "all_rooms_m2"
requirement = { form = "min", value = 600 }
source = { clause = "二", quote = "用房合计不少于600平方米" }

[[rules]]
id = "space_per_household"
title = "每户不少于0.3平方米"
metric = "space_per_household"
requirement = { form = "min", value = 0.3 }
source = { clause = "三", quote = "每户不少于0.3平方米" }

[[rules]]
id = "half_space"
title = "半数面积不少于200平方米"
metric = "half_space_m2"
requirement = { form = "min", value = 200 }
source = { clause = "四", quote = "半数面积不少于200平方米" }

[[rules]]
id = "yearly"
title = "每年4月底之前提交申请"
metric = "flag.application_filed"
requirement = { form = "present" }
due = { every = "year", by = "04-30" }
source = { clause = "五", quote = "每年4月底之前提交申请" }

[[rules]]
id = "monthly"
title = "每月月底前报送"
metric = "flag.application_filed"
requirement = { form = "present" }
due = { every = "month", by = "31" }
source = { clause = "六", quote = "每月月底前报送" }

[[rules]]
id = "after_handover"
title = "移交之日起15日内完成"
metric = "flag.application_filed"
requirement = { form = "present" }
due = { after = "handover", days = 15 }
source = { clause = "七", quote = "移交之日起15日内完成" }

[[catalog.metrics]]
id = "activity_space_m2"
zh = "活动用房面积"
unit = "㎡"
difference = ["service_space_m2", "staff_office_m2"]

[[catalog.metrics]]
id = "all_rooms_m2"
zh = "用房合计"
sum = ["service_space_m2", "staff_office_m2", "activity_space_m2"]

[[catalog.metrics]]
id = "space_per_household"
zh = "户均用房面积"
unit = "m²/户"
ratio = ["activity_space_m2", "households"]

[[catalog.metrics]]
id = "half_space_m2"
zh = "半数面积"
product = { metric = "service_space_m2", factor = 0.5 }

[[catalog.flags]]
id = "application_filed"
zh = "已提交申请"

[[catalog.events]]
id = "handover"
zh = "移交日期"
aliases = ["移交时间"]
"""


@pytest.fixture
def registry(tmp_path):
    return registry_with(write_standard(tmp_path, BODY))


def test_derived_metrics_take_their_formulas_unit(registry):
    catalog = registry.catalog
    assert catalog.metric("activity_space_m2").unit == "㎡"  # stated, and m² by another spelling
    assert catalog.metric("all_rooms_m2").unit == "m²"  # not stated: the formula's
    assert catalog.metric("half_space_m2").formula == "service_space_m2 × 0.5"


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ('sum = ["service_space_m2", "households"]', "sum service_space_m2 (m²) + households (户): operands of a sum"),
        ('ratio = ["service_space_m2", "households"]\nunit = "户/m²"', "unit '户/m²' does not match"),
        ('difference = ["service_space_m2", "bogus"]', "difference names unknown metric 'bogus'"),
        ('difference = ["service_space_m2", "loop_m2"]', "its formula refers back to itself: loop_m2 → loop_m2"),
    ],
)
def test_a_bad_formula_is_an_error_naming_plugin_metric_and_operands(tmp_path, formula, message):
    body = f'\n[[catalog.metrics]]\nid = "loop_m2"\nzh = "环"\n{formula}\n'
    with pytest.raises(ProblemsError) as raised:
        registry_with(write_standard(tmp_path, body))
    text = str(raised.value)
    assert "catalog.metrics.loop_m2: derived metric 'loop_m2' (added by test-plugin)" in text
    assert message in text


def test_recurring_occurrences():
    yearly = Recurring(every="year", by="04-30")
    assert first_occurrence(yearly, dt.date(2024, 5, 1)) == dt.date(2025, 4, 30)
    assert next_occurrence(yearly, dt.date(2026, 6, 1), dt.date(2024, 1, 1)) == dt.date(2027, 4, 30)
    assert latest_occurrence(yearly, dt.date(2026, 6, 1), dt.date(2024, 1, 1)) == dt.date(2026, 4, 30)
    assert latest_occurrence(yearly, dt.date(2026, 4, 30), dt.date(2024, 1, 1)) == dt.date(2026, 4, 30)
    assert latest_occurrence(yearly, dt.date(2024, 2, 1), dt.date(2024, 1, 1)) == dt.date(2024, 4, 30)  # the first
    month_end = Recurring(every="month", by="31")
    assert next_occurrence(month_end, dt.date(2025, 2, 3)) == dt.date(2025, 2, 28)
    assert latest_occurrence(month_end, dt.date(2025, 3, 3), dt.date(2024, 1, 1)) == dt.date(2025, 2, 28)


def random_frame(rng: random.Random, size: int) -> pl.DataFrame:
    def number(scale: float) -> float | None:
        return None if rng.random() < 0.15 else round(rng.random() * scale, 1)

    def handover() -> dt.date | None:
        return None if rng.random() < 0.2 else dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))

    return pl.DataFrame(
        {
            "id": [f"c{i}" for i in range(size)],
            "households": [number(3000) for _ in range(size)],
            "service_space_m2": [number(900) for _ in range(size)],
            "staff_office_m2": [number(300) for _ in range(size)],
            "flags": [
                None if rng.random() < 0.1 else rng.sample(["application_filed", "grid_management"], rng.randint(0, 2))
                for _ in range(size)
            ],
            "dates.handover": [handover() for _ in range(size)],
        },
        schema_overrides={"flags": pl.List(pl.String), "dates.handover": pl.Date},
    )


@pytest.mark.parametrize(
    "as_of", [dt.date(2018, 9, 1), dt.date(2019, 4, 30), dt.date(2019, 5, 1), dt.date(2022, 3, 15), dt.date(2027, 1, 1)]
)
def test_the_engine_agrees_with_the_reference_oracle(registry, as_of):
    frame = random_frame(random.Random(as_of.toordinal()), 300)
    results = evaluate(frame, as_of=as_of, registry=registry)
    rows = frame.to_dicts()
    seen = set()
    for compiled in results.rules:
        engine = results.codes.get_column(compiled.key).to_list()
        reference = [evaluate_rule(row, compiled.rule, registry.catalog, as_of, dt.date(2018, 8, 22)) for row in rows]
        mismatches = [(rows[i], engine[i], reference[i]) for i in range(len(rows)) if engine[i] != reference[i]]
        assert not mismatches, f"{compiled.key} as of {as_of}: {mismatches[:3]}"
        seen.add(compiled.rule.id)
    assert seen == {rule.id for rule in registry.get("mini").standard.rules}


def test_deadline_verdicts(registry):
    frame = pl.DataFrame(
        {
            "id": ["early", "late", "blank", "unfiled"],
            "flags": [["application_filed"], ["application_filed"], ["application_filed"], []],
            "dates.handover": [dt.date(2020, 1, 1), dt.date(2020, 5, 25), None, dt.date(2020, 1, 1)],
        },
        schema_overrides={"flags": pl.List(pl.String), "dates.handover": pl.Date},
    )
    results = evaluate(frame, as_of=dt.date(2020, 6, 1), registry=registry)
    verdicts = {(row["id"], row["rule"]): (row["verdict"], row["due"]) for row in results.details().to_dicts()}
    # handover + 15 days: 2020-01-16 has passed, 2020-06-09 has not, a blank date cannot say
    assert verdicts["early", "after_handover"] == ("pass", dt.date(2020, 1, 16))
    assert verdicts["late", "after_handover"] == ("not_due", dt.date(2020, 6, 9))
    assert verdicts["blank", "after_handover"] == ("unknown", None)
    assert verdicts["unfiled", "after_handover"] == ("fail", dt.date(2020, 1, 16))
    # every year by 04-30, document of 2018-08-22: first due 2019-04-30; judged against the latest cycle
    assert verdicts["unfiled", "yearly"] == ("fail", dt.date(2020, 4, 30))
    before = evaluate(frame, as_of=dt.date(2019, 4, 29), registry=registry).details()
    assert set(before.filter(pl.col("rule") == "yearly").get_column("verdict")) == {"not_due"}


def test_event_dates_load_from_a_spreadsheet_under_their_catalog_names(registry, tmp_path):
    data = tmp_path / "communities.csv"
    data.write_text("id,移交时间\nA,2024-05-01\nB,2024/6/3\nC,\n", encoding="utf-8")
    frame = load_communities(data, catalog=registry.catalog).frame
    assert frame.schema["dates.handover"] == pl.Date
    assert frame.get_column("dates.handover").to_list() == [dt.date(2024, 5, 1), dt.date(2024, 6, 3), None]
    data.write_text("id,移交日期\nA,next week\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as raised:
        load_communities(data, catalog=registry.catalog)
    assert "dates.handover: expected a date (YYYY-MM-DD), got 'next week'" in str(raised.value)


def test_timeline_shows_the_latest_and_the_next_occurrence(registry):
    events = timeline(registry, ["mini"], as_of=dt.date(2026, 6, 1))
    yearly = events.filter(pl.col("id") == "yearly")
    assert yearly.get_column("date").to_list() == [dt.date(2026, 4, 30), dt.date(2027, 4, 30)]
    assert yearly.get_column("status").to_list() == ["past", "upcoming"]
    assert all(title.endswith("(every year by 04-30)") for title in yearly.get_column("title"))
    assert events.filter(pl.col("id") == "after_handover").is_empty()  # no calendar date of its own


def test_timeline_judges_the_latest_cycle_on_the_data(registry):
    frame = pl.DataFrame(
        {"id": ["A", "B"], "flags": [["application_filed"], []]}, schema_overrides={"flags": pl.List(pl.String)}
    )
    events = timeline(registry, ["mini"], as_of=dt.date(2026, 6, 1), communities=frame)
    yearly = events.filter(pl.col("id") == "yearly").select("date", "status", "passed", "failed").to_dicts()
    assert yearly == [
        {"date": dt.date(2026, 4, 30), "status": "overdue", "passed": 1, "failed": 1},
        {"date": dt.date(2027, 4, 30), "status": "upcoming", "passed": None, "failed": None},
    ]


def test_a_verdict_file_holds_each_communitys_deadline_after_an_event(registry, tmp_path):
    """The file written in batches says what Results.details() says, event deadlines included."""
    frame = pl.DataFrame(
        {
            "id": ["early", "late", "blank"],
            "flags": [["application_filed"], [], ["application_filed"]],
            "dates.handover": [dt.date(2020, 1, 1), dt.date(2020, 5, 25), None],
        },
        schema_overrides={"flags": pl.List(pl.String), "dates.handover": pl.Date},
    )
    results = evaluate(frame, as_of=dt.date(2020, 6, 1), registry=registry)
    (path,) = write_results(results, tmp_path / "verdicts.parquet")
    written = pl.read_parquet(path).select("id", pl.col("rule", "verdict").cast(pl.String), "due")
    details = results.details().select("id", "rule", "verdict", "due")
    assert written.sort("rule", "id").rows() == details.sort("rule", "id").rows()
    dues = dict(written.filter(pl.col("rule") == "after_handover").select("id", "due").rows())
    assert dues == {"early": dt.date(2020, 1, 16), "late": dt.date(2020, 6, 9), "blank": None}
