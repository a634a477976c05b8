"""Writing a new jurisdiction plugin package from shequ's template (`shequ new-plugin`).

The template, ``shequ/authoring/templates/plugin``, is an installable package: a
``pyproject.toml`` with the ``shequ`` entry point, the hook module, a standard
TOML with one example rule for every requirement form, the placeholder document
text those rules quote, and conformance tests built on :mod:`shequ.authoring.testing`.
It is rendered by plain substitution of ``{{key}}`` markers in file names and
contents (no template engine, no code run), validated like any plugin, and
given the snapshot of its normalised standard, so the new package passes its
own tests unchanged as soon as it is installed.
"""

from __future__ import annotations

import json
import keyword
import re
import shutil
from collections.abc import Iterator
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path

import attrs

from ..errors import ProblemsError, ShequError
from ..hookspecs import hookimpl

TEMPLATE_SUFFIX = ".tmpl"
#: Template files stored under another name (setuptools' package-data globs skip dot files).
RENAMES = {"dot-gitignore": ".gitignore"}
#: Where pytest-regressions keeps the snapshot of ``test_standard_snapshot`` in ``tests/test_conformance.py``.
SNAPSHOT = Path("tests", "test_conformance", "test_standard_snapshot.yml")

_ID = re.compile(r"[a-z][a-z0-9_]*\Z")


@attrs.frozen(kw_only=True)
class NewPlugin:
    """What :func:`create_plugin` wrote."""

    jurisdiction_id: str
    directory: Path
    files: tuple[Path, ...]
    #: False when pytest-regressions is not installed: run ``pytest --force-regen`` once.
    snapshot: bool

    @property
    def package(self) -> str:
        return f"shequ_{self.jurisdiction_id}"

    @property
    def distribution(self) -> str:
        return f"shequ-{self.jurisdiction_id}"


#: The longest plugin id: it becomes part of folder, file and module names (``shequ_<id>``), which
#: file systems limit to 255 bytes; real jurisdiction ids are short (``pudong_new_area``).
MAX_ID_LENGTH = 64


def check_id(jurisdiction_id: str) -> None:
    """Refuse an id that cannot be a jurisdiction id, an entry-point name and part of a module name."""
    if len(jurisdiction_id) > MAX_ID_LENGTH:
        raise ShequError(
            f"invalid plugin id '{jurisdiction_id[:20]}…' ({len(jurisdiction_id)} characters): "
            f"at most {MAX_ID_LENGTH} characters, e.g. 'suzhou' or 'pudong_new_area'"
        )
    if not _ID.match(jurisdiction_id) or keyword.iskeyword(jurisdiction_id):
        raise ShequError(
            f"invalid plugin id {jurisdiction_id!r}: use a lowercase Python identifier "
            "(a-z, digits and '_', starting with a letter), e.g. 'suzhou' or 'pudong_new_area'"
        )


def _check_not_installed(jurisdiction_id: str) -> None:
    """Refuse an id an installed plugin already uses: installing both would break every command."""
    from ..registry import ENTRY_POINT_GROUP, get_registry

    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name == jurisdiction_id:
            raise ShequError(
                f"a plugin named '{jurisdiction_id}' is already installed ({entry_point.value}); choose another id"
            )
    try:
        standards = get_registry().standards
    except Exception:  # a broken installed plugin is no reason to refuse a new one
        return
    if jurisdiction_id in standards:
        raise ShequError(
            f"the jurisdiction '{jurisdiction_id}' is already installed "
            f"(plugin '{standards[jurisdiction_id].plugin}'); choose another id"
        )


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or any(ord(char) < 32 for char in name):
        raise ShequError(f"invalid --name {name!r}: give the jurisdiction's name on one line, e.g. 苏州市")
    return name


def template_root() -> Traversable:
    """The plugin template shipped inside the shequ package."""
    return resources.files("shequ.authoring").joinpath("templates", "plugin")


