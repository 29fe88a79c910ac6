"""Many policies at once: policydiff.batch and the diff, log and check of many inputs."""

from __future__ import annotations

import pickle  # noqa: TID251 (results cross process boundaries: they must survive pickling)
import shutil
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import policydiff
from policydiff._batch import validated
from policydiff._cli import main
from policydiff._inputs import load_pair
from policydiff._results import Validated

ROOT = Path(__file__).resolve().parent.parent
UKRAINE = ROOT / "examples" / "us-ukraine-strikes" / "history"
EXPORTS = ROOT / "examples" / "export-controls" / "history"
KHARKIV = (
    str(UKRAINE / "2022-no-strikes-inside-russia.yaml"),
    str(UKRAINE / "2024-05-30-kharkiv.yaml"),
)
IAM = ROOT / "examples" / "aws-iam" / "DataLakeReadOnlyAccess"
IAM_PAIR = (str(IAM / "v2@2021-06-15.json"), str(IAM / "v3@2023-02-20.json"))
BAD_EFFECT = (
    "policy: x\nversion: v1\neffective: 2024-01-01\nrules:\n  - {id: r, effect: alow, action: a}\n"
)


class LastFirst(Executor):
    """An executor that runs what it was given in reverse, once a result is wanted.

    Work submitted first finishes last, as on a pool where the first inputs
    are the largest, so an answer that follows completion order shows it.
    """

    def __init__(self) -> None:
        self.pending: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
        self.ran: list[Any] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = _Deferred(self)
        self.pending.append((future, fn, args))
        return future

    def run_pending(self) -> None:
        while self.pending:
            future, fn, args = self.pending.pop()
            self.ran.append(args[0])
            future.set_result(fn(*args))


class _Deferred(Future[Any]):
    def __init__(self, executor: LastFirst) -> None:
        super().__init__()
        self._executor = executor

    def result(self, timeout: float | None = None) -> Any:
        self._executor.run_pending()
        return super().result(timeout)


@pytest.fixture
def histories(tmp_path: Path) -> list[str]:
    """Five histories, the third of them invalid."""
    paths = []
    for number, source in enumerate((UKRAINE, EXPORTS, None, EXPORTS, UKRAINE)):
        folder = tmp_path / f"h{number}"
        if source is None:
            folder.mkdir()
            (folder / "v1.yaml").write_text(BAD_EFFECT)
        else:
            shutil.copytree(source, folder)
        paths.append(str(folder))
    return paths


def _reports(outcomes: list[policydiff.Outcome[str]]) -> list[str | None]:
    return [outcome.value for outcome in outcomes]


# -- batch ---------------------------------------------------------------------


def test_outcomes_follow_the_inputs_when_the_last_input_finishes_first(
    histories: list[str],
) -> None:
    executor = LastFirst()
    outcomes = policydiff.log_many(histories, format="json", executor=executor)
    assert executor.ran == histories[::-1]
    assert [outcome.input for outcome in outcomes] == histories
    assert _reports(outcomes) == _reports(policydiff.log_many(histories, format="json"))


def test_a_bad_input_is_an_outcome_naming_its_file_and_the_others_are_kept(
    histories: list[str],
) -> None:
    outcomes = policydiff.log_many(histories, format="text", executor=LastFirst())
    assert [outcome.ok for outcome in outcomes] == [True, True, False, True, True]
    error = outcomes[2].error
    assert isinstance(error, policydiff.DocumentError)
    assert str(error.problems[0]) == (
        f"{histories[2]}/v1.yaml:5:21: rules[0].effect: unknown effect 'alow'"
        " (expected one of: oblige, permit, prohibit)"
    )
    assert outcomes[2].value is None
    assert all(outcome.result() for i, outcome in enumerate(outcomes) if i != 2)


def test_the_outcome_of_a_bad_input_raises_its_error_when_asked_for_the_value() -> None:
    (outcome,) = policydiff.batch(policydiff.load_history, ["no/such/history"])
    with pytest.raises(policydiff.DocumentError, match="no/such/history: no such file or folder"):
        outcome.result()


