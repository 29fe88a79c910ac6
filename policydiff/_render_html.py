"""The HTML report (SPEC section 16): one self-contained page people look at.

:func:`report` gathers a history's (or one pair's) results from the engine
and writes them as a single HTML file: inline CSS and SVG, no script, no
external style, font or image, so it opens from a local file or a CI
artifact without the network. A content security policy in the page says
the same to the browser.

Every string that comes from a document is untrusted: it is escaped before it
reaches the page, and only ``http``/``https`` source URLs become links.
The timeline is drawn as SVG and said again in tables, for screen readers
and for readers who do not see colour (bars also differ by pattern, marks by
shape).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import attrs
import pendulum

from policydiff._decisions import Answer, Impact
from policydiff._describe import rule_sentence
from policydiff._history import Period, PolicyHistory
from policydiff._impact import impact
from policydiff._phrases import decision_words
from policydiff._render_decisions import effect_note, verdict_line
from policydiff._render_shared import (
    SECTIONS,
    counts,
    decision_steps,
    plural,
    source_label,
    when_line,
)
from policydiff._results import PolicyDiff
from policydiff.errors import DiffError, visible
from policydiff.model import (
    Change,
    Decision,
    Direction,
    Effect,
    PolicyVersion,
    Precision,
    Source,
    Verdict,
    When,
)

__all__ = ["report"]


# -- what the page shows ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Span:
    """One stretch of a rule's life with one effect: versions ``first``..``last``."""

    rule: str
    effect: Effect
    first: int
    last: int


@attrs.frozen(kw_only=True)
class _Mark:
    """Where a rule (or, with ``rule`` None, the policy as a whole) was loosened or tightened."""

    rule: str | None
    step: int
    direction: Direction
    changes: tuple[Change, ...]


@attrs.frozen(kw_only=True)
class _Report:
    """The results one report shows, gathered from the engine before rendering."""

    title: str
    policy: str
    versions: tuple[PolicyVersion, ...]
    steps: tuple[PolicyDiff, ...]
    impacts: tuple[Impact | str, ...]
    spans: tuple[_Span, ...]
    marks: tuple[_Mark, ...]
    timelines: tuple[tuple[dict[str, str], tuple[Period, ...]], ...] = ()

    @property
    def rules(self) -> list[str]:
        """Rule ids in the order they first appear, then by id."""
        seen: dict[str, None] = {}
        for span in sorted(self.spans, key=lambda s: (s.first, s.rule)):
            seen.setdefault(span.rule, None)
        return list(seen)

    def step_of(self, version: PolicyVersion) -> int:
        """Return the position of a version in the report's versions."""
        return next(i for i, v in enumerate(self.versions) if v is version)


def report(
    source: PolicyHistory | PolicyDiff, *, situations: Iterable[Mapping[str, str]] = ()
) -> str:
    """Return a self-contained HTML report of a history, or of one step.

    The page holds an SVG timeline (versions at their effective dates, each
    rule's lifespan as a bar by effect, marks where restrictions were lifted
    or imposed), the same in tables, the decision timeline of each situation
    asked about, and for each step its verdict, its changes with their effect
    on decisions, sources, decision steps and the groups of situations whose
    decision changed.

    Args:
        source: A history (every consecutive step) or a diff (that one step).
        situations: Situations (dimension to value, as for
            :func:`~policydiff.decide`) whose decisions over time to draw.

    Returns:
        The HTML text, ending with a newline; the same bytes on every run.

    Raises:
        TypeError: ``source`` is neither a history nor a diff.
        DocumentError: A situation names a value unknown to a vocabulary.
        HistoryError: ``situations`` with a diff whose versions take effect
            at the same instant (they make no timeline).

    >>> page = policydiff.report(history, situations=[{"territory": "Kursk Oblast"}])
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page
    (True, False)
    """
    found: object = source
    asked = tuple(dict(situation) for situation in situations)
    if isinstance(found, PolicyHistory):
        history: PolicyHistory | None = found
        versions, steps = found.versions, found.changes()
    elif isinstance(found, PolicyDiff):
        versions = tuple(sorted((found.old, found.new), key=lambda v: v.effective.instant))
        steps = (found,)
        # Only decisions over time need the pair as a history of its own.
        history = PolicyHistory(versions=versions) if asked else None
    else:
        msg = f"cannot report on {type(found).__name__} (expected a PolicyHistory or PolicyDiff)"
        raise TypeError(msg)
    gathered = _Report(
        title=versions[-1].title or versions[-1].policy,
        policy=versions[-1].policy,
        versions=versions,
        steps=tuple(steps),
        impacts=tuple(_impact_of(step) for step in steps),
        spans=_spans(versions),
        marks=(),
        timelines=tuple(
            (situation, history.decision_timeline(situation))
            for situation in asked
            if history is not None
        ),
    )
    return _page(attrs.evolve(gathered, marks=_marks(gathered)))


