"""Run the Python examples in README.md and in the package's docstrings."""

from __future__ import annotations

import os
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from pathlib import Path
from typing import Any

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser
from sybil.parsers.rest import DocTestParser

ROOT = Path(__file__).parent
HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"


def _setup(namespace: dict[str, Any]) -> None:
    import policydiff

    namespace["_cwd"] = os.getcwd()
    os.chdir(ROOT)
    namespace["policydiff"] = policydiff
    namespace["old"] = policydiff.load(HISTORY / "2022-no-strikes-inside-russia.yaml")
    namespace["new"] = policydiff.load(HISTORY / "2024-05-30-kharkiv.yaml")
    namespace["history"] = policydiff.load_history(HISTORY)


def _teardown(namespace: dict[str, Any]) -> None:
    os.chdir(namespace["_cwd"])


pytest_collect_file = (
    Sybil(
        parsers=[PythonCodeBlockParser(doctest_optionflags=ELLIPSIS | NORMALIZE_WHITESPACE)],
        patterns=["README.md"],
        setup=_setup,
        teardown=_teardown,
    )
    + Sybil(
        parsers=[DocTestParser(optionflags=ELLIPSIS | NORMALIZE_WHITESPACE)],
        patterns=["policydiff/*.py", "policydiff/importers/*.py"],
        setup=_setup,
        teardown=_teardown,
    )
).pytest()
