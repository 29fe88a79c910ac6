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
from typing import Any, TypeAlias

import attrs
import pendulum
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
from policydiff._history import Place, PolicyHistory, checked_history
from policydiff._history_load import history_from_text, history_from_texts
from policydiff._impact import judge_gate, today_utc
from policydiff._inputs import _UNDATED, no_policy, places_of, rule_lines_in
from policydiff._parse import yaml_load
from policydiff.errors import DocumentError, PolicyDiffError, Problem
from policydiff.importers._files import SIDECAR, Imported, from_name, import_text, is_sidecar, stem
from policydiff.model import Change, PolicyVersion, When

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "ChangeSet",
    "ChangesGate",
    "JudgeEach",
    "Side",
    "Step",
    "changes_since",
    "judge_changes",
    "step_places",
]

#: How ``judge_changes`` runs its judge on every step: each step's gate, or
#: the error that stopped its judging, in the order of the steps.
JudgeEach: TypeAlias = Callable[
    [Callable[["Step"], Gate], Sequence["Step"]], Sequence["Gate | PolicyDiffError"]
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
        foreign: Whether it is a foreign document (read by an importer),
            which has no rule ids to point at.
    """

    file: str
    text: str
    foreign: bool = False


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
        problems: One for each step that could not be judged (past the
            evaluator's work budget, say), naming its path; the other
            steps are judged all the same.
    """

    changes: ChangeSet
    gates: tuple[tuple[Step, Gate], ...]
    fail_on: str
    expired: tuple[Waiver, ...] = ()
    warn_only: bool = False
    problems: tuple[Problem, ...] = ()

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
    judge_each: JudgeEach | None = None,
) -> ChangesGate:
    """Judge every step of ``changes`` by decisions, as ``check --fail-on`` does one diff.

    Args:
        changes: The steps.
        fail_on: ``loosened``, ``tightened`` or ``any``.
        waivers: Approved exceptions, by fingerprint.
        today: The day waivers expire against (default: today, in UTC).
        warn_only: Report only.
        judge_each: How to run the judge on every step, such as in worker
            processes (``check --base --jobs``), which the judge can be sent to. Without
            it, the steps are judged one after the other, here.

    A step that cannot be judged (a :class:`~policydiff.errors.DiffError`)
    becomes one of the judgement's ``problems``, naming its path; the
    other steps are judged all the same.
    """
    day = today if today is not None else today_utc()
    judge = _JudgeStep(fail_on, tuple(waivers), day, warn_only)
    results = (judge_each or _one_after_another)(judge, changes.steps)
    judged = list(zip(changes.steps, results, strict=True))
    gates = tuple((step, gate) for step, gate in judged if isinstance(gate, Gate))
    problems = tuple(
        Problem(file=step.path, path="", message=f"cannot judge this step ({step.status}): {error}")
        for step, error in judged
        if isinstance(error, PolicyDiffError)
    )
    expired = tuple(w for w in waivers if w.expires < day)
    return ChangesGate(
        changes=changes,
        gates=gates,
        fail_on=fail_on,
        expired=expired,
        warn_only=warn_only,
        problems=problems,
    )


def _one_after_another(
    judge: Callable[[Step], Gate], steps: Sequence[Step]
) -> list[Gate | PolicyDiffError]:
    results: list[Gate | PolicyDiffError] = []
    for step in steps:
        try:
            results.append(judge(step))
        except PolicyDiffError as exc:
            results.append(exc)
    return results


