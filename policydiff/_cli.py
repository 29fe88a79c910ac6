"""The ``policydiff`` command: a thin layer of click commands over the library.

:func:`main` is the one place that turns errors into messages and exit codes
(pypa/build's shape): every :class:`~policydiff.errors.PolicyDiffError`
becomes one stderr line per problem and exit 2, a usage error click's message
and exit 2, a ``check`` that finds what it fails on exit 1. Commands only load,
ask the library and print what a renderer returned; colour is added on the way
out, and only when standard output is a terminal and ``NO_COLOR`` is unset.

The library is reached through the package's names, imported on first use,
and the renderers are imported inside the commands that use them: ``--help``
and ``--version`` need click alone. Nothing imports this module, so those
imports close no cycle.
"""

from __future__ import annotations

# First, before anything slow to import: Ctrl-C during start-up.
import policydiff._startup

# isort: split
import contextlib
import io
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, TypeVar

import attrs
import click

import policydiff
from policydiff.errors import DocumentError, PolicyDiffError, Problem, visible
from policydiff.importers._registry import formats as importer_formats

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from rich.text import Text

    from policydiff._decisions import Waiver
    from policydiff._parse import Format
    from policydiff._render import GateFormat, OutputFormat
    from policydiff.model import PolicyVersion

__all__ = ["entry_point", "main"]

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes (SPEC section 9).
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
#: A shell reports a command killed by SIGPIPE as 128 + 13.
EXIT_BROKEN_PIPE = 141
#: A shell reports a command stopped by Ctrl-C (SIGINT) as 128 + 2.
EXIT_INTERRUPTED = 130

#: The output formats (policydiff._render.FORMATS, named here so that
#: ``--help`` needs no more than click).
FORMATS = ("text", "markdown", "json")

#: The review gate's formats (policydiff._render.GATE_FORMATS).
GATE_FORMATS = (*FORMATS, "sarif", "github")

#: The directions ``--only`` keeps.
ONLY = ("loosened", "tightened", "mixed")

#: What ``check --fail-on`` counts as offending, by direction. A mixed change
#: both loosens and tightens, so it offends either way; neutral changes never do.
FAIL_ON = {
    "loosened": ("loosened", "mixed"),
    "tightened": ("tightened", "mixed"),
    "any": ("loosened", "tightened", "mixed"),
}

_EPILOG = """\b
Examples, run in the repository's examples/us-ukraine-strikes/history folder:
  policydiff diff 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml
  policydiff log . --rule kharkiv-defensive-strikes
  policydiff at . 2024-06-01
  policydiff check 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml --fail-on loosened
  policydiff validate .
  policydiff report . -o report.html

\b
A review gate in CI (GitHub Actions) that fails a pull request loosening any
policy under policies/, a version file added to a history folder included:
  jobs:
    policy-review:
      runs-on: ubuntu-latest
      steps:
        - uses: actions/checkout@v4
          with: {fetch-depth: 0}
        - uses: actions/setup-python@v5
          with: {python-version: "3.12"}
        # not on PyPI yet: the repository variable POLICYDIFF_GIT holds its git URL
        - run: pip install "git+${{ vars.POLICYDIFF_GIT }}"
        - run: policydiff check --base "origin/$GITHUB_BASE_REF" policies --fail-on loosened
(policydiff's repository is also a GitHub Action, action.yml, with a job
summary and SARIF for code scanning; see docs/ci.md.)

\b
pre-commit hooks (.pre-commit-config.yaml) that validate the policy documents
under policies/ and stop a commit that loosens one of them:
  repos:
    - repo: <policydiff's git URL>
      rev: <a tag or commit>
      hooks:
        - id: policydiff-validate
          files: ^policies/
        - id: policydiff-check
          args: [--fail-on, loosened]

\b
Exit codes: 0 success; 1 `check` found a change it fails on; 2 bad usage or
bad input, with one line per problem on stderr:
  FILE:LINE:COLUMN: field.path: what is wrong
Colour is used only when standard output is a terminal and NO_COLOR is unset.
"""

_format_option = click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Plain text for people, Markdown for reviews, JSON (a stable schema) for programs.",
)


#: The formats of policydiff's own documents; foreign ones come from the importers' registry.
NATIVE_FORMATS = ("yaml", "json", "toml")


class _Formats(click.Choice[str]):
    """A choice of the given formats and every format registered when the command runs.

    The importers' registry is read when an option is checked, not when the
    command is defined, so a format added to it is accepted at once.
    """

    def __init__(self, *given: str) -> None:
        super().__init__(given)

    @property
    def choices(self) -> tuple[str, ...]:
        return (*self._given, *importer_formats())

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        self._given = value


_input_format_option = click.option(
    "--input-format",
    type=_Formats(*NATIVE_FORMATS),
    help=(
        "yaml, json or toml: the format of standard input (-) and of files without a .yaml,"
        " .json or .toml suffix. A foreign format (such as aws-iam) reads every input,"
        " and every file of a history folder, through its importer."
    ),
)


