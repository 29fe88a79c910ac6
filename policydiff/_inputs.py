"""The two sides of a comparison, as a review gate meets them.

``check`` and ``diff`` run where reviews happen: on files git hands over
(``/dev/null`` for a file added or deleted), on standard input, on files
without a suffix and on history folders. This module turns each such input
into the version to compare; it knows nothing of the command line.
"""

from __future__ import annotations

import json
import os
import sys
import typing
from collections.abc import Iterable
from pathlib import Path

import attrs
import pendulum
import yaml

from policydiff._documents import (
    DEFAULT_LIMITS,
    NATIVE_FORMATS,
    SUFFIXES,
    Limits,
    decode,
    load,
    loads,
    read_text,
)
from policydiff._history_load import load_history
from policydiff._locate import locate_many
from policydiff._parse import Format
from policydiff.errors import DocumentError, Problem
from policydiff.model import Change, PolicyVersion, When

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

#: The name standing for standard input.
STDIN = "-"

#: The label of the empty version that stands for "no policy".
NO_POLICY = "(no policy)"


def is_absent(path: str) -> bool:
    """Whether ``path`` names no policy at all (the null device, as git passes it)."""
    return path in (os.devnull, "/dev/null", "nul", "NUL")


def load_input(
    path: str,
    *,
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    policy: str | None = None,
) -> PolicyVersion | None:
    """Read one side of a comparison.

    Args:
        path: A version document; a history folder (its newest version);
            ``-`` for standard input; the null device for no policy.
        input_format: The format of standard input and of a file whose name
            has no suffix policydiff knows (a known suffix wins); or a
            foreign format (``aws-iam``, ...), which every input then has.
        limits: Bounds on size and nesting.
        policy: For a foreign document, the policy id when no sidecar
            gives one (the file name's stem otherwise).

    Returns:
        The version, or ``None`` for the null device.

    Raises:
        DocumentError: The input is unreadable or invalid, or its format
            cannot be told.
        HistoryError: A folder's versions do not form one history.
    """
    if is_absent(path):
        return None
    if input_format is not None and input_format not in NATIVE_FORMATS:
        return _load_foreign(path, input_format, limits, policy)
    if path == STDIN:
        fmt = _named_format("<stdin>", input_format)
        return loads(read_stdin(limits), format=fmt, name="<stdin>", limits=limits)
    if Path(path).is_dir():
        return load_history(path, limits=limits).last
    if Path(path).suffix.lower() in SUFFIXES:
        return load(path, limits=limits)
    fmt = _named_format(path, input_format)
    return loads(read_text(path, limits), format=fmt, name=path, limits=limits)


def _load_foreign(path: str, fmt: str, limits: Limits, policy: str | None) -> PolicyVersion:
    version, _ = _foreign_side(path, fmt, limits, policy, undated=None)
    assert version is not None
    return version


def _foreign_side(
    path: str, fmt: str, limits: Limits, policy: str | None, *, undated: When | None
) -> tuple[PolicyVersion | None, bool]:
    """Read one foreign side: the version (``None`` for no policy) and whether it is dated."""
    from policydiff.importers._common import Fallback, falling_back
    from policydiff.importers._files import import_file
    from policydiff.importers._registry import importer

    if is_absent(path):
        return None, True
    if Path(path).is_dir():
        return load_history(path, limits=limits, input_format=fmt).last, True
    if path == STDIN:
        function = importer(fmt, name="<stdin>")
        text = read_stdin(limits)
        with falling_back(Fallback(version="stdin", effective=undated)) as labels:
            read: PolicyVersion = function(
                text, policy=policy or "stdin", version=None, effective=None, name="<stdin>"
            )
        return read, not labels.used
    if not Path(path).exists():
        message = "no such file or folder"
        raise DocumentError([Problem(file=path, path="", message=message)])
    imported = import_file(path, fmt, default_policy=policy, undated=undated, limits=limits)
    return imported.version, imported.dated


#: The date of a compared side that nothing dates, until the other side's is known.
_UNDATED = When(instant=pendulum.datetime(1970, 1, 1, tz="UTC"))


