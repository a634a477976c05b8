"""Verdict codes and the identity columns every result carries."""

from __future__ import annotations

import polars as pl

from ..model import VERDICTS as VERDICTS  # defined with the model, so the CLI can offer them without Polars

PASS, FAIL, NOT_APPLICABLE, NOT_DUE, UNKNOWN = range(5)


ALL_DISTRICTS = "(all)"


IDENTITY = ("id", "name", "district", "kind")


F64 = pl.Float64