@attrs.frozen
class _JudgeStep:
    """Judge one step (picklable, for a worker process)."""

    fail_on: str
    waivers: tuple[Waiver, ...]
    day: str
    warn_only: bool

    def __call__(self, step: Step) -> Gate:
        gate = judge_gate(
            diff(step.old, step.new),
            self.fail_on,
            waivers=self.waivers,
            today=self.day,
            warn_only=self.warn_only,
        )
        # Expired waivers are reported once, for the whole run, not with every step.
        return attrs.evolve(gate, expired=())


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
    input_format: str | None = None,
) -> ChangeSet:
    """Return the policy steps between git revision ``base`` and the working tree.

    Args:
        base: A branch, tag or commit (``origin/main``).
        paths: Files or folders to look under, relative to ``cwd``; the whole
            repository when empty.
        cwd: A folder inside the repository.
        limits: Bounds on each file's size and nesting.
        input_format: A foreign format (``aws-iam``, ...): every changed
            file under ``paths`` (hidden files and sidecars aside) is a
            document of that format, read by its importer, as
            ``load_history`` reads a folder of them. Without it, policy
            documents are told by their suffix and content.

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
    changed = changed_files(root, commit, specs)
    if input_format is None:
        works = _native_works(reader, changed)
    else:
        works = _foreign_works(reader, changed, input_format)
    steps: list[Step] = []
    problems: list[Problem] = []
    for work in works:
        _collect(problems, steps, work)
    if problems:
        raise DocumentError(problems)
    steps.sort(key=lambda s: (s.path, s.new.effective.instant))
    return ChangeSet(base=base, commit=commit, root=root, paths=specs, steps=tuple(steps))


def _native_works(reader: _Reader, all_changed: list[Changed]) -> list[Callable[[], list[Step]]]:
    """Return the work of reading each changed history folder and document of native formats."""
    changed = [c for c in all_changed if _has_suffix(c)]
    folders = sorted({posixpath.dirname(p) for c in changed for p in (c.old, c.new) if p})
    histories = {f for f in folders if reader.is_history_folder(f)}
    works: list[Callable[[], list[Step]]] = [
        functools.partial(_folder_steps, reader, folder) for folder in sorted(histories)
    ]
    for change in changed:
        parents = {posixpath.dirname(p) for p in (change.old, change.new) if p}
        if not parents & histories:
            works.append(functools.partial(_document_steps, reader, change))
    return works


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

    def name(self, path: str, *, old: bool) -> str:
        return self.old_name(path) if old else self.new_name(path)

    def text(self, path: str, *, old: bool) -> str:
        return self.old_text(path) if old else self.new_text(path)

    def listing(self, folder: str, *, old: bool) -> list[str]:
        """Return the files directly inside ``folder`` on one side, from the root, sorted."""
        if old:
            return files_in(self.root, self.commit, folder)
        where = self.root / folder
        if not where.is_dir():
            return []
        return sorted(
            posixpath.join(folder, f.name) if folder not in ("", ".") else f.name
            for f in where.iterdir()
            if f.is_file()
        )

    def old_docs(self, folder: str) -> list[_Doc]:
        found = (self.old_doc(p) for p in self.listing(folder, old=True) if _suffixed(p))
        return [d for d in found if d is not None]

    def new_docs(self, folder: str) -> list[_Doc]:
        found = (self.new_doc(p) for p in self.listing(folder, old=False) if _suffixed(p))
        return [d for d in found if d is not None]

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
    return _version_steps(before, after, old_side, new_side)


def _version_steps(
    before: PolicyVersion | None,
    after: PolicyVersion | None,
    old_side: Side | None,
    new_side: Side | None,
) -> list[Step]:
    """Return the step of one document: new, deleted, changed or renamed (none if equal)."""
    if before is None:
        assert after is not None
        assert new_side is not None
        return [
            Step(
                path=new_side.file,
                status=NEW_POLICY,
                old=no_policy(after),
                new=after,
                new_side=new_side,
            )
        ]
    if after is None:
        assert old_side is not None
        return [
            Step(
                path=old_side.file,
                status=DELETED,
                old=before,
                new=no_policy(before),
                old_side=old_side,
            )
        ]
    if before == after:
        return []
    assert new_side is not None
    assert old_side is not None
    renamed = old_side.file if old_side.file != new_side.file else None
    return [
        Step(
            path=new_side.file,
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
        None if side is None else (side.file, {} if side.foreign else _rule_lines_of(side))
        for side in (step.old_side, step.new_side)
    ]
    old, new = sides
    fallback: tuple[str, dict[str, int]] = (step.path, {})
    return places_of(changes, old or new or fallback, new or old or fallback)


def _rule_lines_of(side: Side) -> dict[str, int]:
    return rule_lines_in(side.text, SUFFIXES[posixpath.splitext(side.file)[1].lower()])


# -- foreign documents ---------------------------------------------------------------


def _foreign_works(
    reader: _Reader, changed: list[Changed], fmt: str
) -> list[Callable[[], list[Step]]]:
    """Return the work of reading each changed foreign history folder and document.

    A sidecar's change is its document's: a document outside a history
    whose sidecar changed is compared as if it had changed itself.
    """
    seen = [c for c in changed if not any(_hidden(p) for p in (c.old, c.new) if p)]
    folders = sorted({posixpath.dirname(p) for c in seen for p in (c.old, c.new) if p})
    histories = {f for f in folders if _is_foreign_history(reader, f)}
    works: list[Callable[[], list[Step]]] = [
        functools.partial(_foreign_folder_steps, reader, fmt, folder)
        for folder in sorted(histories)
    ]
    documents: dict[tuple[str | None, str | None], None] = {}
    for change in seen:
        if {posixpath.dirname(p) for p in (change.old, change.new) if p} & histories:
            continue
        if not any(is_sidecar(posixpath.basename(p)) for p in (change.old, change.new) if p):
            documents[change.old, change.new] = None
            continue
        for sidecar in {p for p in (change.old, change.new) if p}:
            owner = (_owner(reader, sidecar, old=True), _owner(reader, sidecar, old=False))
            if owner != (None, None) and not any(
                p in pair for pair in documents for p in owner if p is not None
            ):
                documents[owner] = None
    works.extend(
        functools.partial(_foreign_document_steps, reader, fmt, old, new) for old, new in documents
    )
    return works


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/"))


def _documents_in(listing: list[str]) -> list[str]:
    return [p for p in listing if not is_sidecar(posixpath.basename(p))]


def _sidecar_in(listing: list[str], path: str) -> str | None:
    """Return the sidecar of ``path`` among a folder's files, if it has one."""
    own = posixpath.join(posixpath.dirname(path), stem(Path(path)))
    return next((own + end for end in (SIDECAR, ".meta.yml") if own + end in listing), None)