def _foreign_pair(
    old: str, new: str, fmt: str, limits: Limits
) -> tuple[PolicyVersion | None, PolicyVersion | None]:
    """Read two foreign sides as one policy, dating a side that nothing dates.

    NEW is read first and OLD takes its policy id (OLD first when NEW is
    standard input or absent). A side without a date takes the other's;
    when neither has one, both take the modification time of NEW's file
    (OLD's when NEW is standard input): the verdict does not depend on it.
    """
    first, second = (new, old) if new != STDIN and not is_absent(new) else (old, new)
    one, one_dated = _foreign_side(first, fmt, limits, None, undated=_UNDATED)
    policy = one.policy if one is not None else None
    two, two_dated = _foreign_side(second, fmt, limits, policy, undated=_UNDATED)
    sides = ((one, one_dated), (two, two_dated))
    dates = [v.effective for v, dated in sides if v is not None and dated]
    if not (one_dated and two_dated):
        when = dates[0] if dates else _modified(first if one is not None else second)
        one = one if one is None or one_dated else attrs.evolve(one, effective=when)
        two = two if two is None or two_dated else attrs.evolve(two, effective=when)
    return (two, one) if first == new else (one, two)


def _modified(path: str) -> When:
    """Return when the file ``path`` was last modified; standard input has no such time."""
    from policydiff.importers._common import effective_when

    if path == STDIN:
        effective_when(None, name="<stdin>")
    stamp = os.stat(path).st_mtime
    return When(instant=pendulum.from_timestamp(stamp, tz="UTC"))


def _named_format(name: str, input_format: str | None) -> Format:
    if input_format is None:
        what = "standard input" if name == "<stdin>" else "a file without .yaml, .json or .toml"
        message = f"cannot tell the format of {what}"
        hint = "name it: yaml, json or toml (--input-format on the command line)"
        raise DocumentError([Problem(file=name, path="", message=message, hint=hint)])
    return typing.cast("Format", input_format)


def read_stdin(limits: Limits = DEFAULT_LIMITS) -> str:
    """Read standard input as UTF-8 text within ``limits``."""
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
    old: str, new: str, *, input_format: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[PolicyVersion, PolicyVersion]:
    """Read OLD and NEW for a comparison; the null device on one side is no policy.

    Foreign documents name no policy: OLD takes NEW's policy id (NEW's
    sidecar's, or its file name's) unless a sidecar of its own names one; a
    side that nothing dates takes the other side's date (see
    :func:`_foreign_pair`).

    Raises:
        DocumentError: A side is unreadable or invalid, or both are absent.
        HistoryError: A folder's versions do not form one history.
    """
    if old == STDIN and new == STDIN:
        message = "standard input can be only one side of the comparison"
        raise DocumentError([Problem(file="<stdin>", path="", message=message)])
    if input_format is not None and input_format not in NATIVE_FORMATS:
        before, after = _foreign_pair(old, new, input_format, limits)
    else:
        before = load_input(old, input_format=input_format, limits=limits)
        after = load_input(new, input_format=input_format, limits=limits)
    if before is None and after is None:
        message = "both sides are the null device: there is no policy to compare"
        raise DocumentError([Problem(file=new, path="", message=message)])
    if before is None:
        assert after is not None
        return no_policy(after), after
    return before, (no_policy(before) if after is None else after)


def last_step(
    path: str, *, limits: Limits = DEFAULT_LIMITS, input_format: str | None = None
) -> tuple[PolicyVersion, PolicyVersion]:
    """Return the newest step of a history: its last two versions.

    A history of one version is a new policy: it is compared with no policy.

    Raises:
        DocumentError: A file is unreadable or invalid.
        HistoryError: The versions do not form one history.
    """
    history = load_history(path, limits=limits, input_format=input_format)
    versions = history.versions
    if len(versions) == 1:
        return no_policy(versions[0]), versions[0]
    return versions[-2], versions[-1]


