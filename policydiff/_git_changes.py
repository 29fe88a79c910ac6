"""The policies that changed since a git revision, as steps to judge (``check --base``).

git says which files differ between the revision and the working tree; this
module reads both states of each one through the ordinary loaders (a file as
the revision holds it is named ``REV:path`` in messages) and pairs versions:

- a version document edited, renamed or both: its old state with its new;
- a document added: a new policy, compared with no policy; deleted: its
  grants and restrictions are lifted, compared with no policy;
- a history (a folder of version documents of one policy, or one document
  with ``versions:``): versions are matched by label, so a version file
  added is compared with the version before it in the history, a version
  edited with its old state, and a version removed with the one that
  takes its place.

Files with a policy document's suffix that hold no policy (a CI workflow, a
configuration file) are left alone.
"""

from __future__ import annotations

import functools
import json
import os
import posixpath
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from policydiff._decisions import Gate, Waiver
from policydiff._diff import diff
from policydiff._documents import DEFAULT_LIMITS, SUFFIXES, Limits, decode, read_text
from policydiff._git import (
    Changed,
    blobs,
    changed_files,
    commit_of,
    files_in,
    is_folder,
    relative_to_root,
    show,
)
from policydiff._git import repository_root as git_root
from policydiff._history import PolicyHistory
from policydiff._history_load import history_from_text, history_from_texts
from policydiff._impact import judge_gate, today_utc
from policydiff._inputs import no_policy, places_of, rule_lines_in
from policydiff._parse import yaml_load
from policydiff.errors import DocumentError, Problem
from policydiff.model import Change, PolicyVersion

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "ChangeSet",
    "ChangesGate",
    "Side",
    "Step",
    "changes_since",
    "judge_changes",
    "step_places",
]

#: How each kind of step is named in reports.
CHANGED = "changed"
RENAMED = "renamed"
NEW_POLICY = "new policy"
DELETED = "deleted"
VERSION_ADDED = "version added"
VERSION_CHANGED = "version changed"
VERSION_REMOVED = "version removed"

#: A top-level ``policy`` key, for a document too broken to parse.
_POLICY_KEY = re.compile(r"""^(?:policy|\s*["']policy["'])\s*[:=]""", re.MULTILINE)


@attrs.frozen(kw_only=True)
class Side:
    """A file behind one side of a step, for pointing at its rules' lines.

    Attributes:
        file: Its path from the repository's root.
        text: Its text (as the revision holds it, for the old side).
    """

    file: str
    text: str


@attrs.frozen(kw_only=True)
class Step:
    """One policy change between the revision and the working tree.

    Attributes:
        path: The file (or history folder) from the repository's root.
        status: What happened: ``changed``, ``renamed``, ``new policy``,
            ``deleted``, ``version added``, ``version changed`` or
            ``version removed``.
        old: The version before (an empty "no policy" version for a new one).
        new: The version after (no policy for a deleted one).
        old_side: The file holding ``old``, when there is one.
        new_side: The file holding ``new``, when there is one.
        renamed_from: For a renamed document, its path at the revision.
    """

    path: str
    status: str
    old: PolicyVersion
    new: PolicyVersion
    old_side: Side | None = None
    new_side: Side | None = None
    renamed_from: str | None = None

    @property
    def what(self) -> str:
        """The step in words: its path and what happened to it."""
        if self.renamed_from is not None:
            return f"{self.path} ({self.status}, from {self.renamed_from})"
        return f"{self.path} ({self.status})"


@attrs.frozen(kw_only=True)
class ChangeSet:
    """Every policy step between a revision and the working tree.

    Attributes:
        base: The revision as the user named it.
        commit: Its full commit hash.
        root: The repository's top folder.
        paths: The paths looked under, from the root.
        steps: The steps, by path.
    """

    base: str
    commit: str
    root: Path
    paths: tuple[str, ...]
    steps: tuple[Step, ...]


