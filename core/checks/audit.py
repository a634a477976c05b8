"""Fidelity checks of a standard against the text of its documents.

Three questions a reviewer asks of an encoded standard, answered mechanically:

- Is every quote really in the document? (:func:`quote_problems`; matching
  ignores white space, which web copies mangle.)
- Does every number of a requirement come from its quote, or is its
  derivation explained in the rule's ``notes``? (:func:`value_problems`)
- Is every number in the document accounted for, either by a value of the
  rule, task, milestone or obligation whose quote holds it, or by an
  ``unencoded`` entry with a reason? (:func:`number_coverage`). Numbers written
  in Chinese numerals (一百户至七百户, 五至九人, 三分之一) count as well as
  Arabic ones, where they measure something (see :mod:`.numerals`). Standing in a
  quote is not enough: "1500户左右" quoted by a rule that encodes no 1500 is
  unaccounted. Enumerators such as ``1.`` or ``(2)`` are structure, not
  provisions, and are not counted.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers as numbers_
import re
from collections.abc import Iterator
from functools import partial

import attrs

from .. import forms
from ..errors import Problem
from ..model import AfterEvent, Obligation, Recurring, Standard
from ..registry import LoadedStandard
from .numerals import Numeral, chinese_numerals, values_in

#: The year a recurring yearly deadline's month and day are held in: no text writes it.
_NO_YEAR = 9999

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# 1. / 1、 / (1) / （1） at the start of a line: enumerators of the document's structure.
_ENUMERATOR = re.compile(r"^[ \t\u3000]*(?:(\d+)[.、．]|[(（](\d+)[)）])", re.MULTILINE)
_CHINESE_DIGITS = "零一二三四五六七八九十"  # by value: index n is n


def normalise(text: str) -> str:
    """The text without white space, for whitespace-insensitive matching."""
    return _SPACE.sub("", text)


def quoted_items(standard: Standard) -> Iterator[tuple[str, str | None, str | tuple[str, ...]]]:
    """(TOML path, document id, quote) of every quote a standard holds; a quote may be verbatim fragments."""
    for section in ("rules", "tasks", "milestones", "obligations"):
        for index, item in enumerate(getattr(standard, section)):
            yield f"{section}[{index}].source.quote", item.source.document, item.source.quote
    for index, item in enumerate(standard.unencoded):
        yield f"unencoded[{index}].quote", item.document, item.quote


def _texts(loaded: LoadedStandard) -> dict[str, str | None]:
    return {document.id: loaded.document_text(document.id) for document in loaded.standard.documents}


def quote_problems(loaded: LoadedStandard) -> list[Problem]:
    """Every quote not found (white space aside) in the text of the document it cites."""
    standard = loaded.standard
    texts = {key: normalise(text) if text is not None else None for key, text in _texts(loaded).items()}
    origin = loaded.origin
    problems = []
    for document in standard.documents:
        if texts[document.id] is None:
            problems.append(
                Problem(
                    file=origin,
                    where=f"documents[{standard.documents.index(document)}].text",
                    message=f"document '{document.id}' ships no text, so its quotes cannot be checked",
                )
            )
    for where, document_id, quote in quoted_items(standard):
        document_id = document_id or standard.documents[0].id
        text = texts.get(document_id)
        if text is None:
            continue
        if isinstance(quote, str):
            if normalise(quote) not in text:
                problems.append(
                    Problem(
                        file=origin,
                        where=where,
                        message=f"quote not found in the text of document '{document_id}': «{quote}»",
                    )
                )
            continue
        problems += [
            Problem(file=origin, where=f"{where}[{index}]", message=message)
            for index, message in _fragment_problems(text, quote, document_id)
        ]
    return problems


def _fragment_problems(text: str, fragments: tuple[str, ...], document_id: str) -> list[tuple[int, str]]:
    """(index, message) of each fragment of a quote not in the (normalised) text, or not after the one before it."""
    problems = []
    for index, fragment in enumerate(fragments):
        if normalise(fragment) not in text:
            problems.append((index, f"quote fragment not found in the text of document '{document_id}': «{fragment}»"))
    if not problems and not _fragment_spans(text, fragments):
        problems.append(
            (
                0,
                f"the quote's fragments stand in the text of document '{document_id}' but not in the order "
                f"given: «{'…'.join(fragments)}»; list them as the document reads",
            )
        )
    return problems


def _fragment_spans(text: str, fragments: tuple[str, ...]) -> list[tuple[int, int]]:
    """The places of the fragments, each after the one before, for every place the first one stands.

    A fragment may follow its predecessor anywhere later in the text (the words between are left
    out); each place of the first fragment starts one chain, kept only when every fragment follows.
    Of the complete chains, the shortest stands for the quote: a short first fragment ("到2020年")
    that the text also has elsewhere does not make the quote stand in two places.
    """
    needles = [normalise(fragment) for fragment in fragments]
    chains: list[list[tuple[int, int]]] = []
    for start, end in _spans(text, needles[0]):
        chain = [(start, end)]
        for needle in needles[1:]:
            at = text.find(needle, chain[-1][1])
            if at == -1:
                break
            chain.append((at, at + len(needle)))
        else:
            chains.append(chain)
    if not chains:
        return []
    shortest = min(chain[-1][1] - chain[0][0] for chain in chains)
    return [span for chain in chains if chain[-1][1] - chain[0][0] == shortest for span in chain]


def _quote_spans(text: str, quote: str | tuple[str, ...]) -> list[tuple[int, int]]:
    """Every place (in the normalised text) where a quote, or each of its fragments in order, stands."""
    return _spans(text, quote) if isinstance(quote, str) else _fragment_spans(text, quote)


def _spellings(value: float) -> set[str]:
    """Ways a document may write ``value``: 300, 30%, 4%, 1万, 五, 0.5 …"""

    def fmt(number: float) -> str:
        return str(int(number)) if float(number).is_integer() else f"{number:g}"

    spellings = {fmt(value)}
    if 0 < value < 1 or (value <= 1.5 and not float(value).is_integer()):
        spellings.add(fmt(round(value * 100, 6)))
    spellings.update({100.0: {"百"}, 1000.0: {"千"}, 10000.0: {"万"}}.get(value, set()))
    if value >= 10000 and value % 1000 == 0:
        spellings.add(fmt(value / 10000) + "万")
    if float(value).is_integer() and 0 <= value <= 99:
        number = int(value)
        if number <= 10:
            spellings.add(_CHINESE_DIGITS[number] if number != 2 else "二")
            spellings.add("两" if number == 2 else _CHINESE_DIGITS[number])
        else:
            tens, ones = divmod(number, 10)
            spellings.add(("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (_CHINESE_DIGITS[ones] if ones else ""))
        if number == 1:
            spellings.update({"每", "一"})
    return spellings


def _in_quote(value: float, quote: str) -> bool:
    for spelling in _spellings(value):
        if spelling.isdigit() or "." in spelling:
            if re.search(rf"(?<![\d.]){re.escape(spelling)}(?![\d])", quote):
                return True
        elif spelling in quote:
            return True
    # 一千户至三千户, 三分之一: numbers written in words, converted (cn2an), not spelled out
    return any(math.isclose(value, number, rel_tol=1e-6) for number in values_in(quote))


def value_problems(loaded: LoadedStandard) -> list[Problem]:
    """Requirement numbers that appear neither in the rule's quote nor in an explaining note."""
    origin = loaded.origin
    problems = []
    for index, rule in enumerate(loaded.standard.rules):
        # a number the quote lacks may be explained in the rule's notes, in words a reviewer reads
        quote = normalise(rule.source.text) + "\n" + normalise(rule.notes or "")
        for requirement in forms.walk(rule.requirement):
            for name, value in forms.numbers(requirement):
                if not _in_quote(float(value), quote):
                    problems.append(
                        Problem(
                            file=origin,
                            where=f"rules[{index}].requirement.{name}",
                            message=f"{value:g} is not in the rule's quote; quote the words it comes from, "
                            "or explain in the rule's 'notes' how the number is read",
                        )
                    )
    return problems


