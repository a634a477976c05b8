"""The donghai jurisdiction: its standard, declared in donghai.toml beside this module."""

from pathlib import Path

from shequ import hookimpl


@hookimpl
def register_jurisdictions() -> list[Path]:
    return [Path(__file__).with_name("donghai.toml")]
