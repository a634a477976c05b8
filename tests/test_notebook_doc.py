"""docs/notebook.md is a notebook written out: its code runs and prints what the page shows.

A small doc-test runner, on purpose: every ```python block runs in order in
one namespace (as a notebook's cells do), from the repository's root; what a
block prints must equal the ```output block right under it, and a block with
no output block under it must print nothing (so the page never hides output).
An ```output block must follow a python block.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
PAGE = ROOT / "docs" / "notebook.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def blocks(text: str) -> list[tuple[str, str, int]]:
    """The fenced blocks of a Markdown page: (info string, body, line number)."""
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def run_page(text: str) -> list[str]:
    """Run the page's python blocks; what went wrong, one text per block (none: the page is right)."""
    found = blocks(text)
    namespace: dict[str, object] = {"__name__": "notebook"}
    wrong = []
    for index, (info, body, line) in enumerate(found):
        if info == "output":
            if index == 0 or found[index - 1][0] != "python":
                wrong.append(f"line {line}: an output block that follows no python block")
            continue
        if info != "python":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(body, f"{PAGE.name}:{line}", "exec"), namespace)
        following = found[index + 1] if index + 1 < len(found) else None
        expected = following[1] if following is not None and following[0] == "output" else ""
        if printed.getvalue() != expected:
            diff = difflib.unified_diff(
                expected.splitlines(), printed.getvalue().splitlines(), "shown", "printed", lineterm=""
            )
            wrong.append(f"block at line {line}:\n" + "\n".join(diff))
    return wrong


def test_the_notebook_page_runs_and_prints_what_it_shows(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = PAGE.read_text(encoding="utf-8")
    assert sum(1 for info, _, _ in blocks(text) if info == "python") >= 5
    assert run_page(text) == []


def test_the_runner_catches_a_wrong_output_and_a_hidden_one():
    page = "```python\nprint('社区')\n```\n\n```output\n街道\n```\n\n```python\nprint(1)\n```\n"
    wrong = run_page(page)
    assert len(wrong) == 2
    assert "-街道" in wrong[0] and "+社区" in wrong[0]
    assert "+1" in wrong[1]
    assert run_page("```output\nx\n```\n") == ["line 1: an output block that follows no python block"]