def _jobs_count(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """Read ``--jobs``: a number of processes, ``0`` or ``auto`` for one per core."""
    text = value.strip().lower()
    if text == "auto":
        text = "0"
    if not text.isdigit():
        message = f"expected a number of processes, 0 or auto (got {value!r})"
        raise click.BadParameter(message, ctx=ctx, param=param)
    return int(text) or os.cpu_count() or 1


_jobs_option = click.option(
    "--jobs",
    "-j",
    default="1",
    callback=_jobs_count,
    metavar="N|auto",
    show_default=True,
    help=(
        "Work on N paths at once, in N processes (0 or auto: one per core)."
        " The output is the same as with 1, in the order of the paths."
    ),
)


def _output_option(help_text: str) -> Callable[[F], F]:
    """``--output``/``-o``: a file to write, ``-`` (the default) for standard output."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, allow_dash=True),
        default="-",
        show_default=True,
        help=help_text,
    )


def _sides(
    old: str, new: str | None, input_format: str | None
) -> tuple[PolicyVersion, PolicyVersion]:
    """OLD and NEW as ``check`` and ``diff`` read them; NEW absent: OLD's newest step."""
    from policydiff._inputs import last_step, load_pair

    if new is None:
        return last_step(old, input_format=input_format)
    return load_pair(old, new, input_format=input_format)


def _check_when(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check that WHEN is a time value; pass it on as written.

    The history reads it in its own time zone, so only the form is checked
    here; a bad value is a usage error that says which forms are accepted.
    """
    from policydiff._time import ACCEPTED, parse_when

    if value is None:
        return None

    try:
        parse_when(value)
    except ValueError as exc:
        message = str(exc) if ACCEPTED in str(exc) else f"{exc}; expected {ACCEPTED}"
        raise click.BadParameter(message, ctx=ctx, param=param) from None
    return value


# -- the group -----------------------------------------------------------------


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_EPILOG,
)
@click.version_option(
    policydiff.__version__, "--version", prog_name="policydiff", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Track how a policy changes: what was lifted or imposed, and when.

    Each command reads policy version documents (YAML, JSON or TOML) or a
    history (a folder of them, or one document with `versions:`).
    """


# -- commands ------------------------------------------------------------------


@cli.command("diff", short_help="What changed from OLD to NEW, lifted first, and when.")
@click.argument("old", type=click.Path(allow_dash=True))
@click.argument("new", type=click.Path(allow_dash=True), required=False)
@click.option(
    "--from",
    "start",
    metavar="LABEL|WHEN",
    help="With a history as OLD: the version to compare from (a label, or the one in force then).",
)
@click.option(
    "--to",
    "end",
    metavar="LABEL|WHEN",
    help="With a history as OLD: the version to compare to (a label, or the one in force then).",
)
@_format_option
@_input_format_option
@click.option(
    "--only",
    type=click.Choice(ONLY),
    help="Show only the changes that go this way.",
)
def diff_command(
    old: str,
    new: str | None,
    start: str | None,
    end: str | None,
    output_format: OutputFormat,
    input_format: str | None,
    only: str | None,
) -> None:
    """Show what changed from OLD to NEW, what was lifted first, and when.

    Without NEW, OLD is a history and --from and --to pick two of its
    versions, each by label or by a time (the version in force then); they
    default to the first and the last version.

    With NEW, each side is a version document, a history folder (its newest
    version), - for standard input or /dev/null for no policy (a file added
    or deleted); --input-format names the format of standard input and of
    files without a suffix.

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff diff 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml
      policydiff diff 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml --only loosened --format json
      policydiff diff . --from no-strikes-inside-russia --to 2024-06-15
    """
    if new is None:
        history = policydiff.load_history(old, input_format=input_format)
        before = history.find(start) if start is not None else history.first
        after = history.find(end) if end is not None else history.last
    elif start is not None or end is not None:
        message = "--from and --to pick versions of one history: give OLD alone, as a history"
        raise click.UsageError(message)
    else:
        before, after = _sides(old, new, input_format)
    _warn_if_swapped(before, after)
    found = policydiff.diff(before, after)
    if only is not None:
        found = found.only(only)
    _emit(policydiff.render(found, output_format), output_format)


@cli.command("log", short_help="Every change in a history, oldest first, with when.")
@click.argument("arguments", metavar="[REV_RANGE] HISTORY...", nargs=-1, required=True)
@click.option(
    "--git",
    "from_git",
    is_flag=True,
    help=(
        "Read HISTORY's committed revisions from git (each commit that changed it is a"
        " version), in REV_RANGE (default: HEAD's history)."
    ),
)
@click.option("--rule", "rule_id", metavar="ID", help="Only the changes to this rule.")
@click.option(
    "--since", metavar="WHEN", callback=_check_when, help="Only steps taking effect from WHEN on."
)
@click.option(
    "--until",
    metavar="WHEN",
    callback=_check_when,
    help="Only steps taking effect up to WHEN (a month or a day counts whole).",
)
@click.option(
    "--only",
    type=click.Choice(ONLY),
    help="Only the changes that go this way, and the steps that have some.",
)
@click.option("--oneline", is_flag=True, help="One line per step: date, labels, counts, verdict.")
@_format_option
@_input_format_option
@_jobs_option
def log_command(
    arguments: tuple[str, ...],
    from_git: bool,
    rule_id: str | None,
    since: str | None,
    until: str | None,
    only: str | None,
    oneline: bool,
    output_format: OutputFormat,
    input_format: str | None,
    jobs: int,
) -> int | None:
    """Show every change in HISTORY, oldest first, with when it took effect.

    HISTORY is a folder of version documents or one document with
    `versions:`. The JSON form is {"policydiff": 1, "policy": ..., "diffs":
    [...]}, one diff object (as `diff --format json` prints) per step; with
    --rule, "start" lists the rule as in force from the first version, when
    it was.

    With --git, HISTORY is a version document (or a folder of them) in a
    git repository, and every committed revision of it is a version: its
    effective time is the document's own, else the commit's time, and the
    report says which (JSON: "git"). A revision that keeps the label of an
    earlier one amends that version.

    Given several histories (without --git), it logs each in turn under a
    line naming it (==> HISTORY <==; JSON: {"policydiff": 1, "paths":
    [...]}); --jobs N reads N of them at once, with the same output.

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff log .
      policydiff log . --rule kharkiv-defensive-strikes --format markdown
      policydiff log . --since 2024-06 --until 2024-12 --oneline
      policydiff log . --only tightened
    """
    from policydiff._history import rule_steps
    from policydiff._render import render_log

    if oneline and output_format == "json":
        message = "--oneline is a layout for people: use it without --format json"
        raise click.UsageError(message)
    if not from_git and len(arguments) > 1:
        return _each("arguments", arguments, jobs, output_format)
    if len(arguments) > (2 if from_git else 1):
        message = (
            "expected [REV_RANGE] HISTORY with --git" if from_git else "expected one HISTORY"
        ) + f" (got {len(arguments)} arguments)"
        raise click.UsageError(message)
    revisions = None
    with _working("Reading the history and comparing its versions…"):
        if from_git:
            from policydiff._history_git import read_git_history

            revisions = read_git_history(
                arguments[-1], arguments[0] if len(arguments) == 2 else None
            )
            loaded = revisions.history
        else:
            loaded = policydiff.load_history(arguments[0], input_format=input_format)
        start = (
            () if rule_id is None else tuple(e for e in loaded.start() if e.change.rule == rule_id)
        )
        steps = rule_steps(loaded, rule_id) if rule_id is not None else loaded.changes()
    if since is not None or until is not None:
        period = {id(step.new) for step in loaded.changes(since=since, until=until)}
        steps = [step for step in steps if id(step.new) in period]
        start = tuple(e for e in start if since is None or loaded.when(since) <= e.effective)
    if only is not None:
        steps = [kept for step in steps if (kept := step.only(only))]
        start = tuple(e for e in start if e.change.direction.value == only)
    filtered = since is not None or until is not None or only is not None
    text = render_log(
        loaded, steps, rule_id, output_format, start=start, oneline=oneline, filtered=filtered
    )
    if revisions is not None:
        from policydiff._render import with_revisions

        text = with_revisions(text, revisions, output_format)
    _emit(text, output_format)
    return None


@cli.command("at", short_help="The version in force at a moment, and its rules.")
@click.argument("history", type=click.Path())
@click.argument("when", callback=_check_when)
@_format_option
@_input_format_option
def at_command(
    history: str, when: str, output_format: OutputFormat, input_format: str | None
) -> None:
    """Show the version of HISTORY in force at WHEN, and its rules.

    WHEN is a year, a year-month, a date or a date-time (YYYY, YYYY-MM,
    YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][offset]); without an offset it is read
    in the history's time zone, and a partial date asks about its first instant
    (the report then names the versions taking effect later in that period).

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff at . 2024-06-01
      policydiff at . 2024-11-17 --format json
      policydiff at . 2024-05
    """
    from policydiff._render import render_at

    loaded = policydiff.load_history(history, input_format=input_format)
    later = loaded.taking_effect(when)
    _emit(render_at(loaded, when, loaded.at(when), output_format, later=later), output_format)


@cli.command("impact", short_help="Which situations changed decision from OLD to NEW.")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(["loosened", "tightened", "mixed"]),
    help="List only the groups that moved this way (repeatable); the verdict still counts all.",
)
@_format_option
@_input_format_option
def impact_command(
    old: str,
    new: str,
    only: tuple[str, ...],
    output_format: OutputFormat,
    input_format: str | None,
) -> None:
    """Show which situations changed decision from OLD to NEW.

    Each group of situations is listed with its decision before and after
    and the rules responsible on each side. Markdown lists as many groups
    as fit in a review comment and points to the JSON for the rest.

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff impact 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml
    """
    from policydiff._inputs import load_pair
    from policydiff._render import render_impact

    if input_format is None:
        before, after = policydiff.load(old), policydiff.load(new)
    else:
        before, after = load_pair(old, new, input_format=input_format)
    with _working("Working out which situations changed decision…"):
        found = policydiff.impact(before, after)
        text = render_impact(found.only(*only) if only else found, output_format, old, new)
    _emit(text, output_format)


@cli.command("check", short_help="Exit 1 when NEW loosens (or tightens) OLD: a review gate.")
@click.argument(
    "inputs",
    metavar="OLD [NEW] | --each HISTORY... | --base REV [PATH...]",
    nargs=-1,
    type=click.Path(allow_dash=True),
)
@click.option(
    "--base",
    metavar="REV",
    help=(
        "Check every policy document and history under PATH... (default: [tool.policydiff]"
        " paths, else the whole repository) that differs between git revision REV and the"
        " working tree; with --input-format FORMAT, every changed file under PATH... is a"
        " FORMAT document."
    ),
)
@click.option(
    "--fail-on",
    type=click.Choice(sorted(FAIL_ON)),
    help=(
        "Fail when some situation's decision loosened, tightened, or changed at all"
        " (with --by rules: on loosened, tightened or any non-neutral change)."
        " Mixed counts for each. Required here or as fail-on in [tool.policydiff]."
    ),
)
@click.option(
    "--by",
    type=click.Choice(["decisions", "rules"]),
    help="Judge by what the versions decide (the default), or by each rule-level change's direction.",
)
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False),
    help=(
        "A YAML file of approved exceptions by change fingerprint (default: waivers in"
        " [tool.policydiff], else .policydiff-waivers.yaml here, when present)."
    ),
)
@click.option("--warn-only", is_flag=True, help="Report everything but exit 0.")
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(GATE_FORMATS),
    help=(
        "Plain text (the default), Markdown, JSON; SARIF 2.1.0 for code scanning, or GitHub"
        " workflow commands (::error file=...,line=...::)."
    ),
)
@_input_format_option
@click.option(
    "--each",
    is_flag=True,
    help="Every path is a history: check each one's newest step, as if given alone.",
)
@_jobs_option
def check_command(
    inputs: tuple[str, ...],
    base: str | None,
    fail_on: str | None,
    by: str | None,
    waivers_file: str | None,
    warn_only: bool,
    output_format: GateFormat | None,
    input_format: str | None,
    each: bool,
    jobs: int,
) -> int:
    """Exit 1, printing what offends, when NEW moves from OLD as --fail-on says.

    A review gate for policy files in CI or a pre-commit hook. By default it
    judges by decisions: it fails when some situation's decision moved that
    way, and prints those situations and the changes behind them, so a
    redundant rule or a pure tightening never fails a --fail-on loosened
    gate. With --by rules it fails on the direction of the rule-level
    changes instead. With nothing offending it prints one line starting with
    "OK" and exits 0. See `policydiff --help` for a CI job and a pre-commit
    hook.

    Each side is a version document, a history folder (its newest version),
    - for standard input (with --input-format) or /dev/null for no policy, so
    git can run it on added and deleted files. Given OLD alone, a history, it
    checks the history's newest step (a history of one version is a new
    policy, checked against no policy).

    With --base REV it asks git what changed since REV instead: every policy
    document or history under the PATHs that differs from REV is checked
    (REV's state against the working tree's). A version file added to a
    history folder is compared with the version before it; a document added
    is a new policy, one deleted has what it granted and imposed lifted.
    Documents are told by their suffix (.yaml, .yml, .json, .toml) and
    content; with --input-format FORMAT (a foreign format such as aws-iam)
    every changed file under the PATHs, hidden files aside, is read as
    FORMAT, a folder of files named VERSION@DATE (or with sidecars) being a
    history. --jobs N judges N of the changed policies at once, with the
    same output; one that cannot be judged is named on stderr (exit 2) and
    the others are still reported.

    A waivers file lists changes, by the fingerprint the report shows, that
    do not fail the check until their `expires` day; they are reported as
    waived, and an expired waiver as expired. --warn-only reports all and
    exits 0.

    --format sarif writes a SARIF 2.1.0 log and --format github workflow
    commands: one result per offending change at its rule's line, with its
    fingerprint; on bad input, one per problem, and exit 2.

    --each checks many histories, each as if given alone, each report under
    a line naming it (==> HISTORY <==); it exits 2 when one is bad input,
    else 1 when one fails. --jobs N checks N at once, with the same output.

    [tool.policydiff] in pyproject.toml (the nearest one up from here) can
    hold fail-on, by, format, paths and waivers; options given here win.

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff check 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml --fail-on loosened
      policydiff check 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml --fail-on tightened
    """
    from policydiff._config import find_settings
    from policydiff._waivers import DEFAULT_WAIVERS, load_waivers

    settings = find_settings()
    fail_on = fail_on or settings.fail_on
    if fail_on is None:
        message = "Missing option '--fail-on' (or fail-on in [tool.policydiff] of pyproject.toml)."
        raise click.UsageError(message)
    by = by or settings.by or "decisions"
    chosen: GateFormat = output_format or settings.format or "text"  # type: ignore[assignment]
    if by == "rules" and chosen in ("sarif", "github"):
        message = f"--format {chosen} reports the decisions gate: use it without --by rules"
        raise click.UsageError(message)
    if base is not None and by == "rules":
        message = "--base reports the decisions gate: use it without --by rules"
        raise click.UsageError(message)
    if base is not None and input_format in NATIVE_FORMATS:
        message = (
            "--base reads policy documents by their suffix: with --base, --input-format names"
            f" a foreign format ({', '.join(importer_formats())}), not {input_format}"
        )
        raise click.UsageError(message)
    if each and base is not None:
        message = "--each checks the histories named as paths: use it without --base"
        raise click.UsageError(message)
    if each and len(inputs) > 1:
        return _each("inputs", inputs, jobs, chosen)
    if base is None and not 1 <= len(inputs) <= 2:
        message = (
            f"expected OLD [NEW], --each HISTORY... or --base REV [PATH...]"
            f" (got {len(inputs)} paths)"
        )
        raise click.UsageError(message)
    with _bad_input_reported(chosen, base=base):
        waivers_file = waivers_file or settings.waivers
        if waivers_file is None and os.path.isfile(DEFAULT_WAIVERS):
            waivers_file = DEFAULT_WAIVERS
        waivers = load_waivers(waivers_file) if waivers_file and by == "decisions" else ()
        if base is not None:
            paths = inputs or settings.paths
            if input_format is not None and not paths:
                message = (
                    f"--input-format {input_format} with --base reads every changed file under"
                    f" PATH... as {input_format}: name the folders that hold those files"
                )
                raise click.UsageError(message)
            return _check_base(base, paths, fail_on, waivers, warn_only, chosen, input_format, jobs)
        old, new = inputs[0], (inputs[1] if len(inputs) == 2 else None)
        return _check_pair(old, new, fail_on, by, waivers, warn_only, chosen, input_format)


