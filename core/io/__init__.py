"""Community data in: JSON, TOML, CSV, XLSX and Parquet into one validated columnar table.

``readers`` reads a file as stored; ``nested`` flattens JSON/TOML records into
the columns a flat file has; ``validate`` is the one pipeline that checks every
format, column by column (``parsers``: how each column is read and what it
must meet; ``problems``: where a problem is and how it is phrased);
``facilities`` sums facilities given one per row; ``columns`` is the canonical
layout and the header vocabulary; ``load`` (a file) and ``frame`` (Python
objects) are the two ways in.
"""

from __future__ import annotations

from .columns import FIXED_COLUMNS, CommunityTable, column_dtype
from .frame import communities_frame
from .load import SUFFIXES, load_communities
from .problems import MAX_LISTED

__all__ = [
    "FIXED_COLUMNS",
    "MAX_LISTED",
    "SUFFIXES",
    "CommunityTable",
    "column_dtype",
    "communities_frame",
    "load_communities",
]
