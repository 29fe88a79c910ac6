"""Hostile input: refused in bounded memory and work, with a clear error (SPEC section 10).

No test here measures time: the work a refusal does is checked by counting
it (how often a document is indexed, how many ids are compared), and how
fast refusals are is measured in ``benchmarks/run.py`` (the ``refuse``
case). A refusal that hangs is stopped by a bound so generous that only a
hang reaches it. Run the fuzz tests longer with ``HYPOTHESIS_PROFILE=fuzz python -m pytest
--no-cov tests/test_hostile.py -k fuzz``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import policydiff
from policydiff import (
    DocumentError,
    Effect,
    Limits,
    PolicyDiffError,
    PolicyVersion,
    Rule,
    When,
    _documents,
    _locate,
    _semantics,
)
from policydiff._convert import unstructure_version
from policydiff._documents import _ASCII_SPACE, _CHUNK, _DEEP_BRACKETS, _deep_start
from policydiff._locate import locate
from policydiff._parse import event_nodes, yaml_bound
from policydiff._semantics import _walk_up
from policydiff._store import load_deltas, save_deltas
from tests.conftest import ROOT
from tests.strategies import versions

FORMATS = ("yaml", "json", "toml")
KNOWN = (
    "(expected one of: announced, approved_by, conflict, default, effective, events, open,"
    " patterns, policy, policydiff, removals, rules, sources, summary, timezone, title, version,"
    " vocabulary)"
)
#: Seconds no refusal here comes near even on a busy machine (each takes
#: well under one): only a hang reaches it.
HANG = 300
#: Far above what refusing any of these needs; a document expanded or read
#: whole would pass it.
MEMORY = 64 * 1024 * 1024


class Hung(Exception):
    """A block ran for :data:`HANG` seconds: it would never have finished."""


@contextmanager
def no_hang() -> Iterator[None]:
    """Stop the block with :class:`Hung` if it runs for :data:`HANG` seconds."""

    def stop(signum: int, frame: object) -> None:
        raise Hung(f"still running after {HANG} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(HANG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def bounded(memory: int = MEMORY) -> Iterator[None]:
    """Fail if the block peaks above ``memory`` bytes, or hangs."""
    tracemalloc.start()
    try:
        with no_hang():
            yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < memory, f"peaked at {peak:,} bytes"


@contextmanager
def counting(module: object, name: str) -> Iterator[list[tuple[Any, ...]]]:
    """Record the arguments of every call to ``module.name`` within the block."""
    original = getattr(module, name)
    calls: list[tuple[Any, ...]] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    setattr(module, name, counted)
    try:
        yield calls
    finally:
        setattr(module, name, original)


def refusal(load: Callable[[], object]) -> str:
    """The lines printed for a document ``load`` refuses, within the bounds."""
    with bounded(), pytest.raises(DocumentError) as caught:
        load()
    return str(caught.value)


# -- alias bombs -------------------------------------------------------------------


def billion_laughs(levels: int = 10) -> str:
    lines = ["policy: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        name, previous = f"l{level}", "a" if level == 1 else f"l{level - 1}"
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_as_an_alias_bomb() -> None:
    printed = refusal(lambda: policydiff.loads(billion_laughs()))
    assert printed == (
        "<string>:7:5: l9[8][8][8]: aliases expand to more than 5,000,000 values;"
        " refusing a possible alias bomb"
    )


def test_an_alias_bomb_inside_a_rule_is_refused() -> None:
    text = (
        "policy: p\nversion: v\neffective: 2024\n"
        "x1: &x1 [a, a, a, a, a, a, a, a, a, a]\n"
        + "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(2, 9))
        + "rules:\n  - {id: r, effect: permit, action: *x8}\n"
    )
    printed = refusal(lambda: policydiff.loads(text))
    assert printed.endswith(
        "aliases expand to more than 5,000,000 values; refusing a possible alias bomb"
    )


def test_a_list_that_holds_itself_is_refused() -> None:
    printed = refusal(lambda: policydiff.loads("policy: &loop [*loop]\n"))
    assert printed == "<string>:1:9: policy[0]: nested deeper than the limit of 64 levels"


# -- deep nesting --------------------------------------------------------------------


DEPTH = 10_000


@pytest.mark.parametrize(
    ("fmt", "text", "printed"),
    [
        (
            "yaml",
            "[" * DEPTH + "]" * DEPTH,
            "<string>:1:1: nested deeper than the limit of 64 levels",
        ),
        (
            "yaml",
            "policy: " + "{a: " * DEPTH + "1" + "}" * DEPTH,
            "<string>:1:4005: invalid YAML: while increasing flow level exceeded maximum nesting depth",
        ),
        (
            "yaml",
            "".join(" " * i + "- \n" for i in range(DEPTH)),
            "<string>:1000:1000: invalid YAML: while increasing block level exceeded maximum nesting depth",
        ),
        (
            "yaml",
            "\n".join(" " * i + "a:" for i in range(DEPTH)),
            "<string>:1000:1001: invalid YAML: while increasing block level exceeded maximum nesting depth",
        ),
        (
            "json",
            "[" * DEPTH + "]" * DEPTH,
            "<string>:1:1: nested deeper than the limit of 64 levels",
        ),
        (
            "json",
            '{"a": ' * DEPTH + "1" + "}" * DEPTH,
            "<string>: nested deeper than the limit of 64 levels",
        ),
        (
            "toml",
            "policy = " + "[" * DEPTH + "]" * DEPTH,
            "<string>: nested deeper than the limit of 64 levels",
        ),
    ],
    ids=[
        "yaml-flow",
        "yaml-flow-keys",
        "yaml-block-lists",
        "yaml-block-maps",
        "json",
        "json-objects",
        "toml",
    ],
)
def test_ten_thousand_levels_of_nesting_are_refused(fmt: Any, text: str, printed: str) -> None:
    assert refusal(lambda: policydiff.loads(text, format=fmt)) == printed


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_nesting_past_the_limit_is_refused_where_it_starts(fmt: Any) -> None:
    doc = {"policy": "p", "version": "v", "effective": "2024", "title": [[["x"]]]}
    text = json.dumps(doc)
    printed = refusal(lambda: policydiff.loads(text, format=fmt, limits=Limits(max_depth=3)))
    assert printed == "<string>:1:65: title[0][0]: nested deeper than the limit of 3 levels"


# -- size ----------------------------------------------------------------------------


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.truncate(1024 * 1024 * 1024)  # a sparse gigabyte
    printed = refusal(lambda: policydiff.load(path))
    assert printed == f"{path}: file is larger than the limit of 67,108,864 bytes"


def test_a_file_just_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1001)
    printed = refusal(lambda: policydiff.load(path, limits=Limits(max_bytes=1000)))
    assert printed == f"{path}: file is larger than the limit of 1,000 bytes"


def test_a_huge_string_is_refused_by_its_field() -> None:
    text = "policy: p\nversion: v\neffective: 2024\ntitle: " + "x" * 200_000 + "\n"
    printed = refusal(lambda: policydiff.loads(text))
    assert (
        printed
        == "<string>:4:8: title: string of 200,000 characters is longer than the limit of 100,000"
    )


def test_a_huge_scope_value_is_refused_by_its_field() -> None:
    doc = {
        "policy": "p",
        "version": "v",
        "effective": "2024",
        "rules": [{"id": "r", "effect": "permit", "action": "a", "scope": {"t": ["x" * 200_000]}}],
    }
    printed = refusal(lambda: policydiff.loads(json.dumps(doc), format="json"))
    assert printed == (
        "<string>:1:126: rules[0].scope.t: string of 200,000 characters is longer than the limit of 100,000"
    )


def test_huge_keys_are_cut_short_in_messages() -> None:
    doc = {"policy": "p", "version": "v", "effective": "2024", "k" * 200_000: 1}
    printed = refusal(lambda: policydiff.loads(json.dumps(doc), format="json"))
    cut = "k" * 27 + "..." + "k" * 28
    assert printed == f"<string>:1:54: [\"{cut}\"]: unknown key '{cut}' {KNOWN}"


@pytest.mark.parametrize(
    ("fmt", "text", "printed"),
    [
        (
            "json",
            '{"policydiff": ' + "9" * 5000 + "}",
            "<string>: invalid JSON: a number with too many digits",
        ),
        (
            "toml",
            "policydiff = " + "9" * 5000,
            "<string>: invalid TOML: a number with too many digits",
        ),
        (
            "yaml",
            "policydiff: " + "9" * 5000,
            "<string>:1:13: invalid YAML: cannot read '999999999999999999999999999...9999999999999999999999999999'"
            " (too many digits)",
        ),
    ],
)
def test_a_number_with_thousands_of_digits_is_refused(fmt: Any, text: str, printed: str) -> None:
    assert refusal(lambda: policydiff.loads(text, format=fmt)) == printed


# -- encodings and binary data ------------------------------------------------------


def test_non_utf8_bytes_are_refused_with_their_place() -> None:
    printed = refusal(lambda: policydiff.loads(b"policy: p\ntitle: Caf\xe9\n"))
    assert printed == (
        "<string>:2:11: not UTF-8 text (byte 0xe9 cannot be decoded); save the file as UTF-8"
    )


def test_utf16_is_refused_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_text("policy: p\n", encoding="utf-16")
    assert refusal(lambda: policydiff.load(path)) == f"{path}: binary file, not a policy document"


def test_an_image_is_refused_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "photo.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert refusal(lambda: policydiff.load(path)) == f"{path}: binary file, not a policy document"


def test_a_control_character_in_yaml_is_refused_with_its_place() -> None:
    printed = refusal(lambda: policydiff.loads("policy: p\ntitle: bell\x07\n"))
    assert (
        printed == "<string>:2:12: invalid YAML: control characters are not allowed (found '\\x07')"
    )


@pytest.mark.parametrize(
    ("tag", "printed"),
    [
        ("!!python/object/apply:os.system [ls]", "python/object/apply:os.system"),
        ("!!binary aGVsbG8=", "binary"),
        ("!!timestamp 2024-05-30", "timestamp"),
        ("!!set {a: null}", "set"),
    ],
)
def test_yaml_tags_beyond_plain_data_are_refused(tag: str, printed: str) -> None:
    text = f"policy: p\nversion: v\neffective: 2024\ntitle: {tag}\n"
    assert refusal(lambda: policydiff.loads(text)) == (
        f"<string>:4:8: invalid YAML: could not determine a constructor for the tag"
        f" 'tag:yaml.org,2002:{printed}'"
    )


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("!!int twelve", "cannot read 'twelve' (not a valid int)"),
        ("!!bool maybe", "cannot read 'maybe' (not a valid bool)"),
    ],
)
def test_yaml_scalars_with_impossible_tags_are_refused(value: str, printed: str) -> None:
    text = f"policy: p\nversion: v\neffective: 2024\ntitle: {value}\n"
    assert refusal(lambda: policydiff.loads(text)) == f"<string>:4:8: invalid YAML: {printed}"


@pytest.mark.parametrize(
    ("key", "printed"),
    [
        ("1", f'<string>:4:3: ["1"]: unknown key 1 {KNOWN}'),
        ("null", f"<string>:4:3: None: unknown key None {KNOWN}"),
        ("true", f"<string>:4:3: True: unknown key True {KNOWN}"),
        ("[a, b]", "<string>:4:3: invalid YAML: while constructing a mapping found unhashable key"),
    ],
)
def test_yaml_keys_that_are_not_text_are_refused(key: str, printed: str) -> None:
    text = f"policy: p\nversion: v\neffective: 2024\n? {key}\n: x\n"
    assert refusal(lambda: policydiff.loads(text)) == printed


# -- fuzzing -------------------------------------------------------------------------


def loads_or_refuses(text: str | bytes, fmt: Any) -> None:
    """Read ``text``: a version or a PolicyDiffError, never another exception."""
    try:
        result = policydiff.loads(text, format=fmt)
    except PolicyDiffError as exc:
        error = exc
    else:
        assert isinstance(result, PolicyVersion)
        survives_every_round_trip(result)
        return
    assert str(error), "an error must say what is wrong"
    if isinstance(error, DocumentError):
        assert error.problems
        assert all("\n" not in str(p) for p in error.problems)


def survives_every_round_trip(version: PolicyVersion) -> None:
    """What policydiff accepted, it can write, read back, store, show and compare."""
    for fmt in FORMATS:
        assert policydiff.loads(policydiff.dumps(version, format=fmt), format=fmt) == version
    history = policydiff.PolicyHistory(versions=[version])
    stored = json.loads(json.dumps(policydiff.to_store(history), ensure_ascii=False))
    assert policydiff.from_store(stored) == history
    assert str(version.effective)
    for output in ("text", "markdown", "json"):
        assert policydiff.render(policydiff.diff(version, version), output)


@pytest.mark.parametrize("fmt", FORMATS)
@given(text=st.text())
def test_fuzz_any_text_loads_or_is_refused(fmt: Any, text: str) -> None:
    loads_or_refuses(text, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@given(data=st.binary())
def test_fuzz_any_bytes_load_or_are_refused(fmt: Any, data: bytes) -> None:
    loads_or_refuses(data, fmt)


#: Pieces of YAML, JSON and TOML syntax, to build text that gets past the first character.
YAMLISH = st.lists(
    st.sampled_from(
        [
            *"{}[],:-&*!?|>'\"#%@` \n\t\\aZ019.~+=",
            "\n  ",
            ": ",
            "- ",
            "policy",
            "rules",
            "&a ",
            "*a",
            "<<: ",
        ]
    ),
    max_size=40,
).map("".join)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@given(text=YAMLISH)
def test_fuzz_punctuation_soup_loads_or_is_refused(fmt: Any, text: str) -> None:
    loads_or_refuses(text, fmt)


junk: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["2024-02-30", "permit", "alow", "UTC", "", " x "])
    # Values that once were accepted but then could not be written or compared.
    | st.sampled_from(
        [
            *("utc", "localtime", "0500", "0999-05-30", "0001-01-01", "9999-12-31T23:00-05:00"),
            *("1900-01-01T00:00[Europe/Kyiv]", "1900-01-01T00:00+02:02:04", "\ud800", 500),
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*path, index))


def _mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    if not path:
        return value if how == "retype" else data
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "duplicate" and isinstance(parent, list):
        parent.insert(last, parent[last])
    else:
        parent[last] = value
    return data


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


def _render(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data)
    if fmt == "toml":
        import tomli_w

        return tomli_w.dumps(_without_none(data))
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    version=versions(max_rules=3),
    how=st.sampled_from(["delete", "duplicate", "retype"]),
    value=junk,
    data=st.data(),
)
def test_fuzz_mutated_documents_load_or_are_refused(
    fmt: str, version: PolicyVersion, how: str, value: Any, data: st.DataObject
) -> None:
    plain = unstructure_version(version)
    path = data.draw(st.sampled_from(list(_paths(plain))))
    mutated = _mutate(plain, path, how, value)
    if fmt == "toml":
        assume(isinstance(mutated, dict))
        mutated = _without_none(mutated)
    loads_or_refuses(_render(mutated, fmt), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@given(version=versions(max_rules=3), data=st.data())
def test_fuzz_edited_document_text_loads_or_is_refused(
    fmt: Any, version: PolicyVersion, data: st.DataObject
) -> None:
    text = policydiff.dumps(version, format=fmt)
    lines = text.splitlines(keepends=True)
    index = data.draw(st.integers(0, max(len(lines) - 1, 0)))
    edit = data.draw(st.sampled_from(["repeat-line", "drop-line", "insert", "cut"]))
    if edit == "repeat-line" and lines:
        lines.insert(index, lines[index])
    elif edit == "drop-line" and lines:
        del lines[index]
    text = "".join(lines)
    position = data.draw(st.integers(0, len(text)))
    if edit == "insert":
        text = text[:position] + data.draw(YAMLISH) + text[position:]
    elif edit == "cut":
        text = text[:position] + text[position + data.draw(st.integers(1, 20)) :]
    loads_or_refuses(text, fmt)


def test_a_pipe_that_streams_past_the_limit_is_cut_off(tmp_path: Path) -> None:
    # A pipe reports no size up front: the bounded read must stop it.
    path = tmp_path / "stream.yaml"
    os.mkfifo(path)

    def feed() -> None:
        try:
            with path.open("wb") as out:
                out.write(b"policy: p\n" * 300)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        printed = refusal(lambda: policydiff.load(path, limits=Limits(max_bytes=1000)))
    finally:
        writer.join(timeout=HANG)
    assert printed == f"{path}: file is larger than the limit of 1,000 bytes"


def test_thousands_of_problems_are_placed_from_one_index_of_the_document() -> None:
    rules = [{"id": f"r{i}", "effect": "alow", "action": "x"} for i in range(3000)]
    text = json.dumps({"policy": "p", "version": "v", "effective": "2024", "rules": rules})
    with counting(_locate, "_json_index") as indexed, counting(_locate, "locate") as one_by_one:
        lines = refusal(
            lambda: policydiff.loads(text, format="json", limits=Limits(max_problems=10_000))
        ).splitlines()
    # Found one by one, each problem would scan the text up to it: quadratic.
    assert (len(indexed), len(one_by_one)) == (1, 0)
    assert len(lines) == 3000
    assert lines[-1] == (
        "<string>:1:148930: rules[2999].effect: unknown effect 'alow' (expected one of: oblige, permit, prohibit)"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_flood_of_problems_is_cut_at_the_limit(fmt: Any) -> None:
    doc = {
        "policy": "p",
        "version": "v",
        "effective": "2024",
        **{f"k{i:05}": 1 for i in range(2_000)},
    }
    text = _render(doc, fmt)
    lines = refusal(lambda: policydiff.loads(text, format=fmt)).splitlines()
    assert len(lines) == 1001
    assert lines[-1] == "<string>: 1,000 more problems not shown (at most 1,000 are reported)"


def test_many_problems_are_placed_where_one_alone_would_be() -> None:
    rules = [
        {"id": f"r{i}", "effect": "alow", "action": "x", "scope": {"t": []}} for i in range(10)
    ]
    doc = {"policy": "p", "version": "v", "effective": "2024-02-30", "rules": rules, "extra": 1}
    text = json.dumps(doc, indent=2)
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(text, format="json")
    problems = caught.value.problems
    assert len(problems) > 16  # enough to take the indexed way
    for problem in problems:
        alone = locate(text, "json", _steps(problem.path), at_key=problem.path == "extra")
        assert (problem.line, problem.column) == alone, problem


def _steps(path: str) -> tuple[str | int, ...]:
    """``rules[2].effect`` as ``("rules", 2, "effect")``."""
    steps: list[str | int] = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        if part:
            steps.append(int(part) if part.isdigit() else part)
    return tuple(steps)


def test_values_with_line_breaks_stay_on_their_problems_line() -> None:
    text = (
        'policy: p\nversion: v\neffective: 2024\nsources:\n  - id: "a\\nb"\n'
        "rules:\n  - {id: r, effect: permit, action: x, sources: [c]}\n"
    )
    printed = refusal(lambda: policydiff.loads(text))
    assert (
        printed
        == "<string>:7:50: rules[0].sources[0]: unknown source id 'c' (known sources: 'a\\nb')"
    )


def test_a_long_list_of_known_sources_is_cut_short() -> None:
    sources = "".join(f"  - id: s{i:02}\n" for i in range(12))
    text = f"policy: p\nversion: v\neffective: 2024\nsources:\n{sources}events:\n  - {{date: 2024, what: x, sources: [zz]}}\n"
    printed = refusal(lambda: policydiff.loads(text))
    known = ", ".join(f"'s{i:02}'" for i in range(10))
    assert (
        printed
        == f"<string>:18:37: events[0].sources[0]: unknown source id 'zz' (known sources: {known} and 2 more)"
    )


def test_thousands_of_duplicate_keys_are_placed_in_one_walk_of_the_document() -> None:
    rules = ",".join(
        f'{{"id": "r{i}", "id": "r{i}", "effect": "permit", "action": "x"}}' for i in range(20_000)
    )
    text = '{"policy": "p", "version": "v", "effective": "2024",\n"rules": [' + rules + "]}"
    # Without tracemalloc, which would slow the parse it does not test.
    with (
        counting(_locate, "_json_members") as walks,
        counting(_documents, "placer") as line_tables,
        counting(_locate, "offset_place") as one_by_one,
        no_hang(),
        pytest.raises(DocumentError) as caught,
    ):
        policydiff.loads(text, format="json")
    assert (len(walks), len(line_tables), len(one_by_one)) == (1, 1, 0)
    lines = str(caught.value).splitlines()
    assert len(lines) == 1001
    assert lines[999] == "<string>:2:63742: rules[999].id: duplicate key 'id' (first at line 2)"


def test_a_duplicate_rule_id_among_many_rules_is_refused_by_id_alone() -> None:
    rules = [Rule(id=f"r{i}", effect=Effect.PERMIT, action="x") for i in range(30_000)]
    rules.append(Rule(id="r7", effect=Effect.PERMIT, action="x"))
    # Rules are told apart by their ids, never compared with each other.
    with (
        counting(Rule, "__eq__") as compared,
        bounded(),
        pytest.raises(ValueError, match=r"^duplicate rule ids: r7$"),
    ):
        PolicyVersion(policy="p", version="v", effective=When.parse("2024"), rules=rules)
    assert compared == []


def test_many_unknown_source_ids_among_many_sources_cost_a_bounded_number_of_comparisons() -> None:
    # "Did you mean" compares an unknown id with every known one: a file of
    # thousands of both must not turn that into minutes of work.
    sources = [{"id": f"source-{i:04}"} for i in range(2_000)]
    rules = [
        {"id": f"r{i}", "effect": "permit", "action": "x", "sources": [f"sourse-{i:04}"]}
        for i in range(1_200)
    ]
    doc = {"policy": "p", "version": "v", "effective": "2024", "sources": sources, "rules": rules}
    with counting(_semantics.difflib, "get_close_matches") as suggested:
        lines = refusal(lambda: policydiff.loads(json.dumps(doc), format="json")).splitlines()
    compared = sum(len(possibilities) for _, possibilities, *_ in suggested)
    assert 0 < compared <= _semantics._COMPARED
    assert len(lines) == 1001
    assert lines[0].endswith(
        "rules[0].sources[0]: unknown source id 'sourse-0000'; did you mean 'source-0000'?"
    )
    known = ", ".join(f"'source-{i:04}'" for i in range(10))
    assert lines[-2].endswith(
        f"rules[999].sources[0]: unknown source id 'sourse-0999' (known sources: {known} and 1,990 more)"
    )


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ]
)
@given(
    first=versions(policy="fuzzed", max_rules=2),
    second=versions(policy="fuzzed", max_rules=2),
    how=st.sampled_from(["delete", "duplicate", "retype"]),
    value=junk,
    data=st.data(),
)
def test_fuzz_mutated_history_documents_load_or_are_refused(
    fmt: str,
    first: PolicyVersion,
    second: PolicyVersion,
    how: str,
    value: Any,
    data: st.DataObject,
    tmp_path: Path,
) -> None:
    bodies = []
    for version in (first, second):
        body = unstructure_version(version)
        del body["policy"]
        bodies.append(body)
    plain: Any = {"policy": "fuzzed", "versions": bodies}
    path = data.draw(st.sampled_from(list(_paths(plain))))
    mutated = _mutate(plain, path, how, value)
    if fmt == "toml":
        assume(isinstance(mutated, dict))
        mutated = _without_none(mutated)
    target = tmp_path / f"history.{fmt}"
    # surrogatepass: a lone surrogate among the junk is written as the bytes it would be.
    target.write_text(_render(mutated, fmt), encoding="utf-8", errors="surrogatepass")
    try:
        history = policydiff.load_history(target)
    except PolicyDiffError:
        return
    assert len(history) >= 1
    stored = tmp_path / "stored.json"
    save_deltas(history, stored)
    assert load_deltas(stored) == history
    for version in history:
        survives_every_round_trip(version)
    assert policydiff.render(history, "json")


@given(
    text=st.text(alphabet="[{( \t\n\x0b\x1c\x1fx\u00a0\u2028", max_size=40),
    depth=st.integers(1, 4),
)
def test_the_quick_nesting_scan_finds_what_the_pattern_finds(text: str, depth: int) -> None:
    # ASCII text takes a shortcut; it must agree with the pattern everywhere.
    found = re.compile(_DEEP_BRACKETS.pattern % depth).search(text)
    assert _deep_start(text, depth) == (None if found is None else found.start())


def test_the_quick_nesting_scan_drops_exactly_the_spaces_the_pattern_skips() -> None:
    spaces = {chr(b) for b in _ASCII_SPACE}
    assert spaces == {chr(b) for b in range(128) if re.fullmatch(r"\s", chr(b))}


@pytest.mark.parametrize("before", [_CHUNK - 65, _CHUNK - 30, _CHUNK - 1, _CHUNK])
def test_the_quick_nesting_scan_finds_a_run_across_its_pieces(before: int) -> None:
    text = "x" * before + "[ " * 65 + "x"
    assert _deep_start(text, 64) == before
    assert _deep_start(text, 65) is None


# -- a budget of values, counted before anything is built ------------------------------


def _flood(fmt: str, items: int) -> str:
    """A document of ``items`` empty lists: three bytes for each value."""
    lists = ",".join(["[]"] * items)
    return {"json": f'{{"x":[{lists}]}}', "yaml": f"x: [{lists}]\n", "toml": f"x = [{lists}]\n"}[
        fmt
    ]


def _peak(load: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(DocumentError):
            load()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_flood_of_tiny_values_is_refused_by_the_value_budget(fmt: Any) -> None:
    limits = Limits(max_nodes=1_000)
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(_flood(fmt, 2_000), format=fmt, limits=limits)
    assert str(caught.value) == "<string>: holds more than the limit of 1,000 values and keys"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_document_just_within_the_value_budget_is_parsed(fmt: Any) -> None:
    # 1 mapping, 1 key, 1 list and 996 empty lists: 999 values and keys.
    with pytest.raises(DocumentError, match="not a policy version document"):
        policydiff.loads(_flood(fmt, 996), format=fmt, limits=Limits(max_nodes=999))


def test_a_flood_over_the_budget_is_refused_before_it_is_parsed() -> None:
    text = _flood("json", 200_000)
    peak = _peak(lambda: policydiff.loads(text, format="json", limits=Limits(max_nodes=1_000)))
    # Parsing would build 200,000 lists (over 10 MB); counting builds a copy of the text at most.
    assert peak < 4 * len(text)


def test_refusing_a_large_document_within_the_budget_does_not_measure_it_again() -> None:
    # 200,000 empty lists take about 13 MB once parsed; measuring their
    # nesting and number again after the document failed took 45 MB more.
    peak = _peak(lambda: policydiff.loads(_flood("json", 200_000), format="json"))
    assert peak < 40 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_commas_and_brackets_inside_strings_are_not_counted(fmt: Any) -> None:
    version = policydiff.loads(
        policydiff.dumps(
            policydiff.loads(
                f"policy: p\nversion: v\neffective: 2024\nrules: []\nsummary: '{'[{,:=' * 500}'\n"
            ),
            format=fmt,
        ),
        format=fmt,
        limits=Limits(max_nodes=100),
    )
    assert version.summary == "[{,:=" * 500


@given(text=YAMLISH)
def test_the_yaml_value_bound_is_never_below_the_values_the_parser_finds(text: str) -> None:
    try:
        found = event_nodes(text, most=10_000)
    except yaml.YAMLError:
        return
    assert found is not None
    assert found <= yaml_bound(text)


@pytest.mark.parametrize(
    "path",
    sorted({*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/data/**/*.yaml")}),
    ids=lambda path: path.name,
)
def test_the_yaml_value_bound_holds_for_every_document_in_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        found = event_nodes(text, most=10**7)
    except yaml.YAMLError:
        return
    assert found is not None
    assert found <= yaml_bound(text)


# -- vocabularies ----------------------------------------------------------------------


def _chain(length: int) -> dict[str, list[str]]:
    """A vocabulary tree that is one chain: v0 > v1 > ... > v{length}."""
    return {f"v{i}": [f"v{i + 1}"] for i in range(length)}


class _CountingParents(dict[str, str]):
    """Parents that count how often they are looked up."""

    lookups = 0

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        type(self).lookups += 1
        return super().get(key, default)


def test_walking_a_long_vocabulary_chain_looks_each_value_up_once() -> None:
    length = 5_000
    tree = _chain(length)
    parents = _CountingParents({kid: parent for parent, kids in tree.items() for kid in kids})
    _CountingParents.lookups = 0
    firsts, deep = _walk_up(tree, parents, max_depth=length + 10)
    assert (firsts, deep) == ([], None)
    # Walking up from every value in turn, as before, looked up n²/2 parents.
    assert _CountingParents.lookups <= 2 * length


def test_a_vocabulary_deeper_than_the_limit_is_refused_at_its_parent() -> None:
    doc = {"policy": "p", "version": "v", "effective": "2024", "vocabulary": {"t": _chain(64)}}
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(json.dumps(doc), format="json")
    assert str(caught.value).endswith(
        "vocabulary.t.v63: 'v63' has children deeper than the limit of 64 levels of a vocabulary"
    )


def test_a_vocabulary_within_the_depth_limit_is_analysed() -> None:
    def version(label: str, effective: str, value: str) -> PolicyVersion:
        doc = {
            "policy": "p",
            "version": label,
            "effective": effective,
            "vocabulary": {"t": {**_chain(63), "v0": ["v1", "side"]}},
            "rules": [{"id": "r", "effect": "prohibit", "action": "a", "scope": {"t": [value]}}],
        }
        return policydiff.loads(json.dumps(doc), format="json")

    found = policydiff.impact(version("a", "2024", "v0"), version("b", "2025", "v62"))
    assert found.to_dict()["cubes"]


def test_a_long_cycle_is_reported_once_at_its_first_value() -> None:
    tree = {**_chain(3_000), "v3000": ["v0"]}
    doc = {"policy": "p", "version": "v", "effective": "2024", "vocabulary": {"t": tree}}
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(json.dumps(doc), format="json", limits=Limits(max_depth=10_000))
    assert [p.message for p in caught.value.problems] == ["cycle in the vocabulary through 'v0'"]


def test_a_named_pipe_that_nothing_writes_to_is_refused_instead_of_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "silent.yaml"
    os.mkfifo(path)
    monkeypatch.setattr("policydiff._documents.PIPE_WAIT", 0.05)
    with pytest.raises(DocumentError) as caught:
        policydiff.load(path)
    assert str(caught.value) == f"{path}: nothing was written to this pipe within 0.05 seconds"


def test_a_flood_of_bad_rules_is_looked_through_only_up_to_the_limit() -> None:
    # Each bad rule costs cattrs an exception: a million of them cost
    # gigabytes, so the search stops once the report is full.
    from policydiff._convert import structure_problems

    data = {"policy": "p", "version": "v", "effective": "2024", "rules": [[]] * 100_000}
    found, complete = structure_problems(data, 1_000)
    assert not complete
    assert 1_000 <= len(found) < 2_000
    assert [p.path for p in found[:2]] == [("rules", 0), ("rules", 1)]


def test_a_search_stopped_early_says_more_problems_exist_without_a_count() -> None:
    text = json.dumps({"policy": "p", "version": "v", "effective": "2024", "rules": [[]] * 20_000})
    lines = refusal(lambda: policydiff.loads(text, format="json")).splitlines()
    assert len(lines) == 1001
    assert lines[999].startswith("<string>:1:")
    assert lines[999].endswith("rules[999]: expected a mapping (got [] that is a list)")
    assert lines[-1] == "<string>: more problems not shown (at most 1,000 are reported)"


def test_problems_looked_through_in_pieces_keep_their_rule_numbers() -> None:
    rules = [{"id": f"r{i}", "effect": "permit", "action": "x"} for i in range(600)]
    rules[450] = {"id": "r450", "effect": "alow", "action": "x"}
    text = json.dumps({"policy": "p", "version": "v", "effective": "2024", "rules": rules})
    lines = refusal(lambda: policydiff.loads(text, format="json")).splitlines()
    assert len(lines) == 1
    assert "rules[450].effect: unknown effect 'alow'" in lines[0]
