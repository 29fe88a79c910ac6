"""Asking git, through its command line: the repository, a revision, what changed, old files.

Every call runs ``git`` with a list of arguments (never a shell) in a given
folder, and a revision named by the user is resolved to its commit once, so
that nothing the user typed reaches a later command where git could read it
as an option. A failure becomes a :class:`~policydiff.errors.GitError` that
says what to do next.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import attrs

from policydiff.errors import GitError

__all__ = [
    "EMPTY_TREE",
    "Changed",
    "Commit",
    "blobs",
    "changed_files",
    "commit_of",
    "commits_touching",
    "files_in",
    "is_folder",
    "relative_to_root",
    "repository_root",
    "show",
]


#: The tree of a repository with nothing committed, which every git knows.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@attrs.frozen
class Changed:
    """One file that differs between a revision and the working tree.

    Attributes:
        status: ``M`` (modified), ``A`` (added, or untracked), ``D``
            (deleted), ``R`` (renamed, perhaps edited too), ``T`` (its type
            changed).
        old: Its path at the revision (``None`` when added), from the
            repository's root.
        new: Its path in the working tree (``None`` when deleted).
    """

    status: str
    old: str | None
    new: str | None


@attrs.frozen
class Commit:
    """A commit that touched a path: its full hash and its committer time (ISO 8601)."""

    sha: str
    time: str

    @property
    def short(self) -> str:
        """The hash's first 12 digits, as messages show it."""
        return self.sha[:12]


