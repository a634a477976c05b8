"""The ``shequ`` command group: global what-if options, and every command registered on it.

The commands live by what they work on: :mod:`.standards` (plugins, rules,
show, validate), :mod:`.data` (evaluate, compare, explain), :mod:`.views`
(standards, diff, responsibilities, timeline, cost, whatif), :mod:`.levels`
(history, conflicts) and
:mod:`.authoring` (new-plugin); :mod:`.common` holds what they share. Every
listing command takes ``--format table|json|csv|markdown`` and writes through
:mod:`shequ.output`. Bad input (data, plugin TOML, usage) prints every problem
to stderr and exits 2; ``--fail-on-violation`` makes a failing evaluation exit
1. A plugin that cannot be loaded is reported once on stderr and skipped
(``--strict`` or ``SHEQU_STRICT=1``: exit 2 instead). Plugins and Polars load
only inside the commands that need them, so ``shequ --help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import authoring, data, levels, report, standards, views


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="shequ")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="ID.RULE.FIELD=VALUE",
    help="What-if: change one value of a standard for this run (repeatable).",
)
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="What-if: a TOML file of changes to apply for this run (repeatable).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress display on stderr (it shows only on a terminal anyway).")
@click.option(
    "--strict",
    is_flag=True,
    envvar="SHEQU_STRICT",
    help="Exit 2 when any installed plugin cannot be loaded (default: report it on stderr, "
    "skip it and go on with the others). Also SHEQU_STRICT=1.",
)
@click.pass_context
def main(
    ctx: click.Context, assignments: tuple[str, ...], overlays: tuple[Path, ...], quiet: bool, strict: bool
) -> None:
    """shequ (社区): Chinese community-construction standards as citable, comparable code.

    \b
    Try:
      shequ plugins                      installed jurisdictions
      shequ rules -j changchun           the encoded rules with their sources
      shequ compare examples/communities.csv
      shequ explain examples/communities.csv C01 -j donghai
    """
    ctx.obj = {"set": assignments, "overlay": overlays, "quiet": quiet, "strict": strict}


for _module in (standards, data, views, levels, authoring, report):
    for _command in _module.COMMANDS:
        main.add_command(_command)
