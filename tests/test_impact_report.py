"""Impact reports people can read: counts, filters, named values, a size limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import policydiff
from policydiff import DecisionEffect, Impact, impact
from policydiff._cli import main
from policydiff._render_decisions import MARKDOWN_LIMIT, markdown_text
from policydiff.model import Default
from tests.test_impact import HISTORY, rule, version

KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
JUNE = HISTORY / "2024-06-anywhere-across-the-border.yaml"


def run(argv: list[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out


@pytest.fixture(scope="module")
def june() -> Impact:
    """One loosened group (Bryansk, Kursk) and one mixed (Belgorod's reworded condition)."""
    return impact(policydiff.load(KHARKIV), policydiff.load(JUNE))


def test_a_conditional_prohibition_says_its_condition_in_words() -> None:
    old = version([rule("open", "permit", action="board")])
    new = version([rule("sick", "prohibit", action="board", conditions=["unless recovered"])])
    (cube,) = impact(old, new)
    assert cube.describe() == (
        "Anyone may now only under conditions board (was permitted by open;"
        ' now prohibited by sick when "unless recovered"; otherwise permitted by default)'
    )


def test_a_change_that_moves_no_decision_makes_no_group() -> None:
    # The deciding rule changes (a new id, a new source of the same ban),
    # but every situation decides as before: nothing to list or count.
    old = version([rule("ban", "prohibit", subject="Ukraine")])
    new = version([rule("ban-2024", "prohibit", subject="Ukraine")])
    found = impact(old, new)
    assert not found
    assert "no situation changed decision" in policydiff.render(found)


def test_the_heading_counts_the_groups_by_kind_of_move(june: Impact) -> None:
    assert june.summary() == {"loosened": 1, "tightened": 0, "mixed": 1}
    lines = policydiff.render(june).splitlines()
    assert "2 groups of situations changed decision (verdict: mixed)" in lines[0]
    assert lines[1] == "By kind of move: 1 loosened, 0 tightened, 1 mixed."
    assert "By kind of move: 1 loosened, 0 tightened, 1 mixed." in policydiff.render(
        june, "markdown"
    )


def test_only_keeps_the_groups_that_moved_that_way_and_the_verdict(june: Impact) -> None:
    loosened = june.only("loosened")
    assert [cube.direction for cube in loosened] == [DecisionEffect.LOOSENED]
    assert [cube.direction for cube in loosened.left_out] == [DecisionEffect.MIXED]
    assert loosened.verdict is june.verdict
    assert loosened.summary() == june.summary()
    assert not june.only(DecisionEffect.TIGHTENED)
    # Filtering a filtered impact starts from every moved group.
    assert len(loosened.only("loosened", "mixed")) == len(june)
    data = loosened.to_dict()
    assert len(data["cubes"]) == 1
    assert (data["summary"], data["left_out"]) == (june.summary(), 1)
    assert "Left out by the filter: 1 group (1 mixed)." in policydiff.render(loosened)


def test_only_refuses_none_as_a_move(june: Impact) -> None:
    with pytest.raises(ValueError, match="not a move"):
        june.only("none")


def test_json_of_an_unfiltered_impact_keeps_every_group(june: Impact) -> None:
    data = june.to_dict()
    assert len(data["cubes"]) == 2
    assert data["left_out"] == 0


def test_cli_only_lists_just_the_groups_that_moved_that_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(["impact", KHARKIV, JUNE, "--only", "mixed"], capsys)
    assert code == 0
    assert "Belgorod Oblast" in out
    assert "Bryansk Oblast" not in out
    assert "Left out by the filter: 1 group (1 loosened)." in out
    code, out = run(["impact", KHARKIV, JUNE, "--only", "tightened", "--format", "json"], capsys)
    data = json.loads(out)
    assert (data["cubes"], data["verdict"], data["left_out"]) == ([], "mixed", 2)


def test_cli_only_rejects_an_unknown_move(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["impact", str(KHARKIV), str(JUNE), "--only", "sideways"]) == 2
    err = capsys.readouterr().err
    assert "'sideways' is not one of 'loosened', 'tightened', 'mixed'" in err


def test_a_span_names_the_few_values_it_leaves_out() -> None:
    rules = [rule("ban", "prohibit", subject="Ukraine")]
    found = impact(version(rules), version(rules, default=Default.PROHIBIT))
    assert [str(cube.values["subject"]) for cube in found] == [
        "Ukraine",
        "any value except Ukraine",
    ]
    assert found.cubes[1].describe().startswith("Anyone except Ukraine may no longer act")


def test_a_span_says_any_other_value_when_it_leaves_out_many() -> None:
    banned = [f"weapon {i}" for i in range(6)]
    old = version([rule("ban", "prohibit")])
    new = version([rule("ban", "prohibit", scope={"weapon": banned})])
    (cube,) = impact(old, new)
    assert str(cube.values["weapon"]) == "any other value"
    five = version([rule("ban", "prohibit", scope={"weapon": banned[:5]})])
    (cube,) = impact(old, five)
    assert str(cube.values["weapon"]) == (
        "any value except weapon 0, weapon 1, weapon 2, weapon 3 and weapon 4"
    )
    # The JSON keeps its shape: no value listed, unnamed values in "others".
    assert cube.to_dict()["values"]["weapon"] == []
    assert cube.to_dict()["others"] == ["weapon"]


def _many_groups(count: int) -> Impact:
    """A pair where each of ``count`` regions is freed by its own conditional permit."""
    permits = [
        rule(
            f"allow-{i}",
            "permit",
            scope={"territory": [f"Region {i}"]},
            conditions=[f"only against forces massing near crossing point number {i}"],
        )
        for i in range(count)
    ]
    ban = rule("ban", "prohibit")
    return impact(version([ban], label="v1"), version([ban, *permits], label="v2"))


def test_markdown_stays_under_a_comment_and_points_to_the_json() -> None:
    found = _many_groups(400)
    assert len(found) == 400
    text = policydiff.render(found, "markdown")
    assert len(text) < MARKDOWN_LIMIT == 65_536
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    assert 0 < len(listed) < 400
    assert listed == [f"- {markdown_text(c.describe())}" for c in found][: len(listed)]
    pointer = text.rstrip().splitlines()[-1]
    assert pointer.startswith(f"{400 - len(listed)} more groups are not listed here")
    assert pointer.endswith("For every group: `policydiff impact OLD NEW --format json`.")
    # JSON and text stay complete.
    assert len(json.loads(policydiff.render(found, "json"))["cubes"]) == 400
    assert policydiff.render(found).count("\n- ") == 400


def test_markdown_that_fits_lists_every_group_and_no_pointer() -> None:
    text = policydiff.render(_many_groups(20), "markdown")
    assert text.count("\n- ") == 20
    assert "--format json" not in text


def test_cli_markdown_points_to_the_json_of_the_files_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _many_groups(400)
    old, new = tmp_path / "old policy.yaml", tmp_path / "new.yaml"
    policydiff.dump(found.old, old)
    policydiff.dump(found.new, new)
    code, out = run(["impact", old, new, "--format", "markdown"], capsys)
    assert code == 0
    assert len(out) < MARKDOWN_LIMIT
    assert out.rstrip().endswith(f"`policydiff impact '{old}' {new} --format json`.")
    code, out = run(["impact", old, new, "--format", "json"], capsys)
    assert len(json.loads(out)["cubes"]) == 400
