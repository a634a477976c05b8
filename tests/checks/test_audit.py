"""Fidelity audit of a standard against its document text: quotes, requirement values, number coverage.

Throwaway standards and short documents are written to tmp_path; every
expected count below is worked out by hand from their text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import registry_with, write_standard

from shequ.checks.audit import Coverage, audit, coverage_problems, number_coverage, quote_problems, value_problems
from shequ.registry import LoadedStandard, get_registry, load_standard_file

BUILT_IN = ["changchun", "donghai", "longgang", "national", "panzhihua", "xiamen"]

# Numbers a reader sees: 1000, 2000 (item 1), 30, 300 (item 2), 2018 (item 3).
# The item numbers 1. 2. 3. are enumerators (structure), not provisions.
DOCUMENT = """试验文件
一、社区规模与用房
1. 每个社区以1000至2000户为宜。
2. 每百户居民拥有综合服务设施面积不低于30平方米,最少不低于300平方米。
3. 本办法自2018年起实施。
"""

STANDARD = """
[jurisdiction]
id = "mini"
name = "试验"
level = "county"

[[documents]]
id = "doc"
title = "试验文件"
date = 2018-08-22
{text}

[[rules]]
id = "size"
title = "社区规模"
metric = "households"
requirement = {{ form = "range", min = 1000, max = 2000 }}
strength = "guidance"
source = {{ clause = "一1", quote = "{size_quote}" }}

[[rules]]
id = "space"
title = "综合服务设施面积"
metric = "service_space_m2"
requirement = {{ form = "scaled_min", rate = 30, per = 100, basis = "households", floor = 300 }}
source = {{ clause = "一2", quote = "{space_quote}" }}
{space_notes}

