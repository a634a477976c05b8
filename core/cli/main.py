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
(``--strict`` or ``SHEQU_STRICT=1``: exit 2 instead). A command's module is
imported only when the command is run (:class:`LazyGroup`), and plugins and
Polars only inside the commands that need them, so ``shequ --help`` stays instant.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import MutableMapping
from pathlib import Path

import click

#: Every command: the module of this package that defines it (in its ``COMMANDS``) and the first
#: paragraph of its help, which ``shequ --help`` lists without importing any command module.
#: A test checks this table against the commands themselves.
COMMANDS: dict[str, tuple[str, str]] = {
    "catalog": ("standards", "The shared catalog: the ids rules, tasks and data may use, and which plugin added each."),
    "chart": ("report", "One chart of the report, as SVG, PNG or a self-contained HTML page."),
    "cite": (
        "standards",
        "How to cite shequ and the documents of the selected jurisdictions (BibTeX, GB/T 7714-2015).",
    ),
    "compare": ("data", "Communities × jurisdictions: passes, fails, unknowns, compliance and what it is over."),
    "conflicts": (
        "levels",
        "Every local requirement beside its parent's (e.g. the national law) on the same concept.",
    ),
    "cost": (
        "views",
        "The yearly, one-off and unstated-period money each jurisdiction's standard commits for these communities.",
    ),
    "diff": (
        "views",
        "What A requires that B does not, concept by concept, and which is stricter, by how much, on a shared metric.",
    ),
    "evaluate": ("data", "Verdicts per community × jurisdiction × rule."),
    "explain": (
        "data",
        "Every rule for one community: strength, value, requirement, verdict, document, clause and source text.",
    ),
    "history": ("levels", "How one requirement of a jurisdiction changed over its documents' versions."),
    "new-plugin": ("authoring", "Create a jurisdiction plugin package that passes its own tests."),
    "plugins": ("standards", "Installed jurisdictions: id, name, documents, counts, where loaded from."),
    "report": ("report", "One self-contained HTML report with charts, readable offline in Chinese or English."),
    "responsibilities": (
        "views",
        "Tasks × jurisdictions by normalised department: who leads, is responsible, guides, cooperates.",
    ),
    "rules": ("standards", "The encoded rules with requirement, due date and citation."),
    "show": ("standards", "One jurisdiction's whole normalised standard."),
    "standards": (
        "views",
        "Every jurisdiction's requirement per concept side by side, concrete for a community's size.",
    ),
    "timeline": ("views", "Milestones and deadlines in date order, with their status as of a date."),
    "validate": ("standards", "Check plugin TOML without installing it: schema, ids, quotes, numbers, overlaps."),
    "whatif": ("views", "Baseline against reformed verdicts for the same data, and which verdicts change."),
}


class LazyGroup(click.Group):
    """A command group that imports a command's module only when that command is run or asked for.

    ``shequ --help`` lists the commands from :data:`COMMANDS` and imports none of
    them; ``shequ compare …`` imports :mod:`.data` alone. Building some 140 options
    and compiling six modules was about a third of ``--help``'s time.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            self._load(COMMANDS[name][0])
        return self.commands.get(name)

    def all_commands(self) -> MutableMapping[str, click.Command]:
        """Every command, its module imported: for tools and tests that look at them all."""
        for module in dict.fromkeys(module for module, _help in COMMANDS.values()):
            self._load(module)
        return self.commands

    def _load(self, module: str) -> None:
        for command in importlib.import_module(f".{module}", __package__).COMMANDS:
            if command.name not in self.commands:
                self.add_command(command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, as click writes it, from :data:`COMMANDS` for the commands not imported."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                # cut as click cuts a command's own help
                rows.append((name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def first_paragraph(command: click.Command) -> str:
    """The first paragraph of a command's help, as :data:`COMMANDS` holds it."""
    return inspect.cleandoc(command.help or "").split("\n\n")[0]


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