def _walk(folder: Traversable, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _walk(entry, (*prefix, entry.name))
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            yield (*prefix, entry.name), entry


def _substitute(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text and "}}" in text:
        raise AssertionError(f"unreplaced template marker in: {text[:200]}")  # a bug in the template, not user input
    return text


def template_values(jurisdiction_id: str, name: str) -> dict[str, str]:
    """The ``{{key}}`` substitutions; ``*_toml`` values are quoted TOML strings."""
    from .. import __version__ as version  # the installed package's, so the new plugin requires at least it

    return {
        "id": jurisdiction_id,
        "name": name,
        # JSON string escapes are valid TOML basic-string escapes
        "name_toml": json.dumps(name, ensure_ascii=False),
        "description_toml": json.dumps(f"{name}: community-construction standard for shequ", ensure_ascii=False),
        "shequ_version": version,
    }


def render(directory: Path, values: dict[str, str]) -> list[Path]:
    """Write the template into ``directory`` (which must not exist); the files written, relative."""
    written = []
    for parts, entry in _walk(template_root()):
        *folders, file_name = parts
        file_name = file_name.removesuffix(TEMPLATE_SUFFIX)
        file_name = RENAMES.get(file_name, file_name)
        relative = Path(*(_substitute(part, values) for part in (*folders, file_name)))
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_substitute(entry.read_text(encoding="utf-8"), values), encoding="utf-8")
        written.append(relative)
    return written


class _StandardFiles:
    """A stand-in plugin module declaring the given standard files (the package is not installed yet)."""

    def __init__(self, *paths: Path):
        self.paths = list(paths)

    @hookimpl
    def register_jurisdictions(self) -> list[Path]:
        return self.paths


def snapshot_yaml(standard_path: Path, jurisdiction_id: str) -> bytes | None:
    """The YAML ``data_regression`` would record for the standard; None without pytest-regressions."""
    try:
        import yaml
        from pytest_regressions.data_regression import RegressionYamlDumper

        from .testing import standard_snapshot
    except ImportError:
        return None
    from ..registry import build_registry

    registry = build_registry([(jurisdiction_id, _StandardFiles(standard_path))], include_installed=False)
    data = standard_snapshot(registry.get(jurisdiction_id), registry)
    # the very call pytest-regressions' data_regression.check makes, so the files compare equal
    return yaml.dump_all(
        [data], Dumper=RegressionYamlDumper, default_flow_style=False, allow_unicode=True, indent=2, encoding="utf-8"
    )


def create_plugin(jurisdiction_id: str, directory: Path | None = None, name: str | None = None) -> NewPlugin:
    """Write a new plugin package for ``jurisdiction_id`` into ``directory`` (default ``./shequ-<id>``).

    :raises ShequError: the id is invalid or already installed, the folder exists or cannot be written.
    """
    check_id(jurisdiction_id)
    name = _check_name(name if name is not None else jurisdiction_id)
    directory = Path(directory) if directory is not None else Path(f"shequ-{jurisdiction_id}")
    try:
        exists = directory.exists()
    except OSError as exc:
        raise ShequError(f"cannot use {directory} for the new plugin: {exc.strerror}") from None
    if exists:
        raise ShequError(f"{directory} already exists: give a new folder with --dir, or remove it")
    _check_not_installed(jurisdiction_id)

    from ..checks.validate import validate_path

    try:
        files = render(directory, template_values(jurisdiction_id, name))
        package = directory / "src" / f"shequ_{jurisdiction_id}"
        problems = validate_path(package)
        if problems:  # the template is tested, so this is a name that breaks it: leave nothing half-made
            raise ProblemsError(problems)
        snapshot = snapshot_yaml(package / f"{jurisdiction_id}.toml", jurisdiction_id)
        if snapshot is not None:
            (directory / SNAPSHOT).parent.mkdir(parents=True, exist_ok=True)
            (directory / SNAPSHOT).write_bytes(snapshot)
            files.append(SNAPSHOT)
    except OSError as exc:  # an unwritable --dir, a full disk, a name the file system refuses
        shutil.rmtree(directory, ignore_errors=True)
        where = exc.filename or directory
        raise ShequError(
            f"cannot write the new plugin into {directory}: {exc.strerror or exc} ({where}); "
            "give a folder you can write to with --dir"
        ) from None
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return NewPlugin(
        jurisdiction_id=jurisdiction_id, directory=directory, files=tuple(files), snapshot=snapshot is not None
    )
