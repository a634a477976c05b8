"""Test helpers: throwaway standards written to tmp_path and registries built around them."""

from __future__ import annotations

import importlib.util
import subprocess
import textwrap
from pathlib import Path
from typing import Any

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


def offline_build_options() -> list[str]:
    """Build with the running environment's setuptools, offline, when it can build an editable wheel.

    setuptools before 70.1 needs the ``wheel`` package for that; without either,
    pip builds in isolation and fetches setuptools from the package index.
    """
    from importlib import metadata

    try:
        version = tuple(int(part) for part in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return []
    if version < (64, 0) or (version < (70, 1) and importlib.util.find_spec("wheel") is None):
        return []
    return ["--no-build-isolation", "--no-index"]


TEXT_COLUMNS = ("id", "name", "kind", "district")


def community_frame(rows: list[dict], *, kind: str | None = None, numbers: Any = None) -> Any:
    """Communities as the canonical frame the engine reads: list columns typed, text columns as text.

    ``kind`` fills the kind of rows that do not give one; ``numbers`` is the dtype of every other
    column (``None``: inferred). A column a row lacks is missing (null) there, never 0.
    """
    import polars as pl

    if kind is not None:
        rows = [{"kind": kind, **row} for row in rows]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    dtypes = {
        c: pl.List(pl.String) if c in ("flags", "designations") else pl.String if c in TEXT_COLUMNS else numbers
        for c in columns
    }
    return pl.DataFrame({c: pl.Series(c, [row.get(c) for row in rows], dtype=dtypes[c]) for c in columns})


def sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a shell command line as a user types it (in ``env``, e.g. the ``overlay_venv`` fixture's)."""
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
