"""Shared fixtures: an odd local time zone, the repository root, hypothesis profiles."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pendulum
import pytest
from hypothesis import HealthCheck, settings

# "ci" (the default) is deterministic, so a red build can be replayed, and
# small enough for the whole suite to finish in minutes on two busy cores;
# "dev" explores more (HYPOTHESIS_PROFILE=dev), "fuzz" far more.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=200)
# "fuzz" is the long run of docs/security.md: new examples every run, and a
# failure prints the blob that replays it. With "dev" taking two minutes for
# the readers' and the store's properties, 5,000 examples take about an hour.
settings.register_profile(
    "fuzz",
    deadline=None,
    max_examples=5_000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every property-based test ``slow``, with the other slow ones.

    The whole suite runs them, once; ``pytest -m "not slow"`` leaves them out
    for a quick run while editing.
    """
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


#: Local time in the Chatham Islands is UTC+12:45 (+13:45 in summer): nothing
#: else sits there, so any code that leaks local time into a result shows it.
ODD_ZONE = "Pacific/Chatham"

ROOT = Path(__file__).resolve().parent.parent


def benchmark_script(name: str) -> ModuleType:
    """Load ``benchmarks/NAME.py`` by its path (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"benchmarks_{name}", ROOT / "benchmarks" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered, as an import would, so that its functions pickle by name
    # into the worker processes a benchmark starts.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def odd_local_time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run every test with the process and pendulum in an unusual local zone."""
    monkeypatch.setenv("TZ", ODD_ZONE)
    time.tzset()
    pendulum.set_local_timezone(pendulum.timezone(ODD_ZONE))
    try:
        yield
    finally:
        pendulum.set_local_timezone()
        monkeypatch.undo()
        time.tzset()


@pytest.fixture
def repo_root() -> Path:
    """The repository's root folder."""
    return ROOT


@pytest.fixture
def data_dir() -> Path:
    """The folder of test documents."""
    return ROOT / "tests" / "data"


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return what it printed."""
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit holds a history folder and a policy document."""
    for name, value in {
        "GIT_AUTHOR_NAME": "Policy Author",
        "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "Policy Author",
        "GIT_COMMITTER_EMAIL": "author@example.org",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(name, value)
    where = tmp_path / "repo"
    (where / "history").mkdir(parents=True)
    (where / "policies").mkdir()
    (where / ".github" / "workflows").mkdir(parents=True)
    history = ROOT / "examples" / "us-ukraine-strikes" / "history"
    shutil.copy(history / "2022-no-strikes-inside-russia.yaml", where / "history")
    shutil.copy(history / "2024-05-30-kharkiv.yaml", where / "history")
    shutil.copy(history / "2022-no-strikes-inside-russia.yaml", where / "policies" / "weapons.yaml")
    (where / ".github" / "workflows" / "ci.yml").write_text("on: push\n", encoding="utf-8")
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "The policies as approved")
    monkeypatch.chdir(where)
    return where


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run the command line in-process: ``run("diff", old, new)`` gives (status, out, err)."""
    from policydiff._cli import main

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
