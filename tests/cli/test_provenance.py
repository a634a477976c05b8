"""Every JSON output says what produced it: versions, documents and their text's hash, the date, the command.

The snapshots normalise only what changes without the result changing: the
shequ and plugin versions (a release bumps them) and a date taken from today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from shequ.cli import main

ROOT = Path(__file__).parents[2]
SAMPLE_CSV = "examples/communities.csv"  # relative, as a user types it: the arguments record it as given


def _json(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _normalised(provenance: dict) -> dict:
    """Versions replaced by a marker (a release changes them, not the result)."""
    record = json.loads(json.dumps(provenance))
    record["shequ"] = "<version>" if record["shequ"] else None
    for plugin in record["plugins"]:
        plugin["version"] = "<version>" if plugin["version"] else None
    return record


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_show_provenance_snapshot(data_regression):
    # show picks the versions in force on --as-of (default today): a fixed date keeps the snapshot stable
    provenance = _json("show", "donghai", "--as-of", "2021-01-01")["provenance"]
    data_regression.check(_normalised(provenance))


def test_show_without_as_of_records_today():
    import datetime as dt

    assert _json("show", "donghai")["provenance"]["as_of"] == dt.date.today().isoformat()


def test_compare_provenance_snapshot(data_regression, in_root):
    provenance = _json("compare", SAMPLE_CSV, "--as-of", "2021-01-01")["provenance"]
    data_regression.check(_normalised(provenance))


def test_versions_are_the_installed_ones():
    from importlib import metadata

    provenance = _json("show", "donghai")["provenance"]
    assert provenance["shequ"] == metadata.version("shequ")
    donghai = next(plugin for plugin in provenance["plugins"] if plugin["plugin"] == "donghai")
    assert donghai == {"plugin": "donghai", "distribution": "shequ", "version": metadata.version("shequ")}


def test_the_hash_is_of_the_shipped_text():
    document = _json("show", "donghai")["provenance"]["documents"][0]
    shipped = ROOT / "plugins" / "donghai" / "document.txt"
    assert document["sha256"] == hashlib.sha256(shipped.read_bytes()).hexdigest()


def test_as_of_defaults_to_today_where_the_command_has_one(in_root):
    assert _json("compare", SAMPLE_CSV, "-j", "donghai")["provenance"]["as_of"] == dt.date.today().isoformat()
    assert _json("rules", "-j", "donghai")["provenance"]["as_of"] == dt.date.today().isoformat()
    assert _json("validate", "plugins/donghai")["provenance"]["as_of"] is None  # validate has no --as-of


def test_the_documents_are_those_of_the_selected_jurisdictions(in_root):
    documents = _json("diff", "donghai", "xiamen")["provenance"]["documents"]
    assert [d["jurisdiction"] for d in documents] == ["donghai", "xiamen"]
    every = _json("rules")["provenance"]["documents"]
    assert {d["jurisdiction"] for d in every} == {"changchun", "donghai", "longgang", "national", "panzhihua", "xiamen"}


def test_what_if_options_are_recorded_among_the_arguments():
    provenance = _json_root(
        ["--set", "donghai.service_space_per_100_households.requirement.floor=400", "rules", "-j", "donghai"]
    )
    assert provenance["arguments"]["assignments"] == ["donghai.service_space_per_100_households.requirement.floor=400"]
    assert provenance["arguments"]["jurisdictions"] == ["donghai"]


def _json_root(args: list[str]) -> dict:
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["provenance"]


#: Arguments that make each listing command run on the sample data; every command with --format must be here.
LISTING_ARGUMENTS = {
    "plugins": [],
    "catalog": ["metrics"],
    "rules": ["-j", "donghai"],
    "show": ["donghai"],
    "validate": ["plugins/donghai"],
    "evaluate": [SAMPLE_CSV, "-j", "donghai", "--as-of", "2021-01-01"],
    "compare": [SAMPLE_CSV, "-j", "donghai", "--as-of", "2021-01-01"],
    "explain": [SAMPLE_CSV, "SYN-001", "-j", "donghai", "--as-of", "2021-01-01"],
    "standards": ["-j", "donghai"],
    "diff": ["donghai", "xiamen"],
    "responsibilities": ["-j", "donghai"],
    "timeline": ["-j", "donghai", "--as-of", "2021-01-01"],
    "cost": [SAMPLE_CSV, "-j", "donghai"],
    "whatif": [SAMPLE_CSV, "-j", "donghai"],
    "history": ["-j", "national", "--metric", "households"],
    "conflicts": ["-j", "donghai"],
}


def _listing_commands() -> list[str]:
    return sorted(
        name
        for name, command in main.all_commands().items()
        if any(isinstance(p, click.Option) and "--format" in p.opts for p in command.params)
    )


def test_every_listing_command_is_exercised():
    assert _listing_commands() == sorted(LISTING_ARGUMENTS)


@pytest.mark.parametrize("name", _listing_commands())
def test_every_listing_command_json_has_provenance(name, in_root):
    args = [name, *LISTING_ARGUMENTS[name]]
    if name == "whatif":
        args = ["--set", "donghai.service_space_per_100_households.requirement.floor=400", *args]
    output = _json(*args)
    provenance = output["provenance"]
    assert set(provenance) == {"shequ", "plugins", "documents", "as_of", "command", "arguments"}
    assert provenance["command"] == f"shequ {name}"
    assert provenance["arguments"]["fmt"] == "json"


def test_markdown_has_one_provenance_note(in_root):
    result = CliRunner().invoke(
        main, ["compare", SAMPLE_CSV, "-j", "donghai", "--as-of", "2021-01-01", "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if line.startswith("> Provenance:")]
    assert len(notes) == 1  # compare prints two tables; the note comes once
    assert "东政办发〔2019〕31号 (2019-04-25, sha256 " in notes[0] and "as of 2021-01-01" in notes[0]