def _git(args: Sequence[str], cwd: str | os.PathLike[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            # Answers must not depend on the user's pager, language or prompts.
            env={**os.environ, "GIT_PAGER": "cat", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"},
        )
    except FileNotFoundError:
        message = "git is not installed (or not on PATH); --base and --git need it"
        raise GitError(message) from None


def _said(result: subprocess.CompletedProcess[bytes]) -> str:
    """git's own last word on stderr, for a message."""
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1].removeprefix("fatal: ").removeprefix("error: ") if lines else "no message"


def _output(args: Sequence[str], cwd: str | os.PathLike[str]) -> bytes:
    result = _git(args, cwd)
    if result.returncode != 0:
        message = f"git {args[0]} failed: {_said(result)}"
        raise GitError(message)
    return result.stdout


def repository_root(cwd: str | os.PathLike[str] = ".") -> Path:
    """Return the top folder of the git working tree holding ``cwd``.

    Raises:
        GitError: ``cwd`` is not inside a git working tree, or git is missing.
    """
    result = _git(["rev-parse", "--show-toplevel"], cwd)
    if result.returncode != 0:
        where = os.path.abspath(cwd)
        message = (
            f"{where} is not inside a git repository; --base compares"
            " the working tree with a git revision: run it in a clone, or compare two"
            " files with check OLD NEW"
        )
        raise GitError(message)
    return Path(result.stdout.decode("utf-8").strip())


def commit_of(root: str | os.PathLike[str], revision: str) -> str:
    """Return the full hash of the commit ``revision`` names.

    ``HEAD`` in a repository without commits names the empty tree, so that
    a first commit's files are all new.

    Raises:
        GitError: No such revision; in a shallow clone the message says how
            to fetch the history that holds it.
    """
    if revision.startswith("-") or not revision.strip():
        message = f"{revision!r} is not a revision (a branch, tag or commit, such as origin/main)"
        raise GitError(message)
    result = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    if result.returncode == 0:
        return result.stdout.decode("ascii").strip()
    if revision == "HEAD" and _git(["rev-parse", "--verify", "--quiet", "HEAD"], root).returncode:
        # No commit yet (a repository's first commit): everything is new.
        return EMPTY_TREE
    shallow = _git(["rev-parse", "--is-shallow-repository"], root).stdout.strip() == b"true"
    if shallow:
        message = (
            f"revision {revision!r} is not in this shallow clone: fetch the history with"
            " `git fetch --unshallow` (in GitHub Actions, actions/checkout with fetch-depth: 0)"
        )
    else:
        message = (
            f"unknown revision {revision!r}: no branch, tag or commit has that name here"
            " (fetch it first, such as `git fetch origin main`)"
        )
    raise GitError(message)


def relative_to_root(root: Path, path: str | os.PathLike[str]) -> str:
    """Return ``path`` (relative to the current folder) as git names it: from the root, with /.

    Raises:
        GitError: The path lies outside the repository.
    """
    absolute = Path(os.path.abspath(path))
    resolved_root = root.resolve()
    try:
        inside = absolute.resolve().relative_to(resolved_root)
    except ValueError:
        message = f"{path} is outside the repository at {root}"
        raise GitError(message) from None
    return inside.as_posix() if inside.parts else "."


def _split_z(data: bytes) -> list[str]:
    return [part.decode("utf-8", "surrogateescape") for part in data.split(b"\0") if part]


def changed_files(root: Path, commit: str, paths: Sequence[str]) -> list[Changed]:
    """Return the files under ``paths`` that differ between ``commit`` and the working tree.

    Tracked files come from ``git diff --name-status -M``, so a rename is one
    entry; untracked files that are not ignored count as added.

    Args:
        root: The repository's top folder.
        commit: A full commit hash (see :func:`commit_of`).
        paths: Paths from the root (``.`` for all).
    """
    raw = _split_z(_output(["diff", "--name-status", "-z", "-M", commit, "--", *paths], root))
    found: list[Changed] = []
    fields = iter(raw)
    for status in fields:
        kind = status[0]
        if kind in "RC":
            old, new = next(fields), next(fields)
            found.append(Changed("R" if kind == "R" else "A", old if kind == "R" else None, new))
        elif kind == "A":
            found.append(Changed("A", None, next(fields)))
        elif kind == "D":
            found.append(Changed("D", next(fields), None))
        else:
            path = next(fields)
            found.append(Changed(kind, path, path))
    untracked = _output(["ls-files", "--others", "--exclude-standard", "-z", "--", *paths], root)
    found.extend(Changed("A", None, path) for path in _split_z(untracked))
    return found


def show(root: Path, commit: str, path: str) -> bytes:
    """Return the content of ``path`` (from the root) as ``commit`` holds it.

    Raises:
        GitError: The commit has no such file.
    """
    result = _git(["show", "--no-textconv", f"{commit}:{path}"], root)
    if result.returncode != 0:
        message = f"git show {commit[:12]}:{path} failed: {_said(result)}"
        raise GitError(message)
    return result.stdout


def files_in(root: Path, commit: str, folder: str) -> list[str]:
    """Return the files directly inside ``folder`` (from the root) at ``commit``; ``[]`` if none."""
    prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
    return [path for path, _ in blobs(root, commit, prefix or ".")]


def blobs(root: Path, commit: str, spec: str) -> list[tuple[str, str]]:
    """Return each file ``spec`` names at ``commit`` with its blob hash, by path.

    ``spec`` is a file's path, or a folder's ending in ``/`` for the files
    directly inside it (``.`` for the top folder).
    """
    listed = _output(["ls-tree", "-z", commit, "--", spec], root)
    found = []
    for entry in _split_z(listed):
        meta, _, path = entry.partition("\t")
        _, kind, blob = meta.split()
        if kind == "blob":
            found.append((path, blob))
    return sorted(found)


def is_folder(root: Path, commit: str, path: str) -> bool:
    """Whether ``path`` (from the root) is a folder at ``commit``."""
    listed = _split_z(_output(["ls-tree", "-z", commit, "--", path.rstrip("/")], root))
    return any(entry.partition("\t")[0].split()[1] == "tree" for entry in listed)


def commits_touching(root: Path, revisions: str | None, path: str) -> list[Commit]:
    """Return the commits in ``revisions`` (default ``HEAD``) that touched ``path``, oldest first.

    Raises:
        GitError: The range names an unknown revision, or git fails.
    """
    wanted = revisions or "HEAD"
    if wanted.startswith("-"):
        message = f"{wanted!r} is not a revision range (such as main~10..main)"
        raise GitError(message)
    result = _git(["log", "--reverse", "--format=%H %cI", wanted, "--", path], root)
    if result.returncode != 0:
        message = f"cannot read the history of {path} in {wanted!r}: {_said(result)}"
        raise GitError(message)
    found = []
    for line in result.stdout.decode("ascii").splitlines():
        sha, _, time = line.partition(" ")
        found.append(Commit(sha, time))
    return found