@attrs.frozen(kw_only=True)
class ChangesGate:
    """``check --base``: the review gate's judgement of every policy step since a revision.

    Attributes:
        changes: The steps judged.
        gates: Each step with its gate.
        fail_on: ``loosened``, ``tightened`` or ``any``.
        expired: The waivers that expired: they waive nothing.
        warn_only: Report only: a failing gate still exits 0.
    """

    changes: ChangeSet
    gates: tuple[tuple[Step, Gate], ...]
    fail_on: str
    expired: tuple[Waiver, ...] = ()
    warn_only: bool = False

    @property
    def failed(self) -> bool:
        """Whether some step's gate failed."""
        return any(gate.failed for _, gate in self.gates)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON of ``check --base``: the outcome, then each step's gate.

        Each entry of ``steps`` is the step's ``check --format json``
        object, with its ``path``, ``status`` and ``renamed_from``.
        """
        return {
            "policydiff": 1,
            "base": self.changes.base,
            "commit": self.changes.commit,
            "check": {
                "fail_on": self.fail_on,
                "by": "decisions",
                "failed": self.failed,
                "warn_only": self.warn_only,
                "expired_waivers": [w.to_dict() for w in self.expired],
            },
            "steps": [
                {
                    "path": step.path,
                    "status": step.status,
                    "renamed_from": step.renamed_from,
                    **gate.to_dict(),
                }
                for step, gate in self.gates
            ],
        }


def judge_changes(
    changes: ChangeSet,
    fail_on: str,
    *,
    waivers: Sequence[Waiver] = (),
    today: str | None = None,
    warn_only: bool = False,
) -> ChangesGate:
    """Judge every step of ``changes`` by decisions, as ``check --fail-on`` does one diff.

    Raises:
        DiffError: A comparison exceeds the evaluator's work budget.
    """
    day = today if today is not None else today_utc()
    # Expired waivers are reported once, for the whole run, not with every step.
    gates = tuple(
        (
            step,
            attrs.evolve(
                judge_gate(
                    diff(step.old, step.new),
                    fail_on,
                    waivers=waivers,
                    today=day,
                    warn_only=warn_only,
                ),
                expired=(),
            ),
        )
        for step in changes.steps
    )
    expired = tuple(w for w in waivers if w.expires < day)
    return ChangesGate(
        changes=changes, gates=gates, fail_on=fail_on, expired=expired, warn_only=warn_only
    )


@attrs.frozen
class _Doc:
    """A policy document on one side: its path, text, policy and version label."""

    path: str
    text: str
    policy: str | None
    label: str | None
    is_history: bool


def changes_since(
    base: str,
    paths: Sequence[str] = (),
    *,
    cwd: str | Path = ".",
    limits: Limits = DEFAULT_LIMITS,
) -> ChangeSet:
    """Return the policy steps between git revision ``base`` and the working tree.

    Args:
        base: A branch, tag or commit (``origin/main``).
        paths: Files or folders to look under, relative to ``cwd``; the whole
            repository when empty.
        cwd: A folder inside the repository.
        limits: Bounds on each file's size and nesting.

    Raises:
        GitError: No repository, an unknown revision, a shallow clone that
            lacks it, a path outside the repository.
        DocumentError: A changed document is invalid on either side; the
            revision's files are named ``REV:path``.
        HistoryError: A history's versions do not form one history.
    """
    root = git_root(cwd)
    commit = commit_of(root, base)
    specs = tuple(relative_to_root(root, Path(cwd) / p) for p in paths) or (".",)
    missing = [
        Problem(file=given, path="", message=f"no such file or folder, here or at {base}")
        for given, spec in zip(paths, specs, strict=False)
        if not (root / spec).exists()
        and not blobs(root, commit, spec.rstrip("/"))
        and not is_folder(root, commit, spec)
    ]
    if missing:
        raise DocumentError(missing)
    reader = _Reader(root, commit, base, limits)
    changed = [c for c in changed_files(root, commit, specs) if _has_suffix(c)]
    folders = sorted({posixpath.dirname(p) for c in changed for p in (c.old, c.new) if p})
    histories = {f for f in folders if reader.is_history_folder(f)}
    steps: list[Step] = []
    problems: list[Problem] = []
    for folder in sorted(histories):
        _collect(problems, steps, functools.partial(_folder_steps, reader, folder))
    for change in changed:
        parents = {posixpath.dirname(p) for p in (change.old, change.new) if p}
        if parents & histories:
            continue
        _collect(problems, steps, functools.partial(_document_steps, reader, change))
    if problems:
        raise DocumentError(problems)
    steps.sort(key=lambda s: (s.path, s.new.effective.instant))
    return ChangeSet(base=base, commit=commit, root=root, paths=specs, steps=tuple(steps))


def _collect(problems: list[Problem], steps: list[Step], work: Callable[[], list[Step]]) -> None:
    """Add ``work``'s steps, or its problems: every file's problems are reported together."""
    try:
        steps.extend(work())
    except DocumentError as exc:
        problems.extend(exc.problems)


def _has_suffix(change: Changed) -> bool:
    return any(
        p is not None and posixpath.splitext(p)[1].lower() in SUFFIXES
        for p in (change.old, change.new)
    )


class _Reader:
    """Both states of the repository's files: the revision's (through git) and the working tree's."""

    def __init__(self, root: Path, commit: str, base: str, limits: Limits) -> None:
        self.root, self.commit, self.base, self.limits = root, commit, base, limits

    def old_name(self, path: str) -> str:
        return f"{self.base}:{path}"

    def new_name(self, path: str) -> str:
        """Name a working-tree file as messages do: from the current folder."""
        return os.path.relpath(self.root / path)

    def old_text(self, path: str) -> str:
        data = show(self.root, self.commit, path)
        name = self.old_name(path)
        if len(data) > self.limits.max_bytes:
            message = f"file is larger than the limit of {self.limits.max_bytes:,} bytes"
            raise DocumentError([Problem(file=name, path="", message=message)])
        return decode(data, name)

    def new_text(self, path: str) -> str:
        return read_text(self.new_name(path), self.limits)

    def old_doc(self, path: str) -> _Doc | None:
        return _doc(path, self.old_text(path))

    def new_doc(self, path: str) -> _Doc | None:
        return _doc(path, self.new_text(path))

    def old_docs(self, folder: str) -> list[_Doc]:
        found = (self.old_doc(p) for p in files_in(self.root, self.commit, folder) if _suffixed(p))
        return [d for d in found if d is not None]

    def new_docs(self, folder: str) -> list[_Doc]:
        where = self.root / folder
        if not where.is_dir():
            return []
        paths = sorted(
            posixpath.join(folder, f.name) if folder not in ("", ".") else f.name
            for f in where.iterdir()
            if f.is_file() and _suffixed(f.name)
        )
        return [d for d in (self.new_doc(p) for p in paths) if d is not None]

    def is_history_folder(self, folder: str) -> bool:
        """Whether ``folder`` holds versions of one policy, at the revision or now."""
        return any(_one_policy(docs) for docs in (self.old_docs(folder), self.new_docs(folder)))


