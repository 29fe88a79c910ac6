"""Benchmark many policies at once: a process pool against a serial run.

200 independent histories (at full scale: 10 versions of 300 rules each, 3
rules edited per step, as JSON files) are written by ``generate.py`` into a
temporary folder. Then, round-robin in one process, each repeat timing wall
time:

- *serial*: ``policydiff.log_many(paths, format="json")`` with no executor,
  every history read and logged in this process;
- *batch, 2 processes*: the same call with a new ``ProcessPoolExecutor(2)``
  (its start-up inside the timing, as ``--jobs 2`` pays it);
- *batch, 1 process*: the same with a pool of one worker, whose CPU time
  against the serial run's is what the pool and the batch call cost, apart
  from two processes sharing the machine;
- *hand-written pool*: ``ProcessPoolExecutor(2).map`` of a plain function
  doing the same work, the baseline the batch call's own overhead is judged
  against;
- *command line*: ``policydiff check --each PATHS... --jobs 1`` and ``--jobs
  2`` in new processes (full scale only: each is a few seconds).

The figures are medians of wall time (and of CPU time, this process's and
its children's); the ratios are serial wall time over parallel wall time,
the target being at least 1.7 on two cores. The machine's load average (1
minute) is reported before and after: on a shared machine other work takes
cores too, so the ratio is only as good as the cores were free. The speed-up
the pool would reach on two free cores is reported beside it: twice the
serial CPU time over the CPU time the pool's workers spent.

Run it with ``python benchmarks/bench_batch.py [tiny|full] [--json]``.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate  # noqa: E402 (the benchmarks folder is not a package)

import policydiff  # noqa: E402

SCALES: dict[str, dict[str, Any]] = {
    "tiny": {"histories": 8, "versions": 3, "rules": 30, "changed": 2, "repeat": 1, "cli": False},
    "full": {
        "histories": 200,
        "versions": 10,
        "rules": 300,
        "changed": 3,
        "repeat": 5,
        "cli": True,
    },
}
WORKERS = 2
TARGET = 1.7
SEED = 20240530


def write_histories(
    folder: Path, *, histories: int, versions: int, rules: int, changed: int
) -> list[str]:
    """Write ``histories`` folders of ``versions`` JSON documents; return their paths.

    Each history is its own seeded policy, and each step edits, adds or
    removes ``changed`` rules (``generate.change_documents``).
    """
    shape = generate.Shape(rules=rules)
    paths = []
    for number in range(histories):
        history = folder / f"policy-{number:04d}"
        history.mkdir(parents=True)
        document = generate.make_document(shape, seed=SEED + number, version="v0001")
        for step in range(versions):
            if step:
                document = generate.change_documents(
                    document,
                    shape,
                    changed=changed,
                    seed=SEED + number * 1_000 + step,
                    version=f"v{step + 1:04d}",
                    next_index=rules + step * changed,
                )
                document["effective"] = f"2024-{step // 28 + 1:02d}-{step % 28 + 1:02d}"
            text = json.dumps(document, indent=2) + "\n"
            (history / f"v{step + 1:04d}.json").write_text(text, encoding="utf-8")
        paths.append(str(history))
    return paths


def log_json(path: str) -> str:
    """What the hand-written pool runs: one history's log as JSON."""
    return policydiff.render(policydiff.load_history(path), "json")


def _serial(paths: list[str]) -> list[str | None]:
    return [o.value for o in policydiff.log_many(paths, format="json")]


def _batch(paths: list[str], workers: int = WORKERS) -> list[str | None]:
    with ProcessPoolExecutor(workers) as pool:
        return [o.value for o in policydiff.log_many(paths, format="json", executor=pool)]


def _hand_written(paths: list[str]) -> list[str | None]:
    with ProcessPoolExecutor(WORKERS) as pool:
        return list(pool.map(log_json, paths))


def _command(jobs: int, paths: list[str]) -> Callable[[], object]:
    script = Path(sys.executable).with_name("policydiff")
    argv = [str(script), "check", "--each", *paths, "--fail-on", "any", "--jobs", str(jobs)]

    def run() -> object:
        return subprocess.run(argv, capture_output=True, check=False).stdout

    return run


