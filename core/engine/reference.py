"""A small per-row reference evaluator, kept simple and obviously right.

It judges one community (a dict of canonical columns) under one rule with
plain Python and three-valued logic (``None`` is unknown). It is slow by
design and used only to cross-check the columnar engine in tests and to
measure the engine's speed-up in the benchmark. Aggregate rules are the
engine's alone.

It is an independent oracle, so it shares no code path with what it checks:
not the engine's modules, and not :mod:`shequ.forms`, where each form's
compilation and the engine's dispatch live (an import-linter contract in
pyproject forbids both). It keeps its own small dispatch in :func:`judge`, and
decides the stage in force of a staged requirement again, in two lines, rather
than asking :func:`shequ.forms.staged.in_force`: a shared mistake there would
otherwise pass the cross-check. A new form is judged here only once someone
writes its branch by hand; until then :func:`judge` refuses it.

The rule-level semantics are written out again here too: nothing is in force
before its document takes effect or from the day it is superseded; a tolerance
widens the bounds it is given on; a guidance or permissive rule that is not met
departs and never fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..catalog import Catalog
from ..model import (
    AfterEvent,
    AllOf,
    AnyOf,
    Condition,
    Conditional,
    Maximum,
    Minimum,
    Placement,
    Present,
    Range,
    Recurring,
    Requirement,
    Rule,
    ScaledMinimum,
    Share,
    Staged,
)
from .verdicts import DEPARTS, FAIL, NOT_APPLICABLE, NOT_DUE, NOT_IN_FORCE, PASS, UNKNOWN

Row = dict[str, Any]


def metric_value(row: Row, metric_id: str, catalog: Catalog) -> float | None:
    """The value of a catalog metric for one community, or None when unknown."""
    definition = catalog.metric(metric_id)
    if definition.ratio is not None:
        numerator = metric_value(row, definition.ratio[0], catalog)
        denominator = metric_value(row, definition.ratio[1], catalog)
        if numerator is None or denominator is None or denominator <= 0:
            return None
        return numerator / denominator
    if definition.sum is not None or definition.difference is not None or definition.product is not None:
        return _derived_value(row, definition, catalog)
    family, _, member = metric_id.partition(".")
    if family in ("flag", "designation"):
        listed = row.get(f"{family}s")
        return None if listed is None else float(member in listed)
    column = definition.column or metric_id
    if column in row:
        value = row[column]
        return None if value is None else float(value)
    if family == "count" and f"area.{member}" in row:
        area = row[f"area.{member}"]
        return None if area is None else float(area > 0)
    return None


def _derived_value(row: Row, definition: Any, catalog: Catalog) -> float | None:
    """A sum, difference or product, written out again: unknown when any operand is."""
    if definition.product is not None:
        value = metric_value(row, definition.product.metric, catalog)
        return None if value is None else value * definition.product.factor
    names = list(definition.sum) if definition.sum is not None else list(definition.difference)
    values = [metric_value(row, name, catalog) for name in names]
    if None in values:
        return None
    if definition.sum is not None:
        return float(sum(v for v in values if v is not None))
    first, second = values
    assert first is not None and second is not None  # None was ruled out above
    return first - second


def _and(*values: bool | None) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _or(*values: bool | None) -> bool | None:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def _at_least(value: float | None, bound: float | None) -> bool | None:
    return None if value is None or bound is None else value >= bound


def _at_most(value: float | None, bound: float | None) -> bool | None:
    return None if value is None or bound is None else value <= bound


def condition_holds(row: Row, condition: Condition, catalog: Catalog) -> bool | None:
    return condition.holds(metric_value(row, condition.metric, catalog))


def judge(
    row: Row,
    requirement: Requirement,
    metric_id: str,
    catalog: Catalog,
    as_of: dt.date,
    tolerance: float | None = None,
) -> tuple[bool | None, bool | None, bool]:
    """(met, applies, not_due) of one requirement for one community.

    ``tolerance`` (the rule's, on a bounding form): a lower bound counts as ``bound × (1 − t)``,
    an upper bound as ``bound × (1 + t)``.
    """
    t = tolerance or 0.0

    def low(bound: float) -> float:
        return bound * (1 - t)

    def high(bound: float) -> float:
        return bound * (1 + t)

    metric_id = getattr(requirement, "metric", None) or metric_id
    value = metric_value(row, metric_id, catalog)
    if isinstance(requirement, Minimum):
        return _at_least(value, low(requirement.value)), True, False
    if isinstance(requirement, Maximum):
        return _at_most(value, high(requirement.value)), True, False
    if isinstance(requirement, Range):
        return _and(_at_least(value, low(requirement.min)), _at_most(value, high(requirement.max))), True, False
    if isinstance(requirement, ScaledMinimum):
        basis = metric_value(row, requirement.basis, catalog)
        if basis is None:
            below_floor = requirement.floor is not None and value is not None and value < low(requirement.floor)
            return (False if below_floor else None), True, False
        required = basis / requirement.per * requirement.rate
        if requirement.floor is not None:
            required = max(required, requirement.floor)
        return _at_least(value, low(required)), True, False
    if isinstance(requirement, Share):
        of = metric_value(row, requirement.of, catalog)
        share = None if value is None or of is None or of <= 0 else value / of * requirement.per
        tests = []
        if requirement.min is not None:
            tests.append(_at_least(share, low(requirement.min)))
        if requirement.max is not None:
            tests.append(_at_most(share, high(requirement.max)))
        return _and(*tests), True, False
    if isinstance(requirement, Present):
        return _at_least(value, 1), True, False
    if isinstance(requirement, Placement):
        if value is None:
            return None, True, False
        return value in requirement.floors or (requirement.basement and value < 0), True, False
    if isinstance(requirement, Conditional):
        holds = condition_holds(row, requirement.when, catalog)
        if holds is None:
            return None, None, False
        if holds:
            return judge(row, requirement.then, metric_id, catalog, as_of)
        if requirement.otherwise is None:
            return None, False, False
        return judge(row, requirement.otherwise, metric_id, catalog, as_of)
    if isinstance(requirement, Staged):
        in_force = [stage for stage in requirement.stages if stage.due <= as_of]
        if not in_force:
            met, applies, _ = judge(row, requirement.stages[0].requirement, metric_id, catalog, as_of)
            return met, applies, True
        return judge(row, in_force[-1].requirement, metric_id, catalog, as_of)
    if isinstance(requirement, AnyOf):
        results = [judge(row, option, metric_id, catalog, as_of) for option in requirement.options]
        return _or(*(met for met, _, _ in results)), True, False
    if isinstance(requirement, AllOf):
        # every part must be met: one part not met decides; else any unknown part leaves it unknown
        parts = [judge(row, part, metric_id, catalog, as_of) for part in requirement.options]
        return _and(*(met for met, _, _ in parts)), True, False
    raise TypeError(f"the reference evaluator does not judge {requirement.form!r} per community")


def _first_deadline(due: Recurring, document_date: dt.date | None) -> dt.date:
    """The first deadline of a recurring one, found by walking the calendar a day at a time."""
    day = due.start or document_date
    if day is None:
        return dt.date.min
    while True:
        if due.every == "year" and day.strftime("%m-%d") == due.by:
            return day
        if due.every == "month":
            month_end = (day + dt.timedelta(days=1)).day == 1
            if day.day == int(due.by) or (month_end and day.day < int(due.by)):
                return day
        day += dt.timedelta(days=1)


def evaluate_rule(
    row: Row,
    rule: Rule,
    catalog: Catalog,
    as_of: dt.date,
    document_date: dt.date | None = None,
    superseded_on: dt.date | None = None,
) -> int:
    """The verdict code of one rule for one community.

    ``document_date``: the day the rule's document takes effect (its ``effective`` date, else its
    date); ``superseded_on``: the day a later version replaces it. Outside that window nothing is in force.
    """
    if document_date is not None and as_of < document_date:
        return NOT_IN_FORCE
    if superseded_on is not None and as_of >= superseded_on:
        return NOT_IN_FORCE
    applies: list[bool | None] = []
    if rule.applies_to.kinds:
        kind = row.get("kind")
        applies.append(None if kind is None else kind in rule.applies_to.kinds)
    if rule.applies_to.districts:
        district = row.get("district")
        applies.append(None if district is None else district in rule.applies_to.districts)
    for flag in rule.applies_to.flags:
        applies.append(_at_least(metric_value(row, f"flag.{flag}", catalog), 1))
    for condition in rule.applies_to.when:
        applies.append(condition_holds(row, condition, catalog))
    met, requirement_applies, stage_not_due = judge(row, rule.requirement, rule.metric, catalog, as_of, rule.tolerance)
    covered = _and(*applies, requirement_applies)
    if covered is False:
        return NOT_APPLICABLE
    if covered is None:
        return UNKNOWN
    if stage_not_due:
        return NOT_DUE
    due = rule.due
    if isinstance(due, AfterEvent):
        event = row.get(f"dates.{due.after}")
        if event is None:
            return UNKNOWN
        if as_of < event + dt.timedelta(days=due.days):
            return NOT_DUE
    elif isinstance(due, Recurring):
        if as_of < _first_deadline(due, document_date):
            return NOT_DUE
    elif due is not None and as_of < due:
        return NOT_DUE
    if met is None:
        return UNKNOWN
    if met:
        return PASS
    # only what a document requires (应/必须) or sets as a target (力争) can be violated
    return FAIL if rule.strength in ("mandatory", "target") else DEPARTS
