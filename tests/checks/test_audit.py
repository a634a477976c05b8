"""Fidelity audit of a standard against its document text: quotes, requirement values, number coverage.

A throwaway standard and a five-line document are written to tmp_path; every
expected count below is worked out by hand from that text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import registry_with

from shequ.checks.audit import audit, number_coverage, quote_problems, value_problems
from shequ.registry import LoadedStandard, get_registry

BUILT_IN = ["changchun", "donghai", "longgang", "panzhihua", "xiamen"]

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
    return registry_with(path).get("mini")


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
    # 1000, 2000 and 30 lie in rule quotes; 2018 in the unencoded passage; 300 in neither
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
        "numbers_encoded": 3,
        "numbers_unencoded": 1,
        "numbers_unaccounted": 1,
    }


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
# the built-in standards


@pytest.fixture(scope="module")
def registry():
    return get_registry()


@pytest.mark.parametrize("jurisdiction_id", BUILT_IN)
def test_every_number_of_a_built_in_document_is_accounted_for(registry, jurisdiction_id):
    coverage = number_coverage(registry.get(jurisdiction_id))
    assert coverage.numbers, "the document text ships with the plugin"
    assert [(n.number, n.context) for n in coverage.unaccounted] == []
    assert coverage.encoded_numbers + coverage.unencoded_numbers == len(coverage.numbers)


@pytest.mark.parametrize("jurisdiction_id", BUILT_IN)
def test_a_built_in_standard_passes_the_whole_audit(registry, jurisdiction_id):
    assert [str(problem) for problem in audit(registry.get(jurisdiction_id))] == []
