"""One broken plugin never takes the tool down (issue 11).

A plugin that fails to import, whose hook raises, whose standard has problems,
or whose quotes are not in its shipped document is reported once on stderr and
set aside; every other jurisdiction keeps working. ``--strict`` and
``SHEQU_STRICT=1`` make that exit 2, and so does a command that names the
broken plugin. Installed plugins are simulated with a real distribution
(``*.dist-info`` with an ``entry_points.txt``) on ``sys.path``, so entry-point
discovery runs exactly as for a pip-installed package.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import MINI_HEADER, FilePlugin, write_standard

from shequ import hookimpl
from shequ.cli import common
from shequ.cli.main import main
from shequ.errors import PluginError, ProblemsError
from shequ.registry import BrokenPluginError, _cached_registry, build_registry, get_registry

BUILT_IN = ["changchun", "donghai", "longgang", "national", "panzhihua", "xiamen"]

SIZE = "每个社区以1000至2000户为宜"
DOCUMENT = f"{SIZE}。"

GOOD_RULE = """
[[rules]]
id = "size"
title = "社区规模"
metric = "households"
requirement = {{ form = "range", min = 1000, max = 2000 }}
strength = "guidance"
source = {{ clause = "一", quote = "{quote}" }}
"""


def install(site: Path, name: str, init: str, files: dict[str, str | bytes] | None = None) -> None:
    """A distribution ``shequ-<name>`` with a ``shequ`` entry point ``<name> = shequ_test_<name>``."""
    package = site / f"shequ_test_{name}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(init), encoding="utf-8")
    for file_name, text in (files or {}).items():
        (package / file_name).write_bytes(text if isinstance(text, bytes) else text.encode())
    info = site / f"shequ_test_{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: shequ-test-{name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[shequ]\n{name} = shequ_test_{name}\n", encoding="utf-8")


FILE_PLUGIN = """
from pathlib import Path
from shequ import hookimpl

@hookimpl
def register_jurisdictions():
    return [Path(__file__).parent / "{name}.toml"]
