"""Small stand-ins for what the forms are handed: a metrics resolver over plain columns, a display unit."""

from __future__ import annotations

import attrs
import polars as pl
import pytest


class Columns:
    """Metrics read straight from same-named columns, as Float64 (the engine's resolver does more)."""

    def ref(self, metric_id: str) -> pl.Expr:
        return pl.col(metric_id).cast(pl.Float64)


@attrs.frozen
class Display:
    """A comparison key's display unit (what :class:`shequ.views.MetricKey` gives)."""

    unit: str
    scale: float = 1.0
    normalised: str | None = None


@pytest.fixture
def columns() -> Columns:
    return Columns()


@pytest.fixture
def display() -> type[Display]:
    return Display
