"""What comparing versions returns: :class:`PolicyDiff`, as data.

The engine (:mod:`policydiff._diff`) builds these; the renderers read them.
A result formats itself no further than :meth:`PolicyDiff.to_dict`, the
plain data of SPEC section 6, and :meth:`PolicyDiff.to_json`, that data as
JSON text (SPEC section 8 promises both).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import attrs
import pendulum

from policydiff._time import describe_gap
from policydiff.model import Change, Direction, PolicyVersion

__all__ = ["PolicyDiff", "change_to_dict", "endpoint"]


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
    }
