"""The national jurisdiction: the organic law on urban residents' committees, version by version (national.toml)."""

from pathlib import Path

from shequ import hookimpl


@hookimpl
def register_jurisdictions() -> list[Path]:
    return [Path(__file__).with_name("national.toml")]
