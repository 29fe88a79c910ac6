"""Run the examples in the documentation pages (Sybil on MyST Markdown).

Every ``python`` code block is run: blocks of ``>>>`` lines as doctests,
other blocks as plain code. Examples run from the repository root, so paths
such as ``examples/us-ukraine-strikes/history/...`` work, with ``policydiff``
already imported.

A ``console`` block is run too when every command in it (each line starting
with ``$ ``) is ``policydiff ...``, ``python examples/...``, ``cd DIR`` or
``echo $?``: each command runs from the repository root (or the folder the
last ``cd`` named) and what it prints, standard output and standard error
together, must match the lines that follow it, where ``...`` stands for any
text. Other console blocks (installing, git) are shown, not run.
"""

from __future__ import annotations

import doctest
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sybil import Example, Sybil
from sybil.parsers.myst import (
    ClearNamespaceParser,
    CodeBlockParser,
    DocTestDirectiveParser,
    PythonCodeBlockParser,
    SkipParser,
)

import policydiff

ROOT = Path(__file__).resolve().parent.parent
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.fixture
def at_repository_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run an example from the repository root."""
    monkeypatch.chdir(ROOT)
    return ROOT


def _setup(namespace: dict[str, Any]) -> None:
    namespace["policydiff"] = policydiff


def _commands(block: str) -> list[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    pairs: list[tuple[str, list[str]]] = []
    lines = iter(block.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + next(lines).strip()
            pairs.append((command, []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "".join(f"{out}\n" for out in output)) for command, output in pairs]


def _runnable(command: str) -> bool:
    words = shlex.split(command)
    return (
        words[:1] in (["policydiff"], ["cd"])
        or words == ["echo", "$?"]
        or (words[:1] == ["python"] and words[1:2] != [] and words[1].startswith("examples/"))
    )


def _run_console(example: Example) -> str | None:
    commands = _commands(example.parsed)
    if not commands or not all(_runnable(command) for command, _ in commands):
        return None
    checker = doctest.OutputChecker()
    folder, status = ROOT, 0
    env = {**os.environ, "NO_COLOR": "1"}
    for command, expected in commands:
        words = shlex.split(command)
        if words[0] == "cd":
            folder = (folder / words[1]).resolve()
            continue
        if words[0] == "echo":
            got = f"{status}\n"
        else:
            program = (
                [sys.executable] if words[0] == "python" else [sys.executable, "-m", "policydiff"]
            )
            result = subprocess.run(
                [*program, *words[1:]],
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                check=False,
            )
            got, status = result.stdout, result.returncode
        # Trailing blank lines cannot be seen in a page, so they are not compared.
        expected, got = expected.rstrip("\n") + "\n", got.rstrip("\n") + "\n"
        if not checker.check_output(expected, got, doctest.ELLIPSIS):
            return f"$ {command}\nexpected:\n{expected}got:\n{got}"
    return None


pytest_collect_file = Sybil(
    parsers=[
        DocTestDirectiveParser(optionflags=FLAGS),
        PythonCodeBlockParser(doctest_optionflags=FLAGS),
        CodeBlockParser(language="console", evaluator=_run_console),
        SkipParser(),
        ClearNamespaceParser(),
    ],
    patterns=["*.md"],
    excludes=["_build/*"],
    fixtures=["at_repository_root"],
    setup=_setup,
).pytest()