[[unencoded]]
quote = "本办法自2018年起实施"
reason = "The starting year of the document, not a requirement on communities."
"""


def loaded_standard(
    directory: Path,
    *,
    size_quote: str = "每个社区以1000至2000户为宜",
    space_quote: str = "每百户居民拥有综合服务设施面积不低于30平方米",
    space_notes: str = "",
    ships_text: bool = True,
) -> LoadedStandard:
    """The throwaway standard as the registry loads it (audit needs the TOML path to find the text)."""
    (directory / "document.txt").write_text(DOCUMENT, encoding="utf-8")
    toml = STANDARD.format(
        text='text = "document.txt"' if ships_text else "",
        size_quote=size_quote,
        space_quote=space_quote,
        space_notes=space_notes,
    )
    path = directory / "mini.toml"
    path.write_text(toml, encoding="utf-8")
    # read as the registry reads a file, without the load-time checks: a standard whose quote is not in
    # its document is set aside by the registry (tests/test_plugin_isolation.py), and audit is what names it
    return load_standard_file(path, plugin="test-plugin")


# --------------------------------------------------------------------------
# quotes


def test_a_quote_found_in_the_document_is_no_problem(tmp_path):
    assert quote_problems(loaded_standard(tmp_path)) == []


def test_a_quote_not_in_the_document_is_reported_with_its_toml_place(tmp_path):
    loaded = loaded_standard(tmp_path, size_quote="每个社区以1500户为宜")
    (problem,) = quote_problems(loaded)
    assert problem.where == "rules[0].source.quote"
    assert problem.file is not None and problem.file.endswith("mini.toml")
    assert "quote not found in the text of document 'doc'" in problem.message
    assert "每个社区以1500户为宜" in problem.message
    assert "rules[0].source.quote" in str(problem)


def test_quotes_match_whatever_the_white_space(tmp_path):
    # web copies of the documents insert and drop spaces; the words are what count
    loaded = loaded_standard(tmp_path, size_quote="每个社区以 1000 至 2000 户\\n为宜")
    assert quote_problems(loaded) == []


def test_a_document_without_text_is_reported_not_silently_passed(tmp_path):
    loaded = loaded_standard(tmp_path, size_quote="无从核对的引文", ships_text=False)
    (problem,) = quote_problems(loaded)
    assert problem.where == "documents[0].text"
    assert "document 'doc' ships no text" in problem.message


def fragments_standard(directory: Path, fragments: list[str]) -> LoadedStandard:
    """The throwaway standard whose space rule quotes a list of verbatim fragments."""
    (directory / "document.txt").write_text(DOCUMENT, encoding="utf-8")
    listed = ", ".join(f'"{fragment}"' for fragment in fragments)
    toml = STANDARD.replace('quote = "{space_quote}"', "quote = [{space_quote}]").format(
        text='text = "document.txt"', size_quote="每个社区以1000至2000户为宜", space_quote=listed, space_notes=""
    )
    path = directory / "mini.toml"
    path.write_text(toml, encoding="utf-8")
    # without the load-time checks, as loaded_standard: a fragment not in the text would set the plugin aside
    return load_standard_file(path, plugin="test-plugin")


def test_a_quote_of_fragments_in_document_order_is_no_problem_and_carries_every_number(tmp_path):
    loaded = fragments_standard(tmp_path, ["每百户居民拥有综合服务设施面积不低于30平方米", "最少不低于300平方米"])
    assert quote_problems(loaded) == []
    # the floor of 300 stands in the second fragment: no value problem, and the number is encoded
    assert value_problems(loaded) == []
    shown = loaded.standard.rule("space").source.text
    assert shown == "每百户居民拥有综合服务设施面积不低于30平方米…最少不低于300平方米"
    used = {n.number: n.used_by for n in number_coverage(loaded).numbers}
    assert used["300"] == used["30"] == "rule space"


def test_a_short_first_fragment_the_text_has_twice_stands_only_where_the_quote_does(tmp_path):
    # "每个社区" stands in item 1 too; the quote is item 2's, so item 1's numbers are not in its quote
    loaded = fragments_standard(tmp_path, ["每百户", "不低于30平方米", "最少不低于300平方米"])
    assert quote_problems(loaded) == []
    quoted = {n.number: n.quoted_in for n in number_coverage(loaded).numbers}
    assert quoted["300"] == quoted["30"] == ("rule space",)
    assert "rule space" not in quoted["1000"]
    # a first fragment standing in two places, both followed by the rest: the shorter chain stands
    chain = fragments_standard(tmp_path, ["每", "最少不低于300平方米"])
    spans = {n.number: n.quoted_in for n in number_coverage(chain).numbers}
    assert "rule space" not in spans["30"] and "rule space" in spans["300"]


def test_each_fragment_not_in_the_document_is_reported_with_its_index(tmp_path):
    loaded = fragments_standard(tmp_path, ["每百户居民拥有综合服务设施面积不低于30平方米", "最少不低于500平方米"])
    (problem,) = quote_problems(loaded)
    assert problem.where == "rules[1].source.quote[1]"
    assert "quote fragment not found" in problem.message and "最少不低于500平方米" in problem.message


def test_fragments_out_of_document_order_are_reported(tmp_path):
    loaded = fragments_standard(tmp_path, ["最少不低于300平方米", "每百户居民拥有综合服务设施面积不低于30平方米"])
    (problem,) = quote_problems(loaded)
    assert problem.where == "rules[1].source.quote[0]"
    assert "not in the order given" in problem.message


# --------------------------------------------------------------------------
# requirement values


def test_a_requirement_number_missing_from_its_quote_is_reported(tmp_path):
    # the space rule's quote has 30 (rate) and 百 (per 100) but not the floor of 300
    (problem,) = value_problems(loaded_standard(tmp_path))
    assert problem.where == "rules[1].requirement.floor"
    assert problem.message.startswith("300 is not in the rule's quote")


def test_a_number_explained_in_the_notes_is_accepted(tmp_path):
    notes = 'notes = "最少不低于300平方米: the floor stands in the same sentence, after the comma."'
    assert value_problems(loaded_standard(tmp_path, space_notes=notes)) == []


def test_audit_lists_every_kind_of_problem_together(tmp_path):
    loaded = loaded_standard(tmp_path, size_quote="每个社区以1500户为宜")
    places = [problem.where for problem in audit(loaded)]
    assert places == [
        "rules[0].source.quote",  # the quote is not in the document
        "rules[0].requirement.min",  # 1000 and 2000 are not in the (wrong) quote
        "rules[0].requirement.max",
        "rules[1].requirement.floor",  # 300 is not in its quote
        "document 'doc'",  # the document's 1000, 2000 and 300, which no quote covers now
        "document 'doc'",
        "document 'doc'",
    ]


# --------------------------------------------------------------------------
# number coverage


def test_number_coverage_counts_encoded_unencoded_and_unaccounted(tmp_path):
    coverage = number_coverage(loaded_standard(tmp_path))
    # 1000, 2000 and 30 are values of the rules quoting them; 2018 is in the unencoded passage;
    # 300 is a value (the floor) but stands in no quote of its rule
    assert [n.number for n in coverage.numbers] == ["1000", "2000", "30", "300", "2018"]
    assert coverage.encoded_numbers == 3
    assert coverage.unencoded_numbers == 1
    assert [n.number for n in coverage.unaccounted] == ["300"]
    assert "300平方米" in coverage.unaccounted[0].context
    assert coverage.summary() == {
        "jurisdiction": "mini",
        "rules": 2,
        "tasks": 0,
        "milestones": 0,
        "obligations": 0,
        "numbers": 5,
        "numbers_in_chinese_numerals": 0,  # the 一 of "一、社区规模与用房" is an enumerator
        "numbers_encoded": 3,
        "numbers_unencoded": 1,
        "numbers_unaccounted": 1,
        "numbers_quoted_only": 0,  # 300 stands in no quote at all
    }
    assert [(n.number, n.used_by) for n in coverage.numbers if n.accounted_by == "encoded"] == [
        ("1000", "rule size"),
        ("2000", "rule size"),
        ("30", "rule space"),
    ]


def test_quoting_the_words_of_a_number_accounts_for_it(tmp_path):
    loaded = loaded_standard(tmp_path, space_quote="每百户居民拥有综合服务设施面积不低于30平方米,最少不低于300平方米")
    coverage = number_coverage(loaded)
    assert (coverage.encoded_numbers, coverage.unencoded_numbers, coverage.unaccounted) == (4, 1, [])
    assert audit(loaded) == []


def test_no_text_means_no_numbers_to_account_for(tmp_path):
    coverage = number_coverage(loaded_standard(tmp_path, ships_text=False))
    assert coverage.numbers == ()
    assert coverage.summary()["numbers_unaccounted"] == 0


# --------------------------------------------------------------------------
# the stricter rule: a number is encoded when a value of the provision quoting it uses it

# Numbers a reader sees, in order: 150, 1 (item 1); 2020, 4, 20 (item 2); 2 (item 3); 1429 (item 4).
# Item 4 is written as a damaged web copy writes it: "1429日" for item 1, 4月29日.
VALUES_DOCUMENT = """试验文件
1. 每个网格以150户左右为宜,每个网格配备1名网格员。
2. 2020年4月底前,每个社区志愿者注册率达到20%以上。
3. 各街道每2年培训一次网格员。
1429日之前,成立领导小组。
"""

VALUES_STANDARD = """
[[rules]]
id = "grid_size"
title = "网格规模"
metric = "households_per_grid"
requirement = {{ form = "max", value = 150 }}
strength = "guidance"
source = {{ clause = "1", quote = "每个网格以150户左右为宜,每个网格配备1名网格员" }}