def _suffixed(path: str) -> bool:
    name = posixpath.basename(path)
    return not name.startswith(".") and posixpath.splitext(name)[1].lower() in SUFFIXES


def _one_policy(docs: list[_Doc]) -> bool:
    versions = [d for d in docs if not d.is_history]
    policies = {d.policy for d in versions if d.policy is not None}
    return len(versions) >= 2 and len(policies) <= 1


def _doc(path: str, text: str) -> _Doc | None:
    """Read what a document is about; ``None`` when it holds no policy (a workflow, a config)."""
    fmt = SUFFIXES[posixpath.splitext(path)[1].lower()]
    try:
        data = _plain_data(text, fmt)
    except (ValueError, yaml.YAMLError, tomllib.TOMLDecodeError, RecursionError):
        # Too broken to tell: a policy if it says so; the loader reports why.
        return _Doc(path, text, None, None, False) if _POLICY_KEY.search(text) else None
    if not isinstance(data, dict) or ("policy" not in data and "policydiff" not in data):
        return None
    policy = data.get("policy")
    label = data.get("version")
    return _Doc(
        path,
        text,
        policy if isinstance(policy, str) else None,
        label if isinstance(label, str) else None,
        "versions" in data or "deltas" in data,
    )


def _plain_data(text: str, fmt: str) -> Any:
    if fmt == "json":
        return json.loads(text)
    if fmt == "toml":
        return tomllib.loads(text)
    return yaml_load(text)[0]


# -- version documents ------------------------------------------------------------


def _document_steps(reader: _Reader, change: Changed) -> list[Step]:
    old = reader.old_doc(change.old) if change.old is not None else None
    new = reader.new_doc(change.new) if change.new is not None else None
    if old is None and new is None:
        return []
    if (old is not None and old.is_history) or (new is not None and new.is_history):
        old_history = _history_of(reader, old, old=True)
        new_history = _history_of(reader, new, old=False)
        sides: dict[Any, Side] = {}
        for side, doc, history in (("old", old, old_history), ("new", new, new_history)):
            if doc is not None and history is not None:
                held = Side(file=doc.path, text=doc.text)
                sides.update({(side, v.version): held for v in history.versions})
        return _history_steps(change.new or change.old or "", old_history, new_history, sides)
    before = None if old is None else _version(reader, old, old=True)
    after = None if new is None else _version(reader, new, old=False)
    old_side = None if old is None else Side(file=old.path, text=old.text)
    new_side = None if new is None else Side(file=new.path, text=new.text)
    if before is None:
        assert after is not None
        assert new is not None
        return [
            Step(
                path=new.path, status=NEW_POLICY, old=no_policy(after), new=after, new_side=new_side
            )
        ]
    if after is None:
        assert old is not None
        return [
            Step(
                path=old.path, status=DELETED, old=before, new=no_policy(before), old_side=old_side
            )
        ]
    if before == after:
        return []
    assert new is not None
    assert old is not None
    renamed = old.path if old.path != new.path else None
    return [
        Step(
            path=new.path,
            status=RENAMED if renamed else CHANGED,
            old=before,
            new=after,
            old_side=old_side,
            new_side=new_side,
            renamed_from=renamed,
        )
    ]


