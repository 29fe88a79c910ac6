"""The documentation site builds without a single warning, and its commands are real."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main

import policydiff
from docs._chromium import find_chromium
from docs.conf import FLAGSHIP_SITUATIONS
from policydiff._cli import cli

DOCS = Path(__file__).resolve().parent.parent / "docs"
FLAGSHIP = DOCS.parent / "examples" / "us-ukraine-strikes" / "history"

pytestmark = pytest.mark.slow


# Sphinx 9's own napoleon extension still reads autodoc options as a mapping,
# and MyST's resolver of links between pages reads an attribute Sphinx 9
# deprecates; both are theirs to resolve, not problems with these docs.
@pytest.mark.filterwarnings("ignore:The mapping interface for autodoc options")
@pytest.mark.filterwarnings("ignore:'myst_parser.sphinx_ext.myst_refs")
def test_the_documentation_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    status = build_main(
        ["-W", "--keep-going", "-q", "-E", "-b", "html", str(DOCS), str(tmp_path / "html")]
    )

    assert status == 0
    assert (tmp_path / "html" / "index.html").is_file()
    assert (tmp_path / "html" / "api.html").is_file()
    report = (tmp_path / "html" / "flagship-report.html").read_text(encoding="utf-8")
    assert report == policydiff.report(
        policydiff.load_history(FLAGSHIP), situations=FLAGSHIP_SITUATIONS
    )
    page = (tmp_path / "html" / "report.html").read_text(encoding="utf-8")
    assert 'href="flagship-report.html"' in page
    # The screenshot is drawn by the build wherever Chromium is installed.
    drawn = find_chromium() is not None
    assert (tmp_path / "html" / "flagship-report.png").is_file() is drawn
    assert ('src="flagship-report.png"' in page) is drawn


_COMMAND = re.compile(r"\bpolicydiff ((?:diff|log|at|impact|check|validate|report)\b[^|;&>\n']*)")


def _documented_commands() -> list[tuple[str, list[str]]]:
    """Every ``policydiff`` command in a code block of the docs, as its arguments."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        blocks = re.findall(r"^```[^\n]*\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S)
        for line in (line for block in blocks for line in block.splitlines()):
            for match in _COMMAND.finditer(line):
                args = shlex.split(match.group(1))
                # pre-commit appends the changed files to a hook's entry.
                if line.strip().startswith("entry:"):
                    args.append("policies/export.yaml")
                found.append((page.name, args))
    return found


def test_the_recipes_gate_changes_that_loosen_the_policy() -> None:
    recipes = [args for page, args in _documented_commands() if page == "recipes.md"]
    gates = [args for args in recipes if args[0] == "check"]

    assert gates
    assert all(args[:2] == ["check", "--base"] for args in gates)
    assert all(args[-2:] == ["--fail-on", "loosened"] for args in gates)


def test_the_ci_page_gates_every_change_since_the_base() -> None:
    commands = [args for page, args in _documented_commands() if page == "ci.md"]
    gates = [args for args in commands if args[0] == "check"]

    assert len(gates) >= 3
    assert all("--base" in args for args in gates)


@pytest.mark.parametrize(
    ("page", "args"),
    _documented_commands(),
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_every_documented_command_uses_real_commands_and_options(
    page: str, args: list[str]
) -> None:
    command = cli.commands[args[0]]

    with command.make_context(f"policydiff {args[0]}", args[1:]) as context:
        assert context.command is command
