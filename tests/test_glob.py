"""Glob algebra (pattern values) against brute force: every short string, matched by a regex.

The regular expression is written from the format page's definition (``*``
any run, ``?`` one character, anything else itself; with case folding a
letter also matches its other case), not from the package's automaton.
Every string up to a length over a small alphabet is tried; the patterns
drawn are short enough that any difference shows on such a string.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policydiff._glob import Pattern, atoms, contains, intersects
from policydiff.errors import DiffError

#: ``c`` is named by no pattern: it stands for every character none names.
ALPHABET = "abc"
LONGEST = 7
FOLDED_ALPHABET = "aAbc"
FOLDED_LONGEST = 5

patterns = st.text(alphabet="ab*?", max_size=4)
folded_patterns = st.text(alphabet="aAb*?", max_size=3)


@cache
def strings(alphabet: str, longest: int) -> tuple[str, ...]:
    return tuple(
        "".join(chars)
        for size in range(longest + 1)
        for chars in itertools.product(alphabet, repeat=size)
    )


def regex(pattern: str, *, fold: bool = False) -> re.Pattern[str]:
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if fold else re.DOTALL)


def language(pattern: str, *, fold: bool = False) -> frozenset[str]:
    compiled = regex(pattern, fold=fold)
    alphabet, longest = (FOLDED_ALPHABET, FOLDED_LONGEST) if fold else (ALPHABET, LONGEST)
    return frozenset(s for s in strings(alphabet, longest) if compiled.fullmatch(s))


@given(patterns, patterns)
def test_containment_is_inclusion_of_the_matched_strings(outer: str, inner: str) -> None:
    expected = language(inner) <= language(outer)
    assert contains(Pattern(outer), Pattern(inner)) is expected


@given(patterns, patterns)
def test_two_patterns_intersect_exactly_when_some_string_matches_both(one: str, other: str) -> None:
    expected = bool(language(one) & language(other))
    assert intersects(Pattern(one), Pattern(other)) is expected


@given(folded_patterns, folded_patterns)
def test_case_folded_containment_ignores_the_case_of_letters(outer: str, inner: str) -> None:
    expected = language(inner, fold=True) <= language(outer, fold=True)
    assert contains(Pattern(outer, fold=True), Pattern(inner, fold=True)) is expected


@given(st.lists(patterns, min_size=1, max_size=3), patterns)
def test_a_union_contains_a_pattern_when_every_string_it_matches_is_in_one_of_them(
    outers: list[str], inner: str
) -> None:
    union = frozenset().union(*(language(p) for p in outers))
    expected = language(inner) <= union
    assert contains([Pattern(p) for p in outers], Pattern(inner)) is expected


@given(st.lists(patterns, min_size=1, max_size=3, unique=True))
def test_the_atoms_are_exactly_the_signatures_some_string_has(texts: list[str]) -> None:
    compiled = [regex(t) for t in texts]
    seen = {
        frozenset(i for i, r in enumerate(compiled) if r.fullmatch(s))
        for s in strings(ALPHABET, LONGEST)
    }
    found = atoms([Pattern(t) for t in texts])
    assert {a.signature for a in found} == seen
    for atom in found:
        matched = frozenset(i for i, r in enumerate(compiled) if r.fullmatch(atom.witness))
        assert matched == atom.signature


@given(patterns, st.text(alphabet="abc*?", max_size=LONGEST))
def test_matching_a_value_agrees_with_the_regex(pattern: str, value: str) -> None:
    assert Pattern(pattern).matches(value) is bool(regex(pattern).fullmatch(value))


def test_a_literal_reads_stars_and_question_marks_as_themselves() -> None:
    literal = Pattern("s3:*", literal=True)
    assert (literal.matches("s3:*"), literal.matches("s3:GetObject")) == (True, False)


def test_folding_matches_either_case_of_a_letter() -> None:
    assert Pattern("S3:Get*", fold=True).matches("s3:getobject")


def test_without_folding_case_counts() -> None:
    assert not Pattern("S3:Get*").matches("s3:getobject")


def test_too_many_overlapping_patterns_exceed_the_state_budget() -> None:
    hostile = [Pattern(f"*a{'?' * n}b*") for n in range(8)]
    with pytest.raises(DiffError, match="steps to compare"):
        atoms(hostile, limit=2_000)
