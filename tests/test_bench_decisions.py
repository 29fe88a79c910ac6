"""The decisions benchmark runs at its tiny scale and reports every figure."""

from __future__ import annotations

import json
from types import ModuleType

import pytest

from tests.conftest import benchmark_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return benchmark_script("bench_decisions")


def test_tiny_run_reports_each_case(bench: ModuleType) -> None:
    figures = bench.run("tiny")

    assert [figure["case"] for figure in figures] == [
        "verdict",
        "dense",
        "decide",
        "embargo",
        "wide",
    ]
    assert figures[0]["ratio"] is not None
    verdict, counted = figures[0]["outcome"].split(", ")
    known, total = counted.removesuffix(" effects").split(" of ")
    assert verdict in {"equivalent", "loosened", "tightened", "mixed"}
    assert known == total
    assert figures[1]["outcome"].endswith("groups")
    assert set(figures[2]["decisions"]) <= {"permitted", "prohibited", "conditional", "varies"}
    assert figures[3]["impact"] == "1 groups"
    assert figures[3]["verdict"] == "tightened; effects tightened"
    assert figures[3]["decide_partial_answer"].startswith("varies, ")


def test_the_embargo_pair_grows_one_list_by_a_value_no_other_rule_names(
    bench: ModuleType,
) -> None:
    old, new = bench.embargo_pair(dimensions=5, lists=16)

    assert len(old.rules) == len(new.rules) == 81
    changed = [(a, b) for a, b in zip(old.rules, new.rules, strict=True) if a != b]
    assert len(changed) == 1
    ((before, after),) = changed
    grown = {v for values in after.scope.values() for v in values}
    kept = {v for values in before.scope.values() for v in values}
    assert len(grown - kept) == 1


def test_wide_policies_name_four_to_six_dimensions_in_every_rule(bench: ModuleType) -> None:
    old, new = bench.wide_pair(200)

    assert {len(rule.scope) for rule in old.rules} == {4, 5, 6}
    assert len({rule.id for rule in old.rules}) == 200
    assert sum(a != b for a, b in zip(old.rules, new.rules, strict=True)) == 2


def test_the_dense_pair_has_rules_overlapping_along_different_dimensions(
    bench: ModuleType,
) -> None:
    old, new = bench.dense_pair(rules=40)

    assert len(old.rules) == len(new.rules) == 40
    named = {frozenset(rule.scope) for rule in old.rules}
    assert len(named) > 20


def test_only_runs_the_cases_asked_for(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["tiny", "--only", "embargo", "--only", "decide"]) == 0

    figures = json.loads(capsys.readouterr().out)
    assert [figure["case"] for figure in figures] == ["decide", "embargo"]
