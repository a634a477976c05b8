"""``conditional``: ``then`` applies when ``when`` holds; otherwise ``otherwise``, or the rule does not apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from ..model import Conditional, Requirement
from .base import Compiling, Form, Say, Step
from .conditions import condition_text

if TYPE_CHECKING:
    from .compiling import Part


class ConditionalForm(Form[Conditional]):
    varies = True

    def words(self, conditional: Conditional, say: Say) -> str:
        text = f"if {condition_text(conditional.when)}: {say.words(conditional.then)}"
        if conditional.otherwise is not None:
            text += f"; otherwise {say.words(conditional.otherwise)}"
        return text

    def compile(self, conditional: Conditional, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import Part, condition_expr

        holds = condition_expr(conditional.when, compiling.metrics)
        then = compiling.nested(conditional.then)
        when_text = condition_text(conditional.when)
        if conditional.otherwise is None:
            return attrs.evolve(
                then,
                applies=holds if then.applies is None else holds & then.applies,
                text=pl.concat_str([pl.lit(f"if {when_text}: "), then.text]),
            )
        other = compiling.nested(conditional.otherwise)

        def pick(a: pl.Expr, b: pl.Expr) -> pl.Expr:
            return pl.when(holds.is_null()).then(None).when(holds).then(a).otherwise(b)

        applies = None
        if then.applies is not None or other.applies is not None:
            applies = pick(
                then.applies if then.applies is not None else pl.lit(True),
                other.applies if other.applies is not None else pl.lit(True),
            )
        return Part(
            value=pick(then.value, other.value),
            ok=pick(then.ok, other.ok),
            lo=pick(then.lo, other.lo),
            hi=pick(then.hi, other.hi),
            least=pick(then.least, other.least),
            applies=applies,
            text=pl.when(holds)
            .then(pl.concat_str([pl.lit(f"({when_text}) "), then.text]))
            .otherwise(pl.concat_str([pl.lit(f"(not {when_text}) "), other.text])),
        )

    def nested(self, conditional: Conditional) -> tuple[Requirement, ...]:
        if conditional.otherwise is None:
            return (conditional.then,)
        return (conditional.then, conditional.otherwise)

    def references(self, conditional: Conditional) -> tuple[tuple[str, str], ...]:
        return (("when.metric", conditional.when.metric),)

    def leaf(self, conditional: Conditional) -> Requirement:
        return conditional.then

    def branches(self, conditional: Conditional) -> tuple[tuple[str | None, Requirement], ...]:
        when = condition_text(conditional.when)
        if conditional.otherwise is None:
            return ((f"if {when}", conditional.then),)
        return ((f"if {when}", conditional.then), (f"unless {when}", conditional.otherwise))

    def peel(self, conditional: Conditional, as_of: dt.date, value_of: Callable[[str], float | None]) -> Step | None:
        holds = conditional.when.holds(value_of(conditional.when.metric))
        if holds is None:  # unknown: show what applies when it holds, and say it depends
            return Step(then=conditional.then, depends=f"if {condition_text(conditional.when)}")
        if holds:
            return Step(then=conditional.then)
        if conditional.otherwise is not None:
            return Step(then=conditional.otherwise)
        return Step(then=None, not_applicable=f"only if {condition_text(conditional.when)}")
