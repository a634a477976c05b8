"""Community data in: JSON, TOML, CSV, XLSX and Parquet into one validated columnar table."""

from __future__ import annotations

from .load import (
    FIXED_COLUMNS,
    FORMATS,
    MAX_LISTED,
    CommunityTable,
    column_dtype,
    communities_frame,
    load_communities,
)

__all__ = [
    "FIXED_COLUMNS",
    "FORMATS",
    "MAX_LISTED",
    "CommunityTable",
    "column_dtype",
    "communities_frame",
    "load_communities",
]
