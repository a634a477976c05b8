"""Verdict codes and the identity columns every result carries."""

from __future__ import annotations

import polars as pl

from ..model import VERDICTS as VERDICTS  # defined with the model, so the CLI can offer them without Polars

PASS, FAIL, NOT_APPLICABLE, NOT_DUE, UNKNOWN, DEPARTS, NOT_IN_FORCE = range(7)

#: ``shortfall_basis`` of a shortfall computed from the requirement itself, and of one computed from
#: what is known of it (a floor whose basis is missing): the true shortfall is at least that.
EXACT, LOWER_BOUND = "exact", "lower_bound"


ALL_DISTRICTS = "(all)"


IDENTITY = ("id", "name", "district", "kind")


F64 = pl.Float64
