"""The README's command-line example prints what the README says it does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from policydiff._cli import cli, main

ROOT = Path(__file__).parent.parent
CONSOLE = re.compile(r"```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m["command"], m["output"]) for m in CONSOLE.finditer(text)]


def test_the_readme_has_a_command_line_example() -> None:
    assert _examples()


@pytest.mark.parametrize(("command", "output"), _examples())
def test_the_readme_command_prints_what_the_readme_shows(
    command: str, output: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    words = shlex.split(command)
    assert words[0] == "policydiff"
    status = main(words[1:])
    printed = capsys.readouterr()
    assert printed.out + printed.err == output
    assert status in (0, 1)


#: An install command that asks PyPI for policydiff, which is not published yet.
_FROM_PYPI = re.compile(r"^[$\s-]*(?:run:\s*)?(?:python3? -m )?pip install policydiff\s*$", re.M)


def test_no_install_line_asks_pypi_for_the_unpublished_package() -> None:
    texts = {
        path.name: path.read_text(encoding="utf-8")
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    }
    texts["policydiff --help"] = cli.epilog or ""
    assert {
        name: _FROM_PYPI.findall(text) for name, text in texts.items() if _FROM_PYPI.search(text)
    } == {}


def test_the_pattern_finds_an_install_line_that_asks_pypi() -> None:
    text = "steps:\n  - run: pip install policydiff\n$ python -m pip install policydiff\n"
    assert len(_FROM_PYPI.findall(text)) == 2