def _cpu() -> float:
    """CPU seconds of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(work: Callable[[], object]) -> tuple[float, float, object]:
    cpu, start = _cpu(), time.perf_counter()
    result = work()
    return time.perf_counter() - start, _cpu() - cpu, result


def run(scale: str = "tiny") -> dict[str, Any]:
    """Time every contender, round-robin, and return the medians and ratios."""
    size = SCALES[scale]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="policydiff-batch-") as folder:
        paths = write_histories(
            Path(folder),
            histories=size["histories"],
            versions=size["versions"],
            rules=size["rules"],
            changed=size["changed"],
        )
        contenders: dict[str, Callable[[], object]] = {
            "serial": lambda: _serial(paths),
            f"batch, {WORKERS} processes": lambda: _batch(paths),
            "batch, 1 process": lambda: _batch(paths, 1),
            "hand-written pool": lambda: _hand_written(paths),
        }
        if size["cli"]:
            contenders["check --each --jobs 1"] = _command(1, paths)
            contenders[f"check --each --jobs {WORKERS}"] = _command(WORKERS, paths)
        times: dict[str, list[float]] = {name: [] for name in contenders}
        cpu: dict[str, list[float]] = {name: [] for name in contenders}
        outputs: dict[str, object] = {}
        _serial(paths[:3])  # imports and first-use caches, before any timing
        for _ in range(size["repeat"]):
            for name, work in contenders.items():
                seconds, cpu_seconds, outputs[name] = _timed(work)
                times[name].append(seconds)
                cpu[name].append(cpu_seconds)
    serial_output = outputs["serial"]
    same = all(
        outputs[name] == serial_output for name in contenders if not name.startswith("check")
    )
    if size["cli"]:
        same = (
            same and outputs["check --each --jobs 1"] == outputs[f"check --each --jobs {WORKERS}"]
        )
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    parallel = f"batch, {WORKERS} processes"
    ratios = {
        f"batch, {WORKERS} processes": medians["serial"] / medians[f"batch, {WORKERS} processes"],
        "hand-written pool": medians["serial"] / medians["hand-written pool"],
    }
    if size["cli"]:
        ratios[f"check --each --jobs {WORKERS}"] = (
            medians["check --each --jobs 1"] / medians[f"check --each --jobs {WORKERS}"]
        )
    return {
        "case": "many histories",
        "scale": scale,
        "histories": size["histories"],
        "versions": size["versions"],
        "rules": size["rules"],
        "repeats": size["repeat"],
        "cores": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "medians_s": medians,
        "cpu_medians_s": cpu_medians,
        "times_s": times,
        "speed_up": ratios,
        # What the pool would reach with the cores to itself: the serial CPU
        # time spread over the workers, against the CPU the workers spent.
        "speed_up_free_cores": WORKERS * cpu_medians["serial"] / cpu_medians[parallel],
        "target": TARGET,
        "met": ratios[parallel] >= TARGET,
        "same_output": same,
    }


def _report(figures: dict[str, Any]) -> str:
    lines = [
        f"{figures['histories']} histories of {figures['versions']} versions x"
        f" {figures['rules']} rules, {figures['repeats']} repeats, {figures['cores']} cores,"
        f" load average {figures['load_before']:.2f} before, {figures['load_after']:.2f} after",
    ]
    lines += [
        f"  {name:<26} {seconds:8.3f} s wall, {figures['cpu_medians_s'][name]:8.3f} s CPU"
        for name, seconds in figures["medians_s"].items()
    ]
    lines += [
        f"  speed-up, {name:<26} {value:5.2f}x" for name, value in figures["speed_up"].items()
    ]
    free = figures["speed_up_free_cores"]
    lines.append(f"  speed-up on free cores (serial CPU x {WORKERS} / pool CPU) {free:5.2f}x")
    verdict = "met" if figures["met"] else "NOT met"
    lines.append(f"  target {figures['target']}x: {verdict}; same output: {figures['same_output']}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Run at the scale named on the command line; print text, or JSON with --json."""
    scale = next((arg for arg in argv if arg in SCALES), "tiny")
    figures = run(scale)
    print(json.dumps(figures, indent=2) if "--json" in argv else _report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
