"""The error hierarchy: structured problems, rendered once, all listed; what a CLI user and a program each read."""

from __future__ import annotations

import attrs
import pytest

from shequ import hookimpl
from shequ.errors import PluginError, Problem, ProblemsError, SchemaError, ShequError


def test_a_problem_renders_file_place_and_message():
    problem = Problem(file="donghai.toml", where="rules[3].metric", message="unknown metric 'x'")
    assert str(problem) == "donghai.toml: rules[3].metric: unknown metric 'x'"


def test_a_problem_without_a_place_is_just_its_message():
    assert str(Problem(message="no such file or folder")) == "no such file or folder"
    assert str(Problem(file="a.csv", message="empty")) == "a.csv: empty"


def test_the_plugin_is_a_field_rendered_at_the_end_not_text_in_the_message():
    problem = Problem(file="mini.toml", where="rules[0]", message="duplicate id 'a'", plugin="mini")
    assert problem.message == "duplicate id 'a'"
    assert str(problem) == "mini.toml: rules[0]: duplicate id 'a' (plugin 'mini')"
    assert str(attrs.evolve(problem, plugin=None)) == "mini.toml: rules[0]: duplicate id 'a'"


def test_structured_places_are_kept_for_programs():
    problem = Problem(file="c.csv", where="row 7", message="negative", path="$", row=7, field="households")
    assert (problem.row, problem.field, problem.path) == (7, "households", "$")
    assert str(problem) == "c.csv: row 7: negative"  # `where` is the place shown to people


def test_problems_error_lists_every_problem():
    problems = [Problem(file="a.toml", where=f"rules[{i}]", message="bad") for i in range(3)]
    error = ProblemsError(problems)
    assert error.problems == problems
    assert (
        str(error)
        == error.report()
        == ("3 problems found:\n  - a.toml: rules[0]: bad\n  - a.toml: rules[1]: bad\n  - a.toml: rules[2]: bad")
    )
    assert ProblemsError([Problem(message="one")]).report() == "1 problem found:\n  - one"


def test_one_base_class_and_builtin_look_alikes():
    assert issubclass(ProblemsError, ShequError)
    assert issubclass(PluginError, ShequError)
    assert issubclass(SchemaError, ShequError) and issubclass(SchemaError, ValueError)
    error = PluginError("plugin 'x' failed to import: boom", plugin="x")
    assert (str(error), error.plugin) == ("plugin 'x' failed to import: boom", "x")


def test_a_misspelt_hook_is_a_plugin_error_naming_the_plugin():
    from shequ.registry import build_registry

    class Misspelt:
        @hookimpl
        def register_jurisdiction(self):  # no trailing s
            return []

    with pytest.raises(PluginError, match="implements a hook shequ does not know") as caught:
        build_registry([("misspelt", Misspelt())], include_installed=False)
    assert caught.value.plugin == "misspelt"
