"""Issue 15's schema: obligations stating a share of a cost, quotes of fragments, and their errors."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from support import registry_with, write_standard

from shequ.convert import old_spellings, structure, unstructure
from shequ.errors import ProblemsError
from shequ.forms.words import share_words
from shequ.model import Obligation, Requirement, Rule, Task

SOURCE = {"clause": "第四十四条", "quote": "按各自承担三分之一的比例承担其经费开支"}


def obligation(**keys) -> dict:
    return {"id": "funds", "title": "经费", "kind": "yearly", "source": SOURCE, **keys}


@pytest.mark.parametrize(
    ("share", "exact", "words"),
    [
        ("1/3", Fraction(1, 3), "one third (1/3)"),
        ("2/3", Fraction(2, 3), "two thirds (2/3)"),
        ("20%", Fraction(1, 5), "20%"),
        ("0.5", Fraction(1, 2), "one half (0.5)"),
        ("2/7", Fraction(2, 7), "2/7"),
    ],
)
def test_a_share_of_a_cost_is_kept_exact_and_said_as_written(share, exact, words):
    read = structure(obligation(share=share, basis="workstation_expenditure_yuan"), Obligation, "f.toml")
    assert read.fraction == exact and read.amount_yuan is None
    assert share_words(share) == words
    # written back as the text wrote it, never as a rounded float
    assert unstructure(read)["share"] == share


def test_an_amount_obligation_unstructures_as_before_without_a_share_key():
    read = structure(obligation(amount_yuan=10, basis="households"), Obligation, "f.toml")
    assert read.fraction == 10 and "share" not in unstructure(read)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"share": "1/3"}, "name the cost metric in 'basis'"),
        ({"share": "1/3", "amount_yuan": 1, "basis": "x"}, "either 'amount_yuan' or 'share'"),
        ({"basis": "x"}, "either 'amount_yuan' or 'share'"),
        ({"share": "a third", "basis": "x"}, "must be a fraction like"),
        ({"share": "4/3", "basis": "x"}, "at most the whole"),
        ({"share": "1/3", "basis": "x", "per": 3}, "leave 'per' out"),
    ],
)
def test_a_share_that_cannot_be_read_is_a_problem_naming_the_expectation(keys, message):
    with pytest.raises(ProblemsError) as caught:
        structure(obligation(**keys), Obligation, "f.toml")
    assert message in str(caught.value)


# --------------------------------------------------------------------------
# [defaults], percent literals, one spelling per concept


DEFAULTS_BODY = """
[defaults]
applies_to = { kinds = ["urban"] }
strength = "guidance"
document = "second"

[[documents]]
id = "second"
title = "第二份文件"

[[rules]]
id = "inherits"
title = "继承默认值"
metric = "households"
requirement = { form = "min", min = 300 }
source = { clause = "1", quote = "q" }

[[rules]]
id = "overrides"
title = "自己说明"
metric = "households"
applies_to = {}
strength = "mandatory"
requirement = { form = "max", max = 2000 }
source = { clause = "2", quote = "q", document = "doc" }

