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
