"""The two sides of a comparison, as a review gate meets them.

``check`` and ``diff`` run where reviews happen: on files git hands over
(``/dev/null`` for a file added or deleted), on standard input, on files
without a suffix and on history folders. This module turns each such input
into the version to compare; it knows nothing of the command line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from policydiff._documents import DEFAULT_LIMITS, SUFFIXES, Limits, decode, load, loads, read_text
from policydiff._history_load import load_history
from policydiff._parse import Format
from policydiff.errors import DocumentError, Problem
from policydiff.model import PolicyVersion

#: The name standing for standard input.
STDIN = "-"

#: The label of the empty version that stands for "no policy".
NO_POLICY = "(no policy)"


def is_absent(path: str) -> bool:
    """Whether ``path`` names no policy at all (the null device, as git passes it)."""
    return path in (os.devnull, "/dev/null", "nul", "NUL")


def load_input(
    path: str, *, input_format: Format | None = None, limits: Limits = DEFAULT_LIMITS
) -> PolicyVersion | None:
    """Read one side of a comparison.

    Args:
        path: A version document; a history folder (its newest version);
            ``-`` for standard input; the null device for no policy.
        input_format: The format of standard input and of a file whose name
            has no suffix policydiff knows; a known suffix wins.
        limits: Bounds on size and nesting.

    Returns:
        The version, or ``None`` for the null device.

    Raises:
        DocumentError: The input is unreadable or invalid, or its format
            cannot be told.
        HistoryError: A folder's versions do not form one history.
    """
    if is_absent(path):
        return None
    if path == STDIN:
        fmt = _named_format("<stdin>", input_format)
        return loads(_read_stdin(limits), format=fmt, name="<stdin>", limits=limits)
    if Path(path).is_dir():
        return load_history(path, limits=limits).last
    if Path(path).suffix.lower() in SUFFIXES:
        return load(path, limits=limits)
    fmt = _named_format(path, input_format)
    return loads(read_text(path, limits), format=fmt, name=path, limits=limits)


def _named_format(name: str, input_format: Format | None) -> Format:
    if input_format is None:
        what = "standard input" if name == "<stdin>" else "a file without .yaml, .json or .toml"
        message = f"cannot tell the format of {what}"
        hint = "name it: yaml, json or toml (--input-format on the command line)"
        raise DocumentError([Problem(file=name, path="", message=message, hint=hint)])
    return input_format


def _read_stdin(limits: Limits) -> str:
    data = sys.stdin.buffer.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        message = f"input is larger than the limit of {limits.max_bytes:,} bytes"
        raise DocumentError([Problem(file="<stdin>", path="", message=message)])
    return decode(data, "<stdin>")


def no_policy(like: PolicyVersion) -> PolicyVersion:
    """Return an empty version of ``like``'s policy: no rules, its default and vocabulary.

    Compared with it, everything ``like`` grants is granted (or, the other
    way round, lifted): the world before a policy was written or after it
    was deleted, judged by the policy's own default.
    """
    return PolicyVersion(
        policy=like.policy,
        version=NO_POLICY,
        effective=like.effective,
        timezone=like.timezone,
        default=like.default,
        conflict=like.conflict,
        vocabulary=like.vocabulary,
        open=like.open,
    )


def load_pair(
    old: str, new: str, *, input_format: Format | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[PolicyVersion, PolicyVersion]:
    """Read OLD and NEW for a comparison; the null device on one side is no policy.

    Raises:
        DocumentError: A side is unreadable or invalid, or both are absent.
        HistoryError: A folder's versions do not form one history.
    """
    if old == STDIN and new == STDIN:
        message = "standard input can be only one side of the comparison"
        raise DocumentError([Problem(file="<stdin>", path="", message=message)])
    before = load_input(old, input_format=input_format, limits=limits)
    after = load_input(new, input_format=input_format, limits=limits)
    if before is None and after is None:
        message = "both sides are the null device: there is no policy to compare"
        raise DocumentError([Problem(file=new, path="", message=message)])
    if before is None:
        assert after is not None
        return no_policy(after), after
    return before, (no_policy(before) if after is None else after)


def last_step(path: str, *, limits: Limits = DEFAULT_LIMITS) -> tuple[PolicyVersion, PolicyVersion]:
    """Return the newest step of a history: its last two versions.

    A history of one version is a new policy: it is compared with no policy.

    Raises:
        DocumentError: A file is unreadable or invalid.
        HistoryError: The versions do not form one history.
    """
    history = load_history(path, limits=limits)
    versions = history.versions
    if len(versions) == 1:
        return no_policy(versions[0]), versions[0]
    return versions[-2], versions[-1]