@attrs.frozen(kw_only=True)
class NumberOccurrence:
    document: str
    number: str
    context: str
    accounted_by: str | None  # "encoded", "unencoded" or None
    #: How the text writes it: "arabic" (300, 1.5万, 20%) or "chinese" (一百户, 五至九人, 三分之一).
    script: str = "arabic"
    #: The provision ("rule grid_size") a value of which uses the number; None when none does.
    used_by: str | None = None
    #: Every provision whose quote holds the number, whether or not a value of it uses the number.
    quoted_in: tuple[str, ...] = ()

    @property
    def quoted_only(self) -> bool:
        """Unaccounted, though it stands in some quote (the old rule counted it as encoded)."""
        return self.accounted_by is None and bool(self.quoted_in)


@attrs.frozen(kw_only=True)
class Coverage:
    """How completely a standard accounts for the numbers of its documents."""

    jurisdiction: str
    rules: int
    tasks: int
    milestones: int
    obligations: int
    unencoded: int
    numbers: tuple[NumberOccurrence, ...]

    @property
    def encoded_numbers(self) -> int:
        return sum(1 for n in self.numbers if n.accounted_by == "encoded")

    @property
    def unencoded_numbers(self) -> int:
        return sum(1 for n in self.numbers if n.accounted_by == "unencoded")

    @property
    def unaccounted(self) -> list[NumberOccurrence]:
        return [n for n in self.numbers if n.accounted_by is None]

    def summary(self) -> dict:
        return {
            "jurisdiction": self.jurisdiction,
            "rules": self.rules,
            "tasks": self.tasks,
            "milestones": self.milestones,
            "obligations": self.obligations,
            "numbers": len(self.numbers),
            # of all: those the text writes in Chinese numerals (一百户, 五至九人, 三分之一)
            "numbers_in_chinese_numerals": sum(1 for n in self.numbers if n.script == "chinese"),
            "numbers_encoded": self.encoded_numbers,
            "numbers_unencoded": self.unencoded_numbers,
            "numbers_unaccounted": len(self.unaccounted),
            # of the unaccounted: those standing in a quote that no value uses
            "numbers_quoted_only": sum(1 for n in self.numbers if n.quoted_only),
        }


