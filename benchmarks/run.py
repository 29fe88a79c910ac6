"""Measure policydiff against its baselines, in one run, and check the targets.

Every case times policydiff and the baselines it is judged against in the
same process, round-robin (one repeat of each contender in turn), and
reports medians and the ratios the targets are stated in::

    python benchmarks/run.py --scale full          # the figures in docs/performance.md
    python benchmarks/run.py --scale tiny --json   # what the test suite runs

Cases (sizes are for ``--scale full``):

``diff``
    Two versions of 10k, 100k and 1M rules, 1% of the rules edited, in CPU
    time; and the same with a fifth of the touched rules added or removed,
    against the floor over the rules paired by id. Baselines:
    a plain pass of attrs ``==`` over the rules (the floor); raw DeepDiff on
    the same content as plain dicts, rules keyed by id (the fastest raw
    DeepDiff gets, since the generator keeps every list in one order); and
    raw DeepDiff on the documents as written with ``ignore_order=True``,
    which is what it takes to get an answer that does not depend on the
    order of rules and values (measured once, and only up to 10k rules).
    ``policydiff.diff`` is also timed on the pair as a history read from
    files holds it, the unchanged rules being objects both versions share.
``diff, flagship``
    Each step of the flagship history (``examples/us-ukraine-strikes``), a
    real policy with a handful of rules and most of its changes in sources
    and events. Baselines: raw DeepDiff on the same documents, with default
    options and with ``ignore_order=True``.
``load``
    A 100k-rule document, as JSON and as YAML. Baselines: ``json.loads`` and
    PyYAML's C safe loader on the same files, each read inside the timing as
    policydiff reads its file inside the timing; with the garbage collector
    on (as callers run) and off.
``log``
    ``history.changes()`` over 1,000 versions of 10k rules, about 10 rules
    changing per step, and the same with twice the unchanged rules.
``log, from files``
    A folder of JSON version documents (50 versions of 10k rules, and of
    20k), as ``policydiff log`` reads it: ``load_history()`` on the folder,
    and ``changes()`` on the history it gives, whose versions share the
    rules they did not change.
``at``
    ``history.at()`` at random instants in histories of 1k, 10k and 100k
    versions: the time per lookup should grow with the logarithm of the size.
``refuse``
    Refusing hostile documents of n and of 2n items: unknown source ids
    among as many sources (each earning a "did you mean"), problems placed
    in a JSON file, duplicate JSON keys, a flood of 100 n empty lists (read
    as JSON and as YAML), a vocabulary that is one chain of n values, and a stored history of n
    deltas that change nothing. The ratio of 2n to n shows the work grows
    linearly (2x; quadratic work would be 4x). Baseline: reading a valid
    input of the same size.
``start``
    ``policydiff --help`` in a new process, against ``python -c pass`` in a new
    process: what starting the command line costs over starting Python.
``sweep``
    ``diff`` against its attrs floor at changed fractions of 0.01% to 100%
    (10k rules).
``peers``
    ``diff`` against raw DeepDiff, jsondiff, dictdiffer and jycm on the same
    documents, rules keyed by id (10k rules); the peers not installed (the
    ``bench`` extra) are named in a note.
``churn``
    ``history.changes()`` per step when each step adds and removes rules,
    against steps that only edit and against the attrs floor (10 versions of
    100k rules).
``timeline``
    ``rule_timeline``, ``lifted`` and ``imposed`` for one rule, against a
    scan of the cached changes (100 versions of 10k rules).
``memory``
    ``load_history`` of a folder (1,000 JSON files of 1k rules): peak memory
    under tracemalloc against what the history keeps, and time against
    reading and parsing every file.
``store``
    ``to_store`` and ``from_store`` of 200 versions of 10k rules, 10 changed
    per step (2 added or removed): the store's size against the folder of
    documents, ``to_store`` against dumping every version, and
    ``from_store``'s peak memory against what it keeps.
``impact``
    ``benchmarks/bench_impact.py``'s ``run(scale)``, when that file exists.
    It returns a case (or a list of cases) shaped as :class:`Case` renders
    in ``--json``: ``{"case", "size", "results": [{"name", "median_s"}],
    "ratios": [{"name", "value", "target", "met"}], "notes"}``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import itertools
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import yaml

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate  # noqa: E402 (the benchmarks folder is not a package)
from deepdiff import DeepDiff  # noqa: E402

import policydiff  # noqa: E402
from policydiff._convert import unstructure_version  # noqa: E402
from policydiff.model import PolicyVersion, When  # noqa: E402

try:
    from policydiff._history import PolicyHistory
except ImportError:  # pragma: no cover (the history module is not there yet)
    PolicyHistory = None  # type: ignore[assignment,misc]


@attrs.frozen(kw_only=True)
class Scale:
    """The sizes one ``--scale`` runs.

    Args:
        repeats: Timed repeats per contender (the median is reported).
        diff_rules: Rule counts for the ``diff`` case.
        raw_deepdiff_max: Above this many rules, raw DeepDiff runs once.
        load_rules: Rules in the ``load`` document.
        log_versions: Versions in each ``log`` history.
        log_rules: Rules per version in the smaller ``log`` history.
        log_changed: Rules changed per step in the ``log`` histories.
        log_repeats: Timed repeats of the ``log`` case (the slowest).
        files_versions: Versions in each ``log, from files`` history.
        at_versions: History sizes for the ``at`` case.
        at_lookups: Lookups timed at each size.
        refuse_items: The n of the ``refuse`` case (it also runs 2n).
        start_repeats: Timed starts of each process in the ``start`` case.
        sweep_rules: Rules in the ``sweep`` case (changed fractions 0.01% to 100%).
        peer_rules: Rules in the ``peers`` case.
        churn_shape: ``(versions, rules)`` of the ``log, adding and removing`` case.
        timeline_shape: ``(versions, rules)`` of the ``timeline`` case.
        memory_shape: ``(versions, rules)`` of the folder in the ``load memory`` case.
        store_shape: ``(versions, rules)`` of the ``store`` case.
    """

    repeats: int
    diff_rules: tuple[int, ...]
    raw_deepdiff_max: int
    load_rules: int
    log_versions: int
    log_rules: int
    log_changed: int
    log_repeats: int
    files_versions: int
    at_versions: tuple[int, ...]
    at_lookups: int
    refuse_items: int
    start_repeats: int
    sweep_rules: int
    peer_rules: int
    churn_shape: tuple[int, int]
    timeline_shape: tuple[int, int]
    memory_shape: tuple[int, int]
    store_shape: tuple[int, int]


SCALES = {
    "tiny": Scale(
        repeats=3,
        diff_rules=(200,),
        raw_deepdiff_max=200,
        load_rules=200,
        log_versions=5,
        log_rules=200,
        log_changed=2,
        log_repeats=3,
        files_versions=5,
        at_versions=(10, 100, 1000),
        at_lookups=200,
        refuse_items=200,
        start_repeats=3,
        sweep_rules=200,
        peer_rules=200,
        churn_shape=(4, 200),
        timeline_shape=(5, 200),
        memory_shape=(10, 200),
        store_shape=(5, 200),
    ),
    "small": Scale(
        repeats=5,
        diff_rules=(1_000, 10_000),
        raw_deepdiff_max=10_000,
        load_rules=10_000,
        log_versions=100,
        log_rules=1_000,
        log_changed=10,
        log_repeats=3,
        files_versions=20,
        at_versions=(1_000, 10_000),
        at_lookups=5_000,
        refuse_items=1_000,
        start_repeats=10,
        sweep_rules=10_000,
        peer_rules=1_000,
        churn_shape=(10, 10_000),
        timeline_shape=(20, 10_000),
        memory_shape=(200, 1_000),
        store_shape=(50, 1_000),
    ),
    "full": Scale(
        repeats=5,
        diff_rules=(10_000, 100_000, 1_000_000),
        raw_deepdiff_max=10_000,
        load_rules=100_000,
        log_versions=1_000,
        log_rules=10_000,
        log_changed=10,
        log_repeats=3,
        files_versions=50,
        at_versions=(1_000, 10_000, 100_000),
        at_lookups=20_000,
        refuse_items=2_000,
        start_repeats=20,
        sweep_rules=10_000,
        peer_rules=10_000,
        churn_shape=(10, 100_000),
        timeline_shape=(100, 10_000),
        memory_shape=(1_000, 1_000),
        store_shape=(200, 10_000),
    ),
}


# -- results -------------------------------------------------------------------


@attrs.define(kw_only=True)
class Result:
    """The timings of one contender."""

    name: str
    times: list[float]

    @property
    def median(self) -> float:
        """The median time, in seconds."""
        return statistics.median(self.times)

    def to_dict(self) -> dict[str, Any]:
        """The result as ``--json`` prints it."""
        return {
            "name": self.name,
            "median_s": self.median,
            "repeats": len(self.times),
            "times_s": self.times,
        }


@attrs.define(kw_only=True)
class Ratio:
    """A ratio of two medians, the target it is held to and whether it is met.

    ``met`` is ``None`` when there is no target (the ratio is information).
    """

    name: str
    value: float
    target: str = ""
    met: bool | None = None

    @classmethod
    def within(cls, name: str, value: float, limit: float | None, target: str = "") -> Ratio:
        """A ratio whose target is ``value <= limit`` (no target if ``limit`` is ``None``)."""
        return cls(
            name=name, value=value, target=target, met=None if limit is None else value <= limit
        )

    def to_dict(self) -> dict[str, Any]:
        """The ratio as ``--json`` prints it."""
        return {"name": self.name, "value": self.value, "target": self.target, "met": self.met}


@attrs.define(kw_only=True)
class Case:
    """One benchmark case: its contenders' timings, ratios and notes."""

    case: str
    size: str
    results: list[Result] = attrs.Factory(list)
    ratios: list[Ratio] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    skipped: bool = False

    def median(self, name: str) -> float:
        """The median of the contender called ``name``."""
        return next(r.median for r in self.results if r.name == name)

    def ratio(
        self, name: str, top: str, bottom: str, *, limit: float | None = None, target: str = ""
    ) -> None:
        """Record ``median(top) / median(bottom)`` against a target."""
        value = self.median(top) / self.median(bottom)
        self.ratios.append(Ratio.within(name, value, limit, target))

    def to_dict(self) -> dict[str, Any]:
        """The case as ``--json`` prints it."""
        return {
            "case": self.case,
            "size": self.size,
            "skipped": self.skipped,
            "results": [r.to_dict() for r in self.results],
            "ratios": [r.to_dict() for r in self.ratios],
            "notes": self.notes,
        }


