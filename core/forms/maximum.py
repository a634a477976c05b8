"""``max``: the metric must be at most ``value``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Maximum
from .base import Aspect, Compiling, Form, Say, Shown
from .words import bounds_text

if TYPE_CHECKING:
    from .compiling import Part


class MaximumForm(Form[Maximum]):
    compared_by = "bounds"

    def words(self, maximum: Maximum, say: Say) -> str:
        shown = say.shown_as(self, maximum)
        if shown is not None:
            return say.prefix(maximum) + bounds_text(None, maximum.value * shown.scale, shown.unit)
        return f"{say.prefix(maximum)}≤ {say.amount(maximum, maximum.value)}"

    def compile(self, maximum: Maximum, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import F64, Part, amount_text

        value, hi = compiling.metrics.ref(compiling.metric), pl.lit(compiling.upper(maximum.value), dtype=F64)
        stated = pl.lit(maximum.value, dtype=F64)
        text = pl.concat_str([pl.lit("≤ "), amount_text(stated, compiling.unit)])
        return Part(value=value, ok=value <= hi, hi=hi, text=text)

    def numbers(self, maximum: Maximum) -> tuple[tuple[str, float], ...]:
        return (("value", maximum.value),)

    def aspects(self, maximum: Maximum, shown: Shown) -> tuple[Aspect, ...]:
        hi = maximum.value * shown.scale
        return (("maximum", hi, bounds_text(None, hi, shown.unit)),)