"""


def standard_text(name: str, quote: str, text_line: str = 'text = "document.txt"') -> str:
    header = MINI_HEADER.format(id=name).replace("date = 2018-08-22\n", f"date = 2018-08-22\n{text_line}\n")
    return header + GOOD_RULE.format(quote=quote)


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path whose distributions are installed plugins; the registry cache is cleared around."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("SHEQU_STRICT", raising=False)
    monkeypatch.delenv("SHEQU_PLUGINS", raising=False)
    _cached_registry.cache_clear()
    common._WARNED.clear()
    yield folder
    _cached_registry.cache_clear()
    common._WARNED.clear()
    for module in [m for m in sys.modules if m.startswith("shequ_test_")]:
        del sys.modules[module]


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


# --------------------------------------------------------------------------
# installed plugins: import failure, raising hook, broken quotes, unreadable document


def test_a_plugin_that_fails_to_import_is_set_aside_and_the_others_load(site):
    install(site, "broken", "raise RuntimeError('boom at import')")
    registry = get_registry()
    assert sorted(registry.standards) == BUILT_IN
    (problem,) = registry.broken["broken"].problems
    assert "failed to import (shequ_test_broken): RuntimeError: boom at import" in problem.message
    assert problem.plugin == "broken"
    assert "broken" not in [info.name for info in registry.plugins]


def test_strict_loading_raises_with_the_reason(site, monkeypatch):
    install(site, "broken", "raise RuntimeError('boom at import')")
    with pytest.raises(BrokenPluginError) as caught:
        get_registry(strict=True)
    assert isinstance(caught.value, ProblemsError) and isinstance(caught.value, PluginError)
    assert caught.value.plugin == "broken"
    assert "plugin 'broken' could not be loaded" in str(caught.value)
    monkeypatch.setenv("SHEQU_STRICT", "1")
    with pytest.raises(BrokenPluginError):
        get_registry()


def test_the_cli_reports_a_broken_plugin_once_on_stderr_and_goes_on(site):
    install(site, "broken", "raise RuntimeError('boom at import')")
    result = invoke("rules", "-j", "donghai", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "service_space_per_100_households" in result.stdout
    assert result.stderr.count("warning: plugin 'broken' could not be loaded and is skipped") == 1
    assert "RuntimeError: boom at import" in result.stderr
    again = invoke("plugins")  # same process: already reported
    assert again.exit_code == 0 and "broken" not in again.stderr
    assert "donghai" in again.stdout


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--strict", "rules"], None),
        (["rules"], {"SHEQU_STRICT": "1"}),
        (["rules", "-j", "broken"], None),
        (["show", "broken"], None),
        (["compare", "examples/communities.csv", "-j", "broken"], None),
    ],
    ids=["--strict", "SHEQU_STRICT=1", "-j broken", "show broken", "compare -j broken"],
)
def test_strict_mode_or_naming_the_broken_plugin_exits_2_with_the_reason(site, args, env):
    install(site, "broken", "raise RuntimeError('boom at import')")
    examples = Path(__file__).parents[1]
    args = [str(examples / a) if a.startswith("examples/") else a for a in args]
    result = invoke(*args, env=env)
    assert result.exit_code == 2, result.output
    assert "plugin 'broken' could not be loaded" in result.stderr
    assert "RuntimeError: boom at import" in result.stderr
    assert "Traceback" not in result.output


def test_a_hook_that_raises_sets_its_plugin_aside(site):
    install(
        site,
        "raising",
        """
        from shequ import hookimpl

        @hookimpl
        def register_jurisdictions():
            raise ValueError("cannot find my data")
        """,
    )
    registry = get_registry()
    assert sorted(registry.standards) == BUILT_IN
    (problem,) = registry.broken["raising"].problems
    assert problem.where == "register_jurisdictions"
    assert problem.message == "raised ValueError: cannot find my data"
    result = invoke("rules", "-j", "changchun")
    assert result.exit_code == 0 and "raised ValueError: cannot find my data" in result.stderr


def test_an_installed_plugin_whose_quote_is_not_in_its_document_is_broken(site):
    install(
        site,
        "misquoted",
        FILE_PLUGIN.format(name="misquoted"),
        {
            "misquoted.toml": standard_text("misquoted", "每个社区以1500户为宜"),
            "document.txt": DOCUMENT,
        },
    )
    registry = get_registry()
    assert "misquoted" not in registry.standards and sorted(registry.standards) == BUILT_IN
    (problem,) = registry.broken["misquoted"].problems
    assert problem.where == "rules[0].source.quote"
    assert "quote not found in the text of document 'doc': «每个社区以1500户为宜»" in problem.message
    assert registry.broken["misquoted"].jurisdictions == ("misquoted",)  # read, but not kept
    result = invoke("show", "misquoted")
    assert result.exit_code == 2 and "quote not found" in result.stderr


def test_a_plugin_whose_quote_is_in_its_document_loads(site):
    install(
        site,
        "quoted",
        FILE_PLUGIN.format(name="quoted"),
        {
            "quoted.toml": standard_text("quoted", SIZE),
            "document.txt": DOCUMENT,
        },
    )
    registry = get_registry()
    assert not registry.broken and "quoted" in registry.standards


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({}, "cannot read"),
        (
            {"document.txt": DOCUMENT.encode("gb18030")},
            "(it reads as GB18030/GBK); save the file as UTF-8",
        ),
    ],
    ids=["missing", "gbk"],
)
def test_a_document_text_missing_or_not_utf8_is_a_clear_problem(site, files, fragment):
    standard = standard_text("badtext", SIZE)
    install(site, "badtext", FILE_PLUGIN.format(name="badtext"), {"badtext.toml": standard, **files})
    registry = get_registry()
    (problem,) = registry.broken["badtext"].problems
    assert problem.where == "documents[0].text"
    assert problem.message.startswith("the text of document 'doc' cannot be used: ")
    assert "document.txt" in problem.message and fragment in problem.message
    result = invoke("show", "badtext")
    assert result.exit_code == 2 and fragment in result.stderr and "Traceback" not in result.output


# --------------------------------------------------------------------------
# plugins registered by hand: strict by default, lenient on request


class Raising:
    @hookimpl
    def register_catalog(self):
        raise KeyError("metrics")


class WrongItems:
    @hookimpl
    def register_jurisdictions(self):
        return [42]


def test_build_registry_is_strict_by_default_and_names_every_broken_plugin(tmp_path):
    good = write_standard(tmp_path, GOOD_RULE.format(quote="规模"), "good")
    with pytest.raises(BrokenPluginError) as caught:
        build_registry(
            [("good", FilePlugin(good)), ("raising", Raising()), ("wrong", WrongItems())], include_installed=False
        )
    assert caught.value.plugins == ["raising", "wrong"]
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "plugin 'raising': register_catalog: raised KeyError: 'metrics' (plugin 'raising')",
        "plugin 'wrong': register_jurisdictions: returned int 42; expected a Standard or the path of a standard "
        "TOML file (plugin 'wrong')",
    ]


def test_build_registry_lenient_keeps_the_good_plugins(tmp_path):
    good = write_standard(tmp_path, GOOD_RULE.format(quote="规模"), "good")
    registry = build_registry(
        [("good", FilePlugin(good)), ("raising", Raising()), ("wrong", WrongItems())],
        include_installed=False,
        strict=False,
    )
    assert list(registry.standards) == ["good"]
    assert sorted(registry.broken) == ["raising", "wrong"]


def test_a_misspelt_hook_sets_only_that_plugin_aside(tmp_path):
    class Misspelt:
        @hookimpl
        def register_jurisdiction(self):  # no trailing s
            return []

    good = write_standard(tmp_path, GOOD_RULE.format(quote="规模"), "good")
    registry = build_registry([("good", FilePlugin(good)), ("misspelt", Misspelt())], False, strict=False)
    assert list(registry.standards) == ["good"]
    assert "implements a hook shequ does not know" in registry.broken["misspelt"].problems[0].message


def test_a_plugin_that_depends_on_a_broken_one_is_set_aside_too(tmp_path):
    """Setting a plugin aside can break another that used what it declared: that one is named with its reason."""
    catalog = tmp_path / "catalog.toml"
    catalog.write_text('[[metrics]]\nid = "lanes"\nzh = "车道"\nen = "Lanes"\nunit = "条"\n', encoding="utf-8")

    class Catalogue:
        @hookimpl
        def register_catalog(self):
            return [catalog]

        @hookimpl
        def register_jurisdictions(self):
            raise RuntimeError("broken")

    user = write_standard(tmp_path, GOOD_RULE.format(quote="规模").replace('"households"', '"lanes"'), "user")
    registry = build_registry([("catalogue", Catalogue()), ("user", FilePlugin(user))], False, strict=False)
    assert sorted(registry.broken) == ["catalogue", "user"]
    assert "unknown metric 'lanes'" in registry.broken["user"].problems[0].message
    assert registry.broken["user"].jurisdictions == ("user",)


def test_a_broken_plugin_named_in_a_reform_says_why(site):
    install(site, "broken", "raise RuntimeError('boom at import')")
    result = invoke("--set", "broken.size.requirement.min=1", "rules")
    assert result.exit_code == 2
    assert "plugin 'broken' could not be loaded, so it cannot be changed: " in result.stderr
    assert "RuntimeError: boom at import" in result.stderr


def test_schema_problems_of_an_installed_plugin_set_it_aside(site):
    text = standard_text("typo", SIZE).replace("strength =", "strenght =")
    install(
        site,
        "typo",
        FILE_PLUGIN.format(name="typo"),
        {"typo.toml": text, "document.txt": DOCUMENT},
    )
    registry = get_registry()
    assert sorted(registry.standards) == BUILT_IN
    (problem,) = registry.broken["typo"].problems
    assert "unknown key(s) 'strenght' (did you mean 'strength'?)" in problem.message
    assert registry.broken["typo"].jurisdictions == ("typo",)
    result = invoke("rules", "-j", "typo")
    assert result.exit_code == 2 and "strenght" in result.stderr


def test_strict_mode_with_every_plugin_loading_runs_as_usual(site):
    for args, env in (
        (["--strict", "rules", "-j", "donghai"], None),
        (["rules", "-j", "donghai"], {"SHEQU_STRICT": "1"}),
    ):
        result = invoke(*args, "--format", "json", env=env)
        assert result.exit_code == 0, result.output
        assert "service_space_per_100_households" in result.stdout and result.stderr == ""


CORPUS = Path(__file__).parent / "data" / "bad" / "plugins"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("nan_floor", "expected a finite number, got nan"),
        ("deep_any_of", "nested too deeply to read"),
        ("gbk_toml", "not UTF-8 text"),
        ("gbk_document", "the text of document 'doc' cannot be used"),
        ("missing_document", "cannot read"),
        ("misquoted", "quote not found in the text of document 'doc'"),
        ("schema_and_duplicate", "duplicate id 'size'"),
    ],
)
def test_each_bad_corpus_plugin_installed_is_set_aside_and_the_built_ins_work(site, name, fragment):
    files = {path.name: path.read_bytes() for path in (CORPUS / name).iterdir()}
    install(site, name, FILE_PLUGIN.format(name=name), files)
    registry = get_registry()
    assert sorted(registry.standards) == BUILT_IN
    assert any(fragment in problem.message for problem in registry.broken[name].problems)
    result = invoke("evaluate", str(CORPUS / "communities.csv"), "-j", "donghai", "--format", "json")
    assert result.exit_code == 0 and '"C02"' in result.stdout
    assert f"warning: plugin '{name}' could not be loaded" in result.stderr and fragment in result.stderr
