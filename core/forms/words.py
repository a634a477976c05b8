"""Numbers, units and bounds in words: the vocabulary every form's description is built from.

Plain Python, no Polars: listings of a standard (``shequ rules``, ``show``)
and the comparison views say requirements without loading the engine.
"""

from __future__ import annotations


def number(value: float) -> str:
    """450 not 450.0; large numbers with thousands separators."""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def rounded(value: float | None) -> str:
    """A computed number (a scaled bound, a difference) without float noise; empty when unknown."""
    return "" if value is None else number(round(value, 6))


def percent(value: float, per: float) -> str:
    """A share as the documents write it: ``4%``, or ``2 per 10000`` when counted per so many."""
    return f"{number(round(value * 100, 6))}%" if per == 1 else f"{number(value)} per {number(per)}"


def suffix(unit: str) -> str:
    """`` m²`` after a number; nothing for a ratio (比例), which reads as a bare number."""
    return f" {unit}" if unit and unit != "比例" else ""


#: The unit of a rate (比例): a fraction, shown as a percentage.
RATE_UNIT = "比例"


def amount(value: float, unit: str) -> str:
    """A stated bound in its metric's unit: ``450 m²``; a rate (比例) as a percentage, ``30%`` not ``0.3``."""
    if unit == RATE_UNIT:
        return percent(value, 1)
    return f"{number(value)}{suffix(unit)}"


def with_unit(text: str, unit: str) -> str:
    """A display unit after a number: ``20%`` (no space before %), ``450 m²``."""
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def bounds_text(lo: float | None, hi: float | None, unit: str = "") -> str:
    """``≥ 450 m²``, ``≤ 20%``, ``1000–2000 户`` (empty when neither bound is known)."""
    if lo is not None and hi is not None:
        if lo == hi:
            return with_unit(f"= {rounded(lo)}", unit)
        return with_unit(f"{rounded(lo)}–{rounded(hi)}", unit)
    if lo is not None:
        return with_unit(f"≥ {rounded(lo)}", unit)
    if hi is not None:
        return with_unit(f"≤ {rounded(hi)}", unit)
    return ""


_FRACTION_WORDS = {
    (1, 2): "one half",
    (1, 3): "one third",
    (2, 3): "two thirds",
    (1, 4): "one quarter",
    (3, 4): "three quarters",
    (1, 5): "one fifth",
    (1, 10): "one tenth",
}


def share_words(share: str) -> str:
    """An obligation's share of a cost as the text states it: ``one third (1/3)``, ``20%``, ``one half (0.5)``."""
    from fractions import Fraction

    text = share.strip()
    exact = Fraction(text[:-1].strip()) / 100 if text.endswith("%") else Fraction(text)
    if exact == 1:
        return f"the whole ({text})"
    name = _FRACTION_WORDS.get((exact.numerator, exact.denominator))
    if text.endswith("%") or name is None:
        return text
    return f"{name} ({text})"