# -- timing --------------------------------------------------------------------

Contender = tuple[str, Callable[[Any], object], Callable[[], Any] | None, bool]


def contender(
    name: str,
    run: Callable[[Any], object],
    *,
    setup: Callable[[], Any] | None = None,
    gc_enabled: bool = True,
) -> Contender:
    """A named function to time, with an untimed ``setup`` whose result it gets."""
    return (name, run, setup, gc_enabled)


def compare(
    contenders: list[Contender],
    repeats: int,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> list[Result]:
    """Time every contender ``repeats`` times, round-robin, and return the results.

    Before each timed call the garbage collector runs a full collection, so no
    contender pays for another's garbage, and is then left on or turned off
    as the contender asks. ``clock`` is wall time unless a case asks for CPU
    time (:func:`time.process_time`), which a busy shared machine disturbs less.
    """
    times: dict[str, list[float]] = {name: [] for name, *_ in contenders}
    for _ in range(repeats):
        for name, run, setup, gc_enabled in contenders:
            argument = setup() if setup is not None else None
            times[name].append(_time_once(run, argument, gc_enabled, clock))
            del argument
    return [Result(name=name, times=times[name]) for name, *_ in contenders]


def _time_once(
    run: Callable[[Any], object],
    argument: Any,
    gc_enabled: bool,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    was_enabled = gc.isenabled()
    gc.collect()
    if gc_enabled:
        gc.enable()
    else:
        gc.disable()
    try:
        start = clock()
        result = run(argument)
        elapsed = clock() - start
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
    del result
    return elapsed


def _count(n: int) -> str:
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def _bytes(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


# -- cases ---------------------------------------------------------------------


#: The changed fractions of the ``sweep`` case: 0.01% to 100%.
SWEEP = (0.0001, 0.001, 0.01, 0.1, 1.0)


def _edited_pair(rules: int, fraction: float, *, churn: float = 0.0) -> tuple[Any, Any, Any, Any]:
    """Return two generated versions (and their documents), ``fraction`` of the rules touched."""
    shape = generate.Shape(rules=rules)
    old_doc = generate.make_document(shape, seed=rules)
    new_doc = generate.change_documents(
        old_doc, shape, changed=max(1, round(rules * fraction)), seed=rules + 1, churn=churn
    )
    return old_doc, new_doc, generate.to_version(old_doc), generate.to_version(new_doc)


def _paired(old: PolicyVersion, new: PolicyVersion) -> tuple[list[Any], list[Any]]:
    """The rules of both versions under the ids they share, in id order (for a floor)."""
    common = sorted(old.rule_ids & new.rule_ids)
    return [old.rule(i) for i in common], [new.rule(i) for i in common]


def _floor(olds: Any, news: Any) -> Callable[[Any], object]:
    return lambda _: sum(a == b for a, b in zip(olds, news, strict=True))


def case_diff(rules: int, scale: Scale) -> Case:
    """``diff`` of two versions, 1% of the rules edited, in CPU time."""
    old_doc, new_doc, old, new = _edited_pair(rules, 0.01)
    # The same new version as a history read from files holds it: its
    # unchanged rules are the old version's objects.
    shared = attrs.evolve(
        new, rules=[r if old.rule(r.id, None) != r else old.rule(r.id) for r in new.rules]
    )
    # A fifth of the touched rules added or removed instead of edited.
    _, _, _, churned = _edited_pair(rules, 0.01, churn=0.2)
    paired_old, paired_new = _paired(old, churned)
    case = Case(case="diff", size=f"{_count(rules)} rules, 1% changed")
    changes = len(policydiff.diff(old, new))
    case.notes.append(f"{changes} changes found (CPU time)")

    contenders = [
        contender(
            "policydiff.diff",
            lambda pair: policydiff.diff(*pair),
            setup=lambda: (_fresh(old), _fresh(new)),
        ),
        # Edits only: the two rule tuples stay aligned for the floor.
        contender("attrs == floor", _floor(old.rules, new.rules)),
        contender(
            "policydiff.diff, rules shared",
            lambda pair: policydiff.diff(*pair),
            setup=lambda: (_fresh(old), _fresh(shared)),
        ),
        contender(
            "policydiff.diff, rules added and removed",
            lambda pair: policydiff.diff(*pair),
            setup=lambda: (_fresh(old), _fresh(churned)),
        ),
        contender("attrs == floor, rules paired by id", _floor(paired_old, paired_new)),
    ]
    raw = contender(
        "raw DeepDiff", lambda plain: DeepDiff(*plain), setup=lambda: _keyed_pair(old_doc, new_doc)
    )
    unordered = contender(
        "raw DeepDiff, ignore_order",
        lambda _: DeepDiff(old_doc, new_doc, ignore_order=True),
    )
    cpu = time.process_time
    if rules <= scale.raw_deepdiff_max:
        contenders.append(raw)
        case.results = compare(contenders, scale.repeats, clock=cpu) + compare(
            [unordered], 1, clock=cpu
        )
        case.notes.append("raw DeepDiff with ignore_order measured once (too slow to repeat)")
    elif rules <= 10 * scale.raw_deepdiff_max:
        case.results = compare(contenders, scale.repeats, clock=cpu) + compare([raw], 1, clock=cpu)
        case.notes.append(
            f"raw DeepDiff measured once at {_count(rules)} rules (too slow to repeat);"
            " with ignore_order not measured"
        )
    else:
        case.results = compare(contenders, scale.repeats, clock=cpu)
        case.notes.append(f"raw DeepDiff not measured at {_count(rules)} rules")
    case.ratio("diff / attrs floor", "policydiff.diff", "attrs == floor", limit=2.0, target="<= 2")
    case.ratio(
        "diff, rules added and removed / attrs floor paired by id",
        "policydiff.diff, rules added and removed",
        "attrs == floor, rules paired by id",
        limit=2.0,
        target="<= 2",
    )
    case.ratio(
        "diff, rules shared / attrs floor", "policydiff.diff, rules shared", "attrs == floor"
    )
    for ours, name, label in (
        ("policydiff.diff", "raw DeepDiff", "rules keyed by id"),
        ("policydiff.diff", "raw DeepDiff, ignore_order", "documents as written, ignore_order"),
        ("policydiff.diff, rules shared", "raw DeepDiff", "rules keyed by id"),
    ):
        if not any(r.name == name for r in case.results):
            continue
        speedup = case.median(name) / case.median(ours)
        case.ratios.append(
            Ratio.within(
                f"{ours.removeprefix('policydiff.')} / {name}",
                1 / speedup,
                1 / 50,
                "<= 0.02 (50x faster)",
            )
        )
        case.notes.append(f"{ours} is {speedup:.1f}x faster than raw DeepDiff ({label})")
    if any(r.name == "raw DeepDiff" for r in case.results):
        floor_speedup = case.median("raw DeepDiff") / case.median("attrs == floor")
        case.notes.append(
            f"the attrs floor itself is {floor_speedup:.1f}x faster than raw DeepDiff"
            " (rules keyed by id)"
        )
    return case


def _keyed_pair(old_doc: dict[str, Any], new_doc: dict[str, Any]) -> tuple[Any, Any]:
    return generate.keyed(old_doc), generate.keyed(new_doc)


def case_sweep(scale: Scale) -> Case:
    """``diff`` against its floor as the changed fraction goes from 0.01% to 100%."""
    rules = scale.sweep_rules
    case = Case(case="sweep", size=f"{_count(rules)} rules, 0.01% to 100% changed")
    contenders = []
    for fraction in SWEEP:
        _, _, old, new = _edited_pair(rules, fraction)
        label = f"{fraction:.2%}"
        contenders.append(
            contender(
                f"policydiff.diff, {label} changed",
                lambda pair: policydiff.diff(*pair),
                setup=lambda o=old, n=new: (_fresh(o), _fresh(n)),
            )
        )
        contenders.append(
            contender(f"attrs == floor, {label} changed", _floor(old.rules, new.rules))
        )
    case.results = compare(contenders, max(3, scale.repeats - 2), clock=time.process_time)
    for fraction in SWEEP:
        label = f"{fraction:.2%}"
        case.ratio(
            f"diff / attrs floor, {label} changed",
            f"policydiff.diff, {label} changed",
            f"attrs == floor, {label} changed",
        )
    case.notes.append("edits only, so the floor's rule tuples stay aligned; CPU time")
    return case


def _peers() -> dict[str, Callable[[Any, Any], object]]:
    """The other diff libraries installed (the ``bench`` extra), by name."""
    found: dict[str, Callable[[Any, Any], object]] = {}
    try:
        import jsondiff

        found["jsondiff"] = jsondiff.diff
    except ImportError:
        pass
    try:
        import dictdiffer

        found["dictdiffer"] = lambda a, b: list(dictdiffer.diff(a, b))
    except ImportError:
        pass
    try:
        from jycm.jycm import YouchamaJsonDiffer

        def jycm_diff(a: Any, b: Any) -> object:
            differ = YouchamaJsonDiffer(a, b)
            differ.diff()
            return differ.to_dict(no_pairs=True)

        found["jycm"] = jycm_diff
    except ImportError:
        pass
    return found


def case_peers(scale: Scale) -> Case:
    """``diff`` against raw DeepDiff and the other JSON diff libraries, on rules keyed by id."""
    rules = scale.peer_rules
    old_doc, new_doc, old, new = _edited_pair(rules, 0.01)
    case = Case(case="peers", size=f"{_count(rules)} rules, 1% changed")
    old_plain, new_plain = generate.keyed(old_doc), generate.keyed(new_doc)
    contenders = [
        contender(
            "policydiff.diff",
            lambda pair: policydiff.diff(*pair),
            setup=lambda: (_fresh(old), _fresh(new)),
        ),
        contender("attrs == floor", _floor(old.rules, new.rules)),
        contender("raw DeepDiff", lambda _: DeepDiff(old_plain, new_plain)),
    ]
    peers = _peers()
    for name, run in peers.items():
        contenders.append(contender(name, lambda _, r=run: r(old_plain, new_plain)))
    missing = sorted({"jsondiff", "dictdiffer", "jycm"} - peers.keys())
    if missing:
        case.notes.append(f"not installed: {', '.join(missing)} (pip install 'policydiff[bench]')")
    case.results = compare(contenders, max(3, scale.repeats - 2), clock=time.process_time)
    case.ratio("diff / attrs floor", "policydiff.diff", "attrs == floor")
    for name in ("raw DeepDiff", *peers):
        case.ratio(f"{name} / policydiff.diff", name, "policydiff.diff")
    case.notes.append("peers get the plain documents with rules keyed by id; CPU time")
    return case


FLAGSHIP = HERE.parent / "examples" / "us-ukraine-strikes" / "history"


def case_diff_flagship(scale: Scale) -> Case:
    """``diff`` of each step of the flagship history, a real policy's few rules."""
    history = policydiff.load_history(FLAGSHIP)
    pairs = list(itertools.pairwise(history))
    documents = [(unstructure_version(a), unstructure_version(b)) for a, b in pairs]
    case = Case(case="diff, flagship", size=f"{len(pairs)} steps of {FLAGSHIP.parent.name}")
    rounds = 10 * scale.repeats
    case.results = compare(
        [
            contender(
                "policydiff.diff",
                lambda fresh: [policydiff.diff(a, b) for a, b in fresh],
                setup=lambda: [(_fresh(a), _fresh(b)) for a, b in pairs],
            ),
            contender("raw DeepDiff", lambda _: [DeepDiff(a, b) for a, b in documents]),
            contender(
                "raw DeepDiff, ignore_order",
                lambda _: [DeepDiff(a, b, ignore_order=True) for a, b in documents],
            ),
        ],
        rounds,
    )
    for name in ("raw DeepDiff", "raw DeepDiff, ignore_order"):
        case.ratio(f"diff / {name}", "policydiff.diff", name)
    changes = sum(len(policydiff.diff(a, b)) for a, b in pairs)
    case.notes.append(
        f"every step diffed once per repeat ({changes} changes in all); raw DeepDiff gets the"
        " documents as policydiff writes them"
    )
    return case


def _fresh(version: PolicyVersion) -> PolicyVersion:
    """An equal version object holding the same rules, with no cached state.

    Versions cache their map of rules by id; a fresh object per repeat keeps
    the first repeat's work from making the later ones cheaper.
    """
    return attrs.evolve(version)


def _read(path: Path) -> str:
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8")


def _c_yaml(path: Path) -> Any:
    loader = yaml.CSafeLoader(_read(path))
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def case_load(rules: int, scale: Scale, folder: Path) -> Iterator[Case]:
    """``load`` of a document as JSON and as YAML, against the bare parsers."""
    shape = generate.Shape(rules=rules)
    document = generate.make_document(shape, seed=rules)
    paths = generate.write_documents(document, folder, f"load-{rules}")
    expected = generate.to_version(document)
    baselines = {
        "json": ("json.loads", lambda p: json.loads(_read(p))),
        "yaml": ("yaml CSafeLoader", _c_yaml),
    }
    limits = {"json": 4.0, "yaml": 1.5}
    for fmt, path in paths.items():
        if policydiff.load(path) != expected:
            raise AssertionError(f"loading {path} does not give the generated version")
        base, parse = baselines[fmt]
        size = path.stat().st_size
        case = Case(case=f"load {fmt}", size=f"{_count(rules)} rules, {_bytes(size)}")
        case.results = compare(
            [
                contender("policydiff.load", lambda _, p=path: policydiff.load(p)),
                contender(base, lambda _, p=path, f=parse: f(p)),
                contender(f"{base} (gc off)", lambda _, p=path, f=parse: f(p), gc_enabled=False),
                contender(
                    "policydiff.load (gc off)",
                    lambda _, p=path: policydiff.load(p),
                    gc_enabled=False,
                ),
            ],
            scale.repeats,
        )
        limit = limits[fmt]
        case.ratio(f"load / {base}", "policydiff.load", base, limit=limit, target=f"<= {limit:g}")
        case.ratio(
            f"load / {base}, gc off for both",
            "policydiff.load (gc off)",
            f"{base} (gc off)",
            limit=limit,
            target=f"<= {limit:g}",
        )
        case.ratio(f"load / {base} (gc off)", "policydiff.load", f"{base} (gc off)")
        case.notes.append("files are read inside the timing for every contender")
        yield case


def _history_runner(
    versions: list[PolicyVersion],
) -> tuple[str, Callable[[Any], object], Callable[[], Any] | None]:
    if PolicyHistory is not None:
        return (
            "history.changes()",
            lambda history: history.changes(),
            lambda: PolicyHistory(versions=[_fresh(v) for v in versions]),
        )
    return (
        "diff per pair",
        lambda fresh: [policydiff.diff(a, b) for a, b in itertools.pairwise(fresh)],
        lambda: [_fresh(v) for v in versions],
    )


def case_log(scale: Scale) -> Case:
    """``log`` of a history, and of one with twice the unchanged rules."""
    sizes = (scale.log_rules, 2 * scale.log_rules)
    case = Case(
        case="log",
        size=f"{scale.log_versions:,} versions x {_count(sizes[0])} / {_count(sizes[1])} rules, "
        f"{scale.log_changed} changed per step",
    )
    contenders = []
    for rules in sizes:
        versions = list(
            generate.history_versions(
                generate.Shape(rules=rules),
                versions=scale.log_versions,
                changed=scale.log_changed,
                seed=7,
            )
        )
        label, run, setup = _history_runner(versions)
        name = f"{label}, {_count(rules)} rules"
        contenders.append(contender(name, run, setup=setup))
        contenders.append(contender(f"{name} (gc off)", run, setup=setup, gc_enabled=False))
    if PolicyHistory is None:
        case.notes.append("no PolicyHistory yet: timed diff() over each consecutive pair")
    case.results = compare(contenders, scale.log_repeats)
    names = [r.name for r in case.results]
    case.ratio("twice the unchanged rules", names[2], names[0], limit=1.5, target="< 1.5")
    case.ratio("twice the unchanged rules, gc off", names[3], names[1])
    case.notes.append("unchanged rules are objects shared between versions (attrs.evolve)")
    return case


def case_log_files(scale: Scale, folder: Path) -> Case:
    """``load_history()`` of a folder of documents, then ``changes()``, at two sizes."""
    sizes = (scale.log_rules, 2 * scale.log_rules)
    case = Case(
        case="log, from files",
        size=f"{scale.files_versions} JSON files x {_count(sizes[0])} / {_count(sizes[1])} rules, "
        f"{scale.log_changed} changed per step",
    )
    contenders = []
    for rules in sizes:
        where = folder / f"history-{rules}"
        where.mkdir()
        versions = generate.history_versions(
            generate.Shape(rules=rules),
            versions=scale.files_versions,
            changed=scale.log_changed,
            seed=7,
        )
        for index, version in enumerate(versions):
            policydiff.dump(version, where / f"{index:05d}.json")
        loaded = policydiff.load_history(where)
        contenders.append(
            contender(
                f"load_history(), {_count(rules)} rules",
                lambda _, w=where: policydiff.load_history(w),
            )
        )
        contenders.append(
            contender(
                f"changes() of the loaded history, {_count(rules)} rules",
                lambda history: history.changes(),
                setup=lambda w=where: policydiff.load_history(w),
            )
        )
        shared = sum(
            a is b
            for older, newer in itertools.pairwise(loaded)
            for a, b in zip(older.rules, newer.rules, strict=True)
        )
        case.notes.append(
            f"{_count(rules)} rules: {shared:,} of {(len(loaded) - 1) * rules:,} rules are objects"
            " shared with the version before"
        )
    case.results = compare(contenders, scale.log_repeats)
    names = [r.name for r in case.results]
    case.ratio("load, twice the unchanged rules", names[2], names[0])
    case.ratio(
        "changes(), twice the unchanged rules", names[3], names[1], limit=1.5, target="< 1.5"
    )
    return case


def case_log_churn(scale: Scale) -> Case:
    """``changes()`` when every step adds and removes rules, against steps that only edit."""
    versions, rules = scale.churn_shape
    shape = generate.Shape(rules=rules)
    case = Case(
        case="log, adding and removing",
        size=f"{versions} versions x {_count(rules)} rules, 10 changed per step",
    )
    contenders = []
    for label, churn in (("edits only", 0.0), ("2 of 10 added or removed", 0.2)):
        made = list(
            generate.history_versions(shape, versions=versions, changed=10, seed=11, churn=churn)
        )
        contenders.append(
            contender(
                f"changes() per step, {label}",
                lambda history: history.changes(),
                setup=lambda m=made: PolicyHistory(versions=[_fresh(v) for v in m]),
            )
        )
    first = generate.to_version(generate.make_document(shape, seed=11))
    twin = attrs.evolve(first, rules=[attrs.evolve(r) for r in first.rules])
    contenders.append(
        contender("attrs == floor, one version's rules", _floor(first.rules, twin.rules))
    )
    results = compare(contenders, scale.log_repeats, clock=time.process_time)
    steps = versions - 1
    case.results = [
        Result(name=r.name, times=[t / steps for t in r.times]) if "per step" in r.name else r
        for r in results
    ]
    case.ratio(
        "a step adding and removing / a step editing",
        "changes() per step, 2 of 10 added or removed",
        "changes() per step, edits only",
        limit=1.5,
        target="<= 1.5",
    )
    case.ratio(
        "a step adding and removing / attrs floor",
        "changes() per step, 2 of 10 added or removed",
        "attrs == floor, one version's rules",
        limit=2.0,
        target="<= 2",
    )
    case.notes.append(
        "per step: unchanged rules are shared objects, paired without a list or map of every id;"
        " CPU time"
    )
    return case


def _churned(versions: int, rules: int, *, seed: int) -> list[PolicyVersion]:
    """A generated history, 10 rules changed per step, 2 of them added or removed."""
    shape = generate.Shape(rules=rules)
    return list(
        generate.history_versions(shape, versions=versions, changed=10, seed=seed, churn=0.2)
    )


def case_timeline(scale: Scale) -> Case:
    """``rule_timeline``, ``lifted`` and ``imposed`` for one rule, against a scan of the changes."""
    versions, rules = scale.timeline_shape
    made = _churned(versions, rules, seed=5)
    history = PolicyHistory(versions=made)
    steps = history.changes()
    touched = sorted({c.rule for d in steps for c in d.changes if c.rule is not None})
    rng = random.Random(5)
    asked = rng.sample(touched, min(20, len(touched)))
    case = Case(
        case="timeline",
        size=f"{versions} versions x {_count(rules)} rules, {len(asked)} rules asked about",
    )
    history.rule_timeline(asked[0])  # the index of the changes is built once

    def scan(_: Any) -> object:
        return [[c for d in steps for c in d.changes if c.rule == rule_id] for rule_id in asked]

    case.results = compare(
        [
            contender("rule_timeline(id)", lambda _: [history.rule_timeline(i) for i in asked]),
            contender("lifted(id)", lambda _: [history.lifted(i) for i in asked]),
            contender("imposed(id)", lambda _: [history.imposed(i) for i in asked]),
            contender("a scan of the cached changes", scan),
        ],
        scale.repeats,
        clock=time.process_time,
    )
    case.results = [
        Result(name=r.name, times=[t / len(asked) for t in r.times]) for r in case.results
    ]
    for name in ("rule_timeline(id)", "lifted(id)", "imposed(id)"):
        case.ratio(
            f"{name} / a scan of the changes",
            name,
            "a scan of the cached changes",
            limit=2.0,
            target="<= 2",
        )
    case.notes.append(
        f"per rule asked about; {sum(len(d) for d in steps):,} changes in all;"
        " a rule of the first version also gets its entry from the start; CPU time"
    )
    return case


def _traced(run: Callable[[], Any]) -> tuple[Any, int, int]:
    """Run ``run`` under tracemalloc: its result, the bytes it keeps and its peak."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = run()
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, kept - base, peak - base


def case_load_memory(scale: Scale, folder: Path) -> Case:
    """``load_history`` of a folder: peak memory against what the history keeps."""
    versions, rules = scale.memory_shape
    made = _churned(versions, rules, seed=3)
    for index, version in enumerate(made):
        policydiff.dump(version, folder / f"{index:05d}.json")
    size = sum(p.stat().st_size for p in folder.iterdir())
    case = Case(
        case="load memory",
        size=f"{versions:,} JSON files x {_count(rules)} rules, {_bytes(size)}",
    )
    files = sorted(folder.iterdir())
    case.results = compare(
        [
            contender("load_history()", lambda _: policydiff.load_history(folder)),
            contender(
                "read and json.loads every file", lambda _: [json.loads(_read(f)) for f in files]
            ),
        ],
        max(1, scale.log_repeats - 2),
        clock=time.process_time,
    )
    history, kept, peak = _traced(lambda: policydiff.load_history(folder))
    case.ratios.append(Ratio.within("peak / kept memory", peak / kept, 1.5, "<= 1.5"))
    case.ratio("load / reading and parsing", "load_history()", "read and json.loads every file")
    case.notes.append(
        f"tracemalloc: the history keeps {_bytes(kept)}, the peak while loading is {_bytes(peak)}"
    )
    del history
    return case


def case_store(scale: Scale) -> Case:
    """``to_store`` and ``from_store``: size, time against dumping, and memory."""
    versions, rules = scale.store_shape
    made = _churned(versions, rules, seed=9)
    history = PolicyHistory(versions=made)
    case = Case(
        case="store",
        size=f"{versions} versions x {_count(rules)} rules, 10 changed per step (2 added or removed)",
    )
    stored = policydiff.to_store(history)
    text = json.dumps(stored, indent=1, ensure_ascii=False) + "\n"
    documents = sum(len(policydiff.dumps(v, format="json").encode()) for v in history)
    payload = json.loads(text)
    case.results = compare(
        [
            contender("to_store()", lambda _: policydiff.to_store(history)),
            contender(
                "dumping every version",
                lambda _: [policydiff.dumps(v, format="json") for v in history],
            ),
            contender("from_store()", lambda _: policydiff.from_store(payload)),
        ],
        max(1, scale.log_repeats - 2),
        clock=time.process_time,
    )
    smaller = documents / len(text.encode())
    case.ratios.append(
        Ratio(
            name="folder of documents / store (size)",
            value=smaller,
            target=">= 20",
            met=smaller >= 20,
        )
    )
    case.ratio(
        "to_store / dumping every version",
        "to_store()",
        "dumping every version",
        limit=3.0,
        target="<= 3",
    )
    rebuilt, kept, peak = _traced(lambda: policydiff.from_store(payload))
    if rebuilt != history:
        raise AssertionError("from_store(to_store(history)) is not the history")
    case.ratios.append(Ratio.within("from_store: peak / kept memory", peak / kept, 1.5, "<= 1.5"))
    case.notes.append(
        f"store {_bytes(len(text.encode()))} against {_bytes(documents)} of documents;"
        f" from_store keeps {_bytes(kept)}, peak {_bytes(peak)}; CPU time"
    )
    return case


def case_at(scale: Scale) -> Case:
    """``history.at()`` lookups at several history sizes."""
    sizes = scale.at_versions
    case = Case(
        case="at",
        size=f"{', '.join(_count(n) for n in sizes)} versions, {scale.at_lookups:,} lookups",
    )
    if PolicyHistory is None:
        case.skipped = True
        case.notes.append("skipped: policydiff has no PolicyHistory yet")
        return case
    base = generate.to_version(generate.make_document(generate.Shape(rules=5), seed=1))
    start = base.effective.instant
    contenders = []
    for size in sizes:
        versions = [
            attrs.evolve(base, version=f"v{i:06d}", effective=When(instant=start.add(hours=i)))
            for i in range(size)
        ]
        history = PolicyHistory(versions=versions)
        rng = random.Random(size)
        moments = [
            start.add(minutes=rng.randrange(-60, size * 60)) for _ in range(scale.at_lookups)
        ]
        contenders.append(
            contender(
                f"at(), {_count(size)} versions",
                lambda _, h=history, ms=moments: [h.at(m) for m in ms],
            )
        )
    results = compare(contenders, scale.repeats)
    # Report the time per lookup.
    case.results = [
        Result(name=r.name, times=[t / scale.at_lookups for t in r.times]) for r in results
    ]
    smallest, largest = sizes[0], sizes[-1]
    for size in sizes[1:]:
        logarithmic = math.log2(size) / math.log2(smallest)
        case.ratio(
            f"per lookup, {_count(size)} / {_count(smallest)} versions",
            f"at(), {_count(size)} versions",
            f"at(), {_count(smallest)} versions",
            limit=logarithmic,
            target=f"<= {logarithmic:.2f} (log2 ratio; linear is {size // smallest}x)",
        )
    case.notes.append(f"times are per lookup; {largest // smallest}x the versions")
    return case


def _unknown_sources(n: int, *, valid: bool = False) -> str:
    """A document of n sources and n rules, each citing a source it does not list."""
    sources = [{"id": f"source-{i:05}"} for i in range(n)]
    cite = "source" if valid else "sourse"
    rules = [
        {"id": f"r{i}", "effect": "permit", "action": "x", "sources": [f"{cite}-{i:05}"]}
        for i in range(n)
    ]
    doc = {"policy": "p", "version": "v", "effective": "2024", "sources": sources, "rules": rules}
    return json.dumps(doc)


def _bad_effects(n: int, *, valid: bool = False) -> str:
    """A document of n rules, each with an unknown effect."""
    effect = "permit" if valid else "alow"
    rules = [{"id": f"r{i}", "effect": effect, "action": "x"} for i in range(n)]
    return json.dumps({"policy": "p", "version": "v", "effective": "2024", "rules": rules})


def _duplicate_keys(n: int, *, valid: bool = False) -> str:
    """A JSON document of n rules, each giving its id twice."""
    again = "" if valid else ', "id": "r{i}"'
    rules = ",".join(
        '{"id": "r'
        + str(i)
        + '"'
        + again.replace("{i}", str(i))
        + ', "effect": "permit", "action": "x"}'
        for i in range(n)
    )
    return '{"policy": "p", "version": "v", "effective": "2024",\n"rules": [' + rules + "]}"


def _empty_lists(n: int, *, valid: bool = False) -> str:
    """A JSON document of 100 n empty lists (or, valid, 100 n approvers)."""
    if valid:
        approvers = json.dumps(["a"] * (100 * n))
        return f'{{"policy": "p", "version": "v", "effective": "2024", "approved_by": {approvers}}}'
    return '{"x": [' + ",".join(["[]"] * (100 * n)) + "]}"


def _vocabulary_chain(n: int, *, valid: bool = False) -> str:
    """A vocabulary of n values in one chain (or, valid, all under one root)."""
    tree = (
        {"root": [f"v{i}" for i in range(n)]}
        if valid
        else {f"v{i}": [f"v{i + 1}"] for i in range(n)}
    )
    doc = {"policy": "p", "version": "v", "effective": "2024", "vocabulary": {"t": tree}}
    return json.dumps(doc)


def _empty_deltas(n: int, *, valid: bool = False) -> str:
    """A stored history of a 1k-rule version and n deltas that change nothing.

    Valid, each delta moves the label and the effective year on by one.
    """
    rules = [{"id": f"r{i:04}", "effect": "permit", "action": ["x"]} for i in range(1000)]
    first = {"policy": "p", "version": "v0", "effective": "2000", "rules": rules}
    deltas: list[dict[str, Any]] = [
        {
            "values_changed": {
                "root['effective']": {"new_value": f"{2001 + i}", "old_value": f"{2000 + i}"},
                "root['version']": {"new_value": f"v{i + 1}", "old_value": f"v{i}"},
            }
        }
        if valid
        else {}
        for i in range(n)
    ]
    payload = {
        "policydiff": 1,
        "history": "deltas",
        "policy": "p",
        "first": first,
        "deltas": deltas,
    }
    return json.dumps(payload)


def _read_document(text: str) -> object:
    return policydiff.loads(text, format="json", limits=_NO_CAP)


def _read_yaml(text: str) -> object:
    return policydiff.loads(text, format="yaml", limits=_NO_CAP)


def _read_store(text: str) -> object:
    return policydiff.from_store(json.loads(text), limits=_NO_CAP)


_NO_CAP = policydiff.Limits(max_problems=10**9)


def _refused(text: str, read: Callable[[str], object] = _read_document) -> Callable[[Any], object]:
    def refuse(_: Any) -> object:
        try:
            read(text)
        except policydiff.DocumentError as exc:
            return exc
        raise AssertionError("the hostile document was accepted")

    return refuse


def case_refuse(scale: Scale) -> Case:
    """Refusing hostile documents of n and 2n items: the work grows linearly."""
    n = scale.refuse_items
    case = Case(case="refuse", size=f"n = {_count(n)} items")
    kinds: tuple[tuple[str, Callable[..., str], Callable[[str], object]], ...] = (
        ("unknown source ids", _unknown_sources, _read_document),
        ("bad effects", _bad_effects, _read_document),
        ("duplicate keys", _duplicate_keys, _read_document),
        # Each n is 100 empty lists: a flood of the smallest values there are.
        ("empty lists", _empty_lists, _read_document),
        # The same flood read as YAML, the format that costs the most per value.
        ("empty lists, YAML", _empty_lists, _read_yaml),
        ("vocabulary chain", _vocabulary_chain, _read_document),
        ("empty deltas", _empty_deltas, _read_store),
    )
    contenders = []
    for label, make, read in kinds:
        for size in (n, 2 * n):
            contenders.append(contender(f"{label}, {_count(size)}", _refused(make(size), read)))
        valid = make(n, valid=True)
        contenders.append(
            contender(f"{label}, {_count(n)}, valid", lambda _, t=valid, r=read: r(t))
        )
    case.results = compare(contenders, scale.repeats)
    for label, _, _ in kinds:
        case.ratio(
            f"{label}: 2n / n",
            f"{label}, {_count(2 * n)}",
            f"{label}, {_count(n)}",
            limit=3.0,
            target="<= 3 (linear is 2, quadratic 4)",
        )
        case.ratio(
            f"{label}: refusing / reading a valid one",
            f"{label}, {_count(n)}",
            f"{label}, {_count(n)}, valid",
        )
    return case


def _start_command() -> list[str]:
    """How a user starts the command line: its script, else ``python -m policydiff``."""
    script = Path(sys.executable).with_name("policydiff")
    return [str(script)] if script.exists() else [sys.executable, "-m", "policydiff"]


def _started(command: list[str]) -> Callable[[Any], object]:
    def start(_: Any) -> object:
        return subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    return start


def case_start(scale: Scale) -> Case:
    """``policydiff --help`` in a new process, against a bare Python start."""
    case = Case(case="start", size="a new process")
    case.results = compare(
        [
            contender("python -c pass", _started([sys.executable, "-c", "pass"])),
            contender("policydiff --help", _started([*_start_command(), "--help"])),
            contender(
                "python -c 'import policydiff'",
                _started([sys.executable, "-c", "import policydiff"]),
            ),
        ],
        scale.start_repeats,
    )
    case.ratio(
        "policydiff --help / python -c pass",
        "policydiff --help",
        "python -c pass",
        limit=8.0,
        target="<= 8",
    )
    case.notes.append(f"the command line started as: {' '.join(_start_command())} --help")
    return case


def case_impact(scale_name: str) -> list[Case]:
    """The impact benchmark, when ``benchmarks/bench_impact.py`` exists."""
    path = HERE / "bench_impact.py"
    if not path.exists():
        case = Case(case="impact", size="-", skipped=True)
        case.notes.append("skipped: benchmarks/bench_impact.py does not exist yet")
        return [case]
    spec = importlib.util.spec_from_file_location("bench_impact", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "run"):
        case = Case(case="impact", size="-", skipped=True)
        case.notes.append("skipped: benchmarks/bench_impact.py has no run(scale)")
        return [case]
    found = module.run(scale_name)
    return [_as_case(item) for item in (found if isinstance(found, list) else [found])]


def _as_case(data: Any) -> Case:
    if isinstance(data, Case):
        return data
    if "results" not in data:
        return _flat_impact(data)
    return Case(
        case=str(data.get("case", "impact")),
        size=str(data.get("size", "")),
        results=[
            Result(name=r["name"], times=list(r.get("times_s") or [r["median_s"]]))
            for r in data.get("results", [])
        ],
        ratios=[
            Ratio(
                name=r["name"],
                value=float(r["value"]),
                target=str(r.get("target", "")),
                met=r.get("met"),
            )
            for r in data.get("ratios", [])
        ],
        notes=[str(n) for n in data.get("notes", [])],
        skipped=bool(data.get("skipped", False)),
    )


def _flat_impact(data: dict[str, Any]) -> Case:
    """Read ``bench_impact.run()``'s flat figures (``*_seconds``, ``ratio``).

    Its issue's target: ten times more values that no rule distinguishes
    change the time by under 20%.
    """
    size = (
        f"{data.get('dimensions', '?')} dimensions x {data.get('values_per_dimension', '?')} values"
        f" (refined: {data.get('refined_values_per_dimension', '?')}), {data.get('rules_old', '?')} rules"
    )
    case = Case(case="impact", size=size)
    for key, value in data.items():
        if key.endswith("_seconds"):
            case.results.append(
                Result(name=f"impact, {key.removesuffix('_seconds')}", times=[value])
            )
    if "ratio" in data:
        ratio = float(data["ratio"])
        case.ratios.append(
            Ratio(name="refined / base", value=ratio, target="0.8 to 1.2", met=abs(ratio - 1) < 0.2)
        )
    case.notes.append(
        "figures from benchmarks/bench_impact.py: best of its own repeats, not a median"
    )
    shown = ("rules_new", "rules_changed", "base_cubes", "refined_cubes")
    case.notes.extend(f"{key}: {data[key]}" for key in shown if key in data)
    return case


# -- the run -------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    versions = {}
    for package in ("policydiff", "deepdiff", "attrs", "cattrs", "pendulum", "PyYAML"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": sys.version.replace("\n", " "),
        "platform": platform.platform(),
        "yaml_libyaml": yaml.__with_libyaml__,
        "packages": versions,
    }


CASES = (
    "diff",
    "sweep",
    "peers",
    "load",
    "log",
    "churn",
    "timeline",
    "memory",
    "store",
    "at",
    "refuse",
    "start",
    "impact",
)


def run(
    scale_name: str, *, only: tuple[str, ...] = CASES, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Run the cases at one scale; return the report ``--json`` prints."""
    scale = SCALES[scale_name]
    say = progress or (lambda _: None)
    cases: list[Case] = []
    with tempfile.TemporaryDirectory(prefix="policydiff-bench-") as temp:
        if "diff" in only:
            for rules in scale.diff_rules:
                say(f"diff, {_count(rules)} rules")
                cases.append(case_diff(rules, scale))
            say("diff, flagship history")
            cases.append(case_diff_flagship(scale))
        if "load" in only:
            say(f"load, {_count(scale.load_rules)} rules")
            cases.extend(case_load(scale.load_rules, scale, Path(temp)))
    if "log" in only:
        say("log")
        cases.append(case_log(scale))
        with tempfile.TemporaryDirectory(prefix="policydiff-bench-") as temp:
            say("log, from files")
            cases.append(case_log_files(scale, Path(temp)))
    if "sweep" in only:
        say(f"sweep, {_count(scale.sweep_rules)} rules")
        cases.append(case_sweep(scale))
    if "peers" in only:
        say(f"peers, {_count(scale.peer_rules)} rules")
        cases.append(case_peers(scale))
    if "churn" in only:
        say("log, adding and removing")
        cases.append(case_log_churn(scale))
    if "timeline" in only:
        say("timeline")
        cases.append(case_timeline(scale))
    if "memory" in only:
        with tempfile.TemporaryDirectory(prefix="policydiff-bench-") as temp:
            say("load memory")
            cases.append(case_load_memory(scale, Path(temp)))
    if "store" in only:
        say("store")
        cases.append(case_store(scale))
    if "at" in only:
        say("at")
        cases.append(case_at(scale))
    if "refuse" in only:
        say(f"refuse, n = {_count(scale.refuse_items)}")
        cases.append(case_refuse(scale))
    if "start" in only:
        say("start")
        cases.append(case_start(scale))
    if "impact" in only:
        say("impact")
        cases.extend(case_impact(scale_name))
    return {
        "policydiff_benchmarks": 1,
        "scale": scale_name,
        "machine": machine(),
        "cases": [c.to_dict() for c in cases],
    }


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.1f} µs"


def table(report: dict[str, Any]) -> str:
    """The report as Markdown tables: timings, then ratios against targets."""
    lines = [
        f"scale: {report['scale']}; {report['machine']['cpus']} CPUs, {report['machine']['cpu']}; "
        f"Python {report['machine']['python'].split()[0]}",
        "",
        "| case | size | measurement | median | repeats |",
        "|---|---|---|---:|---:|",
    ]
    for case in report["cases"]:
        if case["skipped"]:
            lines.append(f"| {case['case']} | {case['size']} | skipped | - | - |")
        for result in case["results"]:
            lines.append(
                f"| {case['case']} | {case['size']} | {result['name']} | {_seconds(result['median_s'])} "
                f"| {result['repeats']} |"
            )
    lines += ["", "| case | size | ratio | value | target | met |", "|---|---|---|---:|---|---|"]
    for case in report["cases"]:
        for ratio in case["ratios"]:
            met = {True: "yes", False: "**no**", None: "-"}[ratio["met"]]
            lines.append(
                f"| {case['case']} | {case['size']} | {ratio['name']} | {ratio['value']:.3g} "
                f"| {ratio['target'] or '-'} | {met} |"
            )
    notes = [
        f"- {case['case']} ({case['size']}): {note}"
        for case in report["cases"]
        for note in case["notes"]
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print a table, or JSON with ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="say nothing on stderr while running")
    parser.add_argument(
        "--only", choices=CASES, action="append", help="run only this case (repeatable)"
    )
    parser.add_argument(
        "--diff-rules",
        type=int,
        action="append",
        metavar="N",
        help="run the diff case at N rules instead of the scale's sizes (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.diff_rules:
        SCALES[args.scale] = attrs.evolve(SCALES[args.scale], diff_rules=tuple(args.diff_rules))
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not args.quiet:
            print(
                f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True
            )

    report = run(args.scale, only=tuple(args.only or CASES), progress=progress)
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
