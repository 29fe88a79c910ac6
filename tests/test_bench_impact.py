"""The impact benchmark runs, at its tiny scale, and reports its figures."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.conftest import benchmark_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return benchmark_script("bench_impact")


def test_tiny_run_reports_every_figure(bench: ModuleType) -> None:
    figures = bench.run("tiny")
    assert set(figures) == {
        "scale",
        "dimensions",
        "values_per_dimension",
        "refined_values_per_dimension",
        "rules_old",
        "rules_new",
        "rules_changed",
        "base_seconds",
        "refined_seconds",
        "ratio",
        "base_cubes",
        "refined_cubes",
    }
    assert figures["scale"] == "tiny"
    assert figures["refined_values_per_dimension"] == 10 * figures["values_per_dimension"]


def test_refining_the_vocabulary_does_not_change_the_answer(bench: ModuleType) -> None:
    figures = bench.run("tiny")
    assert figures["rules_changed"] > 0
    assert figures["base_cubes"] == figures["refined_cubes"] > 0


def test_the_generator_is_deterministic(bench: ModuleType) -> None:
    assert bench.generate("tiny") == bench.generate("tiny")
