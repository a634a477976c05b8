"""Numbers a document writes in Chinese numerals: 一百户至七百户, 五至九人, 三分之一, 百分之二十.

National and provincial texts write their numbers in words, so a fidelity audit
that only counts Arabic digits would call such a text fully accounted for while
it has not looked at a single one of its numbers. This module finds them.

Not every numeral character is a number of a provision: 一般, 一站式, 统一,
进一步, 第十四条 and 一是 use the characters as words or ordinals. A run of
numerals therefore counts only where the text measures something with it:

- followed by a measure word (户, 人, 名, 个, 年, 日, 周岁, 平方米, 元 …):
  "五年", "十八周岁", "二十日";
- as either end of a range whose other end is measured: "五至九人" counts 五 and 九;
- as a fraction or percentage: "三分之一", "百分之二十", "五分之四以上".

An ordinal (preceded by 第) is never a number, nor a vague count (数十人), nor is 一次性 ("one-off"), nor the
一 of a word such as 统一 (统一名称 is "unified names", not "one name"). Conversion to a value uses
``cn2an``, a maintained converter; a run it cannot read is skipped (such runs
are words: 几, 数十).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_RUN = f"[{_DIGITS}]+(?:点[{_DIGITS}]+)?"

#: Measure words after which a numeral run is a quantity. Longest first, so "平方米" wins over "平".
#: 支 and 站 are left out on purpose: 一支部 and 一站式 are names, not counts; 届 numbers a
#: term or a congress (十八届三中全会), like 第, and counts nothing.
MEASURE_WORDS = tuple(
    sorted(
        (
            "户",
            "人",
            "名",
            "个",
            "位",
            "家",
            "所",
            "间",
            "处",
            "项",
            "次",
            "年",
            "月",
            "日",
            "天",
            "周",
            "周岁",
            "岁",
            "小时",
            "分钟",
            "平方米",
            "平米",
            "米",
            "公里",
            "千米",
            "元",
            "万元",
            "倍",
            "成",
            "层",
            "栋",
            "套",
        ),
        key=len,
        reverse=True,
    )
)

_RANGE = "至到－—~～-"
#: 第 makes an ordinal; 数, 几 and 若 a vague count (数十人: some tens of people).
_NOT_A_NUMBER_AFTER = "第数几若"
#: Characters that make a word of a following 一: 统一, 唯一, 同一, 逐一, 单一, 划一, 专一, 之一, 万一.
_WORD_BEFORE_ONE = "统唯同逐单划专之万"
_FRACTION = re.compile(rf"({_RUN})分之({_RUN})")
_PERCENT = re.compile(rf"百分之({_RUN})")
_NUMERAL = re.compile(_RUN)


@attrs.frozen
class Numeral:
    """One number a text writes in Chinese numerals, where it stands and what it is worth."""

    start: int
    end: int
    literal: str
    value: float
    #: The measure word after it ("户"), "%" for 百分之…, "/" for …分之…, or "" for a range end.
    unit: str = ""


def _value(literal: str) -> float | None:
    import cn2an  # 0.6 s to import: loaded only when an audit runs

    try:
        return float(cn2an.cn2an(literal, "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _measure(text: str, end: int) -> str | None:
    for word in MEASURE_WORDS:
        if text.startswith(word, end):
            return word
    return None


def _a_word(text: str, match: re.Match[str]) -> bool:
    """An ordinal (第十四条), a vague count (数十人) or a word (统一名称: unified names, not one name)."""
    before = text[match.start() - 1] if match.start() > 0 else ""
    return bool(before) and (before in _NOT_A_NUMBER_AFTER or (match.group() == "一" and before in _WORD_BEFORE_ONE))


def chinese_numerals(text: str) -> Iterator[Numeral]:
    """Every number ``text`` writes in Chinese numerals as a quantity, in order of position."""
    taken: list[tuple[int, int]] = []
    found: list[Numeral] = []

    def free(start: int, end: int) -> bool:
        return all(end <= lo or start >= hi for lo, hi in taken)

    for match in _PERCENT.finditer(text):
        value = _value(match.group(1))
        if value is not None:
            taken.append(match.span())
            found.append(Numeral(match.start(), match.end(), match.group(), value / 100, "%"))
    for match in _FRACTION.finditer(text):
        if not free(*match.span()):
            continue
        denominator, numerator = _value(match.group(1)), _value(match.group(2))
        if denominator and numerator is not None:
            taken.append(match.span())
            found.append(Numeral(match.start(), match.end(), match.group(), numerator / denominator, "/"))
    runs = [match for match in _NUMERAL.finditer(text) if free(*match.span())]
    measured: dict[int, str] = {}
    words = {index for index, match in enumerate(runs) if _a_word(text, match)}
    for index, match in enumerate(runs):
        if index in words:
            continue
        unit = _measure(text, match.end())
        if unit == "次" and text.startswith("性", match.end() + 1):
            continue  # 一次性: "one-off", an adjective, not a count of times
        if unit is not None:
            measured[index] = unit
    # the first end of a range takes the measure of the second: 五至九人, 一百户至七百户 already has its own
    for index, match in enumerate(runs):
        following = index + 1
        if (
            index not in measured
            and following in measured
            and match.end() + 1 == runs[following].start()
            and text[match.end()] in _RANGE
            and index not in words
        ):
            measured[index] = ""
    for index, unit in measured.items():
        match = runs[index]
        value = _value(match.group())
        if value is not None:
            found.append(Numeral(match.start(), match.end(), match.group(), value, unit))
    yield from sorted(found, key=lambda numeral: numeral.start)


def values_in(text: str) -> set[float]:
    """The value of every run of Chinese numerals in ``text``, measured or not (to find a value in a quote)."""
    values: set[float] = set()
    for match in _PERCENT.finditer(text):
        value = _value(match.group(1))
        if value is not None:
            values.add(value / 100)
    for match in _FRACTION.finditer(text):
        denominator, numerator = _value(match.group(1)), _value(match.group(2))
        if denominator and numerator is not None:
            values.add(numerator / denominator)
    for match in _NUMERAL.finditer(text):
        value = _value(match.group())
        if value is not None:
            values.add(value)
    return values
