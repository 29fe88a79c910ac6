"""Histories from git: every committed revision of a policy file or folder (``log --git``).

A policy kept as one file edited in place has its history in git. Each
commit that changed the file gives a version: its ``effective`` is the
document's own, else the commit's time; its label is the document's
``version``, else the commit's short hash. A folder gives every committed
revision of each version document in it (a file without a ``version`` is
labelled by its name). A later revision that keeps a label amends the
version of that label: the corrected text replaces the earlier one.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

import attrs

from policydiff._documents import DEFAULT_LIMITS, SUFFIXES, Limits, build, decode, parse
from policydiff._git import (
    Commit,
    blobs,
    commits_touching,
    is_folder,
    relative_to_root,
    repository_root,
    show,
)
from policydiff._history import Place, PolicyHistory, checked_history
from policydiff.errors import DocumentError, GitError, Problem
from policydiff.model import PolicyVersion

__all__ = ["GitHistory", "Revision", "load_git_history", "read_git_history"]

#: Where a version's effective time came from.
FROM_DOCUMENT = "document"
FROM_COMMIT = "commit"


@attrs.frozen(kw_only=True)
class Revision:
    """One committed revision of a policy document, read as a version.

    Attributes:
        commit: The commit's full hash.
        time: The commit's committer time (ISO 8601).
        path: The file, from the repository's root.
        version: The version's label in the history.
        effective_from: ``document`` when the document gives its
            ``effective``, ``commit`` when the commit's time stands for it.
    """

    commit: str
    time: str
    path: str
    version: str
    effective_from: str

    def to_dict(self) -> dict[str, str]:
        """Return the revision as JSON data."""
        return {
            "commit": self.commit,
            "time": self.time,
            "path": self.path,
            "version": self.version,
            "effective_from": self.effective_from,
        }


@attrs.frozen(kw_only=True)
class GitHistory:
    """A history read from git, with the revision behind each version, oldest first."""

    history: PolicyHistory
    revisions: tuple[Revision, ...]
    range: str
    path: str


def load_git_history(
    path: str | os.PathLike[str],
    revisions: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> PolicyHistory:
    """Read every committed revision of a policy file or folder as a history.

    Args:
        path: A version document or a folder of them, inside a git working
            tree.
        revisions: The commits to read, as ``git log`` takes them
            (``main~20..main``); all of ``HEAD``'s history when ``None``.
        limits: Bounds on each revision's size and nesting.

    Returns:
        The history: one version per revision, its ``effective`` the
        document's own, else the commit's time.

    Raises:
        GitError: No repository, an unknown revision, or no commit in the
            range touches ``path``.
        DocumentError: A revision is not a valid version document; it is
            named ``COMMIT:path``.
        HistoryError: The revisions do not form one history.
    """
    return read_git_history(path, revisions, limits=limits).history


def read_git_history(
    path: str | os.PathLike[str],
    revisions: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> GitHistory:
    """Read a history from git as :func:`load_git_history` does, keeping each revision."""
    name = os.fspath(path)
    where = Path(name) if Path(name).is_dir() else Path(name).parent
    root = repository_root(where if where.is_dir() else ".")
    relative = relative_to_root(root, name)
    commits = commits_touching(root, revisions, relative)
    shown_range = revisions or "HEAD"
    if not commits:
        message = f"no commit in {shown_range} touches {name}"
        raise GitError(message)
    folder = relative == "." or is_folder(root, commits[-1].sha, relative)
    spec = (relative.rstrip("/") + "/" if relative != "." else ".") if folder else relative
    seen: set[str] = set()
    by_label: dict[str, tuple[PolicyVersion, Revision, Place]] = {}
    problems: list[Problem] = []
    for commit in commits:
        for file, blob in blobs(root, commit.sha, spec):
            suffix = posixpath.splitext(file)[1].lower()
            if blob in seen or suffix not in SUFFIXES or posixpath.basename(file).startswith("."):
                continue
            seen.add(blob)
            try:
                version, revision, place = _revision(root, commit, file, folder, limits)
            except DocumentError as exc:
                problems.extend(exc.problems)
                continue
            # A later revision under the same label amends that version.
            by_label.pop(version.version, None)
            by_label[version.version] = (version, revision, place)
    if problems:
        raise DocumentError(problems)
    kept = list(by_label.values())
    history = checked_history([v for v, _, _ in kept], [p for _, _, p in kept], name=name)
    order = {id(v): i for i, v in enumerate(history.versions)}
    revision_list = sorted(kept, key=lambda item: order[id(item[0])])
    return GitHistory(
        history=history,
        revisions=tuple(r for _, r, _ in revision_list),
        range=shown_range,
        path=relative,
    )


def _revision(
    root: Path, commit: Commit, file: str, folder: bool, limits: Limits
) -> tuple[PolicyVersion, Revision, Place]:
    name = f"{commit.short}:{file}"
    data_bytes = show(root, commit.sha, file)
    if len(data_bytes) > limits.max_bytes:
        message = f"file is larger than the limit of {limits.max_bytes:,} bytes"
        raise DocumentError([Problem(file=name, path="", message=message)])
    text = decode(data_bytes, name)
    fmt = SUFFIXES[posixpath.splitext(file)[1].lower()]
    data, duplicates = parse(text, fmt, name, limits)
    if isinstance(data, dict) and ("versions" in data or "deltas" in data):
        message = "this revision holds a whole history; log --git reads one version per revision"
        raise DocumentError([Problem(file=name, path="", message=message)])
    effective_from = FROM_DOCUMENT
    if isinstance(data, dict):
        if data.get("effective") in (None, ""):
            effective_from = FROM_COMMIT
        data = _completed(data, commit, file, folder)
    version = build(data, text=text, format=fmt, name=name, limits=limits, extra=duplicates)
    revision = Revision(
        commit=commit.sha,
        time=commit.time,
        path=file,
        version=version.version,
        effective_from=effective_from,
    )
    return version, revision, Place(file=name, text=text, format=fmt)


def _completed(data: dict[str, Any], commit: Commit, file: str, folder: bool) -> dict[str, Any]:
    """Give the document a label and an effective time where it has none."""
    filled = dict(data)
    if filled.get("effective") in (None, ""):
        filled["effective"] = commit.time
    if filled.get("version") in (None, ""):
        stem = posixpath.splitext(posixpath.basename(file))[0]
        filled["version"] = stem if folder else commit.short
    return filled
