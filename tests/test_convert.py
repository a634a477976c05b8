"""The one converter between TOML/JSON data and model objects: strict types, every problem at once.

What a plugin author relies on: a misspelt key is an error that names the key
it probably meant and where it is; a value of the wrong type names the type
expected; nothing is coerced; every problem of a file is listed together; and
a standard survives the trip to plain data and back.
"""

from __future__ import annotations

import datetime as dt

import cattrs
import pytest

from shequ.convert import MAX_DEPTH, problems_from, structure, unstructure
from shequ.errors import ProblemsError
from shequ.model import Document, Minimum, Placement, Rule, Source, Standard, Unencoded
from shequ.registry import get_registry

BUILT_IN = ["changchun", "donghai", "longgang", "national", "panzhihua", "xiamen"]


def rule_data(**changes: object) -> dict:
    """A valid rule as a TOML file gives it, with some keys changed (None removes a key)."""
    data: dict = {
        "id": "space",
        "title": "综合服务设施面积",
        "metric": "service_space_m2",
        "requirement": {"form": "min", "value": 300},
        "due": "2020-12-31",
        "source": {"clause": "二(二)8", "quote": "不少于300平方米"},
    }
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    return data


def problems(data: dict, cls: type = Rule) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        structure(data, cls, "mini.toml")
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_rule_structures_with_its_types():
    rule = structure(rule_data(), Rule, "mini.toml")
    assert rule.requirement == Minimum(value=300.0)
    assert isinstance(rule.requirement.value, float)
    assert rule.due == dt.date(2020, 12, 31)
    assert rule.source == Source(clause="二(二)8", quote="不少于300平方米")
    assert rule.strength == "mandatory"  # the default when a rule does not say


# --------------------------------------------------------------------------
# unknown keys


def test_an_unknown_key_names_the_key_meant_and_its_toml_path():
    data = rule_data(source={"clause": "二(二)8", "quote": "不少于300平方米", "documnet": "doc"})
    assert problems(data) == ["mini.toml: source: unknown key(s) 'documnet' (did you mean 'document'?)"]


def test_two_unknown_keys_each_get_their_hint():
    data = rule_data(strenght="target", titel="面积")
    (problem,) = problems(data)
    assert "unknown key(s) 'strenght', 'titel'" in problem
    assert "'strength' for 'strenght'" in problem and "'title' for 'titel'" in problem


def test_an_unknown_key_with_nothing_close_lists_the_keys_accepted_there():
    (problem,) = problems(rule_data(colour="red"))
    assert problem.startswith("mini.toml: unknown key(s) 'colour'; keys here: id, title,")
    assert "did you mean" not in problem


def test_a_misspelt_required_key_is_reported_once_as_the_typo_not_also_as_missing():
    data = rule_data(requirement={"form": "min", "valeu": 300})
    assert problems(data) == [
        "mini.toml: requirement: form 'min' needs its bound: 'min = …'; unknown key 'valeu' (did you mean 'min'?)"
    ]


def test_a_missing_requirement_names_the_form_expected_not_a_python_type():
    data = rule_data(requirement={"form": "conditional", "when": {"metric": "households", "min": 1}})
    (problem,) = problems(data)
    assert "requirement.then: required field missing, expected a requirement table with a 'form' key" in problem
    assert "Union" not in problem


def test_nan_and_inf_are_not_numbers_a_standard_can_hold():
    for value in (float("nan"), float("inf"), float("-inf")):
        (problem,) = problems(rule_data(requirement={"form": "min", "value": value}))
        assert problem == f"mini.toml: requirement.value: expected a finite number, got {value!r}"


def test_nesting_deeper_than_the_limit_is_one_problem_not_a_recursion_error():
    requirement: dict = {"form": "min", "value": 1}
    for _ in range(3000):
        requirement = {"form": "any_of", "options": [requirement, {"form": "min", "value": 2}]}
    (problem,) = problems(rule_data(requirement=requirement))
    assert f"nested more than {MAX_DEPTH} levels deep (the limit)" in problem
    assert problem.startswith("mini.toml: requirement.options[0].options[0]")


def test_an_unknown_key_inside_a_list_names_the_index():
    data = {
        "jurisdiction": {"id": "mini", "name": "试验"},
        "documents": [{"id": "doc", "title": "试验文件"}],
        "rules": [rule_data(), rule_data(id="other", requirment={"form": "min", "value": 1})],
    }
    (problem,) = problems(data, Standard)
    assert problem == "mini.toml: rules[1]: unknown key(s) 'requirment' (did you mean 'requirement'?)"


