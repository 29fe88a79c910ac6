"""The HTML report (SPEC section 16): self-contained, drawn, said in words, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given

import policydiff
from policydiff._cli import main
from policydiff._inputs import load_pair
from tests.conftest import ROOT
from tests.strategies import version_sequences

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"

SVG = "{http://www.w3.org/2000/svg}"

#: Markup and script a hostile document tries to smuggle into the page.
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'

HOSTILE_DOCUMENT = f"""\
policy: demo
title: '{HOSTILE}'
version: 'v2 <b>bold</b>'
effective: 2024-06-01
summary: '</style><style>body{{display:none}}</style>'
approved_by: ['<iframe src="https://example.com/">']
sources:
  - id: evil
    publisher: '<a href="javascript:alert(1)">click</a>'
    title: '{HOSTILE}'
    url: 'javascript:alert(document.cookie)'
    note: '" onmouseover="alert(1)'
  - id: fine
    publisher: Example & Co
    url: 'https://example.org/report?a=1&b=<2>'
events:
  - date: 2024-05-20
    what: ']]><!-- <script>alert(2)</script>'
rules:
  - id: '<svg onload=alert(1)>'
    effect: permit
    action: ['<script>export</script>']
    scope:
      territory: ['"><script>alert(3)</script>']
    conditions: ["' onfocus='alert(4)"]
    text: '{HOSTILE}'
    sources: [evil, fine]
"""

FIRST = """\
policy: demo
title: Demo
version: v1
effective: 2024-01-01
rules:
  - id: no-export
    effect: prohibit
    action: export