@attrs.frozen(kw_only=True)
class _Values:
    """What the values of one provision say: numbers and dates."""

    numbers: frozenset[float]
    dates: frozenset[dt.date]
    #: Days a deadline counts ("15日内": ``due = { after, days = 15 }``; "每月25日前": monthly by 25).
    days: frozenset[int] = frozenset()


def _values(item: object) -> _Values:
    """Every number and date a provision's record holds, wherever it sits.

    Bounds, rates, ``per``, floors, stage values and dues, condition bounds,
    tolerance, amounts: any number or date field of the record or of a record
    nested in it; a ``present`` requirement is the count 1. A field left at
    its default (``per = 1``) says nothing the text has to say, so it is
    skipped; quotes, notes and ids are words.
    """
    numbers: set[float] = set()
    dates: set[dt.date] = set()
    days: set[int] = set()

    def visit(value: object) -> None:
        if value is None or isinstance(value, (bool, str)):
            return
        if isinstance(value, Recurring):
            # "每年4月底前" is the month (and day) of a date in no year in particular; "每月25日前" a day
            if value.every == "year":
                dates.add(value.on(_NO_YEAR))
            else:
                days.add(int(value.by))
            return
        if isinstance(value, AfterEvent):
            days.add(value.days)
        if isinstance(value, dt.date):
            dates.add(value)
        elif isinstance(value, numbers_.Real):  # int, float, Fraction
            numbers.add(float(value))
        elif isinstance(value, (tuple, list)):
            for element in value:
                visit(element)
        elif attrs.has(cls := type(value)):
            if getattr(value, "form", None) == "present":
                numbers.add(1.0)  # present: a count of at least one ("设立1个社区工作站")
            if isinstance(value, Obligation) and value.share is not None:
                numbers.add(float(value.fraction))  # a share "1/3" is the value 三分之一 writes
            for field in attrs.fields(cls):
                inner = getattr(value, field.name)
                if isinstance(inner, numbers_.Real) and not isinstance(inner, bool) and inner == field.default:
                    continue
                visit(inner)

    visit(item)
    return _Values(numbers=frozenset(numbers), dates=frozenset(dates), days=frozenset(days))


