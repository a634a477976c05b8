"""The throwaway virtual environment the authoring tests install packages into."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from support import offline_build_options


@pytest.fixture
def overlay_venv(tmp_path):
    """A venv that sees the running environment's packages; ``pip``, ``shequ`` and ``pytest`` act in it."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    parents = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    # addsitedir also runs the parent's .pth files, which is how its editable installs are found
    (site_packages / "_parent_environment.pth").write_text(
        "".join(f"import site; site.addsitedir({path!r})\n" for path in parents), encoding="utf-8"
    )
    build = " ".join(offline_build_options())
    wrappers = {
        # every dependency is already in the parent environment: nothing to resolve
        "pip": f'if [ "$1" = install ]; then shift; set -- install {build} "$@"; fi\n'
        f'exec "{sys.executable}" -m pip --python "{python}" "$@"\n',
        "shequ": f'exec "{python}" -c '
        '"import sys; from shequ.cli import main; sys.exit(main(prog_name=\'shequ\'))" "$@"\n',
        "pytest": f'exec "{python}" -m pytest -p no:cacheprovider "$@"\n',
    }
    for name, body in wrappers.items():
        script = venv / "bin" / name
        script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
        script.chmod(0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "SHEQU_PLUGINS") and not key.startswith("PYTEST_")
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        COLUMNS="250",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env
