"""Requirement forms: one module per form, holding everything that differs from form to form.

A form module (:mod:`.minimum`, :mod:`.staged`, …) subclasses
:class:`~.base.Form` for its model class: how the form is said in words (as
the standard states it, and in a comparison's display unit), how it compiles
to Polars expressions, which requirements it nests, which stage is in force,
what it contributes to comparisons and which metrics and numbers it names.
:data:`FORMS` below is the one dispatch, by model class: the rest of the
library asks these functions instead of testing classes (only the reference
evaluator, an independent oracle, keeps a dispatch of its own).

The attrs classes stay in :mod:`shequ.model.requirements`: they are the
schema, what a TOML file may say, read by the loader, cattrs and the schema
docs, and the model sits below everything that gives the forms behaviour.
Keeping them there keeps the model free of Polars and of the engine's
vocabulary, and lets ``shequ.model`` be imported alone. Adding a form is its
model class, its module here, one line in :data:`FORMS` (see CONTRIBUTING).

Polars is imported only by :mod:`.compiling` and inside each form's
``compile``: importing this package (the registry does, to check references)
stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ..model import (
    Aggregate,
    AllOf,
    AnyOf,
    Conditional,
    Maximum,
    Minimum,
    Placement,
    Present,
    Range,
    Requirement,
    ScaledMinimum,
    Share,
    Stage,
    Staged,
)
from .aggregate import AggregateForm
from .all_of import AllOfForm
from .any_of import AnyOfForm
from .base import Aspect, Compiling, Form, Measured, Say, Shown, Step, own_metric
from .conditional import ConditionalForm
from .conditions import applies_text, condition_text
from .maximum import MaximumForm
from .minimum import MinimumForm
from .placement import PlacementForm
from .present import PresentForm
from .range import RangeForm
from .scaled_min import ScaledMinimumForm
from .share import ShareForm
from .staged import StagedForm
from .words import number

if TYPE_CHECKING:
    from .compiling import Metrics, Part

#: The one dispatch: each model class to the form that gives it behaviour.
FORMS: dict[type, Form[Any]] = {
    Minimum: MinimumForm(),
    Maximum: MaximumForm(),
    Range: RangeForm(),
    ScaledMinimum: ScaledMinimumForm(),
    Share: ShareForm(),
    Present: PresentForm(),
    Placement: PlacementForm(),
    Conditional: ConditionalForm(),
    Staged: StagedForm(),
    AnyOf: AnyOfForm(),
    Aggregate: AggregateForm(),
    AllOf: AllOfForm(),
}


def form_of(requirement: Requirement) -> Form[Any]:
    """The form of a requirement."""
    try:
        return FORMS[type(requirement)]
    except KeyError:
        raise TypeError(f"no requirement form handles {type(requirement).__name__}") from None


def words(
    requirement: Requirement,
    unit: str = "",
    unit_of: Callable[[str], str] | None = None,
    *,
    shown: Callable[[Measured], Shown] | None = None,
    metric: str | None = None,
    tolerance: float | None = None,
) -> str:
    """The requirement in words, e.g. ``≥ 30 m² per 100 households, at least 300 m²``.

    As the standard states it: numbers in ``unit``, the unit of the rule's
    metric; ``unit_of`` gives the unit of another metric, for options that
    name their own (``population: ≥ 10000 人`` inside an alternative on
    households). In a comparison, ``shown`` gives the display unit and scale
    of what a form measures (a ratio in %) and ``metric`` is the rule's
    metric, whose name is then not repeated before forms on it. ``tolerance`` is the rule's
    (左右): ``≈ ≤ 150 户 (±10%)``.
    """
    if shown is not None and metric is not None and unit_of is not None:
        unit = unit_of(metric)
    text = Say(unit=unit, unit_of=unit_of, form_of=form_of, shown=shown, rule_metric=metric).words(requirement)
    return approximately(text, tolerance)


def compile_requirement(
    requirement: Requirement,
    metric_id: str,
    metrics: Metrics,
    as_of: dt.date,
    unit: str = "",
    *,
    unit_of: Callable[[str], str] | None = None,
    tolerance: float | None = None,
) -> Part:
    """Compile a (non-aggregate) requirement on ``metric_id`` to Polars expressions for the date ``as_of``.

    ``unit_of`` gives the unit of a nested form's own metric (``population ≥ 10000 人`` inside an
    alternative on households); ``tolerance`` is the rule's (左右): the bounding forms widen their
    bounds by it and the text reads ``≈ … (±10%)``.
    """
    compiling = Compiling(
        metric=metric_id,
        metrics=metrics,
        as_of=as_of,
        unit=unit,
        dispatch=_compile,
        unit_of=unit_of,
        tolerance=tolerance,
    )
    part = _compile(requirement, compiling)
    if tolerance is None:
        return part
    import polars as pl

    return attrs.evolve(part, text=pl.concat_str([pl.lit("≈ "), part.text, pl.lit(f" ({tolerance_text(tolerance)})")]))


def tolerance_text(tolerance: float) -> str:
    """``±10%``: a rule's tolerance as the texts of its requirement show it."""
    return f"±{number(round(tolerance * 100, 6))}%"


