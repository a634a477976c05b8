"""What-if reforms: change any field of an installed standard by ``--set`` or an overlay TOML file."""

from __future__ import annotations

from .overlay import apply_reforms, changed_jurisdictions, parse_value

__all__ = ["apply_reforms", "changed_jurisdictions", "parse_value"]