def _check_pair(
    old: str,
    new: str | None,
    fail_on: str,
    by: str,
    waivers: Sequence[Waiver],
    warn_only: bool,
    output_format: GateFormat,
    input_format: str | None,
) -> int:
    """``check OLD [NEW]``: one comparison."""
    from policydiff._impact import judge_gate
    from policydiff._inputs import change_places
    from policydiff._render import render_check, render_gate

    before, after = _sides(old, new, input_format)
    _warn_if_swapped(before, after)
    found = policydiff.diff(before, after)
    if by == "rules":
        offending = found.only(*FAIL_ON[fail_on])
        plain: OutputFormat = output_format  # type: ignore[assignment]
        _emit(render_check(found, offending, fail_on, plain), output_format)
        return EXIT_CHECK_FAILED if offending and not warn_only else EXIT_OK
    with _working("Working out which situations changed decision…"):
        gate = judge_gate(found, fail_on, waivers=waivers, warn_only=warn_only)
        places = None
        if output_format in ("sarif", "github"):
            moved = [*gate.changes, *(change for change, _ in gate.waived)]
            places = change_places(moved, old, new, input_format=input_format)
        sides = [old] if new is None else [old, new]
        command = _full_report(sides, fail_on)
        text = render_gate(gate, output_format, places=places, command=command)
    _emit(text, output_format)
    return EXIT_CHECK_FAILED if gate.failed and not warn_only else EXIT_OK


