"""The panzhihua jurisdiction: its standard, declared in panzhihua.toml beside this module."""

from pathlib import Path

from shequ import hookimpl


@hookimpl
def register_jurisdictions() -> list[Path]:
    return [Path(__file__).with_name("panzhihua.toml")]
