"""Structuring standards from TOML: good files load, every broken place is reported with its path."""

from __future__ import annotations

import tomllib

import pytest

from shequ.convert import structure, unstructure
from shequ.errors import ProblemsError
from shequ.model import Conditional, Range, ScaledMinimum, Staged, Standard

GOOD = """
[jurisdiction]
id = "mini"
name = "试验"

[[documents]]
id = "doc"
title = "试验文件"
date = 2018-08-22

[[rules]]
id = "size"
title = "社区规模"
metric = "households"
requirement = { form = "range", min = 1000, max = 2000 }
strength = "guidance"
source = { clause = "二(一)2", quote = "社区规模以1000—2000户左右为宜" }

[[rules]]
id = "space"
title = "综合服务设施面积"
metric = "service_space_m2"
requirement = { form = "scaled_min", rate = 30, per = 100, basis = "households", floor = 300 }
source = { clause = "二(二)8", quote = "不低于30平方米" }

[[rules]]
id = "registration"
title = "志愿者注册率"
metric = "registered_volunteers"
source = { clause = "二(三)14", quote = "注册率达到4%以上" }
[rules.requirement]
form = "staged"
stages = [
  { due = 2018-12-31, requirement = { form = "share", of = "population", min = 0.04 } },
  { due = 2020-12-31, requirement = { form = "share", of = "population", min = 0.10 } },
]

[[rules]]
id = "general_branch"
title = "党总支"
metric = "count.party_general_branch"
requirement = { form = "conditional", when = { metric = "party_members", min = 50 }, then = { form = "present" } }
source = { clause = "x", quote = "y" }
"""


def load(text: str) -> Standard:
    return structure(tomllib.loads(text), Standard, "mini.toml")


def problems(text: str) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


def test_a_good_standard_structures_into_typed_forms():
    standard = load(GOOD)
    size, space, registration, branch = standard.rules
    assert isinstance(size.requirement, Range) and (size.requirement.min, size.requirement.max) == (1000, 2000)
    assert isinstance(space.requirement, ScaledMinimum) and space.requirement.floor == 300
    assert isinstance(registration.requirement, Staged)
    assert [s.requirement.min for s in registration.requirement.stages] == [0.04, 0.10]
    assert isinstance(branch.requirement, Conditional) and branch.requirement.when.min == 50
    assert size.strength == "guidance" and space.strength == "mandatory"


def test_unstructure_round_trips():
    standard = load(GOOD)
    assert structure(unstructure(standard), Standard, "again") == standard


def test_wrong_type_names_the_path():
    text = GOOD.replace("min = 1000, max = 2000", 'min = "a thousand", max = 2000')
    assert problems(text) == ["mini.toml: rules[0].requirement.min: expected a number, got 'a thousand'"]


def test_unknown_key_is_an_error_not_ignored():
    text = GOOD.replace('strength = "guidance"', 'strenght = "guidance"')
    assert problems(text) == ["mini.toml: rules[0]: unknown key(s) 'strenght' (did you mean 'strength'?)"]


def test_missing_source_is_an_error():
    text = GOOD.replace('source = { clause = "二(二)8", quote = "不低于30平方米" }\n', "")
    (message,) = problems(text)
    assert message.startswith("mini.toml: rules[1].source: required field missing")


def test_every_problem_is_reported_at_once():
    text = (
        GOOD.replace("min = 1000, max = 2000", "min = 3000, max = 2000")
        .replace('basis = "households"', "basis = 5")
        .replace('form = "present"', 'form = "exists"')
        .replace('source = { clause = "x", quote = "y" }', 'source = { clause = "x", quote = "y" }\nstrength = "soft"')
        .replace('title = "志愿者注册率"', 'title = ""')
    )
    found = problems(text)
    assert len(found) == 4, found
    assert any("rules[0].requirement: 'min' (3000.0) must not exceed 'max' (2000.0)" in p for p in found)
    assert any("rules[1].requirement.basis: expected a text, got 5" in p for p in found)
    assert any("rules[3].requirement.then: 'form' must be one of" in p and "'exists'" in p for p in found)
    assert any(p == "mini.toml: rules[2]: 'title' must not be empty" for p in found)


def test_strings_are_not_coerced_to_numbers_and_bools_are_not_numbers():
    assert problems(GOOD.replace("floor = 300", "floor = true")) == [
        "mini.toml: rules[1].requirement.floor: expected a number, got True"
    ]


def test_staged_stages_must_be_in_date_order():
    text = GOOD.replace("due = 2018-12-31", "due = 2021-12-31")
    assert any("stages must be in strictly increasing date order" in p for p in problems(text))
