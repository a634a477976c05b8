"""The plugin authoring kit: `shequ new-plugin`, `shequ validate`, and the guide, tested as a user meets them.

Two tests install a package the way the guide says (``pip install -e``) into a
throwaway virtual environment layered over the running one (its site-packages
are chained in by a ``.pth`` file), so the environment running the tests is
never changed, and nothing is downloaded when it has the build tools.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import textwrap
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import registry_with, sh

from shequ import model
from shequ.authoring.scaffold import SNAPSHOT, create_plugin
from shequ.checks import validate
from shequ.cli import main
from shequ.engine import evaluate
from shequ.io import load_communities

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "guide.md"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# --------------------------------------------------------------------------
# shequ new-plugin


@pytest.fixture
def new_package(tmp_path) -> Path:
    result = invoke("new-plugin", "mycity", "--name", "示例市", "--dir", str(tmp_path / "shequ-mycity"))
    assert result.exit_code == 0, result.output
    return tmp_path / "shequ-mycity"


def test_new_plugin_writes_an_installable_package(new_package):
    files = sorted(p.relative_to(new_package).as_posix() for p in new_package.rglob("*") if p.is_file())
    assert files == [
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "src/shequ_mycity/__init__.py",
        "src/shequ_mycity/document.txt",
        "src/shequ_mycity/mycity.toml",
        "tests/test_conformance.py",
        "tests/test_conformance/test_standard_snapshot.yml",
    ]
    project = tomllib.loads((new_package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "shequ-mycity"
    assert any(re.match(r"shequ\b", requirement) for requirement in project["dependencies"])
    assert project["entry-points"]["shequ"] == {"mycity": "shequ_mycity"}
    assert {re.split(r"[<>=]", r)[0] for r in project["optional-dependencies"]["test"]} == {
        "pytest",
        "pytest-regressions",
    }
    hook = (new_package / "src/shequ_mycity/__init__.py").read_text(encoding="utf-8")
    assert "def register_jurisdictions(" in hook and 'with_name("mycity.toml")' in hook
    tests = (new_package / "tests/test_conformance.py").read_text(encoding="utf-8")
    assert "assert_conforms(" in tests and "data_regression.check(standard_snapshot(" in tests
    standard = tomllib.loads((new_package / "src/shequ_mycity/mycity.toml").read_text(encoding="utf-8"))
    assert (standard["jurisdiction"]["id"], standard["jurisdiction"]["name"]) == ("mycity", "示例市")
    assert "请替换" in (new_package / "src/shequ_mycity/document.txt").read_text(encoding="utf-8")


def test_new_plugin_validates_as_generated(new_package):
    assert validate.validate_path(new_package) == []
    result = invoke("validate", str(new_package), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"path": str(new_package), "valid": True}]


def _forms(requirement: dict) -> set[str]:
    forms = {requirement["form"]}
    for key in ("then", "otherwise", "condition"):
        if isinstance(requirement.get(key), dict):
            forms |= _forms(requirement[key])
    for option in requirement.get("options", []):
        forms |= _forms(option)
    for stage in requirement.get("stages", []):
        forms |= _forms(stage["requirement"])
    return forms


def test_the_template_shows_every_requirement_form_as_its_own_rule(new_package):
    standard = tomllib.loads((new_package / "src/shequ_mycity/mycity.toml").read_text(encoding="utf-8"))
    top_level = {rule["requirement"]["form"] for rule in standard["rules"]}
    assert top_level == set(model.REQUIREMENT_FORMS), "add an example rule to the template for every new form"
    for section in ("tasks", "milestones", "obligations", "unencoded"):
        assert standard[section], f"the template shows no {section}"


def test_the_template_shows_a_derived_metric_and_a_recurring_deadline(new_package):
    standard = tomllib.loads((new_package / "src/shequ_mycity/mycity.toml").read_text(encoding="utf-8"))
    derived = [metric for metric in standard["catalog"]["metrics"] if set(metric) & set(model.FORMULA_KINDS)]
    assert derived, "the template shows no derived metric"
    rules = {rule["id"]: rule for rule in standard["rules"]}
    assert any(rule["metric"] in {metric["id"] for metric in derived} for rule in rules.values())
    assert any(isinstance(rule.get("due"), dict) and "every" in rule["due"] for rule in rules.values())


def test_the_example_rules_judge_real_data(new_package, tmp_path):
    """Every example rule is a real rule: a community built to meet the example document passes all of them."""
    registry = registry_with(new_package / "src/shequ_mycity/mycity.toml")
    data = tmp_path / "communities.csv"
    data.write_text(
        textwrap.dedent("""\
        id,name,district,kind,households,population,party_members,grids,service_space_m2,staff_office_m2,staff.committee_members,staff.social_workers,volunteers.registered,count.police_room,count.residents_committee_office,area.residents_committee_office,floor.residents_committee_office,count.party_general_branch,designations,flags
        A,甲社区,东区,urban,1500,4500,60,6,500,80,7,2,400,1,1,120,1,1,high_level_harmonious,annual_report_submitted
        B,乙社区,东区,urban,1500,4500,60,6,240,45,11,1,300,0,1,120,-1,0,,grid_management
        """),
        encoding="utf-8",
    )
    table = load_communities(data, catalog=registry.catalog)  # the plugin's own flag is in its catalog
    results = evaluate(table, ["mycity"], as_of=dt.date(2026, 6, 1), registry=registry)
    verdicts = {(row["id"], row["rule"]): row["verdict"] for row in results.details().to_dicts()}
    rule_ids = {rule.id for rule in registry.get("mycity").standard.rules} - {"high_level_harmonious"}
    assert {
        rule for (community, rule), verdict in verdicts.items() if community == "A" and verdict == "pass"
    } == rule_ids
    assert {rule for (community, rule), verdict in verdicts.items() if community == "B" and verdict == "fail"} == {
        "activity_space",  # 240 − 45 = 195 m², below 200
        "annual_report",  # due every 30 April since 2024; no report flagged
        "service_space",
        "committee_size",
        "social_workers",
        "police_room",
        "police_and_office",
        "office_floor",
        "party_general_branch",
        "volunteer_registration",
    }
    aggregates = results.aggregate_details().to_dicts()
    assert {row["verdict"] for row in aggregates} == {"pass"}  # one of two urban communities: 50 %


def test_the_snapshot_is_shipped_readable(new_package):
    text = (new_package / SNAPSHOT).read_text(encoding="utf-8")
    assert "\\u" not in text and "示例市" in text


@pytest.mark.parametrize("bad_id", ["MyCity", "my-city", "1city", "_city", "class", "城市", ""])
def test_new_plugin_refuses_an_invalid_id(tmp_path, bad_id):
    result = invoke("new-plugin", bad_id, "--dir", str(tmp_path / "package"))
    assert result.exit_code == 2
    assert "invalid plugin id" in result.stderr and "lowercase Python identifier" in result.stderr
    assert not (tmp_path / "package").exists()


def test_new_plugin_refuses_an_existing_folder(tmp_path):
    target = tmp_path / "shequ-mycity"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    result = invoke("new-plugin", "mycity", "--dir", str(target))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_new_plugin_refuses_an_installed_id(tmp_path):
    result = invoke("new-plugin", "donghai", "--dir", str(tmp_path / "package"))
    assert result.exit_code == 2
    assert "'donghai' is already installed" in result.stderr
    assert not (tmp_path / "package").exists()


def test_new_plugin_refuses_an_id_too_long_for_a_file_name(tmp_path):
    result = invoke("new-plugin", "a" * 300, "--dir", str(tmp_path / "package"))
    assert result.exit_code == 2, result.output
    assert "(300 characters): at most 64 characters" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "package").exists()


def test_new_plugin_into_a_folder_under_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine", encoding="utf-8")
    result = invoke("new-plugin", "mycity", "--dir", str(blocker / "shequ-mycity"))
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "cannot write the new plugin into" in result.stderr and "Not a directory" in result.stderr
    assert blocker.read_text(encoding="utf-8") == "mine"


def test_new_plugin_into_an_unwritable_folder_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root writes anyway: refuse as the file system would
        mkdir = Path.mkdir

        def refuse(self, *args, **kwargs):
            if locked in self.parents:
                raise PermissionError(13, "Permission denied", str(self))
            return mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", refuse)
    try:
        result = invoke("new-plugin", "mycity", "--dir", str(locked / "shequ-mycity"))
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "cannot write the new plugin into" in result.stderr and "Permission denied" in result.stderr
        assert "give a folder you can write to with --dir" in result.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_new_plugin_defaults_to_a_folder_named_after_the_distribution(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    created = create_plugin("suzhou")
    assert (
        created.directory == Path("shequ-suzhou") and (tmp_path / "shequ-suzhou/src/shequ_suzhou/suzhou.toml").exists()
    )
    standard = tomllib.loads((tmp_path / "shequ-suzhou/src/shequ_suzhou/suzhou.toml").read_text(encoding="utf-8"))
    assert standard["jurisdiction"]["name"] == "suzhou"


# --------------------------------------------------------------------------
# shequ validate: every problem of a broken built-in at once


def _break_donghai(tmp_path: Path, *, schema_typo: bool) -> Path:
    folder = tmp_path / "donghai"
    shutil.copytree(REPO / "plugins" / "donghai", folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / "donghai.toml"
    text = path.read_text(encoding="utf-8")

    def replace(old: str, new: str) -> None:
        nonlocal text
        assert text.count(old) == 1, old
        text = text.replace(old, new)

    if schema_typo:  # a misspelt key in rules[5] (service_radius)
        replace(
            'requirement = { form = "range", min = 1.5, max = 2 }\nstrength = "guidance"',
            'requirement = { form = "range", min = 1.5, max = 2 }\nstrenght = "guidance"',
        )
    # an unknown metric in rules[3] (staff_office_share)
    replace('metric = "staff_office_m2"', 'metric = "staff_ofice_m2"')
    # a quote that is not in the document, rules[7] (work_access_system)
    replace('quote = "建立社区工作准入制" }', 'quote = "全面建立社区工作准入制" }')
    # a number nobody accounts for: drop the [[unencoded]] entry of a cited document's number
    replace(
        '[[unencoded]]\nquote = "苏发〔201724号"\nreason = "Number of a cited provincial document '
        '(damaged; read as 苏发〔2017〕24号), not a provision."\n',
        "",
    )
    # an overlapping rule: grid_management again under another id, as rules[12]
    start = text.index('[[rules]]\nid = "grid_management"')
    rule = text[start : text.index("[[rules]]", start + 1)]
    text += "\n" + rule.replace('id = "grid_management"', 'id = "grid_management_again"')
    path.write_text(text, encoding="utf-8")
    return folder


def _problem_lines(stderr: str) -> list[str]:
    return [line.removeprefix("  - ") for line in stderr.splitlines() if line.startswith("  - ")]


def test_validate_lists_every_problem_of_a_broken_builtin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _break_donghai(tmp_path, schema_typo=False)
    result = invoke("validate", "donghai")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = _problem_lines(result.stderr)
    assert result.stderr.startswith("Error: 4 problems found:")
    assert lines == [
        "donghai/donghai.toml: rules[3].metric: unknown metric 'staff_ofice_m2' (did you mean 'staff_office_m2'?) "
        "(plugin 'donghai')",
        "donghai/donghai.toml: rules[12]: rule 'grid_management_again' (三(三)3) overlaps rule 'grid_management' "
        "(三(三)3): same metric 'flag.grid_management', communities, due date and form; merge them or tell them apart",
        "donghai/donghai.toml: rules[7].source.quote: quote not found in the text of document 'dzbf2019_31': "
        "«全面建立社区工作准入制»",
        lines[3],
    ]
    assert re.fullmatch(
        r"donghai/donghai\.toml: document 'dzbf2019_31': the number 201724 in «….*苏发〔201724号.*…» "
        r"is neither encoded nor listed in 'unencoded'",
        lines[3],
    )


def test_validate_lists_a_schema_typo_together_with_every_other_problem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _break_donghai(tmp_path, schema_typo=True)
    result = invoke("validate", "donghai")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: 5 problems found:")
    lines = _problem_lines(result.stderr)
    assert lines[0].startswith("donghai/donghai.toml: rules[5]: unknown key(s) 'strenght'")
    assert lines[1].startswith(
        "donghai/donghai.toml: rules[3].metric: unknown metric 'staff_ofice_m2' (did you mean 'staff_office_m2'?)"
    )
    assert lines[2].startswith("donghai/donghai.toml: rules[12]: rule 'grid_management_again' (三(三)3) overlaps")
    assert lines[3].startswith("donghai/donghai.toml: rules[7].source.quote: quote not found")
    assert "the number 201724" in lines[4]
    # the numbers of the rule set aside (1.5, 2) are still accounted for by its quote: no sixth problem
    assert len(lines) == 5


def test_validate_reports_a_broken_jurisdiction_table_and_stops_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = _break_donghai(tmp_path, schema_typo=False)
    path = folder / "donghai.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('level = "county"', 'level = "township"'), encoding="utf-8"
    )
    result = invoke("validate", "donghai")
    assert result.exit_code == 2
    (line,) = _problem_lines(result.stderr)  # nothing else can be checked without a jurisdiction
    assert line == (
        "donghai/donghai.toml: jurisdiction: 'level' must be one of national, province, city, district, county: "
        "'township'"
    )


def _mini_plugin(tmp_path: Path, quote: str, requirement: str) -> Path:
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "document.txt").write_text(f"第七条　{quote}。\n", encoding="utf-8")
    (folder / "mini.toml").write_text(
        textwrap.dedent(f"""\
        [jurisdiction]
        id = "mini"
        name = "试验"

        [[documents]]
        id = "law"
        title = "试验法"
        text = "document.txt"

        [[rules]]
        id = "committee_size"
        title = "委员会规模"
        metric = "committee_members"
        requirement = {requirement}
        source = {{ clause = "第七条", quote = "{quote}" }}
        """),
        encoding="utf-8",
    )
    return folder


def test_validate_reads_chinese_numerals_in_quotes(tmp_path):
    folder = _mini_plugin(
        tmp_path, "居民委员会由主任、副主任和委员共五至九人组成", '{ form = "range", min = 5, max = 9 }'
    )
    assert validate.validate_path(folder) == []


def test_validate_says_which_number_is_not_in_the_quote(tmp_path):
    folder = _mini_plugin(
        tmp_path, "居民委员会由主任、副主任和委员共五至九人组成", '{ form = "range", min = 5, max = 11 }'
    )
    messages = [str(problem) for problem in validate.validate_path(folder)]
    assert any("rules[0].requirement.max: 11 is not in the rule's quote" in message for message in messages)


# --------------------------------------------------------------------------
# Installing a package: a throwaway virtual environment over the running one


def test_a_new_package_passes_its_own_tests_right_after_pip_install_e(tmp_path, overlay_venv):
    made = sh("shequ new-plugin mycity --name 示例市", tmp_path, overlay_venv)
    assert made.returncode == 0, made.stderr
    installed = sh("pip install -e './shequ-mycity[test]'", tmp_path, overlay_venv)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    listed = sh("shequ plugins --format json", tmp_path, overlay_venv)
    assert listed.returncode == 0, listed.stderr
    (row,) = [row for row in json.loads(listed.stdout)["rows"] if row["id"] == "mycity"]
    written = tomllib.loads((tmp_path / "shequ-mycity/src/shequ_mycity/mycity.toml").read_text(encoding="utf-8"))
    assert row["package"] == "shequ-mycity 0.1.0" and row["rules"] == len(written["rules"])
    assert row["location"].startswith(str(tmp_path / "shequ-mycity"))  # editable: the source folder itself

    judged = sh(
        f"shequ evaluate {REPO / 'examples' / 'communities.csv'} -j mycity --format json", tmp_path, overlay_venv
    )
    assert judged.returncode == 0, judged.stderr
    assert {row["jurisdiction"] for row in json.loads(judged.stdout)["results"]} == {"mycity"}

    tested = sh("pytest", tmp_path / "shequ-mycity", overlay_venv)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert re.search(r"\b3 passed\b", tested.stdout)
    assert not list((tmp_path / "shequ-mycity").rglob("*.obtained.yml"))


_BLOCK = re.compile(
    r"(?:<!--\s*(?P<note>.*?)\s*-->\n)?```(?P<lang>[\w-]*)\n(?P<body>.*?)^```", re.DOTALL | re.MULTILINE
)


def guide_steps(text: str) -> list[tuple[str, str, str]]:
    """("file", path, content) and ("run", command, expected output) steps of the guide, in order."""
    steps = []
    for block in _BLOCK.finditer(text):
        note = block["note"] or ""
        if note.startswith("guide-test: skip"):
            continue
        if note.startswith("file:"):
            steps.append(("file", note.removeprefix("file:").strip(), block["body"]))
        elif block["lang"] == "console":
            for line in block["body"].splitlines():
                if line.startswith("$ "):
                    steps.append(("run", line[2:].strip(), ""))
                elif steps and steps[-1][0] == "run":
                    kind, command, shown = steps[-1]
                    steps[-1] = (kind, command, shown + line + "\n")
    return steps


_TABLE = re.compile(r"[┏┃┡│└━╇┳┩]")


def shown_lines(shown: str) -> list[str]:
    """The lines of a command's output the guide shows, each up to an ellipsis; tables left out (widths vary)."""
    lines = []
    for line in shown.splitlines():
        if _TABLE.search(line):
            continue
        line = line.split("…")[0].strip()
        if line:
            lines.append(line)
    return lines


