"""``python -m shequ``: the ``shequ`` command, for when the script is not on PATH (or to profile it)."""

from shequ.cli import main

main(prog_name="shequ")
