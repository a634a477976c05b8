"""``present``: the metric must be present: a count of at least one, or a flag that is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Present
from .base import Aspect, Compiling, Form, Say, Shown

if TYPE_CHECKING:
    from .compiling import Part


class PresentForm(Form[Present]):
    compared_by = "presence"

    def words(self, present: Present, say: Say) -> str:
        return f"{say.prefix(present)}present"

    def compile(self, present: Present, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import F64, Part

        value = compiling.metrics.ref(compiling.metric)
        return Part(value=value, ok=value >= 1, lo=pl.lit(1.0, dtype=F64), text=pl.lit("present"))

    def aspects(self, present: Present, shown: Shown) -> tuple[Aspect, ...]:
        return (("presence", "present", "present"),)