def _impact_of(step: PolicyDiff) -> Impact | str:
    """Return the situations a step moved, or why they could not be worked out."""
    try:
        try:
            found: Impact = step.impact()
        except DiffError:
            raise
        except ValueError:  # a diff put together by hand, with no judge of its own
            found = impact(step.old, step.new)
    except DiffError as exc:
        return f"The situations whose decision changed were not worked out: {exc}"
    return found


def _spans(versions: Sequence[PolicyVersion]) -> tuple[_Span, ...]:
    """Each rule's runs of consecutive versions with one effect."""
    open_: dict[str, _Span] = {}
    done: list[_Span] = []
    for index, version in enumerate(versions):
        present = {rule.id: rule.effect for rule in version.rules}
        for rule_id, span in list(open_.items()):
            if present.get(rule_id) is not span.effect:
                done.append(open_.pop(rule_id))
        for rule_id, effect in present.items():
            running = open_.get(rule_id)
            open_[rule_id] = (
                attrs.evolve(running, last=index)
                if running is not None
                else _Span(rule=rule_id, effect=effect, first=index, last=index)
            )
    done.extend(open_.values())
    return tuple(sorted(done, key=lambda s: (s.rule, s.first)))


def _marks(gathered: _Report) -> tuple[_Mark, ...]:
    """One mark per rule, step and direction that loosened, tightened or mixed."""
    marks: list[_Mark] = []
    for step in gathered.steps:
        index = gathered.step_of(step.new)
        by_place: dict[tuple[str | None, Direction], list[Change]] = {}
        for change in step:
            if change.direction is not Direction.NEUTRAL:
                by_place.setdefault((change.rule, change.direction), []).append(change)
        marks.extend(
            _Mark(rule=rule, step=index, direction=direction, changes=tuple(changes))
            for (rule, direction), changes in by_place.items()
        )
    return tuple(marks)


# -- escaping ----------------------------------------------------------------------


def _e(text: object) -> str:
    """Escape any text for an element or a quoted attribute.

    Beyond markup, a document may hold characters that would hide or
    disguise text (control characters, bidirectional overrides) or that no
    HTML file may hold (lone surrogates): each is shown as its escape
    (``\\u202e``), as the other reports show it. Line breaks stay.
    """
    return html.escape("\n".join(map(visible, str(text).split("\n"))), quote=True)


def _link(url: str | None, text: str) -> str:
    """Link the text to ``url`` when it is an http(s) URL; otherwise show both as text."""
    if not url:
        return _e(text)
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme in ("http", "https"):
        return f'<a href="{_e(url.strip())}" rel="noopener noreferrer">{_e(text)}</a>'
    return f'{_e(text)} <span class="url">({_e(url)})</span>'


# -- time on the page --------------------------------------------------------------


def _approximate(when: When) -> bool:
    return when.precision in (Precision.YEAR, Precision.MONTH)


def _date(when: When) -> str:
    """Write a date as people do, saying when it is known only to the month or year."""
    if _approximate(when):
        return f"{when} (day not known)"
    return str(when)


