"""Hypothetical communities typed on the command line: ``--community households=1500,kind=urban``.

:func:`communities_from_options` turns each ``KEY=VALUE,KEY=VALUE…`` text into
one row of a flat table and loads it by the same path as a CSV file
(:func:`shequ.io.load.from_flat`): the keys are the headers a file may have
(``households``, ``户数``, ``area.elderly_service_facility``, ``flags`` …), the
values are read and checked as a file's cells (numbers, kinds, flags; blank is
unknown). A key that is not a column is reported with "did you mean"; a bad
value as a file's would be, named by the ``--community`` it comes from.

Commas separate the fields, so a value holds no comma (write ``1200``, not
``1,200``; list ``flags`` with ``;``). Without ``id=…`` the communities are
``H1``, ``H2`` … in the order given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs
import polars as pl

from ..catalog import Catalog
from ..errors import Problem, ProblemsError
from .columns import CommunityTable, finish, vocabulary
from .load import default_catalog, from_flat
from .problems import Problems

#: How the communities of ``--community`` are named in problems and as the table's source.
SOURCE = "--community"


def parse_community(spec: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``KEY=VALUE,KEY=VALUE`` → the (key, value) pairs as written, and what is wrong with the text."""
    pairs: list[tuple[str, str]] = []
    wrong: list[str] = []
    seen: set[str] = set()
    for part in spec.split(","):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        name = name.strip()
        if not equals or not name:
            wrong.append(f"expected KEY=VALUE, got '{part.strip()}'")
            continue
        if name in seen:
            wrong.append(f"'{name}' is given twice")
            continue
        seen.add(name)
        pairs.append((name, value.strip()))
    if not pairs and not wrong:
        wrong.append("no KEY=VALUE given, e.g. households=1500,kind=urban")
    return pairs, wrong


def communities_from_options(specs: Sequence[str], *, catalog: Catalog | None = None) -> CommunityTable:
    """The canonical table of the communities given as ``KEY=VALUE,…`` texts, one per text.

    Checked exactly as a flat file's rows are (see :mod:`shequ.io.load`); each
    problem names the ``--community`` text it comes from.

    :raises ProblemsError: with every problem of every text.
    """
    words = vocabulary(catalog or default_catalog())
    found: list[Problem] = []
    rows: list[dict[str, str]] = []
    for index, spec in enumerate(specs, start=1):
        label = f"{SOURCE} {spec}"
        pairs, wrong = parse_community(spec)
        found += [Problem(file=label, where=None, message=message) for message in wrong]
        row: dict[str, str] = {}
        columns: dict[str, str] = {}
        for name, value in pairs:
            column, why = words.resolve(name)
            if column is None:
                found.append(Problem(file=label, where=None, message=str(why), field=name))
            elif column in columns:
                message = f"'{columns[column]}' and '{name}' both give '{column}'"
                found.append(Problem(file=label, where=None, message=message, field=column))
            else:
                columns[column] = name
                row[column] = value
        row.setdefault("id", f"H{index}")
        rows.append(row)
    headers = list(dict.fromkeys(column for row in rows for column in row))
    raw = pl.DataFrame(
        {f"c{i}": [row.get(column) for row in rows] for i, column in enumerate(headers)},
        schema={f"c{i}": pl.String for i in range(len(headers))},
    )
    problems = Problems(SOURCE)
    parsed = from_flat(raw, headers, words, problems, False, cells=True)
    for problem in problems.problems():
        # "row 2" is the second --community: name it by its text
        text = specs[problem.row - 1] if problem.row is not None and 0 < problem.row <= len(specs) else None
        message = re.sub(r"\(rows ([\d, ]+)\)", r"(--community options \1)", problem.message)
        found.append(
            attrs.evolve(problem, file=f"{SOURCE} {text}", where=None, message=message)
            if text is not None
            else attrs.evolve(problem, message=message)
        )
    if found:
        raise ProblemsError(found)
    assert parsed is not None  # no problem: every value was read
    return CommunityTable(frame=finish(parsed.drop("__row")), source=SOURCE)
