"""Commands for plugin authors: `shequ new-plugin`.

`shequ validate`, the other half of an author's loop, lives in :mod:`.standards`.
The logic is in :mod:`shequ.authoring.scaffold`; these commands only parse
arguments and print. :mod:`.main` adds every command of ``COMMANDS`` to the
``shequ`` group.
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors


@click.command("new-plugin")
@click.argument("jurisdiction_id", metavar="ID")
@click.option("--name", metavar="名称", default=None, help="The jurisdiction's name, e.g. 苏州市 (default: the id).")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The package folder to create (default: ./shequ-ID); it must not exist.",
)
@handle_errors
def new_plugin(jurisdiction_id: str, name: str | None, directory: Path | None) -> None:
    """Create a jurisdiction plugin package that passes its own tests.

    ID is the jurisdiction id: a lowercase Python identifier such as suzhou.
    The package holds one example rule for every requirement form, quoting a
    placeholder document text; replace both with the real document.

    \b
    Example:
      shequ new-plugin suzhou --name 苏州市
    """
    from ..authoring.scaffold import create_plugin

    created = create_plugin(jurisdiction_id, directory, name)
    package = Path("src", created.package)
    folder = created.directory.as_posix()
    if not created.directory.is_absolute() and not folder.startswith("."):
        folder = f"./{folder}"  # pip reads a bare 'name[test]' as a package to download, not a folder
    click.echo(f"Created {created.distribution} in {created.directory}:")
    for path in created.files:
        click.echo(f"  {path.as_posix()}")
    click.echo("")
    click.echo("Next:")
    click.echo(f"  1. replace {(package / 'document.txt').as_posix()} with the real document's text")
    click.echo(f"  2. rewrite the rules of {(package / (created.jurisdiction_id + '.toml')).as_posix()} from it")
    click.echo(f"  3. shequ validate {folder}")
    click.echo(f"  4. pip install -e '{folder}[test]'   (then: shequ plugins)")
    click.echo(
        f"  5. cd {folder} && pytest"
        + ("" if created.snapshot else " --force-regen   (once, to record the snapshot), then pytest")
    )


#: The commands this module adds to ``shequ``.
COMMANDS: list[click.Command] = [new_plugin]