def _version(reader: _Reader, doc: _Doc, *, old: bool) -> PolicyVersion:
    name = reader.old_name(doc.path) if old else reader.new_name(doc.path)
    fmt = SUFFIXES[posixpath.splitext(doc.path)[1].lower()]
    return history_from_text(doc.text, name=name, format=fmt, limits=reader.limits).last


def _history_of(reader: _Reader, doc: _Doc | None, *, old: bool) -> PolicyHistory | None:
    if doc is None:
        return None
    name = reader.old_name(doc.path) if old else reader.new_name(doc.path)
    fmt = SUFFIXES[posixpath.splitext(doc.path)[1].lower()]
    return history_from_text(doc.text, name=name, format=fmt, limits=reader.limits)


# -- histories ----------------------------------------------------------------------


def _folder_steps(reader: _Reader, folder: str) -> list[Step]:
    old_docs = [d for d in reader.old_docs(folder) if not d.is_history]
    new_docs = [d for d in reader.new_docs(folder) if not d.is_history]
    old_history = _folder_history(reader, folder, old_docs, old=True)
    new_history = _folder_history(reader, folder, new_docs, old=False)
    sides = {("old", d.label): Side(file=d.path, text=d.text) for d in old_docs}
    sides.update({("new", d.label): Side(file=d.path, text=d.text) for d in new_docs})
    return _history_steps(folder or ".", old_history, new_history, sides)


def _folder_history(
    reader: _Reader, folder: str, docs: list[_Doc], *, old: bool
) -> PolicyHistory | None:
    if not docs:
        return None
    if old:
        name = reader.old_name(folder or ".")
        files = [(reader.old_name(d.path), _given(d.text)) for d in docs]
    else:
        name = reader.new_name(folder or ".")
        files = [(reader.new_name(d.path), _given(d.text)) for d in docs]
    return history_from_texts(files, name=name, limits=reader.limits)


def _given(text: str) -> Callable[[], str]:
    return lambda: text


def _history_steps(
    path: str,
    old: PolicyHistory | None,
    new: PolicyHistory | None,
    sides: dict[Any, Side],
) -> list[Step]:
    """Pair a history's versions by label: added, changed and removed versions."""
    if old is None and new is None:
        return []
    if old is None:
        assert new is not None
        last = new.last
        return [
            Step(
                path=path,
                status=NEW_POLICY,
                old=no_policy(last),
                new=last,
                new_side=sides.get(("new", last.version)),
            )
        ]
    if new is None:
        last = old.last
        return [
            Step(
                path=path,
                status=DELETED,
                old=last,
                new=no_policy(last),
                old_side=sides.get(("old", last.version)),
            )
        ]
    before = {v.version: v for v in old.versions}
    after = {v.version for v in new.versions}
    # A version file edited in place under a new label is the same version, changed.
    per_file = Counter(side.file for (when, _), side in sides.items() if when == "old")
    gone_by_file = {
        side.file: v
        for v in old.versions
        if v.version not in after
        and (side := sides.get(("old", v.version))) is not None
        and per_file[side.file] == 1
    }
    steps: list[Step] = []
    for index, version in enumerate(new.versions):
        new_side = sides.get(("new", version.version))
        was = before.get(version.version)
        if was is None and new_side is not None and new_side.file in gone_by_file:
            was = gone_by_file.pop(new_side.file)
            after.add(was.version)
        if was is None:
            status, was = VERSION_ADDED, new.versions[index - 1] if index else no_policy(version)
            old_side = sides.get(("new", was.version)) if index else None
        elif was != version:
            status, old_side = VERSION_CHANGED, sides.get(("old", was.version))
        else:
            continue
        steps.append(
            Step(
                path=new_side.file if new_side else path,
                status=status,
                old=was,
                new=version,
                old_side=old_side,
                new_side=new_side,
            )
        )
    for gone in old.versions:
        if gone.version in after:
            continue
        instead = new.at(gone.effective) or no_policy(gone)
        old_side = sides.get(("old", gone.version))
        steps.append(
            Step(
                path=old_side.file if old_side else path,
                status=VERSION_REMOVED,
                old=gone,
                new=instead,
                old_side=old_side,
                new_side=sides.get(("new", instead.version)),
            )
        )
    return steps


def step_places(step: Step, changes: Sequence[Change]) -> dict[str, tuple[str, int | None]]:
    """Place each change of a step, by fingerprint: the file (from the root) and its rule's line.

    A change is placed at its rule in the new file, or in the old one (as
    the revision holds it) when the rule is gone; a step with no file on
    one side places everything on the other.
    """
    sides = [
        (side.file, rule_lines_in(side.text, SUFFIXES[posixpath.splitext(side.file)[1].lower()]))
        if side is not None
        else None
        for side in (step.old_side, step.new_side)
    ]
    old, new = sides
    fallback: tuple[str, dict[str, int]] = (step.path, {})
    return places_of(changes, old or new or fallback, new or old or fallback)
