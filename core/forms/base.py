"""What every requirement form provides, and the defaults a form on one metric inherits.

A form module subclasses :class:`Form` for its model class; the dispatch in
:mod:`shequ.forms` maps the class to it. Forms that nest requirements never
look the nested form up themselves: the context they are handed (:class:`Say`,
:class:`Compiling`) carries the dispatch, so form modules import nothing from
the package that imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol, TypeVar

import attrs

from ..model import Requirement, Stage
from .words import amount, bounds_text, suffix

if TYPE_CHECKING:
    from .compiling import Metrics, Part

R = TypeVar("R", bound=Requirement)

#: (aspect, value, text) a rule contributes to a comparison of two standards, e.g. ("minimum", 450.0, "≥ 450 m²").
Aspect = tuple[str, float | str | None, str]


def own_metric(requirement: Requirement) -> str | None:
    """The metric a form names itself (an option of ``any_of``, a ``conditional``'s ``then``); None: the rule's."""
    return getattr(requirement, "metric", None)


@attrs.frozen
class Measured:
    """What a requirement bounds: a metric, a share of one metric in another, or (no metric) a number of communities."""

    metric: str | None
    of: str | None = None
    per: float = 1.0


class Shown(Protocol):
    """The unit a comparison shows a quantity in, and the factor from raw values (a ratio shown in %: 100)."""

    @property
    def unit(self) -> str: ...

    @property
    def scale(self) -> float: ...

    #: How the quantity was derived when it is not simply the metric (a share read as a ratio metric).
    @property
    def normalised(self) -> str | None: ...


@attrs.frozen
class Step:
    """One layer of a requirement settled for a hypothetical community (see :meth:`Form.peel`)."""

    #: What is required next; None: nothing, the rule does not apply (``not_applicable`` says why).
    then: Requirement | None
    due: dt.date | None = None
    #: Said of the requirement in force, e.g. ``from 2020-12-31``.
    note: str | None = None
    #: What the community's data does not settle, e.g. ``if population ≥ 5000``.
    depends: str | None = None
    not_applicable: str | None = None


@attrs.frozen
class Say:
    """How requirements are put in words.

    As the standard states them (``shown`` is None): each number in its own
    metric's unit, a form naming its own metric prefixed with it. In a
    comparison (``shown`` given): the bounds of comparable forms in the
    display unit ``shown`` gives for what they measure (ratios in %), and a
    form's own metric named only when it is not the rule's.
    """

    #: The unit of the metric a form without its own is on.
    unit: str
    #: The unit of any metric, for forms that name their own; None: every form is in ``unit``.
    unit_of: Callable[[str], str] | None
    #: The dispatch: the form of a nested requirement.
    form_of: Callable[[Requirement], Form[Any]]
    shown: Callable[[Measured], Shown] | None = None
    #: The rule's metric, in comparisons: what a form without its own measures; not repeated before forms on it.
    rule_metric: str | None = None

    def words(self, requirement: Requirement) -> str:
        """A nested requirement in the same words."""
        return self.form_of(requirement).words(requirement, self)

    def prefix(self, requirement: Requirement) -> str:
        """``population: `` before a form on another metric than the rule's."""
        own = own_metric(requirement)
        return f"{own}: " if own and own != self.rule_metric else ""

    def suffix(self, requirement: Requirement) -> str:
        """The unit after a number of this form, in its metric's own unit (`` m²``; nothing for a ratio)."""
        return suffix(self.unit_for(requirement))

    def unit_for(self, requirement: Requirement) -> str:
        """The unit of the metric a form is on: its own metric's, else the rule's."""
        own = own_metric(requirement)
        return self.unit_of(own) if own and self.unit_of is not None else self.unit

    def amount(self, requirement: Requirement, value: float) -> str:
        """A stated bound with its unit: ``450 m²``; on a rate (比例) a percentage, ``30%``."""
        return amount(value, self.unit_for(requirement))

    def shown_as(self, form: Form[R], requirement: R) -> Shown | None:
        """The comparison's display unit for what a form measures; None when stating the standard."""
        if self.shown is None:
            return None
        return self.shown(form.measured(requirement, self.rule_metric or ""))


@attrs.frozen
class Compiling:
    """What a form compiles against: the metric it reads, the resolver, the date, the metric's unit."""

    metric: str
    metrics: Metrics
    as_of: dt.date
    unit: str
    #: The dispatch: compiles a nested requirement in this context.
    dispatch: Callable[[Requirement, Compiling], Part]
    #: The unit of any metric, for a nested form on its own metric (an option of ``any_of``); None: ``unit``.
    unit_of: Callable[[str], str] | None = None
    #: The rule's relative tolerance (左右): the bounding forms widen their bounds by it.
    tolerance: float | None = None

    def lower(self, bound: float) -> float:
        """A lower bound as judged: widened by the tolerance (``bound × (1 − t)``)."""
        return bound if self.tolerance is None else bound * (1 - self.tolerance)

    def upper(self, bound: float) -> float:
        """An upper bound as judged: widened by the tolerance (``bound × (1 + t)``)."""
        return bound if self.tolerance is None else bound * (1 + self.tolerance)

    @property
    def suffix(self) -> str:
        """The unit after a number in a requirement's text (`` m²``)."""
        return suffix(self.unit)

    def nested(self, requirement: Requirement) -> Part:
        """A nested requirement compiled for the same metric, date and unit."""
        return self.dispatch(requirement, self)


class Form(Generic[R]):
    """How one requirement form behaves. The defaults fit a form that bounds one metric and nests nothing."""

    #: How a concrete requirement of this form is compared in the standards table: by its
    #: lower/upper bounds, by presence, or only in words.
    compared_by: ClassVar[Literal["bounds", "presence", "words"]] = "words"
    #: Whether what it requires can differ between communities (it reads a basis or a condition).
    varies: ClassVar[bool] = False

    # --- words

    def words(self, requirement: R, say: Say) -> str:
        """The requirement in words, e.g. ``≥ 30 m² per 100 households, at least 300 m²``."""
        raise NotImplementedError

    def bounds_words(self, requirement: R, lo: float | None, hi: float | None, shown: Shown) -> str:
        """Concrete bounds, already in the display unit, in words: ``≥ 450 m²``."""
        return bounds_text(lo, hi, shown.unit)

    # --- the engine

    def compile(self, requirement: R, compiling: Compiling) -> Part:
        """Polars expressions judging every community at once (import Polars inside: see :mod:`.compiling`)."""
        raise TypeError(f"cannot compile requirement form {requirement.form!r} per community")

    # --- structure

    def nested(self, requirement: R) -> tuple[Requirement, ...]:
        """The requirements it holds, in the order they are written."""
        return ()

    def options(self, requirement: R) -> tuple[Requirement, ...]:
        """Alternatives any of which meets it; a form that offers none is its only option."""
        return (requirement,)

    def stages(self, requirement: R) -> tuple[Stage, ...]:
        """Dated steps, when it tightens over time."""
        return ()

    def stage_in_force(self, requirement: R, as_of: dt.date) -> tuple[Stage, bool] | None:
        """The stage in force on ``as_of`` and whether its date has come; None when not staged."""
        return None

    def references(self, requirement: R) -> tuple[tuple[str, str], ...]:
        """(field, metric id) of every catalog metric it names, for reference checks and input columns."""
        own = own_metric(requirement)
        return (("metric", own),) if own else ()

    def numbers(self, requirement: R) -> tuple[tuple[str, float], ...]:
        """(field, value) of every number it states, which the fidelity audit finds in the quote."""
        return ()

    # --- comparisons

    def measured(self, requirement: R, metric: str) -> Measured:
        """What it bounds, ``metric`` being the rule's."""
        return Measured(own_metric(requirement) or metric)

    def leaf(self, requirement: R) -> Requirement:
        """The nested form that says what is measured (one level down); itself when it nests none."""
        return requirement

    def branches(self, requirement: R) -> tuple[tuple[str | None, Requirement], ...]:
        """(qualifier, requirement) of each case it distinguishes, e.g. ("if population ≥ 5000", …)."""
        return ((None, requirement),)

    def peel(self, requirement: R, as_of: dt.date, value_of: Callable[[str], float | None]) -> Step | None:
        """Settle one layer for a hypothetical community (``value_of`` its metrics); None: nothing to settle."""
        return None

    def aspects(self, requirement: R, shown: Shown) -> tuple[Aspect, ...]:
        """What a comparison of two standards ranks, in the display unit; none: compared in words only."""
        return ()

    def per_metric(
        self, requirement: R, metric: str, split: Callable[[Requirement, str], tuple[tuple[str, Requirement], ...]]
    ) -> tuple[tuple[str, Requirement], ...] | None:
        """(metric, requirement) of each metric it bounds at once, each a requirement of its own on that metric
        (``metric`` being the one it is on, ``split`` the dispatch); None: it is one requirement on ``metric``."""
        return None

    def basis(self, requirement: R) -> str:
        """What its concrete bound is computed from, named when a hypothetical community lacks it."""
        return "data"
