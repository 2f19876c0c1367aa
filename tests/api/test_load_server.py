"""The load runs' CPU accounting (issue #13): a server's CPU includes its workers' (children)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api.load_server import tree_cpu_s


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="CPU accounting reads /proc")
def test_the_cpu_of_a_process_counts_its_childrens() -> None:
    # a parent that sleeps while its child (a uvicorn worker, say) burns about half a second
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\n"
    parent = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"])
    try:
        seen = 0.0
        while parent.poll() is None:
            seen = max(seen, tree_cpu_s(parent.pid) or 0.0)
        assert seen >= 0.3  # the parent alone spends almost nothing
    finally:
        parent.wait()
    assert tree_cpu_s(parent.pid) == 0.0  # gone: nothing to count, and no error
