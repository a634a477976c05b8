"""Numbers written in Chinese numerals: found where they measure something, converted, and audited.

The expectations are read by hand off each sentence (the sentences are those of
the national organic law and of the built-in documents).
"""

from __future__ import annotations

import pytest
from support import registry_with, write_standard

from shequ.checks.audit import number_coverage, value_problems
from shequ.checks.numerals import chinese_numerals, values_in


def found(text: str) -> list[tuple[str, float, str]]:
    return [(n.literal, round(n.value, 6), n.unit) for n in chinese_numerals(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一般在一千户至三千户的范围内设立", [("一千", 1000, "户"), ("三千", 3000, "户")]),
        ("一般在一百户至七百户的范围内设立", [("一百", 100, "户"), ("七百", 700, "户")]),
        # the first end of a range takes the measure word of the second
        ("由主任、副主任和委员共五至九人组成", [("五", 5, ""), ("九", 9, "人")]),
        ("每二十户至五十户推选一人", [("二十", 20, "户"), ("五十", 50, "户"), ("一", 1, "人")]),
        ("按各自承担三分之一的比例", [("三分之一", 0.333333, "/")]),
        ("百分之二十以上", [("百分之二十", 0.2, "%")]),
        ("每届任期五年", [("五", 5, "年")]),
        ("年满十八周岁的居民", [("十八", 18, "周岁")]),  # the longer measure word wins over 岁
        ("连续两年未达标", [("两", 2, "年")]),
        ("二〇一八年", [("二〇一八", 2018, "年")]),
    ],
)
def test_measured_numbers_are_found_and_converted(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "一站式服务",  # a name: 站 is no measure word here
        "一支部一居一站一中心",  # 支 and 站 name bodies
        "第十四条",  # an ordinal
        "一般在适当范围内设立",  # 一般: "as a rule"
        "一次性工作补贴",  # 一次性: "one-off"
        "十八届三中全会",  # 届 numbers a congress, like 第
        "统一名称、统一标识",  # 统一: "unified", not one name
        "（三）讨论决定",  # an enumerator
        "数十人",  # no numeral cn2an can read: 数 is "several"
    ],
)
def test_words_and_ordinals_are_not_numbers(text):
    assert found(text) == []


def test_values_in_a_quote_include_unmeasured_runs():
    # value_problems asks whether a requirement's number stands in the quote at all
    assert values_in("一般在一千户至三千户的范围内设立") >= {1000.0, 3000.0}
    assert values_in("共五至九人组成") >= {5.0, 9.0}


DOCUMENT = """试验法
第六条 居民委员会一般在一百户至七百户的范围内设立。
第七条 居民委员会由五至九人组成。
第八条 提供一站式服务。
"""

# the body of a standard after support's header, whose [[documents]] entry it completes
STANDARD = """text = "document.txt"

[[rules]]
id = "households"
title = "规模"
metric = "households"
requirement = {{ form = "range", min = {low}, max = 700 }}
strength = "guidance"
source = {{ clause = "第六条", quote = "一般在一百户至七百户的范围内设立" }}
{unencoded}
"""


def coverage_of(tmp_path, *, low: int = 100, unencoded: str = ""):
    (tmp_path / "document.txt").write_text(DOCUMENT, encoding="utf-8")
    loaded = registry_with(write_standard(tmp_path, STANDARD.format(low=low, unencoded=unencoded))).get("mini")
    return loaded, number_coverage(loaded)


def test_chinese_numbers_are_encoded_by_the_values_that_use_them(tmp_path):
    _, coverage = coverage_of(tmp_path)
    chinese = [(n.number, n.script, n.accounted_by, n.used_by) for n in coverage.numbers if n.script == "chinese"]
    # 一百 and 七百 by the range; 五 and 九 nothing accounts for; 一站式 is no number
    assert chinese == [
        ("一百", "chinese", "encoded", "rule households"),
        ("七百", "chinese", "encoded", "rule households"),
        ("五", "chinese", None, None),
        ("九", "chinese", None, None),
    ]
    assert coverage.summary()["numbers_unaccounted"] == 2


def test_an_unencoded_entry_accounts_for_chinese_numbers(tmp_path):
    entry = '[[unencoded]]\nquote = "居民委员会由五至九人组成"\nreason = "committee size: no metric in this test"\n'
    _, coverage = coverage_of(tmp_path, unencoded=entry)
    assert coverage.unaccounted == []
    assert [n.number for n in coverage.numbers if n.accounted_by == "unencoded"] == ["五", "九"]


def test_a_value_not_written_in_the_quote_is_a_problem_whichever_the_script(tmp_path):
    loaded, coverage = coverage_of(tmp_path, low=200)
    # 200 is neither 一百 nor 七百: the value is not in its quote, and 一百 is no longer used
    assert [p.where for p in value_problems(loaded)] == ["rules[0].requirement.min"]
    assert [n.number for n in coverage.unaccounted] == ["一百", "五", "九"]
