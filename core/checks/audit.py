"""Fidelity checks of a standard against the text of its documents.

Three questions a reviewer asks of an encoded standard, answered mechanically:

- Is every quote really in the document? (:func:`quote_problems`; matching
  ignores white space, which web copies mangle.)
- Does every number of a requirement come from its quote, or is its
  derivation explained in the rule's ``notes``? (:func:`value_problems`)
- Is every number in the document accounted for, either by the quote of some
  rule, task, milestone or obligation, or by an ``unencoded`` entry with a
  reason? (:func:`number_coverage`). Enumerators such as ``1.`` or ``(2)``
  are structure, not provisions, and are not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from .. import forms
from ..errors import Problem
from ..model import Standard
from ..registry import LoadedStandard

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# 1. / 1、 / (1) / （1） at the start of a line: enumerators of the document's structure.
_ENUMERATOR = re.compile(r"^[ \t\u3000]*(?:(\d+)[.、．]|[(（](\d+)[)）])", re.MULTILINE)
_CHINESE_DIGITS = "零一二三四五六七八九十"  # by value: index n is n


def normalise(text: str) -> str:
    """The text without white space, for whitespace-insensitive matching."""
    return _SPACE.sub("", text)


def quoted_items(standard: Standard) -> Iterator[tuple[str, str | None, str]]:
    """(TOML path, document id, quote) of every quote a standard holds."""
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
        if text is not None and normalise(quote) not in text:
            problems.append(
                Problem(
                    file=origin,
                    where=where,
                    message=f"quote not found in the text of document '{document_id}': «{quote}»",
                )
            )
    return problems


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
    return False


def value_problems(loaded: LoadedStandard) -> list[Problem]:
    """Requirement numbers that appear neither in the rule's quote nor in an explaining note."""
    origin = loaded.origin
    problems = []
    for index, rule in enumerate(loaded.standard.rules):
        # a number the quote lacks may be explained in the rule's notes, in words a reviewer reads
        quote = normalise(rule.source.quote) + "\n" + normalise(rule.notes or "")
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
            "numbers_encoded": self.encoded_numbers,
            "numbers_unencoded": self.unencoded_numbers,
            "numbers_unaccounted": len(self.unaccounted),
        }


def _enumerator_positions(text: str) -> set[int]:
    """Positions (in the normalised text) of enumerator digits."""
    positions: set[int] = set()
    for match in _ENUMERATOR.finditer(text):
        group = 1 if match.group(1) is not None else 2
        start = match.start(group)
        # map the position in the raw text to the position in the normalised text
        positions.add(len(normalise(text[:start])))
    return positions


def number_coverage(loaded: LoadedStandard) -> Coverage:
    """Which numbers of each document the standard's quotes and ``unencoded`` entries account for."""
    standard = loaded.standard
    occurrences: list[NumberOccurrence] = []
    for document in standard.documents:
        raw = loaded.document_text(document.id)
        if raw is None:
            continue
        text = normalise(raw)
        spans: dict[str, list[tuple[int, int]]] = {"encoded": [], "unencoded": []}
        for where, document_id, quote in quoted_items(standard):
            if (document_id or standard.documents[0].id) != document.id:
                continue
            kind = "unencoded" if where.startswith("unencoded") else "encoded"
            needle = normalise(quote)
            start = text.find(needle)
            while needle and start != -1:
                spans[kind].append((start, start + len(needle)))
                start = text.find(needle, start + 1)
        enumerators = _enumerator_positions(raw)
        # "1.2015年" opens item 1 about the year 2015: cut the enumerator off its neighbour.
        chars = list(text)
        for position in enumerators:
            end = position
            while end < len(chars) and chars[end].isdigit():
                end += 1
            if end < len(chars) and chars[end] in ".．":
                chars[end] = "、"
        for match in _NUMBER.finditer("".join(chars)):
            if match.start() in enumerators:
                continue
            accounted = None
            for kind in ("encoded", "unencoded"):
                if any(lo <= match.start() and match.end() <= hi for lo, hi in spans[kind]):
                    accounted = kind
                    break
            context = text[max(0, match.start() - 12) : match.end() + 12]
            occurrences.append(
                NumberOccurrence(document=document.id, number=match.group(), context=context, accounted_by=accounted)
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


def coverage_problems(loaded: LoadedStandard) -> list[Problem]:
    """One problem per number of a document that nothing accounts for."""
    origin = loaded.origin
    return [
        Problem(
            file=origin,
            where=f"document '{n.document}'",
            message=f"the number {n.number} in «…{n.context}…» is neither encoded nor listed in 'unencoded'",
        )
        for n in number_coverage(loaded).unaccounted
    ]


def audit(loaded: LoadedStandard) -> list[Problem]:
    """Every fidelity problem of a standard: quotes, requirement values, number coverage."""
    return quote_problems(loaded) + value_problems(loaded) + coverage_problems(loaded)