def test_the_guide_works_as_written(tmp_path, overlay_venv):
    """docs/guide.md, followed literally: scaffold, write the files, validate, install, list, evaluate, test."""
    steps = guide_steps(GUIDE.read_text(encoding="utf-8"))
    commands = [step[1] for step in steps if step[0] == "run"]
    for expected in (
        "shequ new-plugin",
        "shequ validate",
        "pip install -e",
        "shequ plugins",
        "shequ evaluate",
        "pytest",
    ):
        assert any(command.startswith(expected) for command in commands), f"the guide no longer runs {expected}"
    assert [step[1] for step in steps if step[0] == "file"] == [
        "shequ-juweihui/src/shequ_juweihui/document.txt",
        "shequ-juweihui/src/shequ_juweihui/juweihui.toml",
        "communities.csv",
    ]

    cwd, outputs = tmp_path, {}
    for kind, what, content in steps:
        if kind == "file":
            (cwd / what).write_text(content, encoding="utf-8")
            continue
        if what.startswith("cd "):
            cwd = cwd / what[3:].strip()
            continue
        done = sh(what, cwd, overlay_venv)
        outputs[what] = done.stdout
        if "--force-regen" not in what:  # that one rewrites the snapshot and reports it as a failure, once
            assert done.returncode == 0, f"$ {what}\n{done.stdout}\n{done.stderr}"
        said = " ".join((done.stdout + done.stderr).split())
        for line in shown_lines(content):
            assert " ".join(line.split()) in said, f"$ {what}: the guide shows {line!r}, the command said:\n{said}"

    assert "juweihui" in outputs["shequ plugins"] and "shequ-juweihui 0.1.0" in outputs["shequ plugins"]
    verdicts = outputs["shequ evaluate communities.csv -j juweihui"]
    assert all(word in verdicts for word in ("pass", "fail", "unknown"))
    assert "一般在一百户至七百户的范围内设立" in outputs["shequ explain communities.csv J02 -j juweihui"]
    assert re.search(r"\b3 passed\b", outputs["pytest"])
