"""Progress on stderr for long work: shown only on a terminal, after about a second, never with ``--quiet``.

A command wraps each long stage in :func:`stage`; the display (rich, transient)
appears only if the stage is still running after :data:`DELAY` seconds, so
quick runs print nothing extra, and it never appears when stderr is not a
terminal (a pipe, a file, a test runner) or the global ``--quiet`` is given.
stdout is never touched.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

#: Seconds a stage runs before its progress display appears.
DELAY = 1.0


def quiet(ctx: click.Context | None = None) -> bool:
    """Whether this invocation shows no progress: ``--quiet``, or stderr is not a terminal."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is not None and (ctx.find_root().obj or {}).get("quiet"):
        return True
    return not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())


@contextmanager
def stage(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Show ``description`` (and a bar to ``total``) on stderr while the block runs; yields ``advance_to(done)``."""
    if quiet():
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    columns.append(TimeElapsedColumn())
    display = Progress(*columns, console=Console(file=sys.stderr), transient=True)
    task = display.add_task(description, total=total)
    timer = threading.Timer(DELAY, display.start)
    timer.daemon = True
    timer.start()
    try:
        yield lambda done: display.update(task, completed=done)
    finally:
        timer.cancel()
        timer.join()
        display.stop()


def _nothing(_done: int) -> None:
    return None