def approximately(text: str, tolerance: float | None) -> str:
    """A requirement's words as an approximate norm reads: ``≈ ≤ 150 户 (±10%)``; unchanged without a tolerance."""
    return text if tolerance is None else f"≈ {text} ({tolerance_text(tolerance)})"


def _compile(requirement: Requirement, compiling: Compiling) -> Part:
    own = own_metric(requirement)
    if own and own != compiling.metric:
        # a form on another metric than the one it is nested in counts in that metric's unit
        unit = compiling.unit_of(own) if compiling.unit_of is not None else compiling.unit
        part = form_of(requirement).compile(requirement, attrs.evolve(compiling, metric=own, unit=unit))
        import polars as pl

        return attrs.evolve(part, text=pl.concat_str([pl.lit(f"{own} "), part.text]))
    return form_of(requirement).compile(requirement, compiling)


def walk(requirement: Requirement) -> Iterator[Requirement]:
    """Yield ``requirement`` and every requirement nested in it, depth first."""
    yield requirement
    for inner in form_of(requirement).nested(requirement):
        yield from walk(inner)


def per_metric(requirement: Requirement, metric: str) -> tuple[tuple[str, Requirement], ...]:
    """(metric, requirement) of each metric a requirement on ``metric`` bounds, each a requirement of its own.

    One pair for a requirement on one metric (its own, else ``metric``); an ``all_of`` whose parts are on
    several metrics (``present`` of each of seven centres), staged or not, gives one per metric: what the
    comparison views set beside other rules on that metric's concept.
    """
    split = form_of(requirement).per_metric(requirement, metric, per_metric)
    return split if split is not None else ((own_metric(requirement) or metric, requirement),)


def leaf(requirement: Requirement) -> Requirement:
    """The form that says what is measured: a staged rule's last stage, a conditional's ``then``."""
    inner = form_of(requirement).leaf(requirement)
    return requirement if inner is requirement else leaf(inner)


def stages(requirement: Requirement) -> tuple[Stage, ...]:
    """The dated stages of a staged requirement; none for any other."""
    return form_of(requirement).stages(requirement)


def stage_in_force(requirement: Requirement, as_of: dt.date) -> tuple[Stage, bool] | None:
    """The stage of a staged requirement in force on ``as_of``, and whether its date has come; None if not staged."""
    return form_of(requirement).stage_in_force(requirement, as_of)


def references(requirement: Requirement) -> tuple[tuple[str, str], ...]:
    """(field, metric id) of every catalog metric a requirement names itself (not those nested in it)."""
    return form_of(requirement).references(requirement)


def numbers(requirement: Requirement) -> tuple[tuple[str, float], ...]:
    """(field, value) of every number a requirement states itself (not those nested in it)."""
    return form_of(requirement).numbers(requirement)


def measured(requirement: Requirement, metric: str) -> Measured:
    """What a requirement on the rule metric ``metric`` bounds."""
    return form_of(requirement).measured(requirement, metric)


__all__ = [
    "FORMS",
    "Aspect",
    "Form",
    "Measured",
    "Shown",
    "Step",
    "applies_text",
    "approximately",
    "compile_requirement",
    "condition_text",
    "form_of",
    "leaf",
    "measured",
    "numbers",
    "own_metric",
    "per_metric",
    "references",
    "stage_in_force",
    "stages",
    "tolerance_text",
    "walk",
    "words",
]
