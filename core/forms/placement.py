"""``placement``: a facility must stand on one of ``floors``; a basement only if ``basement`` says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Placement
from .base import Compiling, Form, Say

if TYPE_CHECKING:
    from .compiling import Part


def _floors_text(placement: Placement) -> str:
    floors = " or ".join(str(f) for f in placement.floors)
    return f"floor {floors}" + ("" if placement.basement else ", not a basement")


class PlacementForm(Form[Placement]):
    def words(self, placement: Placement, say: Say) -> str:
        return say.prefix(placement) + _floors_text(placement)

    def compile(self, placement: Placement, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import Part

        value = compiling.metrics.ref(compiling.metric)
        ok = value.is_in([float(f) for f in placement.floors])
        if placement.basement:
            ok = ok | (value < 0)  # floors below ground are negative
        return Part(
            value=value,
            ok=ok,
            lo=pl.lit(float(min(placement.floors))),
            hi=pl.lit(float(max(placement.floors))),
            text=pl.lit(_floors_text(placement)),
        )
