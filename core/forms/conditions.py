"""Conditions and a rule's coverage in words: ``population ≥ 5000``, ``urban, town; in 东区``.

A :class:`~shequ.model.Condition` is not a requirement form but appears in
two of them (``conditional``'s ``when``) and in every rule's ``applies_to``;
whether one holds is decided on the model (:meth:`Condition.holds`), its
Polars test is :func:`shequ.forms.compiling.condition_expr`.
"""

from __future__ import annotations

from ..model import AppliesTo, Condition
from .words import number


def condition_text(condition: Condition) -> str:
    """``party_members ≥ 50``, ``population ≥ 1000 and population ≤ 5000``, ``flag.x present``."""
    parts = []
    if condition.min is not None:
        parts.append(f"{condition.metric} ≥ {number(condition.min)}")
    if condition.max is not None:
        parts.append(f"{condition.metric} ≤ {number(condition.max)}")
    if condition.present is not None:
        parts.append(f"{condition.metric} {'present' if condition.present else 'absent'}")
    return " and ".join(parts)


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
