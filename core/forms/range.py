"""``range``: the metric must lie within ``min``..``max``, both inclusive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Range
from .base import Aspect, Compiling, Form, Say, Shown
from .words import RATE_UNIT, bounds_text, number

if TYPE_CHECKING:
    from .compiling import Part


class RangeForm(Form[Range]):
    compared_by = "bounds"

    def words(self, range_: Range, say: Say) -> str:
        shown = say.shown_as(self, range_)
        if shown is not None:
            return say.prefix(range_) + bounds_text(range_.min * shown.scale, range_.max * shown.scale, shown.unit)
        if range_.min == range_.max:
            return f"{say.prefix(range_)}exactly {say.amount(range_, range_.min)}"
        if say.unit_for(range_) == RATE_UNIT:
            return f"{say.prefix(range_)}{say.amount(range_, range_.min)}–{say.amount(range_, range_.max)}"
        return f"{say.prefix(range_)}{number(range_.min)}–{number(range_.max)}{say.suffix(range_)}"

    def compile(self, range_: Range, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import F64, Part, amount_text, number_text

        value = compiling.metrics.ref(compiling.metric)
        lo, hi = pl.lit(compiling.lower(range_.min), dtype=F64), pl.lit(compiling.upper(range_.max), dtype=F64)
        stated = [pl.lit(range_.min, dtype=F64), pl.lit(range_.max, dtype=F64)]
        if compiling.unit == RATE_UNIT:  # a rate reads 20%–30%
            text = pl.concat_str(
                [amount_text(stated[0], compiling.unit), pl.lit("–"), amount_text(stated[1], compiling.unit)]
            )
        else:
            text = pl.concat_str(
                [number_text(stated[0]), pl.lit("–"), number_text(stated[1]), pl.lit(compiling.suffix)]
            )
        return Part(value=value, ok=(value >= lo) & (value <= hi), lo=lo, hi=hi, text=text)

    def numbers(self, range_: Range) -> tuple[tuple[str, float], ...]:
        return (("min", range_.min), ("max", range_.max))

    def aspects(self, range_: Range, shown: Shown) -> tuple[Aspect, ...]:
        lo, hi = range_.min * shown.scale, range_.max * shown.scale
        return (("minimum", lo, bounds_text(lo, None, shown.unit)), ("maximum", hi, bounds_text(None, hi, shown.unit)))
