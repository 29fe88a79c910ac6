"""The decisions benchmark runs at its tiny scale and reports every figure."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "bench_decisions.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_decisions", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