def _check_base(
    base: str,
    paths: Sequence[str],
    fail_on: str,
    waivers: Sequence[Waiver],
    warn_only: bool,
    output_format: GateFormat,
    input_format: str | None,
    jobs: int,
) -> int:
    """``check --base REV [PATH...]``: every policy changed since a git revision.

    With ``--jobs N`` the steps are judged N at a time, in worker
    processes; the report is the same, in the same order. A step that
    cannot be judged is reported on stderr (and in a scanner's format)
    with its path, after the report of the others, and the exit code is 2.
    """
    import functools

    from policydiff._batch import values_or_errors
    from policydiff._git_changes import changes_since, judge_changes, step_places
    from policydiff._render import render_changes, render_gate_problems

    with _working("Asking git what changed…"):
        changes = changes_since(base, paths, input_format=input_format)
    with (
        _pool(jobs, len(changes.steps)) as executor,
        _working("Comparing each policy that changed…"),
    ):
        run = judge_changes(
            changes,
            fail_on,
            waivers=waivers,
            warn_only=warn_only,
            judge_each=functools.partial(values_or_errors, executor=executor),
        )
    places = []
    if output_format in ("sarif", "github"):
        for step, gate in run.gates:
            moved = [*gate.changes, *(change for change, _ in gate.waived)]
            places.append(step_places(step, moved))
    arguments = ["--base", base, *paths]
    if input_format is not None:
        arguments += ["--input-format", input_format]
    text = render_changes(
        run, output_format, places=places, command=_full_report(arguments, fail_on)
    )
    if run.problems:
        text = _with_problems(
            text, render_gate_problems(run.problems, output_format), output_format
        )
    _emit(text, output_format)
    if run.problems:
        _report(DocumentError(run.problems))
        return EXIT_BAD_INPUT
    return EXIT_CHECK_FAILED if run.failed and not warn_only else EXIT_OK


