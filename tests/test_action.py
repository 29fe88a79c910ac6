"""The composite GitHub Action (``action.yml``), its ``run:`` steps executed as a runner would.

Each step's script runs with ``bash --noprofile --norc -eo pipefail`` (the
runner's ``shell: bash``) in a temporary repository, with the runner's
files: ``GITHUB_OUTPUT`` and ``GITHUB_PATH`` per step, ``GITHUB_STEP_SUMMARY``
for the job. The ``${{ ... }}`` expressions the action uses (inputs, step
outputs, ``github.*``) are filled in as the runner would. Installing cannot
reach a package index here: the ``python`` input names a stand-in
interpreter that records the ``pip install`` it is asked for and otherwise
runs this Python, with policydiff from this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT, git
from tests.test_gate_scan import SARIF_SCHEMA

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
ATACMS = HISTORY / "2024-11-17-atacms-kursk.yaml"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
ATACMS_PERMISSION = "2780df99e2d5cbb1"

pytestmark = pytest.mark.slow

_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def stand_in_python(folder: Path) -> Path:
    """A ``python`` that fakes ``-m venv`` and ``-m pip``, and runs this Python otherwise."""
    shim = folder / "python-stand-in"
    log = folder / "pip-installs.txt"
    shim.write_text(
        "#!/bin/bash\n"
        'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        '  mkdir -p "$3/bin"\n'
        f'  ln -s "{shim}" "$3/bin/python"\n'
        f'  printf \'#!/bin/sh\\nexec "%s" -m policydiff "$@"\\n\' "{sys.executable}"'
        ' > "$3/bin/policydiff"\n'
        '  chmod +x "$3/bin/policydiff"\n'
        "  exit 0\n"
        "fi\n"
        f'if [ "$1" = -m ] && [ "$2" = pip ]; then echo "$*" >> "{log}"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    return shim


class Runner:
    """Runs the action's steps as a GitHub runner does, one job."""

    def __init__(self, repo: Path, temp: Path, inputs: dict[str, str], env: dict[str, str]):
        self.repo, self.temp = repo, temp
        self.inputs = {
            name: inputs.get(name, spec.get("default", ""))
            for name, spec in ACTION["inputs"].items()
        }
        self.summary = temp / "summary.md"
        self.summary.write_text("", encoding="utf-8")
        self.path: list[str] = []
        self.outputs: dict[str, dict[str, str]] = {}
        self.env = {
            **os.environ,
            "RUNNER_TEMP": str(temp),
            "GITHUB_WORKSPACE": str(repo),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "NO_COLOR": "1",
            **env,
        }
        self.github = {"github.action_path": str(ROOT), "github.event.before": ""}
        self.log = ""

    def value(self, expression: str) -> str:
        if expression.startswith("inputs."):
            return self.inputs[expression.removeprefix("inputs.")]
        if expression.startswith("steps."):
            _, step, _, name = expression.split(".", 3)
            return self.outputs.get(step, {}).get(name, "")
        return self.github[expression]

    def fill(self, text: str) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), text)

    def run(self) -> int:
        """Run every step until one fails; return the last step's exit status."""
        status = 0
        for number, step in enumerate(ACTION["runs"]["steps"]):
            assert step["shell"] == "bash"
            output, path = self.temp / f"output-{number}", self.temp / f"path-{number}"
            output.write_text("", encoding="utf-8")
            path.write_text("", encoding="utf-8")
            env = {name: self.fill(str(value)) for name, value in step.get("env", {}).items()}
            assert "${{" not in step["run"], "expressions belong in env:, not in scripts"
            script = self.temp / f"step-{number}.sh"
            script.write_text(step["run"], encoding="utf-8")
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.repo,
                env={
                    **self.env,
                    **env,
                    "GITHUB_OUTPUT": str(output),
                    "GITHUB_PATH": str(path),
                    "PATH": os.pathsep.join([*self.path, self.env["PATH"]]),
                },
                capture_output=True,
                text=True,
                check=False,
            )
            self.log += result.stdout + result.stderr
            self.outputs[step["id"]] = dict(
                line.split("=", 1) for line in output.read_text("utf-8").splitlines() if line
            )
            self.path = [*path.read_text("utf-8").split(), *self.path]
            status = result.returncode
            if status:
                break
        return status

    def action_outputs(self) -> dict[str, str]:
        return {name: self.fill(spec["value"]) for name, spec in ACTION["outputs"].items()}


