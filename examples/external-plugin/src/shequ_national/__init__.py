"""The national jurisdiction for shequ: the organic laws of residents' and villagers' committees.

A third-party plugin: it lives in its own distribution (``shequ-national``) and
reaches shequ only through the ``shequ`` entry point in its pyproject.toml.
"""

from pathlib import Path

from shequ import hookimpl


@hookimpl
def register_jurisdictions() -> list[Path]:
    return [Path(__file__).with_name("national.toml")]
