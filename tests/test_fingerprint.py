"""Change fingerprints: stable names for changes, for waivers and code scanners."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import yaml

import policydiff
from policydiff._impact import judge_gate
from policydiff._render import render_gate
from tests.conftest import ROOT

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"


def fingerprints(d: policydiff.PolicyDiff) -> dict[tuple[str | None, str], str]:
    return {(c.rule, c.kind.value): c.fingerprint for c in d.changes}


def test_a_fingerprint_is_the_same_on_every_run_and_machine() -> None:
    found = policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV))
    granted = [c for c in found.changes if c.kind.value == "permission-granted"]
    # Pinned: a sha256 of fixed fields, so no seed, process or platform moves it.
    assert [c.fingerprint for c in granted] == ["bbcf5d094f45926a"]


def test_fingerprints_ignore_the_order_of_rules_and_values(tmp_path: Path) -> None:
    data = yaml.safe_load(KHARKIV.read_text(encoding="utf-8"))
    data["rules"].reverse()
    for rule in data["rules"]:
        for key, value in rule.get("scope", {}).items():
            if isinstance(value, list):
                rule["scope"][key] = list(reversed(value))
    shuffled = tmp_path / "kharkiv.json"
    shuffled.write_text(json.dumps(data, default=str), encoding="utf-8")
    before = policydiff.load(BEFORE)
    expected = fingerprints(policydiff.diff(before, policydiff.load(KHARKIV)))
    assert fingerprints(policydiff.diff(before, policydiff.load(shuffled))) == expected


def test_fingerprints_differ_between_changes_and_between_policies() -> None:
    before, after = policydiff.load(BEFORE), policydiff.load(KHARKIV)
    found = policydiff.diff(before, after)
    assert len({c.fingerprint for c in found.changes}) == len(found.changes)
    other = policydiff.diff(
        attrs.evolve(before, policy="another-policy"), attrs.evolve(after, policy="another-policy")
    )
    assert not {c.fingerprint for c in found.changes} & {c.fingerprint for c in other.changes}


def test_fingerprints_ignore_wording_and_sources() -> None:
    change = policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV)).changes[0]
    reworded = attrs.evolve(change, description="Other words.", sources=(), note="why")
    assert reworded.fingerprint == change.fingerprint


def test_every_change_in_the_json_carries_its_fingerprint() -> None:
    found = policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV))
    data = found.to_dict()
    assert [c["fingerprint"] for c in data["changes"]] == [c.fingerprint for c in found.changes]


def test_a_history_step_gives_the_same_fingerprints_as_its_two_files() -> None:
    history = policydiff.load_history(HISTORY)
    step = history.diff("no-strikes-inside-russia", "kharkiv-defensive-strikes")
    pair = policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV))
    assert fingerprints(step) == fingerprints(pair)


def test_the_gate_shows_each_offending_changes_fingerprint_in_text_and_markdown() -> None:
    gate = judge_gate(
        policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV)), "loosened"
    )
    (change,) = gate.changes
    assert f"    fingerprint {change.fingerprint}\n" in render_gate(gate, "text")
    assert f"(fingerprint `{change.fingerprint}`)" in render_gate(gate, "markdown")