def _with_problems(report: str, problems: str, output_format: str) -> str:
    """Add bad input to a scanner's report: SARIF's as a run of its own, GitHub's commands after."""
    if not problems:
        return report
    if output_format != "sarif":
        return report + problems
    import json

    from policydiff._render_json import json_text

    merged = json.loads(report)
    merged["runs"].extend(json.loads(problems)["runs"])
    return json_text(merged)


def _full_report(arguments: Sequence[str], fail_on: str) -> str:
    """Return the command that prints a check's full report (for a cut Markdown report)."""
    import shlex

    return shlex.join(["policydiff", "check", *arguments, "--fail-on", fail_on, "--format", "json"])


@contextlib.contextmanager
def _bad_input_reported(output_format: GateFormat, *, base: str | None = None) -> Iterator[None]:
    """Report bad input in the gate's scanner format too, so a scanner gets a valid report.

    A file as the ``--base`` revision holds it (``REV:path`` in messages) is
    placed at its path, the one a scanner knows.
    """
    import attrs

    from policydiff._render import render_gate_problems

    try:
        yield
    except DocumentError as exc:
        problems = exc.problems
        if base is not None:
            prefix = f"{base}:"
            problems = tuple(attrs.evolve(p, file=p.file.removeprefix(prefix)) for p in problems)
        text = render_gate_problems(problems, output_format)
        if text:
            _emit(text, output_format)
        raise


def _pairs(text: str) -> tuple[str, ...]:
    """Split ``DIM=VALUE,DIM=VALUE`` at its commas; ``\\,`` is a comma inside a value."""
    return tuple(part.replace("\\,", ",") for part in re.split(r"(?<!\\),", text))


def _situation(pairs: tuple[str, ...]) -> dict[str, str]:
    """Read DIM=VALUE arguments into a situation."""
    situation: dict[str, str] = {}
    for pair in pairs:
        dim, equals, value = pair.partition("=")
        dim, value = dim.strip(), value.strip()
        if not equals or not dim or not value:
            msg = f"expected DIM=VALUE, such as territory='Belgorod Oblast' (got {pair!r})"
            raise click.BadParameter(msg, param_hint="DIM=VALUE")
        if dim in situation:
            msg = f"{dim} is given twice ({situation[dim]!r} and {value!r})"
            raise click.BadParameter(msg, param_hint="DIM=VALUE")
        situation[dim] = value
    return situation


