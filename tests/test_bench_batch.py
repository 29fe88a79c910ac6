"""The many-policies benchmark runs at its tiny scale and reports every figure.

Only the shape of the report is checked, never a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

import policydiff
from tests.conftest import benchmark_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return benchmark_script("bench_batch")


def test_tiny_run_reports_each_contender_and_the_same_output(bench: ModuleType) -> None:
    figures = bench.run("tiny")

    assert set(figures["medians_s"]) == {
        "serial",
        "batch, 2 processes",
        "batch, 1 process",
        "hand-written pool",
    }
    assert figures["same_output"] is True
    assert all(value > 0 for value in figures["speed_up"].values())
    assert figures["speed_up_free_cores"] > 0
    assert figures["met"] in (True, False)


def test_the_generated_histories_are_valid_and_change_at_every_step(
    bench: ModuleType, tmp_path: Path
) -> None:
    paths = bench.write_histories(tmp_path, histories=2, versions=3, rules=20, changed=2)

    assert len(paths) == 2
    for outcome in policydiff.log_many(paths):
        steps = outcome.result()
        assert len(steps) == 2
        assert all(step.changes for step in steps)
    first, second = (json.loads((Path(p) / "v0001.json").read_text()) for p in paths)
    assert first["rules"] != second["rules"]
