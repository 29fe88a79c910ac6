"""The pattern benchmark runs at its tiny scale and reports every figure."""

from __future__ import annotations

from types import ModuleType

import pytest

from policydiff import Case
from tests.conftest import benchmark_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return benchmark_script("bench_patterns")


def test_tiny_run_reports_each_case(bench: ModuleType) -> None:
    figures = bench.run("tiny")

    assert [figure["case"] for figure in figures] == ["impact", "decide", "budget"]
    assert figures[0]["ratio"] is not None
    assert figures[0]["groups"] > 0
    assert figures[2]["refused"] is True


def test_the_iam_shaped_pair_holds_patterns_and_widens_some_statements(
    bench: ModuleType,
) -> None:
    old, new = bench.iam_pair(statements=20)

    assert dict(old.patterns) == {"action": Case.INSENSITIVE, "resource": Case.SENSITIVE}
    widened = [r for r in new.rules if any(a.endswith(":*") for a in r.action)]
    assert len(old.rules) == len(new.rules) == 20
    assert widened