def rule_lines(path: str, *, input_format: str | None = None) -> dict[str, int]:
    """Return the line of each rule's ``id`` in a version document.

    Empty for what has no lines to point at (standard input, the null device,
    a folder) and for a file that cannot be read or placed: locating is a
    courtesy to a report, never a new way to fail.
    """
    if is_absent(path) or path == STDIN or Path(path).is_dir():
        return {}
    if input_format is not None and input_format not in NATIVE_FORMATS:
        return {}  # a foreign document has no rule ids to point at
    return _rule_lines(path, input_format)


def newest_file(folder: str) -> str | None:
    """Return the file of a history folder's newest version; ``None`` when unreadable."""
    try:
        history = load_history(folder)
    except DocumentError:
        return None
    for entry in sorted(Path(folder).iterdir()):
        if entry.is_file() and entry.suffix.lower() in SUFFIXES and not entry.name.startswith("."):
            try:
                if load(entry) == history.last:
                    return str(entry)
            except DocumentError:
                continue
    return None


def _rule_lines(path: str, input_format: Format | None) -> dict[str, int]:
    fmt = SUFFIXES.get(Path(path).suffix.lower(), input_format)
    if fmt is None:
        return {}
    try:
        text = read_text(path)
    except DocumentError:
        return {}
    return rule_lines_in(text, fmt)


def rule_lines_in(text: str, fmt: Format) -> dict[str, int]:
    """Return the line of each rule's ``id`` in a version document's text; see :func:`rule_lines`."""
    try:
        data = json.loads(text) if fmt == "json" else _parsed(text, fmt)
    except (ValueError, yaml.YAMLError, tomllib.TOMLDecodeError):
        return {}
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        return {}
    ids = [(i, r["id"]) for i, r in enumerate(rules) if isinstance(r, dict) and "id" in r]
    places = locate_many(text, fmt, [(("rules", i, "id"), True) for i, _ in ids])
    found = zip(ids, places, strict=True)
    return {str(rule): line for (_, rule), (line, _) in found if line is not None}


def _parsed(text: str, fmt: Format) -> object:
    if fmt == "toml":
        return tomllib.loads(text)
    return yaml.safe_load(text)


def change_places(
    changes: Iterable[Change], old: str, new: str | None, *, input_format: str | None = None
) -> dict[str, tuple[str, int | None]]:
    """Return where each change sits, by fingerprint: its file and its rule's line.

    A change is placed at its rule in NEW, or in OLD when the rule is gone
    from NEW (a removal); a change of the whole version, at NEW's top. With
    NEW absent (``check HISTORY``) OLD is the history and names the file.
    """
    after = new if new is not None and not is_absent(new) else old
    if Path(after).is_dir():
        after = newest_file(after) or after
    if Path(old).is_dir() and new is not None:
        old = newest_file(old) or old
    new_lines = rule_lines(after, input_format=input_format)
    old_lines = {} if new is None else rule_lines(old, input_format=input_format)
    return places_of(changes, (old, old_lines), (after, new_lines))


def places_of(
    changes: Iterable[Change], old: tuple[str, dict[str, int]], new: tuple[str, dict[str, int]]
) -> dict[str, tuple[str, int | None]]:
    """Place each change, by fingerprint, given each side's file and its rules' lines.

    A change is placed at its rule in NEW, or in OLD when the rule is gone
    from NEW; a change of the whole version, at NEW's file.
    """
    (old_file, old_lines), (new_file, new_lines) = old, new
    places: dict[str, tuple[str, int | None]] = {}
    for change in changes:
        rule_ids = [change.rule] if change.rule is not None else []
        if isinstance(change.before, dict) and isinstance(change.before.get("id"), str):
            rule_ids.append(change.before["id"])
        if any(r in new_lines for r in rule_ids):
            line = next(new_lines[r] for r in rule_ids if r in new_lines)
            places[change.fingerprint] = (new_file, line)
        elif any(r in old_lines for r in rule_ids):
            line = next(old_lines[r] for r in rule_ids if r in old_lines)
            places[change.fingerprint] = (old_file, line)
        else:
            places[change.fingerprint] = (new_file, None)
    return places
