"""Fixtures shared by every test folder; the helpers behind them live in support.py."""

from __future__ import annotations

import pytest
from support import registry_with, write_standard

from shequ.registry import Registry


@pytest.fixture
def make_registry(tmp_path):
    """Build a registry holding only a throwaway standard with the given rules TOML."""

    def make(body: str, jurisdiction_id: str = "mini") -> Registry:
        return registry_with(write_standard(tmp_path, body, jurisdiction_id))

    return make