def test_an_error_that_is_not_a_policydiff_error_is_raised() -> None:
    def broken(path: str) -> str:
        raise RuntimeError(f"bug on {path}")

    with ThreadPoolExecutor(2) as pool, pytest.raises(RuntimeError, match="bug on a"):
        policydiff.batch(broken, ["a", "b"], executor=pool)
    with pytest.raises(RuntimeError, match="bug on a"):
        policydiff.batch(broken, ["a", "b"])


def test_without_an_executor_each_input_is_worked_on_in_turn_here(histories: list[str]) -> None:
    seen: list[str] = []

    def record(path: str) -> str:
        seen.append(path)
        return path.upper()

    outcomes = policydiff.batch(record, histories)
    assert seen == histories
    assert [outcome.value for outcome in outcomes] == [path.upper() for path in histories]


# -- the three entry points -------------------------------------------------------


def test_diff_many_gives_the_diff_of_each_pair() -> None:
    pairs = [KHARKIV, (str(EXPORTS), str(UKRAINE)), (KHARKIV[1], KHARKIV[0])]
    outcomes = policydiff.diff_many(pairs)
    kharkiv = policydiff.diff(policydiff.load(KHARKIV[0]), policydiff.load(KHARKIV[1]))
    assert outcomes[0].result() == kharkiv
    assert isinstance(outcomes[1].error, policydiff.DiffError)
    assert [c.kind.value for c in outcomes[2].result().tightened()] == ["permission-revoked"]


def test_diff_many_renders_in_the_format_asked() -> None:
    (outcome,) = policydiff.diff_many([KHARKIV], format="markdown")
    kharkiv = policydiff.diff(policydiff.load(KHARKIV[0]), policydiff.load(KHARKIV[1]))
    assert outcome.result() == policydiff.render(kharkiv, "markdown")


def test_log_many_gives_each_history_steps() -> None:
    outcomes = policydiff.log_many([str(UKRAINE), str(EXPORTS)])
    assert [len(outcome.result()) for outcome in outcomes] == [4, 2]
    assert outcomes[0].result() == tuple(policydiff.load_history(UKRAINE).changes())


def test_diff_many_reads_each_side_in_the_input_format_named() -> None:
    (outcome,) = policydiff.diff_many([IAM_PAIR], input_format="aws-iam")
    before, after = load_pair(*IAM_PAIR, input_format="aws-iam")
    assert outcome.result() == policydiff.diff(before, after)
    assert (outcome.result().old.version, outcome.result().new.version) == ("v2", "v3")


def test_diff_many_renders_foreign_documents_as_diff_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (outcome,) = policydiff.diff_many([IAM_PAIR], format="json", input_format="aws-iam")
    assert main(["diff", *IAM_PAIR, "--input-format", "aws-iam", "--format", "json"]) == 0
    assert outcome.result() == capsys.readouterr().out


def test_diff_many_without_the_input_format_reads_foreign_files_as_its_own() -> None:
    (outcome,) = policydiff.diff_many([IAM_PAIR])
    assert isinstance(outcome.error, policydiff.DocumentError)
    assert outcome.error.problems[0].file == IAM_PAIR[0]


def test_log_many_reads_each_history_folder_in_the_input_format_named() -> None:
    outcomes = policydiff.log_many([str(IAM), str(UKRAINE)], input_format="aws-iam")
    assert outcomes[0].result() == tuple(
        policydiff.load_history(IAM, input_format="aws-iam").changes()
    )
    assert [step.new.version for step in outcomes[0].result()] == ["v2", "v3", "v4"]
    # Every history is read in that format: YAML version documents are not IAM policies.
    assert isinstance(outcomes[1].error, policydiff.DocumentError)


def test_log_many_renders_a_foreign_history_as_log_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (outcome,) = policydiff.log_many([str(IAM)], format="markdown", input_format="aws-iam")
    assert main(["log", str(IAM), "--input-format", "aws-iam", "--format", "markdown"]) == 0
    assert outcome.result() == capsys.readouterr().out


