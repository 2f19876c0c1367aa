"""``python -m cli``: the ``promesa`` program without its installed script."""

from __future__ import annotations

import sys

sys.argv[0] = "promesa"  # the program's name: only the invoked command's area is imported

from cli.main import app  # noqa: E402  (after the name, which decides what registers)

app(prog_name="promesa")
