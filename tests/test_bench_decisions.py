"""The decisions benchmark runs at its tiny scale and reports every figure."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.conftest import benchmark_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return benchmark_script("bench_decisions")


def test_tiny_run_reports_each_case(bench: ModuleType) -> None:
    figures = bench.run("tiny")

    assert [figure["case"] for figure in figures] == ["verdict", "dense", "decide"]
    assert figures[0]["ratio"] is not None
    assert figures[1]["outcome"].endswith("groups")
    assert set(figures[2]["decisions"]) <= {"permitted", "prohibited", "conditional", "varies"}


def test_the_dense_pair_has_rules_overlapping_along_different_dimensions(
    bench: ModuleType,
) -> None:
    old, new = bench.dense_pair(rules=40)

    assert len(old.rules) == len(new.rules) == 40
    named = {frozenset(rule.scope) for rule in old.rules}
    assert len(named) > 20