[[rules]]
id = "volunteers"
title = "志愿者注册率"
metric = "registered_volunteers"
requirement = {{ form = "share", of = "population", min = {share} }}
source = {{ clause = "2", quote = "每个社区志愿者注册率达到20%以上" }}

[[tasks]]
id = "training"
title = "网格员培训"
lead = ["organization_dept"]
source = {{ clause = "3", quote = "各街道每2年培训一次网格员" }}

[[milestones]]
id = "volunteers_due"
date = {date}
title = "志愿者注册率达标"
source = {{ clause = "2", quote = "2020年4月底前,每个社区志愿者注册率达到20%以上" }}

[[milestones]]
id = "leading_group"
date = 2019-04-29
title = "成立领导小组"
source = {{ clause = "4", quote = "1429日之前,成立领导小组" }}
{unencoded}
"""

LISTED = """
[[unencoded]]
quote = "每2年培训一次"
reason = "A training cycle of the streets; no metric of a community measures it."
"""


def values_loaded(
    directory: Path, *, share: str = "0.2", date: str = "2020-04-30", unencoded: str = ""
) -> LoadedStandard:
    """The second throwaway standard, its text in ``document.txt`` beside it."""
    (directory / "document.txt").write_text(VALUES_DOCUMENT, encoding="utf-8")
    body = 'text = "document.txt"\n' + VALUES_STANDARD.format(share=share, date=date, unencoded=unencoded)
    return registry_with(write_standard(directory, body)).get("mini")


def values_standard(directory: Path, **changes: str) -> Coverage:
    return number_coverage(values_loaded(directory, **changes))


def reading(coverage: Coverage) -> list[tuple[str, str | None, str | None]]:
    return [(n.number, n.accounted_by, n.used_by) for n in coverage.numbers]


def test_a_number_only_inside_a_quote_is_unaccounted(tmp_path):
    coverage = values_standard(tmp_path)
    # the 1 of "配备1名网格员", the 2 of "每2年" and the 一 of "培训一次" (in Chinese numerals)
    # stand in quotes, but no value uses them
    assert [(n.number, n.script, n.quoted_in) for n in coverage.unaccounted] == [
        ("1", "arabic", ("rule grid_size",)),
        ("2", "arabic", ("task training",)),
        ("一", "chinese", ("task training",)),
    ]
    assert all(n.quoted_only for n in coverage.unaccounted)
    assert coverage.summary()["numbers_quoted_only"] == 3
    first, second, third = coverage_problems(values_loaded(tmp_path))
    assert first.where == "document 'doc'"
    assert "配备1名网格员" in first.message
    assert "stands in the quote of rule grid_size but no value of it uses the number" in first.message
    assert "stands in the quote of task training" in second.message
    assert "the number 一 in «" in third.message


def test_a_number_used_by_a_requirement_value_is_encoded(tmp_path):
    coverage = values_standard(tmp_path)
    assert reading(coverage)[0] == ("150", "encoded", "rule grid_size")  # max = 150


def test_a_date_component_counts_for_a_due_or_milestone_date(tmp_path):
    by_number = {n.number: n for n in values_standard(tmp_path).numbers}
    # 2020-04-30 uses "2020年" and "4月底"; the damaged "1429日" is item 1, 4月29日 = 2019-04-29
    assert by_number["2020"].used_by == "milestone volunteers_due"
    assert by_number["4"].used_by == "milestone volunteers_due"
    assert by_number["1429"].used_by == "milestone leading_group"
    # a date in June uses 2020 but not the 4 of "4月底"
    june = {n.number: n for n in values_standard(tmp_path, date="2020-06-30").numbers}
    assert (june["2020"].accounted_by, june["4"].accounted_by) == ("encoded", None)


def test_a_percentage_matches_its_fraction(tmp_path):
    by_number = {n.number: n for n in values_standard(tmp_path).numbers}
    # 20% is the share 0.2 of the volunteers rule; the milestone quoting it too holds no 0.2
    assert (by_number["20"].used_by, by_number["20"].quoted_in) == (
        "rule volunteers",
        ("rule volunteers", "milestone volunteers_due"),
    )
    # a share of 20 (2000 %) is not what "20%" says
    assert {n.number: n.accounted_by for n in values_standard(tmp_path, share="20").numbers}["20"] is None


def test_a_number_listed_under_unencoded_is_accounted(tmp_path):
    coverage = values_standard(tmp_path, unencoded=LISTED)
    assert reading(coverage) == [
        ("150", "encoded", "rule grid_size"),
        ("1", None, None),
        ("2020", "encoded", "milestone volunteers_due"),
        ("4", "encoded", "milestone volunteers_due"),
        ("20", "encoded", "rule volunteers"),
        ("2", "unencoded", None),
        ("一", "unencoded", None),  # 培训一次, written in Chinese numerals
        ("1429", "encoded", "milestone leading_group"),
    ]
    assert coverage.summary() | {"jurisdiction": None} == {
        "jurisdiction": None,
        "rules": 2,
        "tasks": 1,
        "milestones": 2,
        "obligations": 0,
        "numbers": 8,
        "numbers_in_chinese_numerals": 1,
        "numbers_encoded": 5,
        "numbers_unencoded": 2,
        "numbers_unaccounted": 1,
        "numbers_quoted_only": 1,
    }


# --------------------------------------------------------------------------
# the built-in standards


@pytest.fixture(scope="module")
def registry():
    return get_registry()


@pytest.mark.parametrize("jurisdiction_id", BUILT_IN)
def test_every_number_of_a_built_in_document_is_accounted_for(registry, jurisdiction_id):
    coverage = number_coverage(registry.get(jurisdiction_id))
    assert coverage.numbers, "the document text ships with the plugin"
    # a number counts when a value of the provision quoting it uses it, not because it is quoted
    assert [(n.number, n.context, n.quoted_in) for n in coverage.unaccounted] == []
    assert coverage.encoded_numbers + coverage.unencoded_numbers == len(coverage.numbers)


@pytest.mark.parametrize("jurisdiction_id", BUILT_IN)
def test_a_built_in_standard_passes_the_whole_audit(registry, jurisdiction_id):
    assert [str(problem) for problem in audit(registry.get(jurisdiction_id))] == []
