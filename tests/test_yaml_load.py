"""Reading YAML from the parser's events gives what the composing loader gives.

``yaml_load`` builds plain data straight from the C parser's events; these
tests hold it to ``yaml.load(text, Loader=YamlLoader)``, the loader it
replaces (kept for placing problems): the same values, the same refusals
with the same marks, and the same word on repeated keys.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policydiff
from policydiff import _locate, _parse
from policydiff._parse import YamlLoader, yaml_load


def composed(text: str) -> tuple[str, Any]:
    """What the composing loader makes of ``text``: its data or its error."""
    loader = YamlLoader(text)
    try:
        return "data", loader.get_single_data()
    except yaml.YAMLError as exc:
        return "error", _described(exc)
    finally:
        loader.dispose()


def composed_repeats(text: str) -> bool:
    loader = YamlLoader(text)
    try:
        loader.get_single_data()
        return loader.duplicates
    finally:
        loader.dispose()


def streamed(text: str) -> tuple[str, Any]:
    try:
        return "data", yaml_load(text)[0]
    except yaml.YAMLError as exc:
        return "error", _described(exc)


def _described(exc: yaml.YAMLError) -> tuple[Any, ...]:
    if isinstance(exc, yaml.MarkedYAMLError):
        marks = tuple(
            None if mark is None else (mark.line, mark.column)
            for mark in (exc.context_mark, exc.problem_mark)
        )
        return type(exc), exc.context, exc.problem, marks
    return type(exc), str(exc)


def same(left: Any, right: Any, within: frozenset[tuple[int, int]] = frozenset()) -> bool:
    """Equal, counting NaN equal to NaN and telling ``1``, ``1.0`` and ``True`` apart.

    A list or mapping that holds itself (through an alias) is equal where
    the other one holds itself at the same place.
    """
    if type(left) is not type(right):
        return False
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    if not isinstance(left, dict | list | tuple):
        return bool(left == right)
    pair = (id(left), id(right))
    if pair in within:
        return True
    within = within | {pair}
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k], within) for k in left)
    return len(left) == len(right) and all(
        same(a, b, within) for a, b in zip(left, right, strict=True)
    )


def assert_same(text: str) -> None:
    expected, got = composed(text), streamed(text)
    assert same(got, expected), f"{text!r}: {got!r} != {expected!r}"


KEYS = st.text(min_size=0, max_size=8) | st.sampled_from(
    ["<<", "=", "~", "null", "true", "no", "0500", "1:30", "2024-05-30", "- a", "a: b", "#", "*x"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["yes", "No", "on", "0x1F", "0o17", "1_000", ".inf", "-.NaN", "2024-05"])
)
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | SCALARS, inner, max_size=4),
    max_leaves=25,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=PLAIN, flow=st.sampled_from([False, True, None]), width=st.sampled_from([8, 80]))
def test_dumped_plain_data_loads_as_the_composing_loader_loads_it(
    data: Any, flow: bool | None, width: int
) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, width=width)
    assert_same(text)
    assert yaml_load(text)[1] is composed_repeats(text)


ANCHORED = st.lists(
    st.sampled_from(
        [
            "a: ",
            "b: ",
            "<<: ",
            "- ",
            "\n",
            "\n  ",
            "\n    ",
            "&x ",
            "&y ",
            "*x",
            "*y",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "? ",
            ": ",
            "1",
            "x",
            "null",
            "!!str ",
            "!!int ",
            "!!map ",
            "!!seq ",
            "!!float ",
            "!!bool ",
            "!!null ",
            "!foo ",
            "! ",
            "'q'",
            "true",
            "0500",
            "1.5",
            "=",
            "---\n",
            "!!binary ",
            "!!merge ",
            "!!value ",
        ]
    ),
    max_size=24,
).map("".join)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=ANCHORED)
def test_any_text_of_anchors_tags_and_merges_loads_or_fails_as_before(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        # Resolvers: only true/false are booleans, dates and octal stay text.
        "[true, False, TRUE, yes, no, on, off, y, n]",
        "[0, -7, +3, 0500, 0x1F, 0o17, 1_000, 1:30, 12345678901234567890]",
        "[1.5, -2e+3, .5, 1., .inf, -.Inf, .NaN, 1_0.5, 190:20:30.15]",
        "[null, Null, NULL, ~, '', \"null\", 'true', \"7\"]",
        "[2024-05-30, 2024-05, 2001-12-14t21:59:43.10-05:00]",
        "a:\nb: ''\n? c\n",
        # Explicit tags, kept or refused as the loader does.
        "[!!str 5, !!int '7', !!float '1', !!bool 'yes', !!null 'x', !!int 0x1F, !!int 0o17]",
        "[! 5, ! true, !!str , !!map {a: 1}, !!seq [1]]",
        "[!!int abc]",
        "[!!bool maybe]",
        "[!!float nope]",
        "[!!float ]",
        "!!int ''",
        f"[!!int {'9' * 5000}]",
        f"[{'9' * 5000}]",
        "!!binary aGVsbG8=",
        "!!timestamp 2024-05-30",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "!!python/tuple [1]",
        "[!foo 1, !!int x]",
        "- !!seq a\n- !foo b",
        "{a: !!map b}",
        "!!map a",
        "!!map ab",
        "!!seq {a: 1}",
        "[1, !!str [a]]",
        "x: =",
        "= : 1",
        "!!value x: 1",
        "x: <<",
        # Keys that are not text.
        "{1: a, 1.5: b, null: c, true: d, ~: e}",
        "{? [a] : 1}",
        "{? {a: 1} : 1}",
        "{? !!int x : 1, ? [a] : 2}",
        # Anchors and aliases.
        "a: &x [1, 2]\nb: *x\n",
        "&a [1, *a]",
        "&a {b: *a}",
        "a: &k key\n*k : 1\n",
        "a: &x 1\nb: &x 2\n",
        "- *y\n",
        # Merge keys.
        "a: &x {p: 1, q: 2}\nb: {<<: *x, q: 3}\n",
        "a: &x {p: 1}\nb: &y {p: 2, r: 2}\nc: {<<: [*x, *y], s: 3}\n",
        "a: &x {p: 1}\nb: {q: 0, <<: *x, <<: {p: 5, q: 9}}\n",
        "<<: {a: 1}\nb: 2",
        "a: &x {<<: {p: 1}, p: 2}\nb: {<<: *x}\n",
        "&a {b: {<<: *a}, c: 1}",
        "<<: 1",
        "<<: [1]",
        "<<: [{a: 1}, 2]",
        "a: &x {p: !!int x}\nb: {<<: *x}\n",
        "<<: !foo {a: 1}",
        "? !!merge [a]\n: 1",
        "? !!value [a]\n: 1",
        # Documents and syntax.
        "",
        "# only a comment\n",
        "--- 5",
        "--- 5\n...\n",
        "a: 1\n---\nb: 2\n",
        "a: [\n",
        "a: [!!int x\n",
        "[!!int x, 1]\n---\n2",
        "a: 1\n b: 2",
        "\x07",
    ],
)
def test_each_tag_resolver_and_error_is_read_as_the_composing_loader_reads_it(
    text: str,
) -> None:
    assert_same(text)


def test_errors_are_raised_in_the_loaders_order_shallowest_first() -> None:
    # The loader builds level by level: the unknown tag at level one is
    # refused before the misused !!seq, whose list is filled a level later.
    text = "- !!seq a\n- !foo b\n"
    with pytest.raises(yaml.constructor.ConstructorError, match="'!foo'"):
        yaml_load(text)


@pytest.mark.parametrize(
    ("text", "repeated"),
    [
        ("a: 1\nb: 2\n", False),
        ("a: 1\na: 2\n", True),
        ("x: {a: 1, b: {c: 1, c: 2}}\n", True),
        ("- {a: 1}\n- {a: 2}\n", False),
        ("k: &k a\n*k : 1\n", False),
        ("a: &k a\n*k : 1\n", True),
        ("'1': x\n1: y\n", True),
        ("<<: {a: 1}\n<<: {b: 1}\n", True),
        ("a: &x {p: 1}\nb: {<<: *x, p: 2}\n", False),
    ],
)
def test_a_repeated_key_is_reported_as_written(text: str, repeated: bool) -> None:
    assert yaml_load(text)[1] is repeated


def test_yaml_is_read_without_composing_a_node_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: YamlLoader) -> None:
        raise AssertionError("composed a node graph")

    monkeypatch.setattr(YamlLoader, "get_single_node", refuse)
    data, repeated = yaml_load("a: &x [1, {b: 2.5}]\nc: *x\nd: {<<: {e: true}}\n")
    assert data == {"a": [1, {"b": 2.5}], "c": [1, {"b": 2.5}], "d": {"e": True}}
    assert data["a"] is data["c"]
    assert not repeated


def test_a_merge_of_an_open_mapping_is_read_the_composing_loaders_way() -> None:
    # The inner mapping merges the one that holds it, before it is complete.
    data, _ = yaml_load("&a {b: {<<: *a}, c: 1}")
    assert data["b"]["c"] == 1
    assert data["b"]["b"] is data["b"]["b"]["b"]["b"]


def test_placing_a_problem_with_the_whole_document_composes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("composed a node graph")

    monkeypatch.setattr(_locate, "_compose", refuse)
    assert _locate.locate("# a flood\n\n  [[], [], []]\n", "yaml", ()) == (3, 3)


def test_the_builder_is_not_used_for_counting() -> None:
    # Counting the values of a flood stays the parser's events alone.
    assert _parse.event_nodes("[[], [], []]", most=100) == 4


@pytest.mark.parametrize("text", ["x: !!float\n", "x: !!int ''\n"])
def test_an_empty_number_with_a_tag_is_a_placed_problem(text: str) -> None:
    with pytest.raises(policydiff.DocumentError) as caught:
        policydiff.loads(text, format="yaml")
    (problem,) = caught.value.problems
    assert problem.line == 1
    assert "cannot read ''" in problem.message