"""


def parse(page: str) -> ET.Element:
    """Parse the page as XML: it is written so that it is well-formed."""
    assert page.startswith("<!DOCTYPE html>\n")
    return ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))


def text_of(element: ET.Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


@pytest.fixture(scope="module")
def flagship() -> str:
    return policydiff.report(policydiff.load_history(HISTORY))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "v1.yaml").write_text(FIRST, encoding="utf-8")
    (folder / "v2.yaml").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    return policydiff.report(policydiff.load_history(folder))


def timeline(page: str) -> ET.Element:
    found = parse(page).find(f".//{SVG}svg[@class='timeline']")
    assert found is not None
    return found


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in e.get("class", "").split()]


def title_of(element: ET.Element) -> str:
    found = element.find(f"{SVG}title")
    assert found is not None
    return found.text or ""


# -- one self-contained page ------------------------------------------------------------


def test_the_flagship_report_is_one_well_formed_page(flagship: str) -> None:
    root = parse(flagship)

    assert root.tag == "html"
    assert root.get("lang") == "en"
    assert root.find("head/meta[@charset='utf-8']") is not None


def test_the_page_loads_nothing_it_does_not_hold(flagship: str) -> None:
    root = parse(flagship)
    tags = {e.tag.removeprefix(SVG) for e in root.iter()}

    assert tags.isdisjoint({"script", "link", "img", "iframe", "object", "embed", "image", "use"})
    assert all(e.get("src") is None for e in root.iter())
    hrefs = [e.get("href") for e in root.iter() if e.get("href") is not None]
    assert all(href.startswith(("http://", "https://", "#")) for href in hrefs)
    style = "".join(e.text or "" for e in root.iter("style"))
    assert "@import" not in style
    assert "url(" not in style
    painted = [e.get("fill", "") for e in root.iter()]
    assert all(fill.startswith("url(#") for fill in painted if "url(" in fill)


#: Every element the report writes; nothing else may appear, whatever the documents say.
ELEMENTS = {
    *("html", "head", "meta", "title", "style", "body", "main", "header", "footer"),
    *("section", "article", "figure", "h1", "h2", "h3", "h4", "p", "ul", "li", "span"),
    *("code", "strong", "br", "a", "table", "caption", "thead", "tbody", "tr", "th", "td"),
    *("svg", "desc", "defs", "pattern", "rect", "circle", "line", "text", "path", "g"),
}


def test_the_page_holds_only_the_elements_the_report_writes(flagship: str) -> None:
    assert {e.tag.removeprefix(SVG) for e in parse(flagship).iter()} <= ELEMENTS


@given(version_sequences(max_size=3))
def test_any_history_makes_a_well_formed_page_with_no_foreign_markup(versions: list[Any]) -> None:
    root = parse(policydiff.report(policydiff.PolicyHistory(versions=versions)))

    assert {e.tag.removeprefix(SVG) for e in root.iter()} <= ELEMENTS
    assert not [a for e in root.iter() for a in e.attrib if a.startswith("on")]
    hrefs = [e.get("href", "") for e in root.iter("a")]
    assert all(href.startswith(("http://", "https://")) for href in hrefs)


def test_the_page_tells_the_browser_to_fetch_nothing(flagship: str) -> None:
    policy = parse(flagship).find("head/meta[@http-equiv='Content-Security-Policy']")

    assert policy is not None
    assert policy.get("content", "").startswith("default-src 'none';")


def test_the_same_history_gives_the_same_bytes(flagship: str) -> None:
    assert policydiff.report(policydiff.load_history(HISTORY)) == flagship


# -- the timeline ----------------------------------------------------------------------


def test_the_timeline_puts_each_version_at_its_date_in_order(flagship: str) -> None:
    versions = by_class(timeline(flagship), "version")
    xs = [float(v.find(f"{SVG}circle").get("cx", "")) for v in versions]  # type: ignore[union-attr]

    assert [title_of(v).split(":")[0] for v in versions] == [f"Version {n}" for n in range(1, 6)]
    assert xs == sorted(xs)
    assert title_of(versions[1]) == "Version 2: kharkiv-defensive-strikes, effective 30 May 2024"


def test_a_date_known_only_to_the_month_is_a_band_and_marked(flagship: str) -> None:
    svg = timeline(flagship)
    bands = {title_of(band): float(band.get("width", "")) for band in by_class(svg, "uncertain")}

    june = "Version 3: anywhere-across-the-border, effective June 2024 (day not known)"
    year = "Version 1: no-strikes-inside-russia, effective 2022 (day not known)"
    assert set(bands) == {june, year, next(t for t in bands if t.startswith("Version 5:"))}
    assert bands[year] > 10 * bands[june] > 0
    assert "~June 2024" in text_of(svg)


def test_each_rule_lives_as_a_bar_by_its_effect(flagship: str) -> None:
    svg = timeline(flagship)
    bars = {title_of(bar).split(":")[0]: bar.get("class") for bar in by_class(svg, "lifespan")}

    assert bars == {
        "no-strikes-inside-russia": "lifespan prohibit",
        "kharkiv-defensive-strikes": "lifespan permit",
        "atacms-kursk": "lifespan permit",
        "atacms-strikes-need-approval": "lifespan oblige",
    }


def test_the_kharkiv_permission_starts_its_bar_at_version_2(flagship: str) -> None:
    svg = timeline(flagship)
    circle = by_class(svg, "version")[1].find(f"{SVG}circle")
    bar = next(b for b in by_class(svg, "lifespan") if "kharkiv" in title_of(b))

    assert circle is not None
    assert bar.get("x") == circle.get("cx")
    assert title_of(bar).endswith("still in force in the latest version")


def test_restrictions_lifted_and_imposed_are_marked_with_their_changes(flagship: str) -> None:
    marks = [(m.get("class"), title_of(m)) for m in by_class(timeline(flagship), "mark")]

    lifted = [said for cls, said in marks if cls == "mark loosened"]
    imposed = [said for cls, said in marks if cls == "mark tightened"]
    assert any(
        said.startswith("restriction lifted or loosened in version 2 (30 May 2024)")
        and "Permission granted" in said
        for said in lifted
    )
    assert any("version 5" in said for said in imposed)


def test_a_table_says_in_words_what_the_timeline_draws(flagship: str) -> None:
    table = parse(flagship).find(".//section[@id='timeline']/table")
    assert table is not None
    rows = {
        text_of(row.find("th")): text_of(row)
        for row in table.iter("tr")
        if row.find("th/code") is not None
    }  # type: ignore[arg-type]

    assert set(rows) == {
        "no-strikes-inside-russia",
        "kharkiv-defensive-strikes",
        "atacms-kursk",
        "atacms-strikes-need-approval",
    }
    assert (
        "from 30 May 2024 (version 2, kharkiv-defensive-strikes)"
        in rows["kharkiv-defensive-strikes"]
    )
    assert (
        "▲ restriction lifted or loosened: 30 May 2024 (version 2)"
        in rows["kharkiv-defensive-strikes"]
    )
    assert "prohibition (not allowed)" in rows["no-strikes-inside-russia"]
    assert (
        "Ukraine may not use U.S.-supplied weapons to strike inside Russia."
        in rows["no-strikes-inside-russia"]
    )


def test_the_timeline_has_a_text_alternative(flagship: str) -> None:
    svg = timeline(flagship)
    desc = svg.find(f"{SVG}desc")

    assert svg.get("role") == "img"
    assert desc is not None
    assert "Rule kharkiv-defensive-strikes, permission (allowed), from 30 May 2024" in (
        desc.text or ""
    )


# -- the steps ---------------------------------------------------------------------------


def test_each_step_shows_its_changes_decision_steps_and_impact(flagship: str) -> None:
    step = parse(flagship).find(".//article[@id='step-1']")
    assert step is not None
    said = text_of(step)

    assert (
        "Version 2: kharkiv-defensive-strikes, effective 30 May 2024 What changed from no-strikes-inside-russia"
        in said
    )
    assert "Lifted or loosened Permission granted: Ukraine may strike" in said
    assert "13 May 2024: Meeting with Ukrainian counterparts" in said
    assert "Situations whose decision changed (1 group)" in said
    assert "prohibited by no-strikes-inside-russia" in said
    assert "Politico, 30 May 2024: Biden secretly gave Ukraine permission" in said


def test_a_report_of_one_pair_shows_that_step_alone() -> None:
    page = policydiff.report(policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV)))
    root = parse(page)

    assert [a.get("id") for a in root.iter("article")] == ["step-1"]
    assert len(by_class(timeline(page), "version")) == 2


def test_a_history_of_one_version_says_nothing_has_changed(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(FIRST, encoding="utf-8")
    page = policydiff.report(policydiff.load_history(tmp_path))

    assert "There is one version: nothing has changed yet." in text_of(parse(page))
    # A rule without text is said in a sentence of its own.
    assert "no-export No one may export. prohibition (not allowed)" in text_of(parse(page))
    assert len(by_class(timeline(page), "lifespan")) == 1


def test_only_a_history_or_a_diff_can_be_reported() -> None:
    with pytest.raises(TypeError, match="cannot report on str"):
        policydiff.report("history/")  # type: ignore[arg-type]


# -- untrusted documents --------------------------------------------------------------


def test_no_markup_from_a_document_reaches_the_page(hostile: str) -> None:
    root = parse(hostile)
    tags = {e.tag.removeprefix(SVG) for e in root.iter()}

    assert tags.isdisjoint({"script", "img", "iframe", "b"})
    assert not [a for e in root.iter() for a in e.attrib if a.startswith("on")]
    assert len(root.findall("head/style")) == 1
    assert "<script" not in hostile


def test_the_document_strings_appear_as_text(hostile: str) -> None:
    said = text_of(parse(hostile))

    assert " ".join(HOSTILE.split()) in said
    assert "v2 <b>bold</b>" in said
    assert "<svg onload=alert(1)>" in said
    assert "]]><!-- <script>alert(2)</script>" in said


def test_only_http_and_https_source_urls_become_links(hostile: str) -> None:
    root = parse(hostile)
    links = {a.get("href") for a in root.iter("a")}

    assert links == {"https://example.org/report?a=1&b=<2>"}
    assert "(javascript:alert(document.cookie))" in text_of(root)


def test_characters_that_hide_or_disguise_text_are_shown_as_escapes(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(
        FIRST.replace("title: Demo", 'title: "a\\x01b \\u202eevil\\x1b[2J"'), encoding="utf-8"
    )
    page = policydiff.report(policydiff.load_history(tmp_path))

    assert "a\\x01b \\u202eevil\\x1b[2J" in text_of(parse(page))
    assert "\u202e" not in page
    assert "\x1b" not in page


# -- the command ---------------------------------------------------------------------


def test_report_writes_the_page_to_the_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"

    code = main(["report", str(HISTORY), "-o", str(target)])

    out, err = capsys.readouterr()
    assert (code, out, err) == (0, "", f"Wrote {target}: open it in a browser.\n")
    assert target.read_text(encoding="utf-8") == policydiff.report(policydiff.load_history(HISTORY))


def test_report_of_two_versions_prints_one_step(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", str(BEFORE), str(KHARKIV)])

    out, _ = capsys.readouterr()
    assert code == 0
    assert [a.get("id") for a in parse(out).iter("article")] == ["step-1"]


IAM = ROOT / "examples" / "aws-iam" / "DataLakeReadOnlyAccess"


def test_report_reads_a_history_folder_in_the_input_format_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["report", str(IAM), "--input-format", "aws-iam"])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == policydiff.report(policydiff.load_history(IAM, input_format="aws-iam"))
    assert [a.get("id") for a in parse(out).iter("article")] == ["step-1", "step-2", "step-3"]


def test_report_reads_old_and_new_in_the_input_format_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, new = IAM / "v1@2019-03-01.json", IAM / "v2@2021-06-15.json"
    code = main(["report", str(old), str(new), "--input-format", "aws-iam"])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    expected = policydiff.diff(*load_pair(str(old), str(new), input_format="aws-iam"))
    assert out == policydiff.report(expected)


def test_report_reads_a_file_without_a_suffix_in_the_native_format_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "history"
    history.write_text(BEFORE.read_text(encoding="utf-8"), encoding="utf-8")

    code = main(["report", str(history), "--input-format", "yaml"])

    out, _ = capsys.readouterr()
    assert code == 0
    assert out == policydiff.report(policydiff.load_history(BEFORE))


def test_report_without_the_input_format_cannot_read_foreign_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["report", str(IAM)])

    _, err = capsys.readouterr()
    assert code == 2
    assert str(IAM / "v1@2019-03-01.json") in err


def test_report_of_three_paths_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", str(BEFORE), str(KHARKIV), str(BEFORE)])

    _, err = capsys.readouterr()
    assert code == 2
    assert "expected PATH (a history) or OLD NEW (two versions), got 3 paths" in err


def test_report_to_a_folder_that_does_not_exist_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "report.html"

    code = main(["report", str(HISTORY), "-o", str(target)])

    _, err = capsys.readouterr()
    assert code == 2
    assert err == f"policydiff: {target}: cannot write file: No such file or directory\n"


def test_report_of_a_bad_document_names_the_problem_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIRST.replace("effect: prohibit", "effect: alow"), encoding="utf-8")
    target = tmp_path / "report.html"

    code = main(["report", str(bad), "-o", str(target)])

    _, err = capsys.readouterr()
    assert code == 2
    assert f"{bad}:7:13: rules[0].effect: unknown effect 'alow'" in err
    assert not target.exists()


def test_a_change_to_the_whole_policy_is_marked_on_a_row_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(FIRST, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(
        FIRST.replace("version: v1", "version: v2\ndefault: prohibit").replace(
            "2024-01-01", "2024-03-01"
        ),
        encoding="utf-8",
    )
    page = policydiff.report(policydiff.load_history(tmp_path))
    root = parse(page)

    marks = by_class(timeline(page), "mark")
    assert [m.get("class") for m in marks] == ["mark tightened"]
    assert "Default changed" in title_of(marks[0])
    row = next(r for r in root.iter("tr") if "(the policy as a whole)" in text_of(r))
    assert "▼ restriction imposed or tightened: 1 March 2024 (version 2)" in text_of(row)


def test_a_step_that_moves_no_decision_says_so(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(FIRST, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(
        FIRST.replace("version: v1", "version: v2").replace("2024-01-01", "2024-03-01")
        + "    text: No exports.\n",
        encoding="utf-8",
    )
    step = parse(policydiff.report(policydiff.load_history(tmp_path))).find(".//article")

    assert step is not None
    assert "No situation changed decision." in text_of(step)
    assert "no decision changed Verdict by decisions: equivalent" in text_of(step)


def test_a_url_that_cannot_be_read_is_shown_not_linked() -> None:
    version = policydiff.loads(
        FIRST.replace("rules:", "sources:\n  - {id: s, url: 'http://[oops'}\nrules:"),
        format="yaml",
    )
    other = attrs.evolve(version, version="v0", effective=policydiff.When.parse("2023-01-01"))
    root = parse(policydiff.report(policydiff.diff(other, version)))

    assert list(root.iter("a")) == []
    assert "s (http://[oops)" in text_of(root)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("0002", "1990"),
        ("2024-01-01", "9998"),
        ("0001-01-02", "9998-12-31"),
        ("2024-01", "2024-02"),
    ],
)
def test_histories_at_the_ends_of_the_calendar_are_drawn(first: str, last: str) -> None:
    old = policydiff.loads(FIRST, format="yaml")
    versions = [
        attrs.evolve(old, version="a", effective=policydiff.When.parse(first)),
        attrs.evolve(old, version="b", effective=policydiff.When.parse(last)),
    ]
    svg = timeline(policydiff.report(policydiff.PolicyHistory(versions=versions)))

    ticks = [t for t in svg.iter(f"{SVG}text") if t.get("font-size") == "12"]
    assert 2 <= len(ticks) <= 12
    xs = [float(g.find(f"{SVG}circle").get("cx", "")) for g in by_class(svg, "version")]  # type: ignore[union-attr]
    assert all(240 <= x <= 936 for x in xs)


# -- decisions (SPEC sections 11 and 12) ------------------------------------------------

KHARKIV_SITUATION = {
    "subject": "Ukraine",
    "action": "strike",
    "territory": "Belgorod Oblast",
    "weapon": "GMLRS",
    "purpose": "defensive",
}
KURSK_SITUATION = {
    "subject": "Ukraine",
    "action": "strike",
    "territory": "Kursk Oblast",
    "weapon": "ATACMS",
}


@pytest.fixture(scope="module")
def with_situations() -> str:
    history = policydiff.load_history(HISTORY)
    return policydiff.report(history, situations=[KHARKIV_SITUATION, KURSK_SITUATION])


def test_a_situation_s_decisions_over_time_are_drawn(with_situations: str) -> None:
    section = parse(with_situations).find(".//section[@id='decisions']")
    assert section is not None
    svg = section.find(f".//{SVG}svg[@class='decisions']")
    assert svg is not None

    periods = [(p.get("class"), title_of(p)) for p in by_class(svg, "period")]
    assert [cls for cls, _ in periods] == [
        "period prohibited",
        "period conditional",
        "period conditional",
        "period prohibited",
        "period permitted",
        "period permitted",
    ]
    assert periods[1][1].startswith(
        "subject=Ukraine, action=strike, territory=Belgorod Oblast, weapon=GMLRS,"
        " purpose=defensive: permitted by kharkiv-defensive-strikes when"
    )


def test_a_situation_s_decisions_are_said_in_one_sentence(with_situations: str) -> None:
    said = [text_of(p) for p in parse(with_situations).iter("p") if p.get("class") == "said"]

    assert said == [
        "Prohibited until 30 May 2024; permitted under a condition until June 2024;"
        " permitted under a condition (on other terms) since.",
        "Prohibited until 17 November 2024; permitted until June 2025;"
        " permitted, with an obligation since.",
    ]


def test_a_situation_s_decisions_are_tabulated_with_their_rules(with_situations: str) -> None:
    section = parse(with_situations).find(".//section[@id='decisions']")
    assert section is not None
    rows = [text_of(row) for row in section.iter("tr")][1:4]

    assert rows[0] == (
        "2022 (day not known) 30 May 2024 no-strikes-inside-russia"
        " prohibited by no-strikes-inside-russia"
    )
    assert rows[2].startswith(
        "June 2024 (day not known) the latest version anywhere-across-the-border"
    )


def test_each_step_shows_its_verdict_by_decisions(flagship: str) -> None:
    steps = [text_of(a) for a in parse(flagship).iter("article")]

    assert "decisions loosened Verdict by decisions: loosened" in steps[0]
    assert next(a.get("class") for a in parse(flagship).iter("article")) == "step loosened"


def test_each_change_says_what_it_did_to_decisions(flagship: str) -> None:
    step = parse(flagship).find(".//article[@id='step-1']")
    assert step is not None
    granted = next(row for row in step.iter("tr") if "Permission granted" in text_of(row))

    assert "decisions loosened" in text_of(granted)


def test_impact_groups_name_the_rules_on_each_side(flagship: str) -> None:
    step = parse(flagship).find(".//article[@id='step-1']")
    assert step is not None

    assert "prohibited by no-strikes-inside-russia" in text_of(step)
    assert "permitted by kharkiv-defensive-strikes when" in text_of(step)


def test_a_report_of_one_pair_draws_a_situation_over_the_two_versions() -> None:
    step = policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV))
    page = policydiff.report(step, situations=[KHARKIV_SITUATION])

    said = [text_of(p) for p in parse(page).iter("p") if p.get("class") == "said"]
    assert said == ["Prohibited until 30 May 2024; permitted under a condition since."]


def test_a_situation_with_a_value_no_vocabulary_knows_is_an_error() -> None:
    history = policydiff.load_history(HISTORY)

    with pytest.raises(policydiff.DocumentError, match="Kurks Oblast"):
        policydiff.report(history, situations=[{"territory": "Kurks Oblast"}])


def test_report_draws_each_situation_given_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "report",
            str(HISTORY),
            "--situation",
            "subject=Ukraine,action=strike,territory=Kursk Oblast,weapon=ATACMS",
        ]
    )

    out, _ = capsys.readouterr()
    assert code == 0
    assert out == policydiff.report(policydiff.load_history(HISTORY), situations=[KURSK_SITUATION])


def test_report_with_a_situation_that_is_not_dim_value_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["report", str(HISTORY), "--situation", "territory"])

    _, err = capsys.readouterr()
    assert code == 2
    assert "expected DIM=VALUE" in err


CONDITIONAL = """\
policy: demo
title: Demo
version: v1
effective: 2024-01-01
default: {default}
rules:
  - id: exports
    effect: {effect}
    action: export
    conditions: [with a licence]
