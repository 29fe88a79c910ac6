"""Reading histories: a folder of documents, one document with ``versions:``,
or a stored history.

Every version is read and checked before anything is returned, and every
problem found in every file is reported together; the versions are then
checked once, with their places, for forming one history.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from policydiff._convert import sharing_rules
from policydiff._documents import (
    DEFAULT_LIMITS,
    NATIVE_FORMATS,
    SUFFIXES,
    Format,
    Limits,
    build,
    format_of,
    iter_files,
    parse,
    paused_collector,
    read_text,
)
from policydiff._history import Place, PolicyHistory, checked_history, share_fields
from policydiff._locate import render_path
from policydiff._problems import RawProblem, capped, place
from policydiff._store import read_store
from policydiff._text import describe, shown
from policydiff.errors import DocumentError, HistoryError, Problem, StoreError
from policydiff.model import PolicyVersion

__all__ = ["history_from_text", "history_from_texts", "load_history"]

#: Version fields that belong to each version body, never to shared metadata.
_OWN_FIELDS = ("version", "effective", "rules", "removals")


def load_history(
    path: str | os.PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    input_format: str | None = None,
) -> PolicyHistory:
    """Read a history from a folder of version documents or from one document.

    A folder holds one version per file (``.yaml``, ``.yml``, ``.json``,
    ``.toml``; any names, any order). One document holds ``policy``, the
    metadata its versions share (any version field but ``version``,
    ``effective`` and ``rules``) and ``versions:``, a list of version bodies;
    each body inherits the shared fields it does not set. A single version
    document is a history of one version, and a stored history (see
    :func:`policydiff.save_deltas`) is read back from its deltas.

    With ``input_format`` naming a foreign format (see
    :data:`policydiff.importers.IMPORTERS`), every file of the folder (hidden
    files and sidecars aside) is a document of that format, read by its
    importer; each version's label and effective date come from its sidecar
    or its file name (the formats page tells how), its policy id from a
    sidecar or the folder's name.

    Args:
        path: A folder or a file.
        limits: Bounds on each file's size and nesting.
        input_format: A foreign format of the files; or ``yaml``, ``json``
            or ``toml``, the format of a file whose suffix says none.

    Returns:
        The history, oldest version first.

    Raises:
        DocumentError: A file is unreadable or a version is invalid; the
            error lists the problems of every file.
        HistoryError: The versions do not form one history (several
            policies, a label or an effective instant used twice, no versions).

    >>> history = policydiff.load_history("examples/us-ukraine-strikes/history")
    >>> history.first.version
    'no-strikes-inside-russia'
    """
    name = os.fspath(path)
    target = Path(name)
    if input_format is not None and input_format not in NATIVE_FORMATS:
        return _load_foreign(target, name, input_format, limits)
    if target.is_dir():
        return _load_folder(target, name, limits)
    if not target.exists():
        message = "no such file or folder"
        raise DocumentError([Problem(file=name, path="", message=message)])
    suffix = target.suffix.lower()
    fmt = input_format if input_format and suffix not in SUFFIXES else format_of(name)
    return history_from_text(read_text(name, limits), name=name, format=fmt, limits=limits)


def history_from_text(
    text: str, *, name: str, format: Format | None = None, limits: Limits = DEFAULT_LIMITS
) -> PolicyHistory:
    """Read a history from one document's text: ``versions:``, stored deltas or one version.

    Args:
        text: The document.
        name: What to call it in messages (a path, or ``REV:path`` for a
            file as git holds it); its suffix names the format unless
            ``format`` does.
        format: The document's format.
        limits: Bounds on size and nesting.

    Raises:
        DocumentError: The document is invalid.
        HistoryError: Its versions do not form one history.
    """
    fmt = format if format is not None else format_of(name)
    with paused_collector():
        data, duplicates = parse(text, fmt, name, limits)
    if isinstance(data, dict) and "versions" in data:
        return _load_document(data, text=text, fmt=fmt, name=name, limits=limits, extra=duplicates)
    if isinstance(data, dict) and "deltas" in data:
        if duplicates:
            raise StoreError(place(duplicates, text=text, format=fmt, name=name))
        return read_store(data, name=name, text=text, format=fmt, limits=limits)
    with paused_collector():
        version = build(data, text=text, format=fmt, name=name, limits=limits, extra=duplicates)
    return PolicyHistory(versions=(version,), name=name)


def _load_foreign(target: Path, name: str, fmt: str, limits: Limits) -> PolicyHistory:
    """Read a foreign file, or a folder of them, through the format's importer."""
    from policydiff.importers._files import foreign_files, import_file, orphan_sidecars

    if not target.exists():
        message = "no such file or folder"
        raise DocumentError([Problem(file=name, path="", message=message)])
    if not target.is_dir():
        imported = import_file(name, fmt, limits=limits)
        return PolicyHistory(versions=(imported.version,), name=name)
    # "." names the folder it is: its real name is the policy's default id.
    policy = target.resolve().name
    problems = orphan_sidecars(target)
    versions: list[PolicyVersion] = []
    places: list[Place] = []
    files = list(foreign_files(target))
    if not files:
        message = f"no {fmt} documents in this folder"
        raise HistoryError([Problem(file=name, path="", message=message)])
    for file in files:
        try:
            imported = import_file(os.fspath(file), fmt, default_policy=policy, limits=limits)
        except DocumentError as exc:
            problems.extend(exc.problems)
            continue
        versions.append(imported.version)
        places.append(Place(file=imported.file, text=imported.text, format="yaml"))
    if problems:
        raise DocumentError(capped(problems, limits.max_problems, name))
    return checked_history(versions, places, name=name)


