"""The same batch calls on Dask distributed, through ``Client.get_executor()``.

A local cluster of two workers, as threads (no network at all: Dask's
in-process transport) and as processes (listening on the loopback address
only, the dashboard on a free port), stands in for a real one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

import policydiff
from tests.conftest import ROOT

UKRAINE = ROOT / "examples" / "us-ukraine-strikes" / "history"
EXPORTS = ROOT / "examples" / "export-controls" / "history"


@pytest.fixture(
    scope="module", params=["threads", pytest.param("processes", marks=pytest.mark.slow)]
)
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    """A Dask executor over a local cluster of two workers."""
    processes = request.param == "processes"
    # Threads talk in-process; processes listen on the loopback address alone.
    where = (
        {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}
        if processes
        else {"dashboard_address": None}
    )
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=processes,
            worker_dashboard_address=None,
            **where,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client.get_executor()


@pytest.fixture
def histories(tmp_path: Path) -> list[str]:
    """Four histories, the second one missing."""
    shutil.copytree(UKRAINE, tmp_path / "ukraine")
    shutil.copytree(EXPORTS, tmp_path / "exports")
    return [str(tmp_path / name) for name in ("ukraine", "missing", "exports", "ukraine")]


def test_log_many_on_dask_gives_the_bytes_of_a_serial_run(
    executor: Executor, histories: list[str]
) -> None:
    on_dask = policydiff.log_many(histories, format="json", executor=executor)
    here = policydiff.log_many(histories, format="json")
    assert [outcome.input for outcome in on_dask] == histories
    assert [outcome.value for outcome in on_dask] == [outcome.value for outcome in here]


def test_a_missing_history_on_dask_is_an_outcome_naming_it(
    executor: Executor, histories: list[str]
) -> None:
    outcomes = policydiff.check_many(histories, fail_on="loosened", executor=executor)
    assert [outcome.ok for outcome in outcomes] == [True, False, True, True]
    assert isinstance(outcomes[1].error, policydiff.DocumentError)
    assert str(outcomes[1].error) == f"{histories[1]}: no such file or folder"
    assert [outcome.value.failed for outcome in outcomes if outcome.value] == [False, True, False]


def test_diffs_made_on_dask_equal_those_made_here(executor: Executor) -> None:
    pairs = [(str(UKRAINE / "2022-no-strikes-inside-russia.yaml"), str(UKRAINE))]
    (on_dask,) = policydiff.diff_many(pairs, executor=executor)
    (here,) = policydiff.diff_many(pairs)
    assert on_dask.result() == here.result()
