"""The scripts beside the examples run from anywhere and print true facts.

Each script is run in this process (from the repository root and from its own
folder) and once as a program from an unrelated folder; the tests check the
facts it prints about the example histories, not its whole output.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "examples" / "us-ukraine-strikes"
EXPORTS = ROOT / "examples" / "export-controls"
SCRIPTS = {
    "compare_kharkiv": FLAGSHIP / "compare_kharkiv.py",
    "when_lifted": FLAGSHIP / "when_lifted.py",
    "impact_of_each_step": FLAGSHIP / "impact_of_each_step.py",
    "since_when": FLAGSHIP / "since_when.py",
    "review": EXPORTS / "review.py",
}


def _run(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cwd: Path = ROOT
) -> str:
    monkeypatch.chdir(cwd)
    runpy.run_path(str(SCRIPTS[name]), run_name="__main__")
    return capsys.readouterr().out


def _section(output: str, heading: str) -> list[str]:
    """The lines after a heading line, up to the next blank line."""
    lines = output.splitlines()
    start = lines.index(heading) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


class TestEveryScript:
    def test_every_script_in_the_examples_is_tested(self) -> None:
        found = set((ROOT / "examples").rglob("*.py"))

        assert found == set(SCRIPTS.values())

    @pytest.mark.parametrize("name", SCRIPTS)
    def test_the_script_prints_the_same_from_its_own_folder(
        self, name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from_root = _run(name, monkeypatch, capsys)
        from_folder = _run(name, monkeypatch, capsys, cwd=SCRIPTS[name].parent)

        assert from_root.strip()
        assert from_folder == from_root

    @pytest.mark.parametrize("name", SCRIPTS)
    def test_importing_the_script_prints_nothing_and_offers_main(
        self, name: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        namespace = runpy.run_path(str(SCRIPTS[name]), run_name="example")

        assert callable(namespace["main"])
        assert capsys.readouterr().out == ""

    @pytest.mark.parametrize("name", SCRIPTS)
    def test_the_script_runs_as_a_program_from_another_folder(
        self,
        name: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        result = subprocess.run(
            [sys.executable, str(SCRIPTS[name])],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )

        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == _run(name, monkeypatch, capsys)


class TestCompareKharkiv:
    @pytest.fixture
    def output(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
        return _run("compare_kharkiv", monkeypatch, capsys)

    def test_the_permission_granted_is_the_one_thing_lifted(self, output: str) -> None:
        lifted = _section(output, "Lifted or loosened: 1")

        assert lifted[0] == "- Effective 30 May 2024, rule kharkiv-defensive-strikes:"
        assert lifted[1].startswith("  Permission granted: Ukraine may strike")
        assert "Belgorod Oblast" in lifted[1]

    def test_the_sources_of_the_permission_are_politico_and_reuters(self, output: str) -> None:
        lifted = _section(output, "Lifted or loosened: 1")
        sources = [line for line in lifted if line.startswith("  Source: ")]

        assert [line.split(",")[0] for line in sources] == [
            "  Source: Politico",
            "  Source: Reuters",
        ]
        assert "  Source: Reuters, 30 May 2024 (citing four U.S. officials)" in sources

    def test_nothing_was_imposed(self, output: str) -> None:
        assert "Imposed or tightened: 0" in output.splitlines()

    def test_the_prohibition_on_strikes_inside_russia_still_stands(self, output: str) -> None:
        standing = _section(output, "Still in force, unchanged:")

        assert [line.split(" ")[1] for line in standing] == ["no-strikes-inside-russia"]

    def test_the_new_version_took_effect_on_30_may_and_was_announced_the_next_day(
        self, output: str
    ) -> None:
        lines = output.splitlines()

        assert "  to kharkiv-defensive-strikes (effective 30 May 2024" in lines[2]
        assert "Announced: 31 May 2024" in lines
        assert "Approved by: President Joe Biden" in lines

    def test_the_decision_steps_run_from_the_offensive_to_the_confirmation(
        self, output: str
    ) -> None:
        steps = _section(output, "Decision steps:")

        assert steps[0].startswith("- 10 May 2024: Russia opens a new offensive toward Kharkiv.")
        assert steps[1].endswith("(17 days before it took effect)")
        assert steps[1].startswith("- 13 May 2024: Meeting with Ukrainian counterparts")
        assert steps[2].startswith("- May 2024: ")
        assert "Blinken" in steps[-1]
        assert "Prague" in steps[-1]
        assert steps[-1].endswith("(1 day after it took effect)")

    def test_a_step_known_only_to_the_month_gets_no_count_of_days(self, output: str) -> None:
        recommendation = _section(output, "Decision steps:")[2]

        assert recommendation.startswith("- May 2024: About two days after the meeting")
        assert not recommendation.endswith("it took effect)")


class TestWhenLifted:
    @pytest.fixture
    def output(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
        return _run("when_lifted", monkeypatch, capsys)

    def test_the_atacms_permission_for_kursk_was_granted_on_17_november_2024(
        self, output: str
    ) -> None:
        rule = _section(
            output,
            next(line for line in output.splitlines() if line.startswith("atacms-kursk (permit)")),
        )

        assert re.fullmatch(
            r"  17 November 2024 +permission granted, loosened, in atacms-kursk", rule[0]
        )

    def test_the_approval_obligation_of_2025_is_dated_to_the_month(self, output: str) -> None:
        heading = next(
            line for line in output.splitlines() if line.startswith("atacms-strikes-need-approval")
        )
        rule = _section(output, heading)

        assert heading.startswith("atacms-strikes-need-approval (oblige): ")
        assert re.fullmatch(
            r"  June 2025 \(month only\) +restriction imposed, tightened,"
            r" in pentagon-approval-for-atacms",
            rule[0],
        )
        assert "1 June 2025" not in output

    def test_the_kharkiv_permission_was_granted_on_30_may_and_broadened_in_june(
        self, output: str
    ) -> None:
        heading = next(
            line
            for line in output.splitlines()
            if line.startswith("kharkiv-defensive-strikes (permit)")
        )
        rule = _section(output, heading)

        assert re.fullmatch(r"  30 May 2024 +permission granted, loosened, .*", rule[0])
        assert re.fullmatch(
            r"  June 2024 \(month only\) +scope broadened \(territory: Russian border regions"
            r" added, Belgorod Oblast removed\), loosened, in anywhere-across-the-border",
            rule[1],
        )

    def test_the_prohibition_of_strikes_inside_russia_was_never_lifted(self, output: str) -> None:
        heading = next(
            line
            for line in output.splitlines()
            if line.startswith("no-strikes-inside-russia (prohibit)")
        )
        rule = _section(output, heading)

        assert rule[0].startswith("  2022 (year only)")
        assert rule[-1].strip() == "never lifted; in force in pentagon-approval-for-atacms"

    def test_the_lifted_restrictions_are_listed_oldest_first(self, output: str) -> None:
        lifted = _section(output, "Restrictions lifted (every loosened change), oldest first")
        dates = [re.split(r" {2,}", line.strip())[0] for line in lifted]

        assert dates == [
            "30 May 2024",
            "June 2024 (month only)",
            "June 2024 (month only)",
            "17 November 2024",
        ]
        assert lifted[-1].endswith("atacms-kursk: permission-granted")

    def test_the_imposed_restrictions_end_with_the_2025_obligation(self, output: str) -> None:
        imposed = _section(output, "Restrictions imposed (every tightened change), oldest first")

        assert re.fullmatch(
            r"  June 2025 \(month only\) +atacms-strikes-need-approval: restriction-imposed",
            imposed[-1],
        )


class TestImpactOfEachStep:
    @pytest.fixture
    def steps(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> list[str]:
        output = _run("impact_of_each_step", monkeypatch, capsys)
        return re.split(r"^(?=Step \d of \d: )", output, flags=re.MULTILINE)[1:]

    def test_there_is_one_report_per_step_of_the_history(self, steps: list[str]) -> None:
        assert [step.splitlines()[0] for step in steps] == [
            "Step 1 of 4: no-strikes-inside-russia → kharkiv-defensive-strikes,"
            " effective 30 May 2024",
            "Step 2 of 4: kharkiv-defensive-strikes → anywhere-across-the-border,"
            " effective June 2024",
            "Step 3 of 4: anywhere-across-the-border → atacms-kursk, effective 17 November 2024",
            "Step 4 of 4: atacms-kursk → pentagon-approval-for-atacms, effective June 2025",
        ]

    def test_the_kharkiv_step_opens_belgorod_oblast_and_not_atacms(self, steps: list[str]) -> None:
        kharkiv = steps[0]

        assert "1 group of situations changed decision." in kharkiv
        assert "territory is Belgorod Oblast" in kharkiv
        assert "weapon is GMLRS or artillery" in kharkiv
        assert "  prohibited → conditional" in kharkiv.splitlines()
        assert "ATACMS" not in kharkiv
        assert "Kursk" not in kharkiv

    def test_the_june_step_opens_the_other_border_regions(self, steps: list[str]) -> None:
        june = steps[1]

        assert "territory is Bryansk Oblast or Kursk Oblast" in june
        assert "ATACMS" not in june

    def test_the_november_step_permits_atacms_in_kursk_oblast_only(self, steps: list[str]) -> None:
        november = steps[2]

        assert "territory is Kursk Oblast and weapon is ATACMS" in november
        assert "  prohibited → permitted" in november.splitlines()
        assert "Belgorod" not in november

    def test_the_2025_step_changes_no_decision_but_adds_the_approval(
        self, steps: list[str]
    ) -> None:
        decisions = [
            line for line in steps[3].splitlines() if "→" in line and line.startswith("  ")
        ]

        assert decisions == [
            "  permitted → permitted (same decision, tightened; obligations now: Each ATACMS"
            " strike inside Russia needs the approval of the U.S. Defense Secretary.)",
        ]


class TestExportControlReview:
    @pytest.fixture
    def steps(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> list[str]:
        output = _run("review", monkeypatch, capsys)
        return output.split("\n\n")

    def test_the_review_covers_the_two_steps_of_the_history(self, steps: list[str]) -> None:
        assert steps[0] == "Northwind Instruments shipping rules: 3 versions, from 16 January 2023."
        assert [step.splitlines()[0] for step in steps[1:]] == [
            "baseline → camera-licence",
            "camera-licence → research-exception",
        ]

    def test_the_camera_licence_is_imposed_and_passes_the_gate(self, steps: list[str]) -> None:
        licence = steps[1].splitlines()

        assert licence[1].startswith("  effective 1 September 2023, ")
        assert licence[1].endswith("; 1 tightened, 4 neutral")
        assert licence[3].startswith("  - Restriction imposed: ")
        assert licence[-1] == "  Review: passes the gate on loosened changes"

    def test_the_research_exception_needs_sign_off(self, steps: list[str]) -> None:
        exception = steps[2].splitlines()
        lifted = [line for line in exception if line.startswith("  + ")]

        assert exception[1].startswith("  effective 4 March 2024, 09:00 +00:00, ")
        assert [line.split(":")[0] for line in lifted] == [
            "  + Restriction narrowed (item",
            "  + Permission granted",
        ]
        assert "destination: Elmora" in lifted[1]
        assert any("Dastmark" in line for line in exception if line.startswith("  - "))
        assert exception[-1] == (
            "  Review: stopped by the gate on loosened changes (2 changes): needs sign-off"
        )


class TestSinceWhen:
    @pytest.fixture
    def questions(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> list[list[str]]:
        output = _run("since_when", monkeypatch, capsys)
        return [block.splitlines() for block in output.strip().split("\n\n")]

    def test_counter_fire_into_belgorod_opened_on_30_may_2024_under_a_condition(
        self, questions: list[list[str]]
    ) -> None:
        belgorod = questions[0]

        assert belgorod[0] == "Counter-fire with GMLRS into Belgorod Oblast"
        assert "    2022 to 30 May 2024: prohibited" in belgorod
        assert "    30 May 2024 to June 2024: conditional" in belgorod
        assert "otherwise prohibited by no-strikes-inside-russia" in belgorod[1]

    def test_counter_fire_into_kursk_opened_only_in_june_2024(
        self, questions: list[list[str]]
    ) -> None:
        kursk = questions[1]

        assert kursk[-2:] == [
            "    2022 to June 2024: prohibited",
            "    June 2024 to now: conditional",
        ]

    def test_atacms_on_kursk_is_permitted_since_17_november_2024(
        self, questions: list[list[str]]
    ) -> None:
        atacms = questions[2]

        assert atacms[1] == "  2024-06-01: prohibited by no-strikes-inside-russia (since 2022)"
        assert atacms[2] == "  2025-01-01: permitted by atacms-kursk (since 17 November 2024)"