def _check_optional_when(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    return None if value is None else _check_when(ctx, param, value)


@cli.command(
    "decide", short_help="What a policy decides for a situation, by which rules, since when."
)
@click.argument("path", type=click.Path())
@click.argument("pairs", metavar="DIM=VALUE...", nargs=-1)
@click.option(
    "--at",
    "when",
    metavar="WHEN",
    callback=_check_optional_when,
    help="Ask the version in force then (default: the latest version).",
)
@click.option("--timeline", is_flag=True, help="Show how the decision changed over the history.")
@_format_option
@_input_format_option
def decide_command(
    path: str,
    pairs: tuple[str, ...],
    when: str | None,
    timeline: bool,
    output_format: OutputFormat,
    input_format: str | None,
) -> None:
    """Say what PATH decides for the situation DIM=VALUE..., by which rules, since when.

    PATH is a version document or a history. Each DIM=VALUE gives one
    dimension's value (subject, action or a scope dimension). A dimension
    left out, or a vocabulary parent, asks about every situation it covers:
    the answer is then one decision when they all agree, else "varies" with
    the groups that decide alike. WHEN is read as for `at`.

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff decide . subject=Ukraine action=strike 'territory=Kursk Oblast' weapon=ATACMS --at 2025-01-01
      policydiff decide . subject=Ukraine action=strike 'territory=Kursk Oblast' weapon=ATACMS --timeline
    """
    from policydiff._render import render_answer, render_timeline

    situation = _situation(pairs)
    loaded = policydiff.load_history(path, input_format=input_format)
    if timeline:
        periods = loaded.decision_timeline(situation)
        _emit(render_timeline(loaded, situation, periods, output_format), output_format)
        return
    at = when if when is not None else loaded.last.effective
    answer = loaded.decide(situation, at=at)
    _emit(render_answer(loaded, situation, when, answer, output_format), output_format)


@cli.command(
    "report", short_help="A self-contained HTML report: a timeline, each step, its sources."
)
@click.argument("paths", metavar="PATH | OLD NEW", nargs=-1, required=True, type=click.Path())
@_output_option("The HTML file to write; - writes to standard output.")
@click.option(
    "--situation",
    "situations",
    metavar="DIM=VALUE,...",
    multiple=True,
    help="Draw this situation's decisions over time (repeat for more situations).",
)
@_input_format_option
def report_command(
    paths: tuple[str, ...], output: str, situations: tuple[str, ...], input_format: str | None
) -> None:
    """Write an HTML report of a history (PATH) or of one step (OLD NEW).

    One self-contained page: an SVG timeline of the versions and of each
    rule's life, marks where restrictions were lifted or imposed, then each
    step's changes, decision steps, sources (linked) and the situations whose
    decision changed. It loads nothing from the network; open it in any browser.

    Each --situation (dimensions and values, separated by commas; write \\,
    for a comma inside a value) adds its decision timeline: what the policy
    decided for it, version by version.

    PATH, OLD and NEW are read as log and diff read them. With
    --input-format naming a foreign format (such as aws-iam), PATH is a
    folder of such files (a history), and OLD and NEW are two of them.

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff report . -o report.html
      policydiff report 2022-no-strikes-inside-russia.yaml 2024-05-30-kharkiv.yaml -o step.html
      policydiff report . -o kursk.html --situation "subject=Ukraine,action=strike,territory=Kursk Oblast,weapon=ATACMS"
    """
    from policydiff._documents import write_atomic

    if len(paths) > 2:
        msg = f"expected PATH (a history) or OLD NEW (two versions), got {len(paths)} paths"
        raise click.UsageError(msg)
    asked = [_situation(_pairs(text)) for text in situations]
    with _working("Reading the policy and drawing its report…"):
        if len(paths) == 2 and input_format is None:
            source: policydiff.PolicyHistory | policydiff.PolicyDiff = policydiff.diff(
                policydiff.load(paths[0]), policydiff.load(paths[1])
            )
        elif len(paths) == 2:
            source = policydiff.diff(*_sides(paths[0], paths[1], input_format))
        else:
            source = policydiff.load_history(paths[0], input_format=input_format)
        page = policydiff.report(source, situations=asked)
    if output == "-":
        _out(page)
        return
    write_atomic(output, page)
    _say(f"Wrote {output}: open it in a browser.")


@cli.command("validate", short_help="Check version documents and histories; report every problem.")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path())
@_format_option
@_input_format_option
@_jobs_option
def validate_command(
    paths: tuple[str, ...], output_format: OutputFormat, input_format: str | None, jobs: int
) -> None:
    """Check that every PATH is a valid version document or history.

    A folder is validated as a history: every document in it, and that they
    form one history of one policy. Every problem of every path is reported
    (on stderr, and in JSON too with --format json); the exit code is 0 only
    when all are valid. The JSON form is {"policydiff": 1, "valid": ...,
    "paths": [...], "problems": [...]}. --jobs N reads N paths at once, with
    the same output.

    \b
    Example:
      cd examples/us-ukraine-strikes/history
      policydiff validate .
      policydiff validate 2024-05-30-kharkiv.yaml 2025-06-pentagon-review.yaml
      policydiff validate . --format json
    """
    from functools import partial

    from policydiff._batch import batch, validated
    from policydiff._render import render_validate
    from policydiff._results import Validated

    problems: list[Problem] = []
    results: list[tuple[str, Validated | None]] = []
    with _pool(jobs, len(paths)) as executor:
        outcomes = batch(partial(validated, input_format=input_format), paths, executor=executor)
    for outcome in outcomes:
        if isinstance(outcome.error, DocumentError):
            problems.extend(outcome.error.problems)
            results.append((str(outcome.input), None))
        else:
            results.append((str(outcome.input), outcome.result()))
    if problems:
        # Each path's problems are capped; so are all of them together.
        from policydiff._documents import DEFAULT_LIMITS
        from policydiff._problems import capped

        problems = capped(problems, DEFAULT_LIMITS.max_problems, "policydiff")
    text = render_validate(results, problems, output_format)
    if text:
        _emit(text, output_format)
    if problems:
        raise DocumentError(problems)


@cli.command("import", short_help="Convert a policy of another format into a version document.")
@click.argument("input_format", metavar="FORMAT", type=_Formats())
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--policy", metavar="ID", help="The policy id (default: a sidecar's, or FILE's name)."
)
@click.option(
    "--version",
    "version_label",
    metavar="LABEL",
    help="The version label (default: a sidecar's, FILE's name, or the document's own).",
)
@click.option(
    "--effective",
    metavar="WHEN",
    callback=_check_when,
    help="When this version took effect (default: a sidecar's, FILE's name, or the document's).",
)
@_output_option("The version document to write (atomically); - writes to standard output.")
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(NATIVE_FORMATS),
    help="The document's format (default: the output file's suffix, else yaml).",
)
def import_command(
    input_format: str,
    file: str,
    policy: str | None,
    version_label: str | None,
    effective: str | None,
    output: str,
    output_format: Format | None,
) -> None:
    """Convert FILE, a policy in FORMAT, into a policydiff version document.

    The version label and effective date come from --version and
    --effective, else from FILE's sidecar (NAME.meta.yaml) or its name
    (VERSION@DATE.json, DATE.json), else from the document when its format
    carries them. Comparing foreign files needs no conversion (diff, check,
    log and the others take --input-format FORMAT); import shows what they
    read, and starts a policy's own history.

    \b
    Example:
      policydiff import aws-iam policy.json --policy read-only --version v3 --effective 2024-05-30
      policydiff import aws-iam v3@2024-05-30.json --policy read-only -o read-only-v3.yaml
    """
    from policydiff._documents import SUFFIXES, write_atomic
    from policydiff._inputs import STDIN, read_stdin
    from policydiff.importers._files import import_file
    from policydiff.importers._registry import importer

    if file == STDIN:
        if policy is None:
            message = "standard input has no name to take the policy id from: give --policy"
            raise click.UsageError(message)
        function = importer(input_format, name="<stdin>")
        version: PolicyVersion = function(
            read_stdin(), policy=policy, version=version_label, effective=effective, name="<stdin>"
        )
    else:
        imported = import_file(
            file, input_format, policy=policy, version=version_label, effective=effective
        )
        version = imported.version
    fmt: Format = output_format or SUFFIXES.get(os.path.splitext(output)[1].lower(), "yaml")
    text = policydiff.dumps(version, format=fmt)
    if output == "-":
        _out(text)
    else:
        write_atomic(output, text)