# -- the page ----------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1d1d1f; background: #fff; margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.8em; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 1.35em; margin: 36px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 1.1em; margin: 24px 0 6px; }
.lead { color: #444; margin: 0 0 12px; }
.note { color: #555; font-size: 0.92em; }
.url { color: #555; font-size: 0.9em; word-break: break-all; }
figure { margin: 12px 0; }
svg.timeline { width: 100%; height: auto; display: block; border: 1px solid #e3e3e3;
  border-radius: 6px; background: #fcfcfc; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0 0; padding: 0;
  list-style: none; font-size: 0.92em; }
.legend li { display: flex; align-items: center; gap: 6px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 0.93em; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.step { border-left: 4px solid #ccc; padding-left: 14px; margin: 28px 0; }
.step.loosened { border-color: #2e7d32; }
.step.tightened { border-color: #c62828; }
.step.mixed { border-color: #8a5a00; }
.tag { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 0.85em;
  font-weight: 600; white-space: nowrap; border: 1px solid currentColor; }
.tag.loosened { color: #1b5e20; background: #e8f5e9; }
.tag.tightened { color: #b71c1c; background: #ffebee; }
.tag.mixed { color: #6d4700; background: #fff4e0; }
.tag.neutral { color: #555; background: #f3f3f3; }
ul.events { padding-left: 1.2em; }
footer { margin-top: 40px; color: #666; font-size: 0.85em; }
"""

#: How each rule effect is drawn: fill colour, the pattern that tells it
#: without colour, and its name in words.
_EFFECT_LOOK = {
    Effect.PERMIT: ("#2e7d32", "solid", "permission (allowed)"),
    Effect.PROHIBIT: ("#c62828", "url(#hatch-prohibit)", "prohibition (not allowed)"),
    Effect.OBLIGE: ("#b26a00", "url(#dots-oblige)", "obligation (required)"),
}

#: Marks by direction: SVG shape, the symbol used in tables, and the words.
_MARK_LOOK = {
    Direction.LOOSENED: ("#1b5e20", "▲", "restriction lifted or loosened"),
    Direction.TIGHTENED: ("#b71c1c", "▼", "restriction imposed or tightened"),
    Direction.MIXED: ("#6d4700", "◆", "mixed change"),
}


def _page(r: _Report) -> str:
    first, last = r.versions[0], r.versions[-1]
    lifted = sum(len(s.loosened()) for s in r.steps)
    imposed = sum(len(s.tightened()) for s in r.steps)
    span = (
        f"{plural(len(r.versions), 'version')}, from {_date(first.effective)}"
        f" to {_date(last.effective)}"
        if len(r.versions) > 1
        else f"one version, effective {_date(first.effective)}"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';'
        " style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\"/>",
        '<meta name="generator" content="policydiff"/>',
        f"<title>{_e(r.title)}: how the policy changed</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _PATTERNS,
        "<main>",
        "<header>",
        f"<h1>{_e(r.title)}</h1>",
        f'<p class="lead">How the policy <code>{_e(r.policy)}</code> changed: {_e(span)};'
        f" {plural(lifted, 'change')} lifted or loosened restrictions,"
        f" {plural(imposed, 'change')} imposed or tightened them.</p>",
    ]
    if last.summary:
        parts.append(
            f"<p><strong>Latest version</strong> ({_e(last.version)}): {_e(last.summary)}</p>"
        )
    parts += [
        "</header>",
        *_timeline_section(r),
        *_decisions_section(r),
        *_versions_section(r),
        *_steps_section(r),
    ]
    parts += [
        "<footer>",
        "<p>Made with policydiff from the policy's own version documents."
        " This page is self-contained: it loads nothing from the network.</p>",
        "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# -- the timeline ---------------------------------------------------------------------

_WIDTH = 960
_LABELS = 240
_RIGHT = 24
_ROW = 28
_AXIS_Y = 22


#: The first and last instants the axis may reach (years 1 and 9999 have no room to spare).
_EARLIEST = pendulum.datetime(1, 1, 2).timestamp()
_LATEST = pendulum.datetime(9998, 12, 31).timestamp()


def _end(when: When) -> pendulum.DateTime:
    """Return where a value's period ends on the axis: a day-precise date ends where it starts."""
    return when.end if _approximate(when) else when.instant


class _Scale:
    """Instants to x positions, over the history's time with a margin on each side."""

    def __init__(self, versions: Sequence[PolicyVersion]) -> None:
        start = versions[0].effective.instant
        finish = max(_end(v.effective) for v in versions)
        length = max((finish - start).total_seconds(), 86_400 * 180)
        margin = max(length * 0.06, 86_400 * 20)
        # Within the years a date can hold, however early or late the history.
        self.low = max(start.timestamp() - margin, _EARLIEST)
        self.high = min(start.timestamp() + length + margin, _LATEST)
        self.left, self.right = float(_LABELS), float(_WIDTH - _RIGHT)

    def x(self, instant: pendulum.DateTime) -> float:
        """Return the x position of an instant."""
        part = (instant.timestamp() - self.low) / (self.high - self.low)
        return round(self.left + part * (self.right - self.left), 1)

    def ticks(self, zone: str) -> list[tuple[float, str]]:
        """Axis ticks at whole years (or months, for a short history), in the history's zone."""
        low = pendulum.from_timestamp(self.low, tz=zone)
        high = pendulum.from_timestamp(self.high, tz=zone)
        months = (high.year - low.year) * 12 + high.month - low.month
        steps = (1, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000)
        step = next((s for s in steps if months / s <= 8), 24000)
        if step < 12:
            ticks = [low.start_of("year").add(months=m) for m in range(0, months + 13, step)]
        else:
            # Whole years that are multiples of the step: 2020, 2030, ...
            years = step // 12
            first = max(-(-low.year // years) * years, years)
            ticks = [
                pendulum.datetime(year, 1, 1, tz=zone)
                for year in range(first, high.year + 1, years)
            ]
        found = []
        for tick in ticks:
            if low <= tick <= high:
                label = str(tick.year) if tick.month == 1 else tick.format("MMM YYYY")
                found.append((self.x(tick), label))
        return found


def _lanes(extents: Sequence[tuple[float, float]]) -> list[int]:
    """Give each label (left and right ends) a lane of its own, so that none overlap."""
    ends: list[float] = []
    lanes = []
    for left, right in extents:
        lane = next((i for i, end in enumerate(ends) if left - 8 >= end), len(ends))
        if lane == len(ends):
            ends.append(0.0)
        ends[lane] = right
        lanes.append(lane)
    return lanes


def _label_extent(x: float, label: str) -> tuple[float, float]:
    """Where a version's circle and label lie: label right of the circle, or left at the edge."""
    width = 16 + 6.4 * len(label)
    return (x - 10, x + width) if x + width <= _WIDTH - 4 else (x - width, x + 10)


def _version_label(when: When) -> str:
    return f"~{when}" if _approximate(when) else str(when)


def _axis(scale: _Scale, zone: str, height: int) -> list[str]:
    """Draw the time axis: a label and a faint line at each tick."""
    return [
        f'<line x1="{x}" y1="{_AXIS_Y + 4}" x2="{x}" y2="{height - 8}" stroke="#e6e6e6"/>'
        f'<text x="{x}" y="{_AXIS_Y}" font-size="12" fill="#555" text-anchor="middle">{_e(label)}</text>'
        for x, label in scale.ticks(zone)
    ]


def _row(n: int, y: int, label: str, title: str, *, italic: bool = False) -> list[str]:
    """Draw a row's label on the left, on a background every other row."""
    shown = label if len(label) <= 32 else label[:31] + "…"
    background = (
        [f'<rect x="0" y="{y}" width="{_WIDTH}" height="{_ROW}" fill="#f4f4f4"/>']
        if n % 2 == 0
        else []
    )
    style = ' font-style="italic"' if italic else ""
    return [
        *background,
        f'<text x="{_LABELS - 10}" y="{y + _ROW / 2 + 4}" font-size="13" fill="#222"'
        f' text-anchor="end"{style}>'
        f"<title>{_e(title)}</title>{_e(shown)}</text>",
    ]


def _timeline_section(r: _Report) -> list[str]:
    scale = _Scale(r.versions)
    zone = r.versions[0].timezone
    xs = [scale.x(v.effective.instant) for v in r.versions]
    labels = [_version_label(v.effective) for v in r.versions]
    lanes = _lanes([_label_extent(x, label) for x, label in zip(xs, labels, strict=True)])
    markers_y = _AXIS_Y + 22
    top = markers_y + 24 * (max(lanes) + 1) + 8
    policy_row = any(m.rule is None for m in r.marks)
    rows = (["(the policy as a whole)"] if policy_row else []) + r.rules
    height = top + _ROW * len(rows) + 16
    svg = [
        f'<svg class="timeline" viewBox="0 0 {_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg"'
        ' role="img" aria-labelledby="timeline-title timeline-desc">',
        f'<title id="timeline-title">Timeline of {_e(r.title)}</title>',
        f'<desc id="timeline-desc">{_e(_timeline_desc(r))}</desc>',
    ]
    svg += _axis(scale, zone, height)
    for n, name in enumerate(rows):
        svg += _row(n, top + n * _ROW, name, name, italic=policy_row and n == 0)
    # Versions: a line (or a band, for a date known only to the month or year) and a number.
    for i, (version, x, lane, label) in enumerate(zip(r.versions, xs, lanes, labels, strict=True)):
        when = version.effective
        cy = markers_y + 24 * lane
        said = f"Version {i + 1}: {version.version}, effective {_date(when)}"
        if _approximate(when):
            width = max(scale.x(_end(when)) - x, 3.0)
            svg.append(
                f'<rect class="uncertain" x="{x}" y="{cy}" width="{round(width, 1)}"'
                f' height="{height - cy - 8}" fill="#5c6bc0" fill-opacity="0.12"'
                f' stroke="#5c6bc0" stroke-dasharray="3 3"><title>{_e(said)}</title></rect>'
            )
        svg.append(
            f'<line x1="{x}" y1="{cy}" x2="{x}" y2="{height - 8}" stroke="#3949ab"'
            ' stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
        dash = ' stroke-dasharray="3 2"' if _approximate(when) else ""
        right = _label_extent(x, label)[1] > x + 10
        svg.append(
            f'<g class="version"><title>{_e(said)}</title>'
            f'<circle cx="{x}" cy="{cy}" r="10" fill="#fff" stroke="#3949ab" stroke-width="2"{dash}/>'
            f'<text x="{x}" y="{cy + 4}" font-size="11" font-weight="700" fill="#1a237e"'
            f' text-anchor="middle">{i + 1}</text>'
            f'<text x="{x + 14 if right else x - 14}" y="{cy + 4}" font-size="11" fill="#1a237e"'
            f' text-anchor="{"start" if right else "end"}">{_e(label)}</text></g>'
        )
    # Rule lifespans.
    ends = [scale.x(v.effective.instant) for v in r.versions[1:]] + [scale.right]
    offset = 1 if policy_row else 0
    row_of = {name: n + offset for n, name in enumerate(r.rules)}
    for span in r.spans:
        y = top + row_of[span.rule] * _ROW + 6
        x1, x2 = xs[span.first], ends[span.last]
        colour, fill, words = _EFFECT_LOOK[span.effect]
        open_end = span.last == len(r.versions) - 1
        said = f"{span.rule}: {words}, {_lifespan_words(r, span)}"
        svg.append(
            f'<rect class="lifespan {span.effect.value}" x="{x1}" y="{y}"'
            f' width="{round(max(x2 - x1, 2.0), 1)}" height="{_ROW - 12}" rx="3"'
            f' fill="{colour if fill == "solid" else fill}" stroke="{colour}">'
            f"<title>{_e(said)}</title></rect>"
        )
        if open_end:
            svg.append(
                f'<path d="M{x2} {y - 2} l8 {(_ROW - 8) / 2} l-8 {(_ROW - 8) / 2} z" fill="{colour}"/>'
            )
    # Lifted and imposed marks.
    shared: dict[tuple[str | None, int], list[_Mark]] = {}
    for mark in r.marks:
        shared.setdefault((mark.rule, mark.step), []).append(mark)
    for mark in r.marks:
        row = 0 if mark.rule is None else row_of[mark.rule]
        together = shared[(mark.rule, mark.step)]
        # Marks of one rule and step stand side by side, not on top of each other.
        nudge = 14 * together.index(mark) - 7 * (len(together) - 1)
        mx, my = round(xs[mark.step] + nudge, 1), top + row * _ROW + _ROW / 2
        colour, _, words = _MARK_LOOK[mark.direction]
        said = (
            f"{words} in version {mark.step + 1} ({_date(r.versions[mark.step].effective)}): "
            + " ".join(c.description for c in mark.changes)
        )
        shape = {
            Direction.LOOSENED: f"M{mx} {my - 8} l7 12 h-14 z",
            Direction.TIGHTENED: f"M{mx} {my + 8} l7 -12 h-14 z",
            Direction.MIXED: f"M{mx} {my - 8} l7 8 l-7 8 l-7 -8 z",
        }[mark.direction]
        svg.append(
            f'<path class="mark {mark.direction.value}" d="{shape}" fill="{colour}" stroke="#fff"'
            f' stroke-width="1.5"><title>{_e(said)}</title></path>'
        )
    svg.append("</svg>")
    return [
        '<section id="timeline">',
        "<h2>Timeline</h2>",
        '<p class="note">Numbered circles are the versions, at the dates they took effect;'
        " a shaded band with a ~ marks a date known only to the month or year. Each bar is"
        " one rule's life; hover over a bar or mark for details. The tables below say the"
        " same in words.</p>",
        "<figure>",
        *svg,
        "</figure>",
        _legend(),
        *_lifespan_table(r),
        "</section>",
    ]


#: The patterns that tell bars apart without colour, defined once for every drawing.
_PATTERNS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"'
    ' xmlns="http://www.w3.org/2000/svg"><defs>'
    '<pattern id="hatch-prohibit" patternUnits="userSpaceOnUse" width="8" height="8"'
    ' patternTransform="rotate(45)"><rect width="8" height="8" fill="#c62828"/>'
    '<rect width="3" height="8" fill="#ef9a9a"/></pattern>'
    '<pattern id="dots-oblige" patternUnits="userSpaceOnUse" width="8" height="8">'
    '<rect width="8" height="8" fill="#b26a00"/><circle cx="4" cy="4" r="1.8" fill="#ffe0b2"/>'
    "</pattern>"
    '<pattern id="stripes-conditional" patternUnits="userSpaceOnUse" width="8" height="8">'
    '<rect width="8" height="8" fill="#2e7d32"/><rect y="5" width="8" height="3" fill="#c8e6c9"/>'
    "</pattern>"
    '<pattern id="checks-varies" patternUnits="userSpaceOnUse" width="8" height="8">'
    '<rect width="8" height="8" fill="#6a1b9a"/><rect width="4" height="4" fill="#e1bee7"/>'
    '<rect x="4" y="4" width="4" height="4" fill="#e1bee7"/></pattern>'
    "</defs></svg>"
)


def _swatch(colour: str, fill: str) -> str:
    paint = colour if fill == "solid" else fill
    return (
        f'<svg width="34" height="14" aria-hidden="true"><rect width="34" height="14" rx="3"'
        f' fill="{paint}" stroke="{colour}"/></svg>'
    )


def _legend() -> str:
    items = [
        f"<li>{_swatch(colour, fill)}rule: {_e(words)}</li>"
        for colour, fill, words in _EFFECT_LOOK.values()
    ]
    for direction, (colour, symbol, words) in _MARK_LOOK.items():
        items.append(
            f'<li><span style="color:{colour}" aria-hidden="true">{symbol}</span>'
            f" {_e(words)} ({direction.value})</li>"
        )
    items.append('<li><span aria-hidden="true">▶</span> still in force in the latest version</li>')
    return '<ul class="legend" aria-label="Legend">' + "".join(items) + "</ul>"


def _lifespan_words(r: _Report, span: _Span) -> str:
    start = r.versions[span.first]
    text = f"from {_date(start.effective)} (version {span.first + 1}, {start.version})"
    if span.last == len(r.versions) - 1:
        return text + ", still in force in the latest version"
    end = r.versions[span.last + 1]
    return text + f" until {_date(end.effective)} (version {span.last + 2}, {end.version})"


def _timeline_desc(r: _Report) -> str:
    lines = [
        f"Version {i + 1}, {v.version}, effective {_date(v.effective)}."
        for i, v in enumerate(r.versions)
    ]
    lines += [
        f"Rule {s.rule}, {_EFFECT_LOOK[s.effect][2]}, {_lifespan_words(r, s)}." for s in r.spans
    ]
    return " ".join(lines)


def _lifespan_table(r: _Report) -> list[str]:
    out = [
        "<table>",
        "<caption>Each rule's life, and where it was loosened or tightened</caption>",
        '<thead><tr><th scope="col">Rule</th><th scope="col">What it says</th>'
        '<th scope="col">Effect</th>'
        '<th scope="col">In force</th><th scope="col">Lifted or imposed</th></tr></thead>',
        "<tbody>",
    ]
    for rule in r.rules:
        spans = [s for s in r.spans if s.rule == rule]
        marks = [m for m in r.marks if m.rule == rule]
        out.append(
            "<tr>"
            f'<th scope="row"><code>{_e(rule)}</code></th>'
            f"<td>{_e(_rule_words(r, rule))}</td>"
            f"<td>{'<br/>'.join(_e(_EFFECT_LOOK[s.effect][2]) for s in spans)}</td>"
            f"<td>{'<br/>'.join(_e(_lifespan_words(r, s)) for s in spans)}</td>"
            f"<td>{_marks_cell(r, marks)}</td>"
            "</tr>"
        )
    whole = [m for m in r.marks if m.rule is None]
    if whole:
        out.append(
            '<tr><th scope="row">(the policy as a whole)</th><td></td><td></td><td></td>'
            f"<td>{_marks_cell(r, whole)}</td></tr>"
        )
    out += ["</tbody>", "</table>"]
    return out


def _rule_words(r: _Report, rule_id: str) -> str:
    """Say what a rule says in the last version that has it: its text, or a sentence."""
    rule = next(v.rule(rule_id) for v in reversed(r.versions) if rule_id in v.rule_ids)
    if rule.text:
        return rule.text
    sentence = rule_sentence(rule)
    return sentence[:1].upper() + sentence[1:] + "."


def _marks_cell(r: _Report, marks: Iterable[_Mark]) -> str:
    items = []
    for mark in marks:
        _, symbol, words = _MARK_LOOK[mark.direction]
        when = _date(r.versions[mark.step].effective)
        items.append(f"{symbol} {_e(words)}: {_e(when)} (version {mark.step + 1})")
    return "<br/>".join(items) or "none"


# -- decisions over time ------------------------------------------------------------------

#: How each decision is drawn: colour, pattern, and a word for the legend.
_DECISION_LOOK = {
    Decision.PERMITTED: ("#2e7d32", "solid", "permitted"),
    Decision.CONDITIONAL: (
        "#2e7d32",
        "url(#stripes-conditional)",
        "permitted only under conditions",
    ),
    Decision.PROHIBITED: ("#c62828", "url(#hatch-prohibit)", "prohibited"),
    Decision.UNDECIDED: ("#757575", "solid", "undecided (no rule applies, no default)"),
    Decision.VARIES: ("#6a1b9a", "url(#checks-varies)", "varies across the situations it covers"),
}


def _situation_words(situation: Mapping[str, str]) -> str:
    return ", ".join(f"{dim}={value}" for dim, value in situation.items()) or "any situation"


def _decision_short(answer: Answer) -> str:
    """Say a decision in a few words: ``permitted under a condition``."""
    decision = answer.decision
    if decision is Decision.CONDITIONAL:
        under = "a condition" if len(answer.conditions) == 1 else "conditions"
        otherwise = answer.given(()).decision
        # The decision when no condition holds, and what some condition turns it into.
        if otherwise is Decision.PERMITTED:
            return f"prohibited under {under}"
        return f"permitted under {under}"
    if decision is Decision.VARIES:
        return f"varies ({plural(len(answer.groups), 'group')} of situations)"
    if decision is Decision.UNDECIDED:
        return "undecided"
    said: str = decision.value
    if answer.obligations:
        said += ", with an obligation" if len(answer.obligations) == 1 else ", with obligations"
    return said


def _decision_sentence(periods: Sequence[Period]) -> str:
    """Say a decision timeline in one line: ``prohibited until 30 May 2024; permitted since``."""
    parts = []
    before = ""
    for n, period in enumerate(periods):
        words = said = _decision_short(period.answer)
        if words == before:
            # Periods split where the decision changed in its details.
            words += " (on other terms)"
        before = said
        if period.end is not None:
            parts.append(f"{words} until {period.end}")
        else:
            parts.append(f"{words} since" if n else f"{words} since {period.start}")
    return "; ".join(parts)


def _shared_values(situations: Sequence[Mapping[str, str]]) -> set[str]:
    """Return the dimensions every situation gives the same value (left out of short labels)."""
    if len(situations) < 2:
        return set()
    first = situations[0]
    return {d for d, v in first.items() if all(s.get(d) == v for s in situations[1:])}


def _decisions_section(r: _Report) -> list[str]:
    if not r.timelines:
        return []
    scale = _Scale(r.versions)
    top = _AXIS_Y + 12
    height = top + _ROW * len(r.timelines) + 12
    svg = [
        f'<svg class="decisions" viewBox="0 0 {_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg"'
        ' role="img" aria-labelledby="decisions-title">',
        f'<title id="decisions-title">Decisions over time: '
        f"{_e(' '.join(f'{_situation_words(s)}: {_decision_sentence(p)}.' for s, p in r.timelines))}"
        "</title>",
    ]
    svg += _axis(scale, r.versions[0].timezone, height)
    for version in r.versions:
        x = scale.x(version.effective.instant)
        svg.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{height - 8}" stroke="#3949ab"'
            ' stroke-width="1" stroke-dasharray="2 3"/>'
        )
    shared = _shared_values([situation for situation, _ in r.timelines])
    for n, (situation, periods) in enumerate(r.timelines):
        y = top + n * _ROW
        label = ", ".join(v for d, v in situation.items() if d not in shared) or ", ".join(
            situation.values()
        )
        svg += _row(n, y, label, _situation_words(situation))
        for period in periods:
            x1 = scale.x(period.start.instant)
            x2 = scale.right if period.end is None else scale.x(period.end.instant)
            colour, fill, _ = _DECISION_LOOK[period.answer.decision]
            said = (
                f"{_situation_words(situation)}: {decision_words(period.answer)}, from"
                f" {period.start}" + ("" if period.end is None else f" until {period.end}")
            )
            svg.append(
                f'<rect class="period {period.answer.decision.value}" x="{x1}" y="{y + 6}"'
                f' width="{round(max(x2 - x1, 2.0), 1)}" height="{_ROW - 12}" rx="3"'
                f' fill="{colour if fill == "solid" else fill}" stroke="#fff" stroke-width="1.5">'
                f"<title>{_e(said)}</title></rect>"
            )
    svg.append("</svg>")
    legend = "".join(
        f"<li>{_swatch(colour, fill)}{_e(words)}</li>"
        for colour, fill, words in _DECISION_LOOK.values()
    )
    out = [
        '<section id="decisions">',
        "<h2>Decisions over time</h2>",
        '<p class="note">What the policy decided for each situation asked about, version by'
        " version, on the same time scale as the timeline above.</p>",
        "<figure>",
        *svg,
        "</figure>",
        f'<ul class="legend" aria-label="Legend of decisions">{legend}</ul>',
    ]
    for situation, periods in r.timelines:
        out += [
            f"<h3>{_e(_situation_words(situation))}</h3>",
            f'<p class="said">{_e(_decision_sentence(periods)[:1].upper() + _decision_sentence(periods)[1:])}.</p>',
            "<table>",
            f"<caption>Decisions for {_e(_situation_words(situation))}</caption>",
            '<thead><tr><th scope="col">From</th><th scope="col">Until</th>'
            '<th scope="col">Version</th><th scope="col">Decision</th></tr></thead>',
            "<tbody>",
        ]
        for period in periods:
            until = "the latest version" if period.end is None else _date(period.end)
            out.append(
                f"<tr><td>{_e(_date(period.start))}</td><td>{_e(until)}</td>"
                f"<td><code>{_e(period.version)}</code></td>"
                f"<td>{_e(decision_words(period.answer))}</td></tr>"
            )
        out += ["</tbody>", "</table>"]
    out.append("</section>")
    return out


# -- the versions ----------------------------------------------------------------------


def _versions_section(r: _Report) -> list[str]:
    out = [
        '<section id="versions">',
        "<h2>Versions</h2>",
        "<table>",
        '<thead><tr><th scope="col">#</th><th scope="col">Version</th>'
        '<th scope="col">Took effect</th><th scope="col">Announced</th>'
        '<th scope="col">Approved by</th><th scope="col">Rules</th></tr></thead>',
        "<tbody>",
    ]
    for i, v in enumerate(r.versions):
        announced = _date(v.announced) if v.announced is not None else ""
        out.append(
            f"<tr><td>{i + 1}</td><td><code>{_e(v.version)}</code></td>"
            f"<td>{_e(_date(v.effective))}</td><td>{_e(announced)}</td>"
            f"<td>{_e(', '.join(v.approved_by))}</td><td>{len(v.rules)}</td></tr>"
        )
    out += ["</tbody>", "</table>", "</section>"]
    return out


# -- the steps -------------------------------------------------------------------------


def _steps_section(r: _Report) -> list[str]:
    if not r.steps:
        return [
            '<section id="steps">',
            "<h2>Step by step</h2>",
            "<p>There is one version: nothing has changed yet.</p>",
            "</section>",
        ]
    out = ['<section id="steps">', "<h2>Step by step</h2>"]
    for n, (step, found) in enumerate(zip(r.steps, r.impacts, strict=True)):
        out += _step(r, n, step, found)
    out.append("</section>")
    return out


#: A verdict as a tag: the class that colours it, and its words.
_VERDICT_TAG = {
    Verdict.EQUIVALENT: ("neutral", "no decision changed"),
    Verdict.LOOSENED: ("loosened", "decisions loosened"),
    Verdict.TIGHTENED: ("tightened", "decisions tightened"),
    Verdict.MIXED: ("mixed", "some decisions loosened, some tightened"),
}


def _verdict(step: PolicyDiff) -> tuple[Verdict | None, str]:
    """Return the step's verdict and its line, or ``None`` and why it was not worked out."""
    try:
        verdict = step.verdict
    except ValueError as exc:  # past the work budget (a DiffError), or a diff made by hand
        return None, f"Verdict by decisions: not worked out ({exc})."
    return verdict, verdict_line(step)


def _step(r: _Report, n: int, step: PolicyDiff, found: Impact | str) -> list[str]:
    verdict, verdict_said = _verdict(step)
    look, words = _VERDICT_TAG[verdict] if verdict is not None else ("neutral", "not worked out")
    number = r.step_of(step.new) + 1
    out = [
        f'<article class="step {look}" id="step-{n + 1}">',
        f"<h3>Version {number}: {_e(step.new.version)}, effective {_e(_date(step.new.effective))}</h3>",
        f'<p class="note">What changed from <code>{_e(step.old.version)}</code>'
        f" in <code>{_e(step.policy)}</code>.</p>",
        f"<p><strong>{_e(when_line(step))}</strong></p>",
        f'<p class="verdict"><span class="tag {look}">{_e(words)}</span> {_e(verdict_said)}</p>',
        f"<p>{_e(plural(len(step), 'change'))}: {_e(counts(step))}.</p>",
    ]
    if step.new.summary:
        out.append(f"<p>{_e(step.new.summary)}</p>")
    if step:
        out += [
            "<table>",
            "<caption>What changed</caption>",
            '<thead><tr><th scope="col">Direction</th><th scope="col">Change</th>'
            '<th scope="col">Effect on decisions</th><th scope="col">Rule</th>'
            '<th scope="col">Sources</th></tr></thead>',
            "<tbody>",
        ]
        titles = dict(SECTIONS)
        for change in step:
            rule = f"<code>{_e(change.rule)}</code>" if change.rule is not None else ""
            sources = "; ".join(_source_link(s) for s in change.sources)
            out.append(
                f'<tr><td><span class="tag {change.direction.value}">'
                f"{_e(titles[change.direction])}</span></td>"
                f"<td>{_e(change.description)}</td><td>{_e(effect_note(change) or '—')}</td>"
                f"<td>{rule}</td><td>{sources}</td></tr>"
            )
        out += ["</tbody>", "</table>"]
    events = decision_steps(step.new)
    if events:
        out += ["<h4>Decision steps</h4>", '<ul class="events">']
        out += [f"<li>{_e(event)}</li>" for event in events]
        out.append("</ul>")
    out += _impact_table(found)
    if step.new.sources:
        out += ["<h4>Sources</h4>", "<ul>"]
        for source in step.new.sources:
            note = f" ({_e(source.note)})" if source.note else ""
            title = f": {_e(source.title)}" if source.title else ""
            out.append(f"<li>{_source_link(source)}{title}{note}</li>")
        out.append("</ul>")
    out.append("</article>")
    return out


def _source_link(source: Source) -> str:
    return _link(source.url, source_label(source))


def _impact_table(found: Impact | str) -> list[str]:
    if isinstance(found, str):
        return [f"<p>{_e(found)}</p>"]
    if not found:
        return ["<p>No situation changed decision.</p>"]
    head = "".join(f'<th scope="col">{_e(dim)}</th>' for dim in found.dimensions)
    out = [
        "<table>",
        f"<caption>Situations whose decision changed ({plural(len(found), 'group')})</caption>",
        f'<thead><tr>{head}<th scope="col">Before</th><th scope="col">After</th></tr></thead>',
        "<tbody>",
    ]
    for cube in found:
        cells = "".join(f"<td>{_e(cube.values[dim])}</td>" for dim in found.dimensions)
        out.append(
            f"<tr>{cells}<td>{_e(decision_words(cube.before))}</td>"
            f"<td>{_e(decision_words(cube.after))}</td></tr>"
        )
    out += ["</tbody>", "</table>"]
    return out
