"""Reports are byte-identical whatever the hash seed (sets never leak order)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent

SCRIPT = """
import policydiff
history = policydiff.load_history("examples/us-ukraine-strikes/history")
for d in history.changes():
    print(policydiff.render(d))
    print(policydiff.render(d, "markdown"))
    print(policydiff.render(d, "json"))
print(policydiff.render(history, "json"))
exports = policydiff.load_history("examples/export-controls/history")
for d in exports.changes():
    print(policydiff.render(d, "json"))
for version in history:
    print(policydiff.dumps(version, format="yaml"))
    print(policydiff.dumps(version, format="toml"))
"""


def _run(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize("seed", ["1", "4242"])
def test_text_markdown_and_json_reports_do_not_depend_on_the_hash_seed(seed: str) -> None:
    assert _run(seed) == _run("0")
