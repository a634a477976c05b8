"""Community-level rules compiled to Polars expressions for one evaluation date.

Each requirement compiles through its form (:func:`shequ.forms.compile_requirement`);
this module adds what every rule has whatever its form: whom it covers, when
it is in force and due, how binding it is, and the verdict and shortfall expressions.

Nothing is in force before its document takes effect or after the document
superseding it does (``not_in_force``, whatever the community); a rule in force
but before its deadline is ``not_due``. A guidance or permissive rule that is
not met ``departs``: it is recorded, never a ``fail``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import polars as pl

from ..forms import compile_requirement
from ..forms.compiling import Part, all_of, condition_expr
from ..model import BINDING_STRENGTHS, AfterEvent, Document, Recurring, Rule
from ..model.deadlines import first_occurrence, latest_occurrence
from ..registry import LoadedStandard
from .metrics import KIND_ENUM, MetricResolver
from .verdicts import DEPARTS, EXACT, F64, FAIL, LOWER_BOUND, NOT_APPLICABLE, NOT_DUE, NOT_IN_FORCE, PASS, UNKNOWN


@attrs.frozen
class CompiledRule:
    """A community-level rule of one jurisdiction, ready to evaluate."""

    key: str
    jurisdiction: str
    rule: Rule
    unit: str
    part: Part
    applies: pl.Expr
    not_due: bool
    due: dt.date | None
    document_date: dt.date | None
    #: Its document is not in force on the evaluation date (not yet in effect, or superseded).
    not_in_force: bool = False
    #: How its document is cited: the number (文号), else the title.
    document: str = ""
    #: A deadline after each community's event (``due = { after, days }``): whether it is still ahead
    #: (null where the event date is unknown), and the deadline as a Date expression.
    pending: pl.Expr | None = None
    due_expr: pl.Expr | None = None
    #: Judged with inheritance: the jurisdiction whose standard the rule comes from, and its level.
    origin: str | None = None
    level: str | None = None

    @property
    def binding(self) -> bool:
        """Whether not meeting it is a violation (mandatory, target) rather than a departure."""
        return self.rule.strength in BINDING_STRENGTHS

    def verdict(self) -> pl.Expr:
        if self.not_in_force:
            return pl.lit(NOT_IN_FORCE, dtype=pl.Int8).alias(self.key)
        ok = self.part.ok
        coverage = (
            pl.when(self.applies.not_()).then(pl.lit(NOT_APPLICABLE)).when(self.applies.is_null()).then(pl.lit(UNKNOWN))
        )
        if self.pending is not None and not self.not_due:
            # a deadline counted from each community's event: unknown without the date, not due before it
            pending = self.pending
            coverage = coverage.when(pending.is_null()).then(pl.lit(UNKNOWN)).when(pending).then(pl.lit(NOT_DUE))
        if self.not_due:
            verdict = coverage.otherwise(pl.lit(NOT_DUE))
        else:
            not_met = FAIL if self.binding else DEPARTS
            verdict = (
                coverage.when(ok.is_null()).then(pl.lit(UNKNOWN)).when(ok).then(pl.lit(PASS)).otherwise(pl.lit(not_met))
            )
        return verdict.cast(pl.Int8).alias(self.key)

    def shortfall(self) -> pl.Expr:
        """How far below the minimum or above the maximum, in the metric's unit, for a requirement not met.

        Where only part of the requirement is known (a floor whose basis is missing), how far below
        that part: a lower bound of the true shortfall. Null when nothing is known (see
        :meth:`shortfall_basis`).
        """
        return shortfall_exprs(self.part.value, self.part.lo, self.part.hi, self.part.least)[0]

    def shortfall_basis(self) -> pl.Expr:
        """``exact``, ``lower_bound`` (the shortfall is at least that) or null, beside :meth:`shortfall`."""
        return shortfall_exprs(self.part.value, self.part.lo, self.part.hi, self.part.least)[1]


def shortfall_exprs(
    value: pl.Expr, lo: pl.Expr | None, hi: pl.Expr | None, least: pl.Expr | None, basis_dtype: Any = pl.String
) -> tuple[pl.Expr, pl.Expr]:
    """A rule's shortfall and its basis from its value, bounds and known least minimum (see :class:`CompiledRule`).

    Apart from the rule so that a writer can compute value and bounds once, as columns, and pass
    them here as ``pl.col`` references; ``basis_dtype`` lets it have the basis as an enum of
    ``exact``/``lower_bound`` directly (no text per row). A bound given as None is known to be
    absent (null for every community): its terms are left out, which changes no value.
    """
    outside: list[pl.Expr] = []
    if lo is not None:
        outside.append(pl.when(value < lo).then(lo - value))
    if hi is not None:
        outside.append(pl.when(value > hi).then(value - hi))
    exact = _first_known(outside, F64)
    lower = pl.when(value < least).then(least - value) if least is not None else None
    shortfall = (exact if lower is None else pl.coalesce([exact, lower])).cast(F64)
    known_exactly = pl.when(exact.is_not_null()).then(pl.lit(EXACT, dtype=basis_dtype))
    none = pl.lit(None, dtype=basis_dtype)
    if lower is None:
        return shortfall, known_exactly.otherwise(none)
    return shortfall, known_exactly.when(lower.is_not_null()).then(pl.lit(LOWER_BOUND, dtype=basis_dtype)).otherwise(
        none
    )


def _first_known(exprs: list[pl.Expr], dtype: Any) -> pl.Expr:
    """The first of ``exprs`` that is not null, row by row (a typed null when there are none)."""
    if not exprs:
        return pl.lit(None, dtype=dtype)
    return exprs[0] if len(exprs) == 1 else pl.coalesce(exprs)


def applies_expr(item: Any, metrics: MetricResolver, columns: frozenset[str]) -> pl.Expr:
    """Whether a rule (or obligation: anything with ``applies_to``) covers each community; null: unknown."""
    rule = item
    tests = []
    if rule.applies_to.kinds:
        kind = pl.col(KIND_ENUM) if "kind" in columns else pl.lit(None, dtype=pl.String)
        tests.append(kind.is_in(list(rule.applies_to.kinds)))
    if rule.applies_to.districts:
        district = pl.col("district") if "district" in columns else pl.lit(None, dtype=pl.String)
        tests.append(district.is_in(list(rule.applies_to.districts)))
    for flag in rule.applies_to.flags:
        tests.append(metrics.ref(f"flag.{flag}") >= 1)
    for condition in rule.applies_to.when:
        tests.append(condition_expr(condition, metrics))
    return all_of(tests) if tests else pl.lit(True)


def _not_due(due: dt.date | None, as_of: dt.date) -> bool:
    return due is not None and as_of < due


def deadline(
    rule: Rule, document_date: dt.date | None, as_of: dt.date, columns: frozenset[str]
) -> tuple[dt.date | None, bool, pl.Expr | None, pl.Expr | None]:
    """(the deadline date judged, whether not yet due for all, per-community pending, per-community deadline).

    A date is itself. A recurring deadline is not due before its first
    occurrence; from then on the latest occurrence is the one judged. A
    deadline after an event is each community's event date plus its days:
    pending while ahead of ``as_of``, null (unknown) where the date is missing.
    """
    due = rule.due
    if isinstance(due, Recurring):
        first = first_occurrence(due, document_date)
        return latest_occurrence(due, as_of, document_date), first is not None and as_of < first, None, None
    if isinstance(due, AfterEvent):
        column = f"dates.{due.after}"  # the event's date column (shequ.io.columns.DATE_GROUP)
        event = pl.col(column).cast(pl.Date) if column in columns else pl.lit(None, dtype=pl.Date)
        on = event + pl.duration(days=due.days)
        return None, False, on > pl.lit(as_of, dtype=pl.Date), on
    return due, _not_due(due, as_of), None, None


def _not_in_force(document: Document, as_of: dt.date) -> bool:
    """Nothing is in force before its document takes effect, nor once it is superseded (no date: always in force)."""
    return not document.in_force(as_of)


def document_label(document: Document) -> str:
    """How a result cites its document: the number (文号), else the title; never an internal id."""
    return document.number or document.title


def compile_standard(
    loaded: LoadedStandard, metrics: MetricResolver, as_of: dt.date, columns: frozenset[str]
) -> tuple[list[CompiledRule], list[Rule]]:
    """Compile a standard's community-level rules; return them and its aggregate rules."""
    compiled, aggregates = [], []
    for rule in loaded.standard.rules:
        if rule.aggregate:
            aggregates.append(rule)
            continue
        unit = metrics.catalog.metric(rule.metric).unit
        part = compile_requirement(
            rule.requirement,
            rule.metric,
            metrics,
            as_of,
            unit,
            unit_of=lambda metric_id: metrics.catalog.metric(metric_id).unit,
            tolerance=rule.tolerance,
        )
        unit = part.unit or unit
        applies = applies_expr(rule, metrics, columns)
        if part.applies is not None:
            applies = applies & part.applies
        document = loaded.standard.document(rule.source.document)
        document_date = document.date
        rule_due, rule_not_due, pending, due_expr = deadline(rule, document_date, as_of, columns)
        due = part.due or rule_due
        compiled.append(
            CompiledRule(
                key=f"{loaded.id}/{rule.id}",
                jurisdiction=loaded.id,
                rule=rule,
                unit=unit,
                part=part,
                applies=applies,
                due=due,
                document_date=document_date,
                not_due=part.not_due or rule_not_due,
                not_in_force=_not_in_force(document, as_of),
                document=document_label(document),
                pending=pending,
                due_expr=due_expr if part.due is None else None,
            )
        )
    return compiled, aggregates
