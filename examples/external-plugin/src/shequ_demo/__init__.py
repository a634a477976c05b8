"""The demo jurisdiction for shequ: a FICTIONAL county (示范县) whose invented texts say they are invented.

A third-party plugin: it lives in its own distribution (``shequ-demo``) and
reaches shequ only through the ``shequ`` entry point in its pyproject.toml.
"""

from pathlib import Path

from shequ import hookimpl


@hookimpl
def register_jurisdictions() -> list[Path]:
    return [Path(__file__).with_name("demo.toml")]