[[tasks]]
id = "task"
title = "任务"
lead = ["civil_affairs"]
source = { clause = "3", quote = "q" }
"""


def test_defaults_fill_what_a_rule_does_not_say_and_a_rule_overrides_them(tmp_path):
    standard = registry_with(write_standard(tmp_path, DEFAULTS_BODY)).get("mini").standard
    inherits, overrides = standard.rules
    assert (inherits.applies_to.kinds, inherits.strength, inherits.source.document) == (
        ("urban",),
        "guidance",
        "second",
    )
    # a rule's own applies_to replaces the default whole: {} covers every community again
    assert (overrides.applies_to.kinds, overrides.strength, overrides.source.document) == ((), "mandatory", "doc")
    assert standard.tasks[0].source.document == "second"  # the document default fills every source
    # the standard as loaded carries the defaults in each rule: its snapshot reads as if written out
    assert "defaults" not in unstructure(standard)


def test_an_unknown_default_is_a_problem_naming_the_key(tmp_path):
    body = DEFAULTS_BODY.replace('strength = "guidance"', 'strenth = "guidance"')
    with pytest.raises(ProblemsError) as caught:
        registry_with(write_standard(tmp_path, body))
    (problem,) = caught.value.problems
    assert problem.where == "defaults" and "'strenth' (did you mean 'strength'?)" in problem.message


def test_percent_literals_read_as_fractions_and_rates_show_as_percentages():
    rule = structure(
        {
            "id": "share",
            "title": "志愿者比例",
            "metric": "volunteers.share",
            "requirement": {"form": "range", "min": "20%", "max": "35%"},
            "source": {"clause": "1", "quote": "q"},
        },
        Rule,
        "f.toml",
    )
    assert (rule.requirement.min, rule.requirement.max) == (0.2, 0.35)
    with pytest.raises(ProblemsError, match="expected a number"):
        structure({**unstructure(rule), "requirement": {"form": "min", "min": "twenty%"}}, Rule, "f.toml")


@pytest.mark.parametrize("form", ["min", "max"])
def test_min_and_max_take_min_and_max_like_every_form_and_still_read_value(form):
    new = structure({"form": form, form: 5}, Requirement, "f.toml")
    old = structure({"form": form, "value": 5}, Requirement, "f.toml")
    assert new == old and new.value == 5
    with pytest.raises(ProblemsError, match=f"give the bound once: '{form}'"):
        structure({"form": form, form: 5, "value": 5}, Requirement, "f.toml")


def test_old_spellings_are_noted_with_the_file_rule_and_new_spelling():
    data = {
        "rules": [
            {"id": "a", "metric": "households", "requirement": {"form": "min", "value": 300}},
            {"id": "b", "metric": "count.police_room", "requirement": {"form": "min", "value": 1}},
            {
                "id": "c",
                "metric": "households",
                "applies_to": {"when": [{"metric": "flag.grid_management", "min": 1}]},
                "requirement": {"form": "any_of", "options": [{"form": "max", "metric": "population", "value": 9}]},
            },
            {"id": "d", "metric": "households", "requirement": {"form": "min", "min": 300}},
        ]
    }
    assert old_spellings(data) == [
        ("rules[0].requirement", "rule 'a': 'value = 300' is the older spelling of the bound: write 'min = 300'"),
        (
            "rules[1].requirement",
            "rule 'b': '{ form = \"min\", value = 1 }' on count.police_room says presence: write 'form = \"present\"'",
        ),
        (
            "rules[2].requirement.options[0]",
            "rule 'c': 'value = 9' is the older spelling of the bound: write 'max = 9'",
        ),
        (
            "rules[2].applies_to.when[0]",
            "rule 'c': 'min = 1' on a count or flag says presence: write 'present = true'",
        ),
    ]


def test_validate_prints_a_deprecation_note_naming_file_rule_and_new_spelling(tmp_path):
    from click.testing import CliRunner

    from shequ.cli import main

    body = DEFAULTS_BODY.replace('{ form = "min", min = 300 }', '{ form = "min", value = 300 }')
    path = write_standard(tmp_path, body)
    result = CliRunner().invoke(main, ["validate", str(path)])
    note = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(note) == 1
    assert "mini.toml: rules[0].requirement: rule 'inherits'" in note[0] and "write 'min = 300'" in note[0]


# --------------------------------------------------------------------------
# receiving and approving authorities (受理/审批)


def test_a_task_may_name_only_the_authorities_that_receive_or_approve():
    task = structure(
        {
            "id": "approval",
            "title": "县政府审批,批文抄送市民政局备案",
            "approving": ["government"],
            "receiving": ["civil_affairs"],
            "source": {"clause": "三(二)3", "quote": "由县政府审批,批文抄送市民政局备案"},
        },
        Task,
        "f.toml",
    )
    assert (task.approving, task.receiving, task.lead) == (("government",), ("civil_affairs",), ())
    with pytest.raises(ProblemsError, match="receiving or approving"):
        structure({"id": "none", "title": "无人", "source": SOURCE}, Task, "f.toml")


def test_responsibilities_show_the_receiving_and_approving_roles_in_both_languages():
    from shequ.registry import get_registry
    from shequ.views import responsibilities

    frame = responsibilities(get_registry(), jurisdictions=["donghai"], as_of=dt.date(2020, 1, 1))
    rows = {
        (r["department"], r["role"], r["role_zh"])
        for r in frame.iter_rows(named=True)
        if r["task"] == "approval_and_filing"
    }
    assert rows == {("government", "approving", "审批"), ("civil_affairs", "receiving", "受理")}
