"""Requirements and applicability in words, for listings of a standard.

The engine renders the requirement a particular community must meet; this
module renders the rule as the standard states it, independent of any data:
"≥ 30 m² per 100 households, at least 300 m²".
"""

from __future__ import annotations

from collections.abc import Callable

from .model import (
    Aggregate,
    AnyOf,
    AppliesTo,
    Condition,
    Conditional,
    Maximum,
    Minimum,
    Placement,
    Present,
    Range,
    Requirement,
    ScaledMinimum,
    Share,
    Staged,
)


def number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _share(value: float, per: float) -> str:
    return f"{number(round(value * 100, 6))}%" if per == 1 else f"{number(value)} per {number(per)}"


def condition_text(condition: Condition) -> str:
    parts = []
    if condition.min is not None:
        parts.append(f"{condition.metric} ≥ {number(condition.min)}")
    if condition.max is not None:
        parts.append(f"{condition.metric} ≤ {number(condition.max)}")
    if condition.present is not None:
        parts.append(f"{condition.metric} {'present' if condition.present else 'absent'}")
    return " and ".join(parts)


def requirement_text(requirement: Requirement, unit: str = "", units: Callable[[str], str] | None = None) -> str:
    """The requirement in words, e.g. ``≥ 30 m² per 100 households, at least 300 m²``.

    ``units`` gives the unit of another metric, for options that measure one
    (``population: ≥ 10000 人`` inside an alternative on households).
    """
    if getattr(requirement, "metric", None) and units is not None:
        unit = units(requirement.metric)  # type: ignore[union-attr]
    suffix = f" {unit}" if unit and unit != "比例" else ""
    prefix = f"{requirement.metric}: " if getattr(requirement, "metric", None) else ""
    if isinstance(requirement, Minimum):
        return f"{prefix}≥ {number(requirement.value)}{suffix}"
    if isinstance(requirement, Maximum):
        return f"{prefix}≤ {number(requirement.value)}{suffix}"
    if isinstance(requirement, Range):
        if requirement.min == requirement.max:
            return f"{prefix}exactly {number(requirement.min)}{suffix}"
        return f"{prefix}{number(requirement.min)}–{number(requirement.max)}{suffix}"
    if isinstance(requirement, ScaledMinimum):
        text = f"{prefix}≥ {number(requirement.rate)}{suffix} per {number(requirement.per)} {requirement.basis}"
        if requirement.floor is not None:
            text += f", at least {number(requirement.floor)}{suffix}"
        return text
    if isinstance(requirement, Share):
        bounds = []
        if requirement.min is not None:
            bounds.append(f"≥ {_share(requirement.min, requirement.per)}")
        if requirement.max is not None:
            bounds.append(f"≤ {_share(requirement.max, requirement.per)}")
        return f"{prefix}{' and '.join(bounds)} of {requirement.of}"
    if isinstance(requirement, Present):
        return f"{prefix}present"
    if isinstance(requirement, Placement):
        floors = " or ".join(str(f) for f in requirement.floors)
        return f"{prefix}floor {floors}" + ("" if requirement.basement else ", not a basement")
    if isinstance(requirement, Conditional):
        text = f"if {condition_text(requirement.when)}: {requirement_text(requirement.then, unit, units)}"
        if requirement.otherwise is not None:
            text += f"; otherwise {requirement_text(requirement.otherwise, unit, units)}"
        return text
    if isinstance(requirement, Staged):
        return "; ".join(
            f"{requirement_text(s.requirement, unit, units)} by {s.due.isoformat()}" for s in requirement.stages
        )
    if isinstance(requirement, AnyOf):
        return " or ".join(f"({requirement_text(o, unit, units)})" for o in requirement.options)
    if isinstance(requirement, Aggregate):
        bounds = []
        if requirement.min is not None:
            bounds.append(f"≥ {_bound(requirement, requirement.min)}")
        if requirement.max is not None:
            bounds.append(f"≤ {_bound(requirement, requirement.max)}")
        what = {
            "share": "share of communities where "
            + (requirement_text(requirement.condition, unit, units) if requirement.condition else ""),
            "sum": "total",
            "mean": "mean",
            "count": "number of communities"
            + (f" where {requirement_text(requirement.condition, unit, units)}" if requirement.condition else ""),
            "rate": f"share of {requirement.of}"
            if requirement.per == 1
            else f"per {number(requirement.per)} {requirement.of}",
        }[requirement.statistic]
        scope = {
            "both": "per jurisdiction and per district",
            "jurisdiction": "across the jurisdiction",
            "district": "per district",
        }[requirement.scope]
        return f"{what} {' and '.join(bounds)} ({scope})"
    return repr(requirement)


def _bound(requirement: Aggregate, value: float) -> str:
    as_share = requirement.statistic == "share" or (requirement.statistic == "rate" and requirement.per == 1)
    return _share(value, 1) if as_share else number(value)


def applies_text(applies_to: AppliesTo) -> str:
    """Whom a rule covers, e.g. ``urban, town; village_to_residence; population ≥ 5000``."""
    parts = []
    if applies_to.kinds:
        parts.append(", ".join(applies_to.kinds))
    if applies_to.districts:
        parts.append("in " + ", ".join(applies_to.districts))
    if applies_to.flags:
        parts.append(", ".join(applies_to.flags))
    parts += [condition_text(c) for c in applies_to.when]
    return "; ".join(parts) or "all"
