"""Static checks that guard the security model and the code's shape.

ruff enforces the banned-API list of pyproject.toml (no pickle, marshal,
eval, unsafe YAML loading or local "now") and ruff format the layout; mypy checks the package in strict
mode, as the shipped py.typed promises.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
# Everything written in Python: the package, its tests, benchmarks, examples and docs helpers.
_CHECKED = ("policydiff", "tests", "benchmarks", "examples", "docs", "conftest.py")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is a test dependency; install with pip install -e '.[test]'"
    return found


def test_ruff_finds_nothing_including_banned_apis() -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", *_CHECKED],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_by_ruff_format() -> None:
    result = subprocess.run(
        [_tool("ruff"), "format", "--check", "--no-cache", *_CHECKED],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "run `ruff format` first:\n" + result.stdout + result.stderr


def test_mypy_strict_passes_on_the_package(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "policydiff"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


#: The clocks of the time module: a test that reads one asserts on speed.
_CLOCKS = frozenset(
    {"monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns", "process_time", "time"}
)


def _clock_reads(source: str) -> list[int]:
    """The lines of ``source`` that use a clock of the time module."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _CLOCKS
            and isinstance(node.value, ast.Name)
            and node.value.id == "time"
        ) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "time"
            and any(alias.name in _CLOCKS for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_no_test_reads_the_clock() -> None:
    # Speed is measured in benchmarks/ as ratios taken in one run; a test
    # that times itself fails on a busy machine.
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if (lines := _clock_reads(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_a_clock_read_is_noticed() -> None:
    source = "import time\nfrom time import monotonic\nstart = time.perf_counter()\n"
    assert _clock_reads(source) == [2, 3]
