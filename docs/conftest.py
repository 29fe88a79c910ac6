"""Run the Python examples in the documentation pages (Sybil on MyST Markdown).

Every ``python`` code block is run: blocks of ``>>>`` lines as doctests,
other blocks as plain code. Examples run from the repository root, so paths
such as ``examples/us-ukraine-strikes/history/...`` work, with ``policydiff``
already imported.
"""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

import pytest
from sybil import Sybil
from sybil.parsers.myst import (
    ClearNamespaceParser,
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


pytest_collect_file = Sybil(
    parsers=[
        DocTestDirectiveParser(optionflags=FLAGS),
        PythonCodeBlockParser(doctest_optionflags=FLAGS),
        SkipParser(),
        ClearNamespaceParser(),
    ],
    patterns=["*.md"],
    excludes=["_build/*"],
    fixtures=["at_repository_root"],
    setup=_setup,
).pytest()