def test_foreign_documents_read_in_a_process_pool_equal_those_read_here() -> None:
    with ProcessPoolExecutor(2) as pool:
        diffs = policydiff.diff_many([IAM_PAIR], input_format="aws-iam", executor=pool)
        logs = policydiff.log_many([str(IAM)], format="json", input_format="aws-iam", executor=pool)
    assert diffs[0].result() == policydiff.diff_many([IAM_PAIR], input_format="aws-iam")[0].result()
    assert (
        logs[0].result()
        == policydiff.log_many([str(IAM)], format="json", input_format="aws-iam")[0].result()
    )


def test_check_many_judges_the_newest_step_of_a_history_or_a_pair() -> None:
    outcomes = policydiff.check_many([str(UKRAINE), KHARKIV, str(EXPORTS)], fail_on="loosened")
    checks = [outcome.result() for outcome in outcomes]
    assert [check.failed for check in checks] == [False, True, True]
    assert [check.verdict.value for check in checks] == ["tightened", "loosened", "mixed"]
    assert checks[0].report.startswith("OK: no situation's decision loosened")
    assert "Check failed: 1 group of situations loosened" in checks[1].report


def test_check_many_applies_the_waivers_to_every_input(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - fingerprint: bbcf5d094f45926a\n    reason: Reviewed.\n"
        "    approved_by: Policy board\n    expires: 2999-12-31\n"
    )
    (outcome,) = policydiff.check_many([KHARKIV], fail_on="loosened", waivers=waivers)
    assert outcome.result().failed is False
    assert "Waived" in outcome.result().report


def test_validated_names_the_policy_its_versions_and_the_newest_rules() -> None:
    assert validated(EXPORTS) == Validated(
        policy="northwind-export-rules",
        versions=("baseline", "camera-licence", "research-exception"),
        rules=len(policydiff.load_history(EXPORTS).last.rules),
    )


# -- across processes ---------------------------------------------------------------


def test_a_process_pool_gives_the_same_bytes_as_a_serial_run(histories: list[str]) -> None:
    with ProcessPoolExecutor(2) as pool:
        pooled = policydiff.log_many(histories, format="json", executor=pool)
        checks = policydiff.check_many(histories, fail_on="any", executor=pool)
    assert _reports(pooled) == _reports(policydiff.log_many(histories, format="json"))
    assert [o.value for o in checks] == [
        o.value for o in policydiff.check_many(histories, fail_on="any")
    ]
    assert isinstance(pooled[2].error, policydiff.DocumentError)
    assert pooled[2].error.problems == policydiff.log_many(histories)[2].error.problems  # type: ignore[union-attr]


def test_diffs_from_a_process_pool_equal_and_render_as_those_made_here() -> None:
    pairs = [KHARKIV, (str(UKRAINE), str(UKRAINE))]
    with ProcessPoolExecutor(2) as pool:
        pooled = policydiff.diff_many(pairs, executor=pool)
    here = policydiff.diff_many(pairs)
    assert [o.result() for o in pooled] == [o.result() for o in here]
    assert [policydiff.render(o.result(), "json") for o in pooled] == [
        policydiff.render(o.result(), "json") for o in here
    ]


def _round_trip(value: object) -> Any:
    return pickle.loads(pickle.dumps(value))


@pytest.mark.parametrize(
    "make",
    [
        lambda: policydiff.load(KHARKIV[1]),
        lambda: policydiff.load_history(UKRAINE),
        lambda: policydiff.diff_many([KHARKIV])[0],
        lambda: policydiff.log_many([str(EXPORTS)])[0],
        lambda: policydiff.check_many([KHARKIV], fail_on="loosened")[0],
        lambda: validated(UKRAINE),
    ],
    ids=["version", "history", "diff outcome", "log outcome", "check outcome", "validated"],
)
def test_results_survive_pickling(make: Callable[[], object]) -> None:
    value = make()
    assert _round_trip(value) == value


def test_an_outcome_with_its_error_survives_pickling() -> None:
    (outcome,) = policydiff.batch(policydiff.load_history, ["no/such/history"])
    back = _round_trip(outcome)
    assert back.input == "no/such/history"
    assert type(back.error) is policydiff.DocumentError
    assert back.error.problems == outcome.error.problems  # type: ignore[union-attr]