@cli.command("schema", short_help="Print the JSON Schema of a document or of a JSON output.")
@click.argument("name", required=False)
def schema_command(name: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) called NAME; without NAME, list them.

    `version` describes a version document, for an editor's YAML language
    server; the others describe each command's JSON output.

    \b
    Example:
      policydiff schema
      policydiff schema version > policy.schema.json
      policydiff schema diff
    """
    from policydiff._schemas import SCHEMAS, schema_text

    if name is None:
        width = max(map(len, SCHEMAS))
        _out("".join(f"{key:<{width}}  {what}\n" for key, what in SCHEMAS.items()))
        return
    try:
        text = schema_text(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    _out(text)


# -- many paths ----------------------------------------------------------------


@contextlib.contextmanager
def _pool(jobs: int, paths: int) -> Iterator[Executor | None]:
    """Give a process pool of ``jobs`` workers, or ``None`` (work here) when one would do."""
    workers = min(jobs, paths)
    if workers <= 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_leave_interrupts_to_the_parent)
    try:
        # Start the workers now, before a spinner's thread runs: a process
        # forked while another thread holds a lock may wait on it forever.
        pool.submit(os.getpid).result()
        yield pool
    except BrokenProcessPool:
        message = (
            "a worker process ended before its work was done (out of memory?); try fewer --jobs"
        )
        raise click.ClickException(message) from None
    finally:
        pool.shutdown(cancel_futures=True)


def _leave_interrupts_to_the_parent() -> None:
    """Let Ctrl-C stop the command, not each worker with a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Captured(io.StringIO):
    """Standard output or error held for the command that runs many paths.

    It is a terminal when the real stream is, so a worker colours its
    report, or shows no spinner, just as the command would.
    """

    def __init__(self, *, terminal: bool) -> None:
        super().__init__()
        self._terminal = terminal

    def isatty(self) -> bool:
        return self._terminal


@attrs.frozen(kw_only=True)
class _Printed:
    """What a command printed for one path, and its exit code."""

    out: str
    err: str
    status: int
    problems: tuple[Problem, ...] = ()
    usage: str | None = None


@attrs.frozen(kw_only=True)
class _OnePath:
    """Run a command on one path, as if it had been given that path alone.

    Picklable: it names the command and carries its parameters, so a worker
    process runs the same code as ``--jobs 1`` and prints the same bytes.
    """

    command: str
    params: dict[str, object]
    argument: str
    colour: bool

    def __call__(self, path: str) -> _Printed:
        callback = cli.commands[self.command].callback
        assert callback is not None
        out, err = _Captured(terminal=self.colour), _Captured(terminal=False)
        problems: tuple[Problem, ...] = ()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                result = callback(**{**self.params, self.argument: (path,)})
                status = result if isinstance(result, int) else EXIT_OK
            except PolicyDiffError as exc:
                _report(exc)
                problems = tuple(getattr(exc, "problems", ()))
                status = EXIT_BAD_INPUT
            except click.ClickException as exc:
                return _Printed(out="", err="", status=EXIT_BAD_INPUT, usage=exc.format_message())
        return _Printed(out=out.getvalue(), err=err.getvalue(), status=status, problems=problems)


def _each(argument: str, paths: tuple[str, ...], jobs: int, output_format: str) -> int:
    """Run the current command on every path, ``jobs`` at a time, and print in order.

    Each path's output is what the command prints for that path alone:
    under a line naming the path in text and Markdown, merged into one
    document in JSON and SARIF, as it is for GitHub's workflow commands.
    The exit code is 2 when some path was bad input, else the highest.
    """
    from policydiff._batch import batch

    ctx = click.get_current_context()
    alone = {**ctx.params, "jobs": 1}
    if "each" in alone:
        alone["each"] = False
    task = _OnePath(
        command=ctx.command.name or "",
        params=alone,
        argument=argument,
        colour=_colour_wanted(sys.stdout),
    )
    with _pool(jobs, len(paths)) as executor, _working(f"Working on {len(paths)} paths…"):
        printed = [outcome.result() for outcome in batch(task, paths, executor=executor)]
    usage = next((p.usage for p in printed if p.usage is not None), None)
    if usage is not None:
        raise click.UsageError(usage)
    if output_format in ("json", "sarif"):
        _out(_merged(paths, printed, output_format))
        for one in printed:
            _err(one.err)
    else:
        for number, (path, one) in enumerate(zip(paths, printed, strict=True)):
            if output_format != "github":
                _out(("\n" if number else "") + _heading(path, output_format))
            _out(one.out)
            _err(one.err)
    statuses = {one.status for one in printed}
    return EXIT_BAD_INPUT if EXIT_BAD_INPUT in statuses else max(statuses)


def _heading(path: str, output_format: str) -> str:
    """Return the line naming a path above its report, as ``tail`` names its files."""
    from policydiff._render_shared import markdown_escape

    shown_path = visible(path)
    if output_format == "markdown":
        return f"## {markdown_escape(shown_path)}\n\n"
    return f"==> {shown_path} <==\n"


def _merged(paths: Sequence[str], printed: Sequence[_Printed], output_format: str) -> str:
    """Merge the paths' JSON into one document, or their SARIF logs into one with a run each."""
    import json

    from policydiff._render_json import json_text

    documents = [json.loads(one.out) if one.out.strip() else None for one in printed]
    if output_format == "sarif":
        merged = next(doc for doc in documents if doc is not None)
        merged["runs"] = [run for doc in documents if doc is not None for run in doc["runs"]]
        return json_text(merged)
    return json_text(
        {
            "policydiff": 1,
            "paths": [
                {
                    "path": path,
                    "status": one.status,
                    "report": document,
                    "problems": [attrs.asdict(problem) for problem in one.problems],
                }
                for path, one, document in zip(paths, printed, documents, strict=True)
            ],
        }
    )


def _err(text: str) -> None:
    """Write what a command wrote to standard error, exactly as it wrote it."""
    if text:
        with contextlib.suppress(OSError):
            click.echo(text, err=True, nl=False)


