"""The schema of honest readings: strengths, tolerance, restates, gaps, concepts, unstated obligations."""

from __future__ import annotations

import pytest

from shequ.checks.validate import overlap_problems
from shequ.convert import structure, unstructure
from shequ.errors import ProblemsError
from shequ.model import BINDING_STRENGTHS, OBLIGATION_KINDS, STRENGTHS, VERDICTS, CatalogAdditions, Rule

RULE = {
    "id": "floor",
    "title": "办公场所",
    "metric": "service_space_m2",
    "requirement": {"form": "min", "value": 600},
    "source": {"clause": "三(三)2", "quote": "办公场所按不低于600平方米标准设置"},
}


def two_statements(restates: str) -> str:
    return f"""
[[rules]]
id = "rate"
title = "每百户30平方米"
metric = "service_space_m2"
requirement = {{ form = "min", value = 600 }}
source = {{ clause = "二(一)", quote = "最少不低于600平方米" }}
{restates}

[[rules]]
id = "floor"
title = "不低于600平方米"
metric = "service_space_m2"
requirement = {{ form = "min", value = 600 }}
source = {{ clause = "三(三)2", quote = "办公场所按不低于600平方米标准设置" }}
"""


def test_strengths_and_verdicts_keep_their_order_and_add_at_the_end():
    assert STRENGTHS == ("mandatory", "target", "guidance", "permissive")
    assert BINDING_STRENGTHS == ("mandatory", "target")
    # the engine's codes index VERDICTS: the first five keep their codes
    assert VERDICTS == ("pass", "fail", "not_applicable", "not_due", "unknown", "departs", "not_in_force")
    assert OBLIGATION_KINDS == ("yearly", "one_off", "unstated")


def test_new_fields_are_left_out_of_plain_data_at_their_default():
    plain = unstructure(structure(RULE, Rule, "t.toml"))
    assert "tolerance" not in plain and "restates" not in plain
    given = unstructure(structure({**RULE, "tolerance": 0.1, "restates": ["rate"]}, Rule, "t.toml"))
    assert (given["tolerance"], given["restates"]) == (0.1, ["rate"])
    assert "concepts" not in unstructure(CatalogAdditions())


def test_a_rule_cannot_restate_itself():
    with pytest.raises(ProblemsError, match="cannot restate itself"):
        structure({**RULE, "restates": ["floor"]}, Rule, "t.toml")


def test_restates_names_rules_that_exist(make_registry):
    with pytest.raises(
        ProblemsError, match=r"rules\[0\]\.restates\[0\]: unknown rule 'flor' \(did you mean 'floor'\?\)"
    ):
        make_registry(two_statements('restates = ["flor"]'))


def test_rules_that_restate_one_another_are_no_overlap(make_registry):
    unlinked = make_registry(two_statements("")).get("mini")
    assert [p.message.split(":")[0] for p in overlap_problems(unlinked)] == [
        "rule 'floor' (三(三)2) overlaps rule 'rate' (二(一))"
    ]
    linked = make_registry(two_statements('restates = ["floor"]')).get("mini")
    assert overlap_problems(linked) == []


def test_gaps_concepts_and_unstated_money_structure(make_registry):
    registry = make_registry(
        """
[[gaps]]
concepts = ["premises", "community_workers"]
reason = "专栏1–4 are missing from the shipped copy"
document = "doc"

[[obligations]]
id = "special_funds"
title = "专项资金"
kind = "unstated"
amount_yuan = 3000
basis = "households"
per = 100
source = { clause = "1", quote = "按照每百户3000元的标准落实" }
"""
    )
    standard = registry.get("mini").standard
    assert standard.gaps[0].concepts == ("premises", "community_workers")
    assert standard.obligations[0].kind == "unstated"
    with pytest.raises(ProblemsError, match=r"gaps\[0\]\.document: unknown document 'dox'"):
        make_registry('[[gaps]]\nconcepts = ["premises"]\nreason = "missing"\ndocument = "dox"\n')
