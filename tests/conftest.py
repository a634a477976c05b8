"""Shared fixtures: throwaway standards written to tmp_path and registries built around them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shequ import hookimpl
from shequ.registry import Registry, build_registry

MINI_HEADER = """
[jurisdiction]
id = "{id}"
name = "试验"
name_en = "Test"
level = "county"

[[documents]]
id = "doc"
title = "试验文件"
date = 2018-08-22
"""


class FilePlugin:
    """A plugin object that declares the standards in the given TOML files."""

    def __init__(self, *paths: Path):
        self.paths = list(paths)

    @hookimpl
    def register_jurisdictions(self):
        return self.paths


def write_standard(directory: Path, body: str, jurisdiction_id: str = "mini", name: str | None = None) -> Path:
    path = directory / (name or f"{jurisdiction_id}.toml")
    path.write_text(MINI_HEADER.format(id=jurisdiction_id) + textwrap.dedent(body), encoding="utf-8")
    return path


def registry_with(*paths: Path) -> Registry:
    return build_registry([("test-plugin", FilePlugin(*paths))], include_installed=False)


@pytest.fixture
def make_registry(tmp_path):
    """Build a registry holding only a throwaway standard with the given rules TOML."""

    def make(body: str, jurisdiction_id: str = "mini") -> Registry:
        return registry_with(write_standard(tmp_path, body, jurisdiction_id))

    return make
