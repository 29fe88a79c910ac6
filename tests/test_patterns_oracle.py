"""On pattern dimensions the evaluator agrees with the brute-force oracle, string by string.

Each property draws a tiny policy whose actions (and one scope dimension)
hold glob patterns (tests/strategies.py, "small policies on pattern
dimensions"). The oracle (tests/oracle.py) matches every short string over
the patterns' characters with a regular expression written from the format
page, so every class of strings the patterns tell apart is asked about
through the public API: ``decide``, ``impact``, ``PolicyDiff.verdict`` and
``Change.effect``.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import policydiff
from policydiff import PolicyVersion
from tests import oracle
from tests.strategies import SMALL_PATTERNS, small_pattern_pairs, small_pattern_versions
from tests.test_decisions_oracle import (
    assert_decides_every_situation,
    assert_decides_many,
    assert_impact,
    assert_verdict_and_effects,
    shown,
)


@given(small_pattern_versions())
def test_decide_on_every_string_matches_the_oracle(version: PolicyVersion) -> None:
    assert_decides_every_situation(version)


@given(small_pattern_versions(), st.sampled_from(SMALL_PATTERNS))
def test_asking_with_a_pattern_answers_for_every_string_it_matches(
    version: PolicyVersion, asked: str
) -> None:
    assert_decides_many(version, {"action": asked})


@given(small_pattern_pairs())
def test_impact_cubes_hold_exactly_the_strings_whose_decision_moved_with_their_outcomes(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    assert_impact(*pair)


@given(small_pattern_pairs())
def test_verdict_and_change_effects_on_patterns_match_the_oracle(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    assert_verdict_and_effects(*pair)


@given(small_pattern_pairs())
def test_a_scope_change_on_patterns_is_broadened_exactly_when_it_covers_more_strings(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    old, new = pair
    strings = oracle.pair_space(old, new)
    for change in policydiff.diff(old, new):
        if change.dimension is None or not change.kind.value.startswith("scope-"):
            continue
        before, after = old.rule(change.rule), new.rule(change.rule)
        values = strings[change.dimension]
        was = {v for v in values if oracle.covers_value(old, before, change.dimension, v)}
        now = {v for v in values if oracle.covers_value(new, after, change.dimension, v)}
        expected = (
            "scope-broadened" if was < now else "scope-narrowed" if now < was else "scope-changed"
        )
        assert change.kind.value == expected, f"{change.rule}: {shown(old)}\n{shown(new)}"
