"""What comparing versions returns: :class:`PolicyDiff`, as data.

The engine (:mod:`policydiff._diff`) builds these; the renderers read them.
A result formats itself no further than :meth:`PolicyDiff.to_dict`, the
plain data of SPEC section 6, and :meth:`PolicyDiff.to_json`, that data as
JSON text (SPEC section 8 promises both).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import attrs
import pendulum

from policydiff._time import describe_gap
from policydiff.errors import DiffError
from policydiff.model import Change, Direction, PolicyVersion, Verdict

__all__ = ["Judge", "PolicyDiff", "Validated", "change_to_dict", "endpoint"]


class Judge(Protocol):
    """What works out a diff's verdict and its changes' effects (the engine's judge)."""

    @property
    def verdict(self) -> Verdict:
        """The verdict."""

    @property
    def comparison(self) -> Any:
        """The comparison of the two versions' decisions."""


def _changes(value: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class PolicyDiff:
    """The changes from one version of a policy to another.

    Iterating gives the :class:`~policydiff.model.Change` objects in a stable
    order (by rule id, then kind; version-level changes last). Render it with
    :func:`policydiff.render`.

    >>> d = policydiff.diff(old, new)
    >>> [c.kind.value for c in d.loosened()]
    ['permission-granted']
    """

    __module__ = "policydiff"

    old: PolicyVersion
    new: PolicyVersion
    changes: tuple[Change, ...] = attrs.field(converter=_changes)
    _judge: Judge | None = attrs.field(default=None, eq=False, repr=False, alias="judge")

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def policy(self) -> str:
        """The policy's id."""
        return self.new.policy

    def loosened(self) -> tuple[Change, ...]:
        """Return the changes that let the policy allow more ("restrictions lifted")."""
        return self.where(Direction.LOOSENED)

    def tightened(self) -> tuple[Change, ...]:
        """Return the changes that let the policy allow less."""
        return self.where(Direction.TIGHTENED)

    def where(self, *directions: Direction | str) -> tuple[Change, ...]:
        """Return the changes that go any of these ways, in their usual order."""
        wanted = {Direction(direction) for direction in directions}
        return tuple(c for c in self.changes if c.direction in wanted)

    def only(self, *directions: Direction | str) -> PolicyDiff:
        """Return this diff with only the changes that go any of these ways."""
        return attrs.evolve(self, changes=self.where(*directions))

    @property
    def verdict(self) -> Verdict:
        """What the diff does to decisions, over every situation (SPEC section 12).

        ``equivalent`` when no situation's outcome moved, ``loosened`` or
        ``tightened`` when every situation that moved went that way, else
        ``mixed``. Worked out on first use, with each change's ``effect``.

        Raises:
            DiffError: The comparison exceeds the evaluator's work budget.
        """
        judge = self._found_judge()
        if judge is None:
            return Verdict.EQUIVALENT
        return judge.verdict

    def impact(self) -> Any:
        """Return the situations whose outcome moved, grouped (as :func:`policydiff.impact`).

        Returns:
            An :class:`~policydiff.Impact`.
        """
        judge = self._found_judge()
        if judge is None:
            msg = "only a diff made by policydiff.diff knows the situations that moved"
            raise ValueError(msg)
        return judge.comparison.impact()

    def _found_judge(self) -> Judge | None:
        """Return the judge of this diff or of its changes.

        A diff with no changes and no judge compares versions that decide
        everything alike.

        Raises:
            ValueError: Changes made by hand, with no judge to ask.
        """
        if self._judge is not None:
            return self._judge
        for change in self.changes:
            found: Judge | None = getattr(change, "_judge", None)
            if found is not None:
                return found
        if self.changes:
            msg = "only a diff made by policydiff.diff knows its verdict"
            raise ValueError(msg)
        return None

    @property
    def summary(self) -> dict[str, int]:
        """How many changes go each way: ``loosened``, ``tightened``, ``neutral``, ``mixed``."""
        counts = dict.fromkeys((d.value for d in Direction), 0)
        for change in self.changes:
            counts[change.direction.value] += 1
        return counts

    @property
    def interval(self) -> pendulum.Interval[pendulum.DateTime]:
        """The time from the old version's effective instant to the new one's."""
        # In UTC: within one zone, pendulum would subtract wall clocks.
        return pendulum.interval(
            self.old.effective.instant.in_timezone("UTC"),
            self.new.effective.instant.in_timezone("UTC"),
        )

    @property
    def gap(self) -> str:
        """The interval in words: ``"29 days after the previous version"``."""
        return f"{describe_gap(self.old.effective, self.new.effective)} the previous version"

    def to_dict(self) -> dict[str, Any]:
        """Return the SPEC section 6 JSON object, as plain data."""
        return {
            "policydiff": 1,
            "policy": self.policy,
            "from": endpoint(self.old),
            "to": endpoint(self.new),
            "verdict": _verdict_value(self),
            "summary": self.summary,
            "changes": [change_to_dict(c) for c in self.changes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return :meth:`to_dict` as JSON text, the same as ``render(diff, "json")``.

        Args:
            indent: Passed to :func:`json.dumps`; ``None`` gives one line.
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def endpoint(version: PolicyVersion) -> dict[str, Any]:
    """Name a version in JSON output: its label, effective instant and precision."""
    return {
        "version": version.version,
        "effective": version.effective.isoformat(),
        "precision": version.effective.precision.value,
    }


def change_to_dict(change: Change) -> dict[str, Any]:
    """Return one change as SPEC section 6 lists it."""
    return {
        "kind": change.kind.value,
        "direction": change.direction.value,
        "rule": change.rule,
        "dimension": change.dimension,
        "added": sorted(change.added),
        "removed": sorted(change.removed),
        "before": change.before,
        "after": change.after,
        "path": change.path,
        "effective": change.effective.isoformat(),
        "description": change.description,
        "sources": [s.id for s in change.sources],
        "note": change.note,
        "effect": _effect_value(change),
        "fingerprint": change.fingerprint,
    }


def _verdict_value(d: PolicyDiff) -> str | None:
    """Return the verdict, or ``None`` past the evaluator's work budget."""
    try:
        return d.verdict.value
    except (DiffError, ValueError):
        return None


def _effect_value(change: Change) -> str | None:
    """Return the change's effect, or ``None`` when it cannot be worked out."""
    try:
        return change.effect.value
    except (DiffError, ValueError):
        return None


@attrs.frozen(kw_only=True)
class Validated:
    """What ``validate`` says of a valid path: its policy and versions.

    Attributes:
        policy: The policy's id.
        versions: The versions' labels, oldest first.
        rules: How many rules the newest version has.
    """

    policy: str
    versions: tuple[str, ...]
    rules: int