@pytest.fixture
def pull_request(repo: Path) -> Path:
    """A clone of a repository whose pull request adds the ATACMS version to the history folder."""
    origin = repo.parent / "origin.git"
    git(repo.parent, "clone", "-q", "--bare", str(repo), str(origin))
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "fetch", "-q", "origin")
    git(repo, "checkout", "-q", "-b", "atacms")
    shutil.copy(ATACMS, repo / "history")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ATACMS strikes in Kursk")
    # Like actions/checkout, the clone holds the pull request but not its base branch.
    git(repo, "update-ref", "-d", "refs/remotes/origin/main")
    return repo


def runner(repo: Path, tmp_path: Path, **inputs: str) -> Runner:
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    inputs.setdefault("python", str(stand_in_python(temp)))
    return Runner(repo, temp, inputs, {"GITHUB_BASE_REF": "main"})


def test_a_loosening_pull_request_fails_with_its_report_sarif_and_outputs(
    pull_request: Path, tmp_path: Path
) -> None:
    job = runner(pull_request, tmp_path, **{"fail-on": "loosened"})
    assert job.run() == 1, job.log
    # Installed from the action's own checkout, into a virtual environment put on PATH.
    installs = (job.temp / "pip-installs.txt").read_text(encoding="utf-8").splitlines()
    assert installs == [f"-m pip install --disable-pip-version-check --quiet {ROOT}"]
    assert job.path == [str(job.temp / "policydiff-venv" / "bin")]
    outputs = job.action_outputs()
    assert {k: v for k, v in outputs.items() if k != "sarif"} == {
        "verdict": "mixed",
        "result": "fail",
        "policies": "1",
        "failed": "1",
        "offending": "5",
        "waived": "0",
        "expired-waivers": "0",
        "base": "origin/main",
    }
    summary = job.summary.read_text(encoding="utf-8")
    assert "### history/2024-11-17-atacms-kursk.yaml (version added)" in summary
    assert summary.rstrip().endswith("(--fail-on loosened).**")
    sarif = json.loads(Path(outputs["sarif"]).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    assert len(sarif["runs"][0]["results"]) == 5
    assert "::error file=history/2024-11-17-atacms-kursk.yaml,line=" in job.log


def test_advisory_reports_a_failure_but_keeps_the_step_green(
    pull_request: Path, tmp_path: Path
) -> None:
    job = runner(pull_request, tmp_path, **{"fail-on": "loosened", "advisory": "true"})
    assert job.run() == 0, job.log
    assert job.action_outputs()["result"] == "fail"
    assert "::warning file=history/2024-11-17-atacms-kursk.yaml" in job.log


def test_waived_changes_pass_and_are_counted(pull_request: Path, tmp_path: Path) -> None:
    data = json.loads(
        subprocess.run(
            [sys.executable, "-m", "policydiff", "check", "--base", "main", "--fail-on",
             "loosened", "--format", "json"],
            cwd=pull_request, capture_output=True, text=True, check=False,
        ).stdout
    )  # fmt: skip
    fingerprints = [c["fingerprint"] for c in data["steps"][0]["changes"]]
    waivers = pull_request / "review" / "waivers.yaml"
    waivers.parent.mkdir()
    waivers.write_text(
        "waivers:\n"
        + "".join(
            f"  - {{fingerprint: {f}, reason: Reviewed., approved_by: Board, expires: 2999-12-31}}\n"
            for f in fingerprints
        ),
        encoding="utf-8",
    )
    job = runner(
        pull_request, tmp_path, **{"fail-on": "loosened", "waivers": "review/waivers.yaml"}
    )
    assert job.run() == 0, job.log
    outputs = job.action_outputs()
    assert (outputs["result"], outputs["waived"], outputs["offending"]) == ("pass", "5", "0")
    assert ATACMS_PERMISSION in fingerprints


def test_paths_and_an_explicit_base_are_passed_on(pull_request: Path, tmp_path: Path) -> None:
    job = runner(pull_request, tmp_path, **{"fail-on": "any", "paths": "policies", "base": "main"})
    assert job.run() == 0, job.log
    outputs = job.action_outputs()
    assert (outputs["base"], outputs["policies"], outputs["verdict"]) == ("main", "0", "equivalent")
    assert "OK: no policy document under policies changed since main." in (
        job.summary.read_text(encoding="utf-8")
    )


def test_bad_input_fails_the_step_with_the_problem(pull_request: Path, tmp_path: Path) -> None:
    job = runner(pull_request, tmp_path, **{"fail-on": "any", "base": "no-such-branch"})
    assert job.run() == 2
    assert "unknown revision 'no-such-branch'" in job.log
    assert "::error::policydiff could not check the policies" in job.log