"""


@pytest.mark.parametrize(
    ("default", "effect", "said"),
    [
        ("none", "permit", "Permitted under a condition since 1 January 2024."),
        ("permit", "prohibit", "Prohibited under a condition since 1 January 2024."),
    ],
)
def test_a_conditional_decision_says_which_way_the_condition_turns_it(
    tmp_path: Path, default: str, effect: str, said: str
) -> None:
    (tmp_path / "v1.yaml").write_text(
        CONDITIONAL.format(default=default, effect=effect), encoding="utf-8"
    )
    page = policydiff.report(policydiff.load_history(tmp_path), situations=[{"action": "export"}])

    assert [text_of(p) for p in parse(page).iter("p") if p.get("class") == "said"] == [said]


def test_a_situation_no_rule_decides_is_undecided(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(
        CONDITIONAL.format(default="none", effect="permit"), encoding="utf-8"
    )
    page = policydiff.report(policydiff.load_history(tmp_path), situations=[{"action": "import"}])
    root = parse(page)

    assert [text_of(p) for p in root.iter("p") if p.get("class") == "said"] == [
        "Undecided since 1 January 2024."
    ]
    assert [p.get("class") for p in by_class(root, "period")] == ["period undecided"]


def test_a_situation_that_covers_several_deciding_differently_varies() -> None:
    page = policydiff.report(
        policydiff.load_history(HISTORY), situations=[{"territory": "Kursk Oblast"}]
    )
    said = [text_of(p) for p in parse(page).iter("p") if p.get("class") == "said"]

    assert said[0].startswith("Varies (")
    assert "group" in said[0]


def test_a_verdict_too_costly_to_work_out_is_said_to_be_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def too_costly(self: policydiff.PolicyDiff) -> policydiff.Verdict:
        raise policydiff.DiffError("the comparison exceeds the work budget")

    monkeypatch.setattr(policydiff.PolicyDiff, "verdict", property(too_costly))
    page = policydiff.report(policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV)))
    verdict = next(p for p in parse(page).iter("p") if p.get("class") == "verdict")

    assert text_of(verdict).startswith("not worked out Verdict by decisions: not worked out")


def test_a_comma_inside_a_situation_value_is_written_with_a_backslash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "v1.yaml").write_text(
        FIRST + "    scope:\n      city: ['Washington, D.C.']\n", encoding="utf-8"
    )

    code = main(["report", str(tmp_path), "--situation", "action=export,city=Washington\\, D.C."])

    out, _ = capsys.readouterr()
    assert code == 0
    assert out == policydiff.report(
        policydiff.load_history(tmp_path),
        situations=[{"action": "export", "city": "Washington, D.C."}],
    )
    assert "Prohibited since 1 January 2024." in text_of(parse(out))


def test_a_diff_put_together_by_hand_is_reported_without_verdict_or_effects() -> None:
    found = policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV))
    by_hand = policydiff.PolicyDiff(
        old=found.old, new=found.new, changes=[attrs.evolve(c, judge=None) for c in found]
    )
    step = parse(policydiff.report(by_hand)).find(".//article")

    assert step is not None
    said = text_of(step)
    assert "Verdict by decisions: not worked out (" in said
    granted = next(row for row in step.iter("tr") if "Permission granted" in text_of(row))
    assert "—" in text_of(granted)
    assert "Permission granted: Ukraine may strike" in said
    assert "Situations whose decision changed (1 group)" in said


def test_situations_too_costly_to_work_out_are_said_to_be_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def too_costly(self: policydiff.PolicyDiff) -> policydiff.Impact:
        raise policydiff.DiffError("the comparison exceeds the work budget")

    monkeypatch.setattr(policydiff.PolicyDiff, "impact", too_costly)
    page = policydiff.report(policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV)))

    assert (
        "The situations whose decision changed were not worked out:"
        " the comparison exceeds the work budget"
    ) in text_of(parse(page))