def _provisions(standard: Standard) -> Iterator[tuple[str, str | None, str | tuple[str, ...], _Values]]:
    """(label, document id, quote, values) of every rule, task, milestone and obligation."""
    for section in ("rules", "tasks", "milestones", "obligations"):
        for item in getattr(standard, section):
            yield f"{section[:-1]} {item.id}", item.source.document, item.source.quote, _values(item)


# What the characters right after a number say it is: a share, a multiple, a part of a date.
_SCALES = {"%": 0.01, "％": 0.01, "‰": 0.001, "万": 1e4, "亿": 1e8}
_DATE_PARTS = {"年": "year", "月": "month", "日": "day", "号": "day"}


def _fused(number: str, part: str, date: dt.date) -> bool:
    """Whether a number too large for a month or day is a date whose separators the copy lost.

    Web copies drop 年, 月 and the separator after an item number: "20194月" is
    2019年4月, "1429日" is item 1, 4月29日, "47月底" item 4, 7月底. Such a number
    is a date of the provision when its digits end with the date's month
    (before 月) or month and day (before 日), after nothing, the date's year,
    or an item number of one or two digits.
    """
    if int(number) <= (12 if part == "month" else 31):
        return False  # a real month or day, read as written
    tail = str(date.month) + (str(date.day) if part == "day" else "")
    if not number.endswith(tail):
        return False
    prefix = number[: len(number) - len(tail)]
    return prefix == str(date.year) or len(prefix) <= 2


def _uses(number: str, after: str, values: _Values) -> bool:
    """Whether a value of a provision uses ``number`` as the text writes it (``after``: what follows it).

    20% is the fraction 0.2, 1.5万 is 15000; "每万人拥有…2人" is the 2 of a
    share encoded per 10,000 (万 after 每 is no number of the text). A
    number followed by 月 or 日 is a part of a date, used only by a date of the
    provision with that month or day ("4月底" by 04-30); a year ("2020年", or a
    four-digit year standing alone as in "2016-2020年") by a date in that year.
    Copies that lost the characters between a date's parts are read by
    :func:`_fused`.
    """
    follower = after[:1]
    part = _DATE_PARTS.get(follower)
    whole = "." not in number
    if part is None and whole and len(number) == 4 and 1900 <= int(number) <= 2099:
        part = "year"  # or a plain number: 2000户 is not a year, and a value may use it as such
    if part is not None and whole and any(getattr(date, part) == int(number) for date in values.dates):
        return True
    if part in ("month", "day") and whole and any(_fused(number, part, date) for date in values.dates):
        return True
    if part == "day" and whole and int(number) in values.days:
        return True  # "15日内", "每月25日前": the days of a deadline
    if part in ("month", "day") or (follower == "年" and whole and int(number) >= 1900):
        return False  # a date, and no date of the provision has it; "3年" may still be a duration value
    amount = float(number) * _SCALES.get(follower, 1.0)
    return any(math.isclose(value, amount, rel_tol=1e-9) for value in values.numbers)


def _uses_numeral(numeral: Numeral, values: _Values) -> bool:
    """Whether a value of a provision uses a number written in Chinese numerals.

    A year (一九五四年), month or day is used by a date of the provision with
    that part; any other number by a value equal to it (a fraction such as
    三分之一 to the six decimals a TOML value may round it to).
    """
    part = _DATE_PARTS.get(numeral.unit)
    if part == "year" and numeral.value < 1000:
        part = None  # 五年: a duration, not a calendar year
    if part is not None:
        return numeral.value.is_integer() and any(getattr(date, part) == int(numeral.value) for date in values.dates)
    if any(math.isclose(value, numeral.value, rel_tol=1e-5) for value in values.numbers):
        return True
    # 三分之一 encoded exactly as 1 yuan per 3 yuan: a fraction is used by two values of that ratio
    return numeral.unit in ("/", "%") and any(
        math.isclose(numerator / denominator, numeral.value, rel_tol=1e-9)
        for numerator in values.numbers
        for denominator in values.numbers
        if denominator
    )


