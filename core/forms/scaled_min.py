"""``scaled_min``: at least ``rate`` per ``per`` units of ``basis``, and never below ``floor``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import ScaledMinimum
from .base import Aspect, Compiling, Form, Say, Shown
from .words import bounds_text, number, rounded, with_unit

if TYPE_CHECKING:
    from .compiling import Part


class ScaledMinimumForm(Form[ScaledMinimum]):
    compared_by = "bounds"
    varies = True

    def words(self, scaled: ScaledMinimum, say: Say) -> str:
        # a rate has no single bound to show in a comparison's unit: said as the standard states it
        unit = say.suffix(scaled)
        text = f"{say.prefix(scaled)}≥ {number(scaled.rate)}{unit} per {number(scaled.per)} {scaled.basis}"
        if scaled.floor is not None:
            text += f", at least {number(scaled.floor)}{unit}"
        return text

    def compile(self, scaled: ScaledMinimum, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import F64, Part, number_text

        value, basis = compiling.metrics.ref(compiling.metric), compiling.metrics.ref(scaled.basis)
        required = basis / scaled.per * scaled.rate
        least = pl.lit(None, dtype=F64)
        if scaled.floor is not None:
            stated = pl.when(basis.is_null()).then(None).otherwise(pl.max_horizontal(required, pl.lit(scaled.floor)))
            # below the floor fails whatever the basis; above it, the basis decides
            floor = compiling.lower(scaled.floor)
            lo = stated * compiling.lower(1.0)
            ok = pl.when(lo.is_not_null()).then(value >= lo).when(value < floor).then(False).otherwise(None)
            least = pl.when(basis.is_null()).then(pl.lit(floor, dtype=F64))
            # with the basis missing, what is known of the requirement is its floor
            text = pl.coalesce(
                [
                    pl.concat_str([pl.lit("≥ "), number_text(stated), pl.lit(compiling.suffix)]),
                    pl.lit(f"≥ {number(scaled.floor)}{compiling.suffix} (floor; {scaled.basis} unknown)"),
                ]
            )
        else:
            stated = required
            lo, ok = required * compiling.lower(1.0), value >= required * compiling.lower(1.0)
            text = pl.concat_str([pl.lit("≥ "), number_text(stated), pl.lit(compiling.suffix)])
        return Part(value=value, ok=ok, lo=lo.cast(F64), least=least, text=text)

    def references(self, scaled: ScaledMinimum) -> tuple[tuple[str, str], ...]:
        return (*super().references(scaled), ("basis", scaled.basis))

    def numbers(self, scaled: ScaledMinimum) -> tuple[tuple[str, float], ...]:
        found = [("rate", scaled.rate)]
        if scaled.per != 1:
            found.append(("per", scaled.per))
        if scaled.floor is not None:
            found.append(("floor", scaled.floor))
        return tuple(found)

    def aspects(self, scaled: ScaledMinimum, shown: Shown) -> tuple[Aspect, ...]:
        # rates compare per 100 households (or residents) whatever ``per`` the document wrote
        per = 100.0 if scaled.basis in ("households", "population") else 1.0
        rate = scaled.rate / scaled.per * per * shown.scale
        text = with_unit(f"≥ {rounded(rate)}", shown.unit) + f" per {per:g} {scaled.basis}"
        found: list[Aspect] = [(f"rate per {per:g} {scaled.basis}", rate, text)]
        if scaled.floor is not None:
            floor = scaled.floor * shown.scale
            found.append(("minimum", floor, bounds_text(floor, None, shown.unit)))
        return tuple(found)

    def basis(self, scaled: ScaledMinimum) -> str:
        return scaled.basis
