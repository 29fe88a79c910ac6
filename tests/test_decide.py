"""policydiff.decide, PolicyHistory.decide and decision_timeline, and `policydiff decide`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

import policydiff
from policydiff import Decision, Default, DocumentError, Effect, PolicyVersion, Rule, When
from policydiff._cli import main

HISTORY = Path(__file__).parent.parent / "examples" / "us-ukraine-strikes" / "history"
KHARKIV_CONDITION = (
    "only against Russian forces attacking or preparing to attack the Kharkiv region"
)
BELGOROD = {
    "subject": "Ukraine",
    "action": "strike",
    "territory": "Belgorod Oblast",
    "weapon": "GMLRS",
    "purpose": "counter-fire",
}
KURSK_ATACMS = {
    "subject": "Ukraine",
    "action": "strike",
    "territory": "Kursk Oblast",
    "weapon": "ATACMS",
}


def version(
    *rules: Rule,
    default: Default = Default.PERMIT,
    vocabulary: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
) -> PolicyVersion:
    return PolicyVersion(
        policy="p",
        version="v",
        effective=When.parse("2024-01-01"),
        rules=rules,
        default=default,
        vocabulary=vocabulary or {},
    )


def rule(rule_id: str, effect: str, **fields: Any) -> Rule:
    fields.setdefault("action", "strike")
    return Rule(id=rule_id, effect=Effect(effect), **fields)


@pytest.fixture(scope="module")
def history() -> policydiff.PolicyHistory:
    return policydiff.load_history(HISTORY)


# -- one version -----------------------------------------------------------------


def test_counter_fire_into_belgorod_is_permitted_only_under_the_kharkiv_condition(
    history: policydiff.PolicyHistory,
) -> None:
    answer = policydiff.decide(history["kharkiv-defensive-strikes"], BELGOROD)

    assert answer.decision is Decision.CONDITIONAL
    assert answer.conditions == (KHARKIV_CONDITION,)
    assert answer.given([KHARKIV_CONDITION]).rules == ("kharkiv-defensive-strikes",)
    assert answer.given([KHARKIV_CONDITION]).decision is Decision.PERMITTED
    assert answer.given([]).rules == ("no-strikes-inside-russia",)
    assert answer.given([]).decision is Decision.PROHIBITED


def test_an_answer_from_one_version_has_no_since(history: policydiff.PolicyHistory) -> None:
    answer = policydiff.decide(history["kharkiv-defensive-strikes"], BELGOROD)

    assert answer.since is None
    assert (answer.version, str(answer.effective)) == ("kharkiv-defensive-strikes", "30 May 2024")


def test_the_json_of_an_answer_follows_section_11(history: policydiff.PolicyHistory) -> None:
    data = policydiff.decide(history["atacms-kursk"], KURSK_ATACMS).to_dict()

    assert data == {
        "policydiff": 1,
        "policy": "us-weapons-use-ukraine",
        "version": "atacms-kursk",
        "effective": "2024-11-17T00:00:00-05:00",
        "situation": KURSK_ATACMS,
        "decision": "permitted",
        "conditions": [],
        "obligations": [],
        "rules": ["atacms-kursk"],
        "default": False,
        "since": None,
        "groups": [],
    }


def test_a_situation_no_rule_covers_falls_to_the_default() -> None:
    answer = policydiff.decide(
        version(rule("ban", "prohibit", subject="Ukraine")), {"action": "fly"}
    )

    assert (answer.decision, answer.rules, answer.default) == (Decision.PERMITTED, (), True)


def test_default_none_leaves_a_situation_no_rule_covers_undecided() -> None:
    v = version(rule("allow", "permit", subject="Ukraine"), default=Default.NONE)

    assert policydiff.decide(v, {"subject": "Poland", "action": "strike"}).decision is (
        Decision.UNDECIDED
    )
    assert policydiff.decide(v, {"subject": "Ukraine", "action": "strike"}).decision is (
        Decision.PERMITTED
    )


def test_default_none_is_read_from_a_document() -> None:
    text = "policy: p\nversion: v\neffective: 2024\ndefault: none\nrules: []\n"

    assert policydiff.loads(text, format="yaml").default is Default.NONE


def test_two_conditional_permits_are_alternatives_not_a_conjunction() -> None:
    v = version(
        rule("by-day", "permit", conditions=["by day"]),
        rule("with-escort", "permit", conditions=["with an escort"]),
        default=Default.PROHIBIT,
    )
    answer = policydiff.decide(v, {"action": "strike"})

    assert answer.decision is Decision.CONDITIONAL
    assert answer.given(["by day"]).decision is Decision.PERMITTED
    assert answer.given(["with an escort"]).decision is Decision.PERMITTED
    assert answer.given([]).decision is Decision.PROHIBITED
    from policydiff._phrases import decision_words

    assert decision_words(answer) == (
        'permitted by by-day, with-escort when "by day" or "with an escort";'
        " otherwise prohibited by default"
    )


def test_an_obligation_is_named_by_its_text_not_its_rule_id() -> None:
    v = version(rule("log-it", "oblige", text="Log every strike."))

    assert policydiff.decide(v, {"action": "strike"}).obligations == ("Log every strike.",)


def test_an_obligation_without_text_is_named_by_its_content() -> None:
    v = version(rule("log-it", "oblige", subject="Ukraine"))

    (name,) = policydiff.decide(v, {"subject": "Ukraine", "action": "strike"}).obligations
    assert name == "Ukraine must meet a requirement to strike"
    assert "log-it" not in name


def test_a_situation_covering_several_decisions_varies_with_its_groups(
    history: policydiff.PolicyHistory,
) -> None:
    answer = policydiff.decide(
        history["atacms-kursk"], {"subject": "Ukraine", "action": "strike", "weapon": "ATACMS"}
    )

    assert answer.decision is Decision.VARIES
    by_territory = {
        str(group.values["territory"]): group.answer.decision for group in answer.groups
    }
    assert by_territory["Kursk Oblast"] is Decision.PERMITTED
    kursk = next(g for g in answer.groups if str(g.values["territory"]) == "Kursk Oblast")
    assert kursk.contains({**KURSK_ATACMS, "purpose": "counter-fire"})
    assert not kursk.contains({**KURSK_ATACMS, "territory": "Belgorod Oblast"})


def test_a_parent_value_that_decides_alike_everywhere_is_one_answer(
    history: policydiff.PolicyHistory,
) -> None:
    answer = policydiff.decide(
        history["no-strikes-inside-russia"],
        {"subject": "Ukraine", "action": "strike", "territory": "Russia", "weapon": "ATACMS"},
    )

    assert (answer.decision, answer.rules, answer.groups) == (
        Decision.PROHIBITED,
        ("no-strikes-inside-russia",),
        (),
    )


def test_an_unknown_value_of_a_closed_dimension_is_refused_with_a_suggestion(
    history: policydiff.PolicyHistory,
) -> None:
    with pytest.raises(DocumentError, match="did you mean 'Kursk Oblast'"):
        policydiff.decide(history["atacms-kursk"], {"territory": "kursk"})


def test_an_unknown_value_of_an_open_dimension_is_any_other_value() -> None:
    v = version(rule("ban", "prohibit", scope={"zone": ["north"]}))

    assert policydiff.decide(v, {"action": "strike", "zone": "south"}).decision is (
        Decision.PERMITTED
    )


def test_a_dimension_no_rule_names_is_ignored() -> None:
    v = version(rule("ban", "prohibit"))

    assert policydiff.decide(v, {"action": "strike", "weather": "rain"}).decision is (
        Decision.PROHIBITED
    )


def test_same_decision_ignores_which_rules_decide() -> None:
    a = policydiff.decide(version(rule("a", "prohibit")), {"action": "strike"})
    b = policydiff.decide(version(rule("b", "prohibit")), {"action": "strike"})

    assert a.same_decision(b)
    assert a.rules != b.rules


# -- a history -------------------------------------------------------------------


def test_atacms_into_kursk_is_permitted_since_17_november_2024(
    history: policydiff.PolicyHistory,
) -> None:
    answer = history.decide(KURSK_ATACMS, at="2025-01-01")

    assert answer is not None
    assert answer.decision is Decision.PERMITTED
    assert str(answer.since) == "17 November 2024"


def test_a_new_obligation_breaks_the_run_of_a_decision(history: policydiff.PolicyHistory) -> None:
    answer = history.decide(KURSK_ATACMS, at="2025-07-01")

    assert answer is not None
    assert answer.obligations == (
        "Each ATACMS strike inside Russia needs the approval of the U.S. Defense Secretary.",
    )
    assert str(answer.since) == "June 2025"


def test_nothing_decides_before_the_first_version(history: policydiff.PolicyHistory) -> None:
    assert history.decide(KURSK_ATACMS, at="2021") is None


def test_the_timeline_merges_versions_that_decide_alike(history: policydiff.PolicyHistory) -> None:
    periods = history.decision_timeline(KURSK_ATACMS)

    assert [(p.version, p.answer.decision.value, p.end is None) for p in periods] == [
        ("no-strikes-inside-russia", "prohibited", False),
        ("atacms-kursk", "permitted", False),
        ("pentagon-approval-for-atacms", "permitted", True),
    ]
    assert periods[0].end == periods[1].start


# -- the command line ------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


KURSK_ARGS = ["subject=Ukraine", "action=strike", "territory=Kursk Oblast", "weapon=ATACMS"]


def test_decide_prints_the_decision_its_rule_and_since_when(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["decide", str(HISTORY), *KURSK_ARGS, "--at", "2025-01-01"], capsys)

    assert code == 0
    assert "Decision: permitted\nWhy: permitted by atacms-kursk\nSince: 17 November 2024\n" in out


def test_decide_json_follows_section_11(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["decide", str(HISTORY), *KURSK_ARGS, "--at", "2025-01-01", "-f", "json"], capsys
    )
    data = json.loads(out)

    assert code == 0
    assert (data["decision"], data["since"]) == ("permitted", "2024-11-17T00:00:00-05:00")


def test_decide_timeline_json_lists_periods_oldest_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["decide", str(HISTORY), *KURSK_ARGS, "--timeline", "-f", "json"], capsys)
    data = json.loads(out)

    assert code == 0
    assert [(p["version"], p["decision"]) for p in data["timeline"]] == [
        ("no-strikes-inside-russia", "prohibited"),
        ("atacms-kursk", "permitted"),
        ("pentagon-approval-for-atacms", "permitted"),
    ]
    assert data["timeline"][-1]["to"] is None


def test_decide_refuses_an_unknown_value_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["decide", str(HISTORY), "territory=Kursk"], capsys)

    assert (code, out) == (2, "")
    assert "did you mean 'Kursk Oblast'?" in err
    assert "Traceback" not in err


def test_decide_refuses_an_argument_without_an_equals_sign(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["decide", str(HISTORY), "Kursk"], capsys)

    assert code == 2
    assert "expected DIM=VALUE" in err


def test_a_dimension_declared_open_takes_a_value_its_vocabulary_does_not_name() -> None:
    version = policydiff.loads(
        "policy: p\nversion: v\neffective: 2024\nopen: [region]\n"
        "vocabulary: {region: {Europe: [Schengen Area]}}\n"
        "rules: [{id: r, effect: prohibit, action: enter, scope: {region: [Europe]}}]\n"
    )
    answer = policydiff.decide(version, {"action": "enter", "region": "Brazil"})
    assert answer.decision.value == "permitted"