# -- running -------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when
            ``None``.

    Returns:
        0 on success, 1 when ``check`` found a change it fails on, 2 for bad
        usage or bad input, 130 when interrupted, 141 when standard output was
        closed early (as when piped into ``head``).
    """
    _python_handles_interrupts()
    _escape_what_the_output_cannot_encode()
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="policydiff",
            standalone_mode=False,
        )
        _flush()
    except PolicyDiffError as exc:
        _report(exc)
        return EXIT_BAD_INPUT
    except click.ClickException as exc:
        exc.show()
        return EXIT_BAD_INPUT
    except (click.Abort, KeyboardInterrupt):
        _say("policydiff: interrupted")
        return EXIT_INTERRUPTED
    except (_OutputClosed, BrokenPipeError):
        # The reader went away (`policydiff log . | head`): not an error to
        # report, but the rest of the output must not fail at exit either.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except _OutputFailed as exc:
        _say(f"policydiff: cannot write the output: {exc}")
        _silence_stdout()
        return EXIT_BAD_INPUT
    return result if isinstance(result, int) else EXIT_OK


def _warn_if_swapped(old: PolicyVersion, new: PolicyVersion) -> None:
    """Say so on stderr when NEW took effect before OLD: the arguments look swapped."""
    if new.effective.instant < old.effective.instant:
        _say(
            f"policydiff: warning: NEW ({new.version}, effective {new.effective}) took effect"
            f" before OLD ({old.version}, effective {old.effective}); the order looks swapped"
        )


def entry_point() -> None:
    """Run :func:`main` with the process's arguments and exit with its code."""
    sys.exit(main())


class _OutputClosed(Exception):
    """Standard output is a pipe whose reader has gone.

    Raised instead of :class:`BrokenPipeError` so that click, which turns an
    ``EPIPE`` into ``sys.exit(1)`` on its own, lets it reach :func:`main`.
    """


class _OutputFailed(Exception):
    """Standard output cannot be written: closed, or its device full or failing."""


def _out(text: str) -> None:
    """Write to standard output exactly as given."""
    if sys.stdout is None:
        closed = "standard output is closed"
        raise _OutputFailed(closed)
    try:
        click.echo(text, nl=False)
    except BrokenPipeError as exc:
        raise _OutputClosed from exc
    except OSError as exc:
        raise _OutputFailed(exc.strerror or str(exc)) from None


def _flush() -> None:
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError as exc:
        raise _OutputClosed from exc
    except OSError as exc:
        raise _OutputFailed(exc.strerror or str(exc)) from None


def _python_handles_interrupts() -> None:
    """Give Ctrl-C back to Python (a KeyboardInterrupt), which start-up took away."""
    with contextlib.suppress(ValueError):  # not the main thread
        if signal.getsignal(signal.SIGINT) is signal.SIG_DFL:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _escape_what_the_output_cannot_encode() -> None:
    """Write ``\\u2192`` for a character the output's encoding lacks, not fail.

    A terminal or pipe set to ASCII or Latin-1 cannot hold every character
    of a policy (an arrow, a name in Cyrillic): those are escaped instead.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _report(exc: PolicyDiffError) -> None:
    problems: Sequence[Problem] = getattr(exc, "problems", ())
    if not problems:
        _say(visible(f"policydiff: {exc}"))
        return
    for problem in problems:
        _say(str(problem))
        if problem.hint:
            _say(visible(f"  hint: {problem.hint}"))


def _say(line: str) -> None:
    with contextlib.suppress(OSError):
        click.echo(line, err=True)


def _silence_stdout() -> None:
    """Point standard output at the null device so the exit flush cannot fail."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


# -- output ----------------------------------------------------------------------


def _colour_wanted(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return not os.environ.get("NO_COLOR") and _is_terminal(stream)


def _emit(text: str, output_format: OutputFormat | str) -> None:
    """Print a renderer's string: coloured text on a terminal, else exactly as given."""
    if not text.endswith("\n"):
        text += "\n"
    if output_format != "text" or not _colour_wanted(sys.stdout):
        _out(text)
        return
    from rich.console import Console

    console = Console(
        file=sys.stdout,
        force_terminal=True,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=True,
    )
    try:
        console.print(_styled(text), end="")
    except BrokenPipeError as exc:
        raise _OutputClosed from exc


#: Colours by direction: a section's heading (bold) and its items' marks.
_COLOURS = {"loosened": "green", "tightened": "red", "mixed": "yellow", "neutral": "dim"}
_COUNT = re.compile(r" \(\d+\)$")


def _styled(text: str) -> Text:
    """Colour a plain report line by line.

    A line at the margin that opens the report or follows a blank line is a
    heading (bold; green or red for the loosened and tightened sections);
    items are coloured by their mark, and their indented details dimmed.
    The headings and marks are the text renderer's own.
    """
    from rich.text import Text

    from policydiff._render_shared import SECTIONS
    from policydiff._render_text import MARKS

    headings = {
        title: f"bold {_COLOURS[direction.value]}"
        for direction, title in SECTIONS
        if direction.value != "neutral"
    }
    marks = {mark: _COLOURS[direction.value] for direction, mark in MARKS.items()}
    item = re.compile(f"^  (?P<mark>[{re.escape(''.join(marks))}]) ")
    styled = Text()
    previous = ""
    for number, line in enumerate(text.splitlines(keepends=True)):
        bare = line.rstrip("\n")
        found = item.match(line)
        if bare and not bare.startswith(" ") and (number == 0 or not previous.strip()):
            styled.append(line, style=headings.get(_COUNT.sub("", bare), "bold"))
        elif found:
            styled.append(line, style=marks[found.group("mark")])
        elif bare.startswith("    "):
            styled.append(line, style="dim")
        else:
            styled.append(line)
        previous = line
    return styled


@contextlib.contextmanager
def _working(message: str) -> Iterator[None]:
    """Show a spinner on stderr while long work runs, when stderr is a terminal."""
    if not _is_terminal(sys.stderr):
        yield
        return
    from rich.console import Console

    with Console(file=sys.stderr).status(message):
        yield


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