#: Documents in subfolders named in one message, at most.
_NESTED_SHOWN = 5


def _nested_documents(folder: Path) -> list[str]:
    """Version documents below the folder's top level (hidden folders skipped).

    A history folder's versions sit at its top level; documents further down
    are not read, so their presence is an error rather than a silent gap.
    """
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if Path(root) == folder:
            continue
        for file in sorted(files):
            if Path(file).suffix.lower() in SUFFIXES and not file.startswith("."):
                found.append(os.path.relpath(os.path.join(root, file), folder))
                if len(found) > _NESTED_SHOWN:
                    return found
    return found


def _load_folder(folder: Path, name: str, limits: Limits) -> PolicyHistory:
    nested = _nested_documents(folder)
    if nested:
        listed = ", ".join(nested[:_NESTED_SHOWN])
        if len(nested) > _NESTED_SHOWN:
            listed += " and more"
        message = (
            f"documents in subfolders are not part of the history: {listed};"
            " a history folder holds its versions at its top level"
        )
        hint = "move them up, or read each subfolder as a history of its own"
        raise HistoryError([Problem(file=name, path="", message=message, hint=hint)])
    files = list(iter_files(folder))
    if not files:
        message = "no version documents in this folder (expected .json, .toml, .yaml or .yml files)"
        raise HistoryError([Problem(file=name, path="", message=message)])
    inside = folder.resolve()

    def reader(file: Path) -> Callable[[], str]:
        def read() -> str:
            if not file.resolve().is_relative_to(inside):
                # Followed, it could show another folder's file (a secret,
                # say) in the messages of a pull request's check.
                message = (
                    "a link to a file outside the folder; a history folder holds its own files"
                )
                raise DocumentError([Problem(file=os.fspath(file), path="", message=message)])
            return read_text(os.fspath(file), limits)

        return read

    return history_from_texts([(os.fspath(f), reader(f)) for f in files], name=name, limits=limits)


def history_from_texts(
    files: Sequence[tuple[str, Callable[[], str]]],
    *,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
) -> PolicyHistory:
    """Read a history from a folder's version documents, one version each.

    Args:
        files: Each file's name (its suffix names its format) and a function
            returning its text (raising :class:`DocumentError` when it
            cannot), read in turn so that problems keep the files' order.
        name: What to call the folder in messages.
        limits: Bounds on each file's size and nesting.

    Raises:
        DocumentError: A file is unreadable or a version is invalid; the
            error lists the problems of every file.
        HistoryError: The versions do not form one history.
    """
    versions: list[PolicyVersion] = []
    places: list[Place] = []
    found: list[Problem] = []
    # Each file's parse and build pause the collector, as load() does.
    with sharing_rules(), paused_collector():
        for file_name, read in files:
            try:
                fmt = format_of(file_name)
                text = read()
                data, duplicates = parse(text, fmt, file_name, limits)
                if isinstance(data, dict) and ("versions" in data or "deltas" in data):
                    found.append(_whole_history(file_name))
                    continue
                version = build(
                    data, text=text, format=fmt, name=file_name, limits=limits, extra=duplicates
                )
            except DocumentError as exc:
                found.extend(exc.problems)
                continue
            versions.append(share_fields(version, versions[-1] if versions else None))
            places.append(Place(file=file_name, read=read, format=fmt))
            del text, data
    if found:
        # Each file's problems are capped, and so are the folder's.
        raise DocumentError(capped(found, limits.max_problems, name))
    return checked_history(versions, places, name=name)


