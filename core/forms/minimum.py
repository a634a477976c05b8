"""``min``: the metric must be at least ``value``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Minimum
from .base import Aspect, Compiling, Form, Say, Shown
from .words import bounds_text

if TYPE_CHECKING:
    from .compiling import Part


class MinimumForm(Form[Minimum]):
    compared_by = "bounds"

    def words(self, minimum: Minimum, say: Say) -> str:
        shown = say.shown_as(self, minimum)
        if shown is not None:
            return say.prefix(minimum) + bounds_text(minimum.value * shown.scale, None, shown.unit)
        return f"{say.prefix(minimum)}≥ {say.amount(minimum, minimum.value)}"

    def compile(self, minimum: Minimum, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import F64, Part, amount_text

        value, lo = compiling.metrics.ref(compiling.metric), pl.lit(compiling.lower(minimum.value), dtype=F64)
        stated = pl.lit(minimum.value, dtype=F64)
        text = pl.concat_str([pl.lit("≥ "), amount_text(stated, compiling.unit)])
        return Part(value=value, ok=value >= lo, lo=lo, text=text)

    def numbers(self, minimum: Minimum) -> tuple[tuple[str, float], ...]:
        return (("value", minimum.value),)

    def aspects(self, minimum: Minimum, shown: Shown) -> tuple[Aspect, ...]:
        lo = minimum.value * shown.scale
        return (("minimum", lo, bounds_text(lo, None, shown.unit)),)
