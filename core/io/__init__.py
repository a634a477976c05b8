"""Community data in: JSON, TOML, CSV, XLSX and Parquet into one validated columnar table.

``readers`` reads a file as stored; ``nested`` flattens JSON/TOML records into
the columns a flat file has; ``validate`` is the one pipeline that parses and
checks every column of every format; ``facilities`` sums facilities given one
per row; ``columns`` is the canonical layout and the header vocabulary;
``load`` and ``frame`` are the two ways in (a file, or Python objects).
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
