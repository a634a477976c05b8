"""Every error shequ raises, in one hierarchy.

:class:`ShequError` is the base: catch it to handle anything shequ reports
about its input. A :class:`Problem` is one thing wrong with an input, with
structured fields (which plugin, file, row or path, field) rather than text
pasted into a message; loaders collect every problem they find and raise one
:class:`ProblemsError`, which the CLI prints in full before exiting with code 2.
"""

from __future__ import annotations

from attrs import frozen


@frozen(kw_only=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected.

    ``where`` is a free-form place (``row 7``, ``rules[3].requirement``) kept
    for messages; ``plugin``, ``path``, ``row`` and ``field`` are the same
    place as data, for programs that read problems.
    """

    file: str | None = None
    where: str | None = None
    message: str
    plugin: str | None = None
    path: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [part for part in (self.file, self.where) if part]
        text = ": ".join([*parts, self.message])
        return f"{text} (plugin '{self.plugin}')" if self.plugin else text


class ShequError(Exception):
    """Base of every error shequ reports: a usage error with a one-sentence explanation."""


class ProblemsError(ShequError):
    """Raised with every problem found in an input, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        return "\n".join([head, *(f"  - {problem}" for problem in self.problems)])


class SchemaError(ShequError, ValueError):
    """A value is well-typed but breaks a rule of the schema; the message says which."""


class PluginError(ShequError):
    """A jurisdiction plugin could not be loaded or registered."""

    def __init__(self, message: str, *, plugin: str | None = None):
        self.plugin = plugin
        super().__init__(message)