# --------------------------------------------------------------------------
# types


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"requirement": {"form": "min", "value": "300"}}, "requirement.value: expected a number, got '300'"),
        ({"requirement": {"form": "min", "value": True}}, "requirement.value: expected a number, got True"),
        ({"title": 5}, "title: expected a text, got 5"),
        ({"due": "2020/12/31"}, "due: expected a date (YYYY-MM-DD), got '2020/12/31'"),
        (
            {"requirement": {"form": "placement", "floors": [1, 2], "basement": "no"}},
            "requirement.basement: expected true or false, got 'no'",
        ),
        (
            {"requirement": {"form": "placement", "floors": [1.5]}},
            "requirement.floors[0]: expected a whole number, got 1.5",
        ),
    ],
    ids=["text-for-number", "bool-for-number", "number-for-text", "slashed-date", "text-for-bool", "fraction-for-int"],
)
def test_a_wrong_type_names_the_type_expected_and_is_never_coerced(changes, expected):
    assert problems(rule_data(**changes)) == [f"mini.toml: {expected}"]


def test_a_whole_float_is_accepted_where_a_whole_number_is_expected():
    # TOML writes 1.0 for a computed floor; it is the whole number 1, not a mistake
    rule = structure(rule_data(requirement={"form": "placement", "floors": [1.0, 2]}), Rule, "mini.toml")
    assert rule.requirement == Placement(floors=(1, 2))
    assert all(isinstance(floor, int) for floor in rule.requirement.floors)


def test_an_unknown_requirement_form_lists_the_forms():
    (problem,) = problems(rule_data(requirement={"form": "minimum", "value": 300}))
    assert problem.startswith("mini.toml: requirement: 'form' must be one of min, max, range")
    assert "'minimum'" in problem


def test_a_missing_field_is_named():
    (problem,) = problems(rule_data(source=None))
    assert problem.startswith("mini.toml: source: required field missing")


# --------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    "value",
    ["2019-04-25", dt.date(2019, 4, 25), dt.datetime(2019, 4, 25, 9, 30)],
    ids=["iso-text", "toml-date", "toml-datetime"],
)
def test_dates_are_parsed_from_toml_dates_and_iso_text(value):
    document = structure({"id": "doc", "title": "试验文件", "date": value}, Document, "mini.toml")
    assert document.date == dt.date(2019, 4, 25)
    assert type(document.date) is dt.date


def test_unstructure_writes_dates_as_iso_text():
    document = Document(id="doc", title="试验文件", date=dt.date(2019, 4, 25))
    assert unstructure(document)["date"] == "2019-04-25"


# --------------------------------------------------------------------------
# every problem at once


def test_two_mistakes_give_two_problems():
    data = rule_data(title=7, requirement={"form": "min", "value": "300"})
    assert problems(data) == [
        "mini.toml: title: expected a text, got 7",
        "mini.toml: requirement.value: expected a number, got '300'",
    ]


def test_the_error_report_counts_and_lists_every_problem():
    data = rule_data(title=7, due="soon", strenght="target")
    with pytest.raises(ProblemsError) as caught:
        structure(data, Rule, "mini.toml")
    report = caught.value.report()
    assert report.splitlines()[0] == "3 problems found:"
    assert "title: expected a text" in report and "due: expected a date" in report and "'strenght'" in report
    assert all(problem.file == "mini.toml" for problem in caught.value.problems)


def test_problems_from_reads_a_cattrs_error_into_places():
    # any cattrs structuring error (here from a plain converter) becomes one problem per place
    plain = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    with pytest.raises(cattrs.BaseValidationError) as caught:
        plain.structure({"quote": "引文", "reason": "理由", "documnet": "doc"}, Unencoded)
    (problem,) = problems_from(caught.value, "other.toml")
    assert problem.file == "other.toml"
    assert problem.message == "unknown key(s) 'documnet' (did you mean 'document'?)"


# --------------------------------------------------------------------------
# round trip


@pytest.mark.parametrize("jurisdiction_id", BUILT_IN)
def test_unstructure_then_structure_gives_back_a_built_in_standard(jurisdiction_id):
    standard = get_registry().get(jurisdiction_id).standard
    data = unstructure(standard)
    assert isinstance(data, dict) and data["jurisdiction"]["id"] == jurisdiction_id
    assert all(isinstance(document["date"], str | None) for document in data["documents"])
    assert structure(data, Standard, f"{jurisdiction_id}.toml") == standard