def _owner(reader: _Reader, sidecar: str, *, old: bool) -> str | None:
    """Return the document a sidecar belongs to, on one side, if it is there."""
    listing = reader.listing(posixpath.dirname(sidecar), old=old)
    return next((p for p in _documents_in(listing) if _sidecar_in(listing, p) == sidecar), None)


def _is_foreign_history(reader: _Reader, folder: str) -> bool:
    """Whether ``folder`` holds versions of one policy, at the revision or now.

    It does when it holds two documents or more, each named for its
    version (``v3@2024-05-30.json``, ``2024-05-30.json``) or with a
    sidecar: a folder of policies of their own names no versions.
    """
    for old in (True, False):
        listing = [p for p in reader.listing(folder, old=old) if not _hidden(p)]
        documents = _documents_in(listing)
        if len(documents) >= 2 and all(
            from_name(Path(p))[1] is not None or _sidecar_in(listing, p) for p in documents
        ):
            return True
    return False


def _foreign_import(
    reader: _Reader,
    fmt: str,
    path: str,
    *,
    old: bool,
    default_policy: str | None = None,
    undated: When | None = None,
) -> tuple[Imported, Side]:
    """Read one foreign document on one side, with its sidecar there."""
    folder = posixpath.dirname(path)
    sidecar = _sidecar_in(reader.listing(folder, old=old), path)
    given = None
    if sidecar is not None:
        given = (reader.name(sidecar, old=old), reader.text(sidecar, old=old))
    text = reader.text(path, old=old)
    imported = import_text(
        text,
        fmt,
        path=path,
        folder=posixpath.basename(folder) or reader.root.name,
        name=reader.name(path, old=old),
        sidecar=given,
        default_policy=default_policy,
        undated=undated,
        limits=reader.limits,
    )
    return imported, Side(file=path, text=text, foreign=True)


def _foreign_document_steps(
    reader: _Reader, fmt: str, old_path: str | None, new_path: str | None
) -> list[Step]:
    """Compare a foreign document with its state at the revision, as ``check OLD NEW`` does.

    The old side takes the new side's policy id unless its own sidecar
    names one; a side nothing dates takes the other's date, or, when
    neither is dated, the working tree file's modification time.
    """
    new: tuple[Imported, Side] | None = None
    old: tuple[Imported, Side] | None = None
    if new_path is not None:
        new = _foreign_import(reader, fmt, new_path, old=False, undated=_UNDATED)
    policy = new[0].version.policy if new is not None else None
    if old_path is not None:
        old = _foreign_import(
            reader, fmt, old_path, old=True, default_policy=policy, undated=_UNDATED
        )
    dates = [side[0].version.effective for side in (old, new) if side and side[0].dated]
    if dates:
        when = dates[0]
    elif new_path is not None:
        stamp = (reader.root / new_path).stat().st_mtime
        when = When(instant=pendulum.from_timestamp(stamp, tz="UTC"))
    else:
        when = _UNDATED
    before, after = (None if side is None else _dated(side[0], when) for side in (old, new))
    return _version_steps(
        before, after, None if old is None else old[1], None if new is None else new[1]
    )


def _dated(imported: Imported, when: When) -> PolicyVersion:
    version = imported.version
    return version if imported.dated else attrs.evolve(version, effective=when)


def _foreign_folder_steps(reader: _Reader, fmt: str, folder: str) -> list[Step]:
    sides: dict[Any, Side] = {}
    old_history = _foreign_history(reader, fmt, folder, sides, old=True)
    new_history = _foreign_history(reader, fmt, folder, sides, old=False)
    return _history_steps(folder or ".", old_history, new_history, sides)


def _foreign_history(
    reader: _Reader, fmt: str, folder: str, sides: dict[Any, Side], *, old: bool
) -> PolicyHistory | None:
    """Read a folder of foreign documents on one side, as ``load_history`` reads one."""
    listing = [p for p in reader.listing(folder, old=old) if not _hidden(p)]
    documents = _documents_in(listing)
    if not documents:
        return None
    policy = posixpath.basename(folder) or reader.root.name
    versions: list[PolicyVersion] = []
    places: list[Place] = []
    problems: list[Problem] = []
    for path in documents:
        try:
            imported, side = _foreign_import(reader, fmt, path, old=old, default_policy=policy)
        except DocumentError as exc:
            problems.extend(exc.problems)
            continue
        versions.append(imported.version)
        places.append(Place(file=imported.file, text=imported.text, format="yaml"))
        sides["old" if old else "new", imported.version.version] = side
    if problems:
        raise DocumentError(problems)
    return checked_history(versions, places, name=reader.name(folder or ".", old=old))
