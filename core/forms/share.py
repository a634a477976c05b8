"""``share``: the metric divided by ``of`` (times ``per``) must lie within ``min``/``max``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Share
from .base import Aspect, Compiling, Form, Measured, Say, Shown, own_metric
from .words import bounds_text, percent

if TYPE_CHECKING:
    from .compiling import Part


class ShareForm(Form[Share]):
    compared_by = "bounds"

    def words(self, share: Share, say: Say) -> str:
        shown = say.shown_as(self, share)
        if shown is not None and shown.unit == "%":
            lo = None if share.min is None else share.min * 100
            hi = None if share.max is None else share.max * 100
            return say.prefix(share) + self.bounds_words(share, lo, hi, shown)
        bounds = []
        if share.min is not None:
            bounds.append(f"≥ {percent(share.min, share.per)}")
        if share.max is not None:
            bounds.append(f"≤ {percent(share.max, share.per)}")
        return f"{say.prefix(share)}{' and '.join(bounds)} of {share.of}"

    def bounds_words(self, share: Share, lo: float | None, hi: float | None, shown: Shown) -> str:
        text = bounds_text(lo, hi, shown.unit)
        # "20% of population" unless the share is a catalog ratio metric, whose name says of what
        return f"{text} of {share.of}" if shown.unit == "%" and not shown.normalised else text

    def compile(self, share: Share, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import F64, Part, all_of, share_text

        numerator, denominator = compiling.metrics.ref(compiling.metric), compiling.metrics.ref(share.of)
        value = pl.when(denominator > 0).then(numerator / denominator * share.per).otherwise(None)
        lo = pl.lit(None if share.min is None else compiling.lower(share.min), dtype=F64)
        hi = pl.lit(None if share.max is None else compiling.upper(share.max), dtype=F64)
        tests, texts = [], []
        if share.min is not None:
            tests.append(value >= lo)
            texts.append(pl.concat_str([pl.lit("≥ "), share_text(pl.lit(share.min, dtype=F64), share.per)]))
        if share.max is not None:
            tests.append(value <= hi)
            texts.append(pl.concat_str([pl.lit("≤ "), share_text(pl.lit(share.max, dtype=F64), share.per)]))
        return Part(
            value=value,
            ok=all_of(tests),
            lo=lo,
            hi=hi,
            text=pl.concat_str([pl.concat_str(texts, separator=" and "), pl.lit(f" of {share.of}")]),
            unit="比例" if share.per == 1 else f"per {share.per:g} {share.of}",
        )

    def references(self, share: Share) -> tuple[tuple[str, str], ...]:
        return (*super().references(share), ("of", share.of))

    def numbers(self, share: Share) -> tuple[tuple[str, float], ...]:
        found = [(name, value) for name, value in (("min", share.min), ("max", share.max)) if value is not None]
        if share.per != 1:
            found.append(("per", share.per))
        return tuple(found)

    def measured(self, share: Share, metric: str) -> Measured:
        return Measured(own_metric(share) or metric, of=share.of, per=share.per)

    def aspects(self, share: Share, shown: Shown) -> tuple[Aspect, ...]:
        found: list[Aspect] = []
        if share.min is not None:
            lo = share.min * shown.scale
            found.append(("minimum", lo, bounds_text(lo, None, shown.unit)))
        if share.max is not None:
            hi = share.max * shown.scale
            found.append(("maximum", hi, bounds_text(None, hi, shown.unit)))
        return tuple(found)
