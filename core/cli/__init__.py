"""The ``shequ`` command line: thin click commands over the library."""

from __future__ import annotations

from .main import main

__all__ = ["main"]
