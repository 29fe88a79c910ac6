"""The benchmark script still runs: a tiny-size run reports every case.

Only the shape of the report is checked, never a time: timings on a shared
machine flake, and the figures live in docs/performance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import benchmark_script

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """The ``--json`` report of ``benchmarks/run.py --scale tiny``."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--scale", "tiny", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_case_is_reported(report: dict[str, Any]) -> None:
    cases = {case["case"] for case in report["cases"]}
    assert {
        "diff",
        "diff, flagship",
        "load json",
        "load yaml",
        "log",
        "log, from files",
        "at",
        "refuse",
        "start",
        "sweep",
        "peers",
        "log, adding and removing",
        "timeline",
        "load memory",
        "store",
    } <= cases
    assert any(case.startswith("impact") for case in cases)


def test_every_case_that_ran_has_a_median_and_a_ratio(report: dict[str, Any]) -> None:
    ran = [case for case in report["cases"] if not case["skipped"]]
    assert ran
    for case in ran:
        assert case["results"], case["case"]
        assert case["ratios"], case["case"]
        for result in case["results"]:
            assert result["median_s"] > 0, (case["case"], result["name"])
        for ratio in case["ratios"]:
            assert ratio["value"] > 0, (case["case"], ratio["name"])
            assert ratio["met"] in (True, False, None)


def test_a_skipped_case_says_why(report: dict[str, Any]) -> None:
    for case in report["cases"]:
        if case["skipped"]:
            assert any(note.startswith("skipped:") for note in case["notes"]), case["case"]


def test_every_case_is_measured_against_a_baseline(report: dict[str, Any]) -> None:
    names = {case["case"]: {r["name"] for r in case["results"]} for case in report["cases"]}
    assert {"policydiff.diff", "attrs == floor", "raw DeepDiff"} <= names["diff"]
    assert {"policydiff.load", "json.loads"} <= names["load json"]
    assert {"policydiff.load", "yaml CSafeLoader"} <= names["load yaml"]
    assert {"load_history(), 200 rules", "load_history(), 400 rules"} <= names["log, from files"]
    assert {"duplicate keys, 200", "duplicate keys, 400", "duplicate keys, 200, valid"} <= names[
        "refuse"
    ]
    assert {"python -c pass", "policydiff --help"} <= names["start"]


def test_linear_work_and_a_fast_start_are_ratios_with_targets(report: dict[str, Any]) -> None:
    ratios = {
        (case["case"], ratio["name"]): ratio["target"]
        for case in report["cases"]
        for ratio in case["ratios"]
    }
    assert ratios[("refuse", "unknown source ids: 2n / n")] == "<= 3 (linear is 2, quadratic 4)"
    assert ratios[("start", "policydiff --help / python -c pass")] == "<= 8"


def test_each_target_of_the_second_round_is_a_ratio_with_its_target(
    report: dict[str, Any],
) -> None:
    ratios = {
        (case["case"], ratio["name"]): ratio["target"]
        for case in report["cases"]
        for ratio in case["ratios"]
    }
    assert ratios[("diff", "diff / attrs floor")] == "<= 2"
    assert ratios[("diff", "diff, rules added and removed / attrs floor paired by id")] == "<= 2"
    assert ratios[("log, adding and removing", "a step adding and removing / a step editing")] == (
        "<= 1.5"
    )
    assert ratios[("timeline", "rule_timeline(id) / a scan of the changes")] == "<= 2"
    assert ratios[("load memory", "peak / kept memory")] == "<= 1.5"
    assert ratios[("store", "folder of documents / store (size)")] == ">= 20"
    assert ratios[("store", "to_store / dumping every version")] == "<= 3"
    assert ratios[("store", "from_store: peak / kept memory")] == "<= 1.5"
    sweep = [name for case, name in ratios if case == "sweep"]
    assert sweep[0].endswith("0.01% changed")
    assert sweep[-1].endswith("100.00% changed")


def test_the_peers_are_measured_or_named_as_missing(report: dict[str, Any]) -> None:
    (peers,) = [case for case in report["cases"] if case["case"] == "peers"]
    measured = {result["name"] for result in peers["results"]}
    assert {"policydiff.diff", "raw DeepDiff"} <= measured
    for name in ("jsondiff", "dictdiffer", "jycm"):
        assert name in measured or any(name in note for note in peers["notes"])


def test_the_report_names_the_machine(report: dict[str, Any]) -> None:
    assert report["scale"] == "tiny"
    assert report["machine"]["cpus"] >= 1
    assert report["machine"]["python"]


def test_the_table_lists_each_case(report: dict[str, Any]) -> None:
    text = benchmark_script("run").table(report)
    assert "| diff |" in text
    assert "diff / attrs floor" in text
    assert "| start | a new process | policydiff --help / python -c pass |" in text