def _enumerator_positions(text: str) -> set[int]:
    """Positions (in the normalised text) of enumerator digits."""
    positions: set[int] = set()
    for match in _ENUMERATOR.finditer(text):
        group = 1 if match.group(1) is not None else 2
        start = match.start(group)
        # map the position in the raw text to the position in the normalised text
        positions.add(len(normalise(text[:start])))
    return positions


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every place (in the normalised text) where a quote stands."""
    needle = normalise(quote)
    found = []
    start = text.find(needle) if needle else -1
    while start != -1:
        found.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return found


def number_coverage(loaded: LoadedStandard) -> Coverage:
    """Which numbers of each document the standard's values and ``unencoded`` entries account for.

    A number is ``encoded`` when it stands in the quote of a rule, task,
    milestone or obligation and a value of that same provision uses it (see
    :func:`_uses`); ``unencoded`` when it stands in the quote of an
    ``unencoded`` entry; otherwise unaccounted, whether or not it stands in
    some quote (``quoted_in`` says which).
    """
    standard = loaded.standard
    first = standard.documents[0].id
    provisions = list(_provisions(standard))
    occurrences: list[NumberOccurrence] = []
    for document in standard.documents:
        raw = loaded.document_text(document.id)
        if raw is None:
            continue
        text = normalise(raw)
        quoted = [
            (label, values, _quote_spans(text, quote))
            for label, document_id, quote, values in provisions
            if (document_id or first) == document.id
        ]
        unencoded = [
            span
            for item in standard.unencoded
            if (item.document or first) == document.id
            for span in _spans(text, item.quote)
        ]
        enumerators = _enumerator_positions(raw)
        # "1.2015年" opens item 1 about the year 2015: cut the enumerator off its neighbour.
        chars = list(text)
        for position in enumerators:
            end = position
            while end < len(chars) and chars[end].isdigit():
                end += 1
            if end < len(chars) and chars[end] in ".．":
                chars[end] = "、"
        chinese = [
            (numeral.start, numeral.end, numeral.literal, "chinese", partial(_uses_numeral, numeral))
            for numeral in chinese_numerals(text)
        ]
        arabic = [
            (
                match.start(),
                match.end(),
                match.group(),
                "arabic",
                partial(_uses, match.group(), text[match.end() : match.end() + 1]),
            )
            for match in _NUMBER.finditer("".join(chars))
            if match.start() not in enumerators
        ]
        for start, end, literal, script, uses in sorted(arabic + chinese, key=lambda found: found[0]):

            def within(spans: list[tuple[int, int]], start: int = start, end: int = end) -> bool:
                return any(lo <= start and end <= hi for lo, hi in spans)

            quoted_in = tuple(label for label, _values, spans in quoted if within(spans))
            used_by = next((label for label, values, spans in quoted if within(spans) and uses(values)), None)
            accounted = "encoded" if used_by else "unencoded" if within(unencoded) else None
            occurrences.append(
                NumberOccurrence(
                    document=document.id,
                    number=literal,
                    context=text[max(0, start - 12) : end + 12],
                    accounted_by=accounted,
                    script=script,
                    used_by=used_by,
                    quoted_in=quoted_in,
                )
            )
    return Coverage(
        jurisdiction=standard.id,
        rules=len(standard.rules),
        tasks=len(standard.tasks),
        milestones=len(standard.milestones),
        obligations=len(standard.obligations),
        unencoded=len(standard.unencoded),
        numbers=tuple(occurrences),
    )


def _unaccounted_message(n: NumberOccurrence) -> str:
    if n.quoted_in:
        return (
            f"the number {n.number} in «…{n.context}…» stands in the quote of {', '.join(n.quoted_in)} "
            "but no value of it uses the number: encode it, or list it in 'unencoded' with a reason"
        )
    return f"the number {n.number} in «…{n.context}…» is neither encoded nor listed in 'unencoded'"


def coverage_problems(loaded: LoadedStandard) -> list[Problem]:
    """One problem per number of a document that nothing accounts for."""
    origin = loaded.origin
    return [
        Problem(
            file=origin,
            where=f"document '{n.document}'",
            message=_unaccounted_message(n),
        )
        for n in number_coverage(loaded).unaccounted
    ]


def audit(loaded: LoadedStandard) -> list[Problem]:
    """Every fidelity problem of a standard: quotes, requirement values, number coverage."""
    return quote_problems(loaded) + value_problems(loaded) + coverage_problems(loaded)
