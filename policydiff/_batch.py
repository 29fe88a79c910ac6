"""Many policies at once, through any :class:`concurrent.futures.Executor`.

Each input is a path (or a pair of paths), and the worker that takes it reads
its own files: what travels to a worker is a path and a small picklable task,
and what travels back is one :class:`Outcome` per input. Sending loaded
versions to worker processes costs more than reading them there.

Outcomes come back in the order of the inputs, equal to what a run without
an executor gives, whatever order the workers finish in. An input that fails
with a :class:`~policydiff.errors.PolicyDiffError` becomes an outcome holding
that error; the others are not disturbed. Any other exception is a bug and
is raised, after the inputs not yet started are cancelled.

The executor may be a process pool, a thread pool, or Dask distributed's
``Client.get_executor()``: only ``submit`` and the futures' ``result`` are
used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from typing import Generic, TypeAlias, TypeVar, overload

import attrs

from policydiff._diff import diff
from policydiff._history_load import load_history
from policydiff._impact import judge_gate
from policydiff._inputs import last_step, load_pair
from policydiff._render import OutputFormat, render, render_gate
from policydiff._results import PolicyDiff, Validated
from policydiff._waivers import load_waivers
from policydiff.errors import PolicyDiffError
from policydiff.model import Verdict

__all__ = [
    "Check",
    "Outcome",
    "batch",
    "check_many",
    "diff_many",
    "log_many",
    "validated",
    "values_or_errors",
]

T = TypeVar("T")
In = TypeVar("In")

#: A path, as ``open`` takes it.
PathLike: TypeAlias = "str | os.PathLike[str]"
#: What ``check_many`` takes: a history (its newest step) or OLD and NEW.
CheckInput: TypeAlias = "PathLike | tuple[PathLike, PathLike]"


@attrs.frozen(kw_only=True)
class Outcome(Generic[T]):
    """What one input of a batch gave: its value, or the error that stopped it.

    Attributes:
        input: The input as given (a path, or a pair of paths).
        value: What the work returned; ``None`` when it failed.
        error: The :class:`~policydiff.errors.PolicyDiffError` that stopped
            the work on this input (it names the file and the place), or
            ``None``.
    """

    __module__ = "policydiff"

    input: object
    value: T | None = None
    error: PolicyDiffError | None = None

    @property
    def ok(self) -> bool:
        """Whether the work on this input succeeded."""
        return self.error is None

    def result(self) -> T:
        """Return the value, or raise the error that stopped the work.

        Raises:
            PolicyDiffError: The error this input failed with.
        """
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


@attrs.frozen(kw_only=True)
class Check:
    """A review gate's judgement of one input, judged by decisions.

    Attributes:
        failed: Whether some situation's decision moved the way the check
            fails on (as ``policydiff check`` exits 1).
        verdict: The step's verdict over every situation.
        report: What ``policydiff check`` prints for it, in the format asked.
    """

    __module__ = "policydiff"

    failed: bool
    verdict: Verdict
    report: str


@attrs.frozen
class _Attempt(Generic[In, T]):
    """Run ``function`` on one input and keep a PolicyDiffError as the outcome."""

    function: Callable[[In], T]

    def __call__(self, item: In) -> Outcome[T]:
        try:
            return Outcome(input=item, value=self.function(item))
        except PolicyDiffError as exc:
            return Outcome(input=item, error=exc)


def batch(
    function: Callable[[In], T], inputs: Iterable[In], *, executor: Executor | None = None
) -> list[Outcome[T]]:
    """Run ``function`` on every input, through ``executor`` when one is given.

    Args:
        function: What to do with one input. With a process pool or Dask it
            must travel to the worker: a module-level function, or a
            :func:`functools.partial` of one. What it returns travels back
            whole: return a report or a summary rather than loaded
            versions, which cost more to send than to read again.
        inputs: The inputs, usually paths: each worker reads its own files.
        executor: Any :class:`concurrent.futures.Executor` (a process or
            thread pool, Dask's ``Client.get_executor()``); without one the
            inputs are worked on one after the other in this process.

    Returns:
        One :class:`Outcome` per input, in the order of ``inputs``.

    Raises:
        Exception: Whatever ``function`` raised that is not a
            :class:`~policydiff.errors.PolicyDiffError` (the work not yet
            started is cancelled).

    >>> outcomes = policydiff.batch(policydiff.load_history, ["examples/export-controls/history", "nowhere"])
    >>> [(o.input, o.ok) for o in outcomes]
    [('examples/export-controls/history', True), ('nowhere', False)]
    >>> print(outcomes[1].error)
    nowhere: no such file or folder
    """
    attempt: _Attempt[In, T] = _Attempt(function)
    items = list(inputs)
    if executor is None:
        return [attempt(item) for item in items]
    futures: list[Future[Outcome[T]]] = []
    try:
        futures.extend(executor.submit(attempt, item) for item in items)
        return [future.result() for future in futures]
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def values_or_errors(
    function: Callable[[In], T], inputs: Iterable[In], *, executor: Executor | None = None
) -> list[T | PolicyDiffError]:
    """Run ``function`` on every input as :func:`batch` does; give each value or its error."""
    outcomes = batch(function, inputs, executor=executor)
    return [outcome.error or outcome.result() for outcome in outcomes]


@attrs.frozen
class _Diff:
    format: OutputFormat | None
    input_format: str | None = None

    def __call__(self, pair: tuple[PathLike, PathLike]) -> object:
        old, new = pair
        sides = load_pair(os.fspath(old), os.fspath(new), input_format=self.input_format)
        found = diff(*sides)
        return found if self.format is None else render(found, self.format)


@attrs.frozen
class _Log:
    format: OutputFormat | None
    input_format: str | None = None

    def __call__(self, path: PathLike) -> object:
        history = load_history(path, input_format=self.input_format)
        return tuple(history.changes()) if self.format is None else render(history, self.format)


@attrs.frozen
class _Check:
    fail_on: str
    format: OutputFormat
    waivers: PathLike | None

    def __call__(self, item: CheckInput) -> Check:
        if isinstance(item, tuple):
            before, after = load_pair(os.fspath(item[0]), os.fspath(item[1]))
        else:
            before, after = last_step(os.fspath(item))
        waivers = load_waivers(self.waivers) if self.waivers is not None else ()
        gate = judge_gate(diff(before, after), self.fail_on, waivers=waivers)
        return Check(
            failed=gate.failed, verdict=gate.verdict, report=render_gate(gate, self.format)
        )


@overload
def diff_many(
    pairs: Iterable[tuple[PathLike, PathLike]],
    *,
    format: None = None,
    input_format: str | None = None,
    executor: Executor | None = None,
) -> list[Outcome[PolicyDiff]]: ...
@overload
def diff_many(
    pairs: Iterable[tuple[PathLike, PathLike]],
    *,
    format: OutputFormat,
    input_format: str | None = None,
    executor: Executor | None = None,
) -> list[Outcome[str]]: ...
def diff_many(
    pairs: Iterable[tuple[PathLike, PathLike]],
    *,
    format: OutputFormat | None = None,
    input_format: str | None = None,
    executor: Executor | None = None,
) -> list[Outcome[PolicyDiff]] | list[Outcome[str]]:
    """Compare many pairs of versions, each read by the worker that compares it.

    Each side is read as ``policydiff diff OLD NEW`` reads it: a version
    document, a history folder (its newest version) or the null device for
    no policy.

    Args:
        pairs: ``(old, new)`` paths.
        format: ``None`` for the :class:`~policydiff.PolicyDiff` objects;
            ``"text"``, ``"markdown"`` or ``"json"`` for the report each
            diff renders to (rendered by the worker: a report travels back
            faster than two versions).
        input_format: As ``policydiff diff --input-format`` takes it: a
            foreign format (``aws-iam``, ``k8s-rbac``, ...) that every side
            is read in, through its importer; or ``yaml``, ``json`` or
            ``toml`` for files without a suffix that names one.
        executor: Where to run; see :func:`batch`.

    Returns:
        One :class:`Outcome` per pair, in order.

    >>> folder = "examples/aws-iam/DataLakeReadOnlyAccess"
    >>> pair = (f"{folder}/v1@2019-03-01.json", f"{folder}/v2@2021-06-15.json")
    >>> outcomes = policydiff.diff_many([pair], input_format="aws-iam")
    >>> outcomes[0].result().summary
    {'loosened': 1, 'tightened': 0, 'neutral': 0, 'mixed': 0}
    """
    task = _Diff(format, input_format)
    return batch(task, pairs, executor=executor)  # type: ignore[return-value]


@overload
def log_many(
    histories: Iterable[PathLike],
    *,
    format: None = None,
    input_format: str | None = None,
    executor: Executor | None = None,
) -> list[Outcome[tuple[PolicyDiff, ...]]]: ...
@overload
def log_many(
    histories: Iterable[PathLike],
    *,
    format: OutputFormat,
    input_format: str | None = None,
    executor: Executor | None = None,
) -> list[Outcome[str]]: ...
def log_many(
    histories: Iterable[PathLike],
    *,
    format: OutputFormat | None = None,
    input_format: str | None = None,
    executor: Executor | None = None,
) -> list[Outcome[tuple[PolicyDiff, ...]]] | list[Outcome[str]]:
    """Read many histories and list each one's changes, step by step.

    Args:
        histories: Folders of version documents, or history documents.
        format: ``None`` for each history's steps (one
            :class:`~policydiff.PolicyDiff` per pair of consecutive
            versions, as :meth:`PolicyHistory.changes` gives them); a format
            for the log as ``policydiff log HISTORY --format FORMAT`` prints
            it.
        input_format: As ``policydiff log --input-format`` takes it: a
            foreign format (``aws-iam``, ...) that every file of each
            history folder is read in, through its importer; or ``yaml``,
            ``json`` or ``toml`` for a history document without a suffix
            that names one.
        executor: Where to run; see :func:`batch`.

    Returns:
        One :class:`Outcome` per history, in order.

    >>> outcomes = policydiff.log_many(["examples/us-ukraine-strikes/history"], format="text")
    >>> print(outcomes[0].result().splitlines()[0])
    us-weapons-use-ukraine: no-strikes-inside-russia → kharkiv-defensive-strikes
    >>> folder = "examples/aws-iam/DataLakeReadOnlyAccess"
    >>> outcomes = policydiff.log_many([folder], input_format="aws-iam")
    >>> [step.new.version for step in outcomes[0].result()]
    ['v2', 'v3', 'v4']
    """
    task = _Log(format, input_format)
    return batch(task, histories, executor=executor)  # type: ignore[return-value]


def check_many(
    inputs: Iterable[CheckInput],
    *,
    fail_on: str,
    format: OutputFormat = "text",
    waivers: PathLike | None = None,
    executor: Executor | None = None,
) -> list[Outcome[Check]]:
    """Run the review gate on many inputs, judged by decisions.

    Args:
        inputs: Each a history (folder or document: its newest step is
            checked, as ``policydiff check HISTORY`` does) or an ``(old,
            new)`` pair of paths.
        fail_on: ``"loosened"``, ``"tightened"`` or ``"any"``.
        format: The format of each :attr:`Check.report`.
        waivers: A waivers file that applies to every input.
        executor: Where to run; see :func:`batch`.

    Returns:
        One :class:`Outcome` per input, in order; each value a :class:`Check`.

    >>> outcomes = policydiff.check_many(["examples/us-ukraine-strikes/history"], fail_on="loosened")
    >>> outcomes[0].result().failed
    False
    """
    return batch(_Check(fail_on, format, waivers), inputs, executor=executor)


def validated(path: PathLike, *, input_format: str | None = None) -> Validated:
    """Read a path as ``policydiff validate`` does and say what it holds.

    Raises:
        DocumentError: The path is not a valid document or history.
    """
    history = load_history(path, input_format=input_format)
    labels = tuple(version.version for version in history.versions)
    return Validated(policy=history.policy, versions=labels, rules=len(history.last.rules))