def _whole_history(name: str) -> Problem:
    message = "this file holds a whole history, but a history folder holds one version per file"
    return Problem(file=name, path="", message=message, hint="load the file on its own")


def _load_document(
    data: dict[str, Any],
    *,
    text: str,
    fmt: Format,
    name: str,
    limits: Limits,
    extra: list[RawProblem],
) -> PolicyHistory:
    shared = {k: v for k, v in data.items() if k != "versions"}
    raw: list[RawProblem] = list(extra)
    for key in _OWN_FIELDS:
        if key in shared:
            del shared[key]
            raw.append(
                RawProblem(
                    (key,),
                    f"{shown(key)} belongs in each version body, not in the shared fields",
                    at_key=True,
                    hint="move it into the entries of 'versions'",
                )
            )
    bodies = data["versions"]
    if not isinstance(bodies, list) or not bodies:
        got = "an empty list" if bodies == [] else describe(bodies)
        raw.append(
            RawProblem(("versions",), f"expected a non-empty list of version bodies (got {got})")
        )
        bodies = []
    problems = place(raw, text=text, format=fmt, name=name)
    problems.extend(_shared_problems(shared, bodies, text=text, fmt=fmt, name=name, limits=limits))

    versions: list[PolicyVersion] = []
    places: list[Place] = []
    with sharing_rules(), paused_collector():
        for index, body in enumerate(bodies):
            prefix = ("versions", index)
            merged, own_sources = _merged_body(shared, body)
            try:
                version = build(
                    merged, text=text, format=fmt, name=name, limits=limits, prefix=prefix
                )
            except DocumentError as exc:
                # Inherited fields were checked once, at the top: report only
                # what this body says (or fails to say) itself.
                own = set(body) | set(_OWN_FIELDS) if isinstance(body, dict) else set()
                problems.extend(
                    p
                    for p in exc.problems
                    if _in_body(p.path, prefix, own)
                    and not _shared_source(p.path, prefix, own_sources)
                )
                continue
            versions.append(share_fields(version, versions[-1] if versions else None))
            places.append(Place(file=name, prefix=prefix, text=text, format=fmt))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.path))
        raise DocumentError(problems)
    return checked_history(versions, places, name=name)


def _merged_body(shared: dict[str, Any], body: Any) -> tuple[Any, int]:
    """Complete a version body with the shared fields it does not set.

    A body's ``sources`` add to the shared ones (a body's source replaces a
    shared one of the same id): its own come first, so that problems in
    them keep their places in the body. Returns the merged data and how
    many of its sources are the body's own.
    """
    if not isinstance(body, dict):
        return body, 0
    merged = {**shared, **body}
    own, common = body.get("sources"), shared.get("sources")
    if isinstance(own, list) and isinstance(common, list):
        ids = {s.get("id") for s in own if isinstance(s, dict)}
        kept = [s for s in common if not (isinstance(s, dict) and s.get("id") in ids)]
        merged["sources"] = [*own, *kept]
        return merged, len(own)
    return merged, len(own) if isinstance(own, list) else 0


def _shared_source(path: str, prefix: tuple[str | int, ...], own: int) -> bool:
    """Whether ``path`` is in a shared source merged into a body (reported once, at the top)."""
    head = render_path((*prefix, "sources"))
    if not path.startswith(head + "["):
        return False
    index = path[len(head) + 1 :].split("]", 1)[0]
    return index.isdigit() and int(index) >= own


def _shared_problems(
    shared: dict[str, Any],
    bodies: list[Any],
    *,
    text: str,
    fmt: Format,
    name: str,
    limits: Limits,
) -> list[Problem]:
    """Problems in the shared fields, located where they are written.

    The shared fields are checked as a version of their own, completed with
    placeholder values for the fields only bodies hold (and for ``policy``
    when every body names its own).
    """

    def set_everywhere(key: str) -> bool:
        return bool(bodies) and all(isinstance(b, dict) and key in b for b in bodies)

    probe = {**shared, "version": "shared", "effective": "2000", "rules": []}
    if "policy" not in shared and set_everywhere("policy"):
        probe["policy"] = "shared"
    try:
        build(probe, text=text, format=fmt, name=name, limits=limits)
    except DocumentError as exc:
        return list(exc.problems)
    return []


def _in_body(path: str, prefix: tuple[str | int, ...], own: set[str]) -> bool:
    head = render_path(prefix)
    if path == head:
        return True
    for key in own:
        start = render_path((*prefix, key))
        if path == start or path.startswith((start + ".", start + "[")):
            return True
    return False
