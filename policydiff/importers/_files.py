"""Foreign files as versions: what a file's name and its sidecar say about it.

A foreign document (an IAM policy, a set of Kubernetes roles) says what is
allowed but rarely which version it is or when it took effect. For a file
``NAME.EXT`` these come, first match wins, from:

1. what the caller gives (``policydiff import --version --effective``);
2. the sidecar ``NAME.meta.yaml`` beside it: ``version``, ``effective`` and
   any other version metadata (``policy``, ``title``, ``summary``,
   ``announced``, ``approved_by``, ``sources``, ``events``, ``timezone``);
3. the file name: ``VERSION@DATE.EXT`` (``v3@2024-05-30.json``) gives both,
   ``DATE.EXT`` (``2024-05-30.json``) gives a date that is also the label;
4. the document itself, when its format carries them (an IAM
   ``get-policy-version`` answer holds ``VersionId`` and ``CreateDate``);
5. for the label, the file's name without its suffix; a date nothing gives
   is an error, except for the two sides of a comparison (see
   :func:`policydiff._inputs.load_pair`).

The policy id comes from the caller, else the sidecar, else the default the
caller gives (a history folder's name), else the name of the folder of a
file named for its version (``DataLakeReadOnlyAccess/v3@2023-02-20.json``),
else the file's name without its suffix.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from policydiff._documents import DEFAULT_LIMITS, Limits, build, parse, read_text
from policydiff._problems import RawProblem, place
from policydiff._text import a_type
from policydiff._time import parse_when
from policydiff.errors import DocumentError, Problem
from policydiff.importers._common import Fallback, falling_back
from policydiff.importers._registry import importer
from policydiff.model import PolicyVersion, When

__all__ = [
    "SIDECAR",
    "Imported",
    "foreign_files",
    "from_name",
    "import_file",
    "import_text",
    "is_sidecar",
    "orphan_sidecars",
    "sidecar_of",
    "stem",
]

#: The ending of a sidecar's name: ``v3@2024-05-30.meta.yaml`` for ``v3@2024-05-30.json``.
SIDECAR = ".meta.yaml"

#: The version fields a sidecar may set.
SIDECAR_FIELDS = (
    "policy",
    "version",
    "effective",
    "title",
    "summary",
    "announced",
    "approved_by",
    "sources",
    "events",
    "timezone",
)

#: Fields taken from a sidecar as the version document reader gives them.
_METADATA = ("title", "summary", "announced", "approved_by", "sources", "events", "timezone")

_VERSION_AT_DATE = re.compile(r"(?P<version>.+)@(?P<date>[^@]+)")


@attrs.frozen(kw_only=True)
class Imported:
    """A version read from a foreign file, and where its labels were written.

    Args:
        version: The version.
        file: The file a message about its label or date points at (the
            sidecar when it gave them).
        text: That file's text when it is a sidecar, else ``None``.
        dated: Whether something gave its date (else it is ``undated``).
    """

    version: PolicyVersion
    file: str
    text: str | None = None
    dated: bool = True


def is_sidecar(name: str) -> bool:
    """Whether a file name is a sidecar's (``NAME.meta.yaml``)."""
    return name.lower().endswith((SIDECAR, ".meta.yml"))


def sidecar_of(path: Path) -> Path | None:
    """Return the sidecar of ``path`` when it exists."""
    for ending in (SIDECAR, ".meta.yml"):
        candidate = path.with_name(stem(path) + ending)
        if candidate.is_file():
            return candidate
    return None


def foreign_files(folder: Path) -> Iterator[Path]:
    """Return a folder's foreign documents, by name: its files, hidden ones and sidecars aside."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith(".") and not is_sidecar(path.name):
            yield path


def orphan_sidecars(folder: Path) -> list[Problem]:
    """Return a problem for each sidecar in ``folder`` that no file of the folder belongs to."""
    stems = {stem(p) for p in foreign_files(folder)}
    problems = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and is_sidecar(path.name) and not path.name.startswith("."):
            owner = path.name[: path.name.lower().rindex(".meta.")]
            if owner not in stems:
                message = f"a sidecar without its file: no file named {owner}.* in the folder"
                problems.append(Problem(file=os.fspath(path), path="", message=message))
    return problems


def stem(path: Path) -> str:
    """Return a file's name without its last suffix (all of it when it has none)."""
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def from_name(path: Path) -> tuple[str | None, str | None]:
    """Return the version label and effective date a file name gives, if any."""
    found = _VERSION_AT_DATE.fullmatch(stem(path))
    if found is not None:
        return found["version"], found["date"]
    try:
        parse_when(stem(path))
    except ValueError:
        return None, None
    return stem(path), stem(path)


def import_file(
    path: str,
    fmt: str,
    *,
    policy: str | None = None,
    version: str | None = None,
    effective: Any = None,
    default_policy: str | None = None,
    undated: When | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Imported:
    """Read a foreign file as a version, its labels from the caller, sidecar or name.

    Args:
        path: The file.
        fmt: A registered format name (see :data:`~policydiff.importers.IMPORTERS`).
        policy: The policy id, overriding the sidecar's.
        version: The version label, overriding the sidecar's and the name's.
        effective: When it took effect, overriding the sidecar's and the name's.
        default_policy: The policy id when neither the caller nor a sidecar
            gives one; else the folder's name for a file named for its
            version, the file's name (without its suffix) for another.
        undated: The date of a version that nothing dates; without it,
            such a version is an error. A version that nothing labels is
            labelled with the file's name (without its suffix).
        limits: Bounds on the file's size.

    Raises:
        DocumentError: The file, its sidecar or what they say is bad, with
            the place of each problem.
    """
    target = Path(path)
    importer(fmt, name=path)  # an unknown format is reported before the file is read
    text = read_text(path, limits)
    sidecar = sidecar_of(target)
    side = None
    if sidecar is not None:
        side_name = os.fspath(sidecar)
        side = (side_name, read_text(side_name, limits))
    return import_text(
        text,
        fmt,
        path=path,
        folder=target.resolve().parent.name,
        sidecar=side,
        policy=policy,
        version=version,
        effective=effective,
        default_policy=default_policy,
        undated=undated,
        limits=limits,
    )


def import_text(
    text: str,
    fmt: str,
    *,
    path: str,
    folder: str,
    name: str | None = None,
    sidecar: tuple[str, str] | None = None,
    policy: str | None = None,
    version: str | None = None,
    effective: Any = None,
    default_policy: str | None = None,
    undated: When | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Imported:
    """Read a foreign file's text as a version, as :func:`import_file` reads the file.

    For a file that is not on disk as it is read, such as one as a git
    revision holds it.

    Args:
        text: The file's text.
        fmt: A registered format name.
        path: The file's path: its name gives the version and the date.
        folder: The name of the folder holding it (a file named for its
            version takes its policy id from it).
        name: What to call the file in messages (default: ``path``).
        sidecar: The sidecar's name (for messages) and text, when it has one.
        policy: See :func:`import_file`.
        version: See :func:`import_file`.
        effective: See :func:`import_file`.
        default_policy: See :func:`import_file`.
        undated: See :func:`import_file`.
        limits: Bounds on the sidecar's size and nesting.

    Raises:
        DocumentError: The text, its sidecar or what they say is bad, with
            the place of each problem.
    """
    shown = name if name is not None else path
    target = Path(path)
    function = importer(fmt, name=shown)
    meta: dict[str, Any] = {}
    probe: PolicyVersion | None = None
    if sidecar is not None:
        meta, probe = _read_sidecar(sidecar[1], sidecar[0], limits)
    named_version, named_date = from_name(target)
    given = {k: getattr(probe, k) for k in meta} if probe is not None else {}
    # A file named for its version (v3@2024-05-30.json) sits in its policy's folder.
    named_for = folder if named_version is not None else stem(target)
    chosen_policy = policy or given.get("policy") or default_policy or named_for
    chosen_version = version or given.get("version") or named_version
    chosen_effective = effective
    if chosen_effective is None:
        chosen_effective = given.get("effective")
    if chosen_effective is None and named_date is not None:
        try:
            chosen_effective = parse_when(named_date, given.get("timezone", "UTC"))
        except ValueError as exc:
            message = f"the file name's date {named_date!r} is not a time: {exc}"
            hint = "name the file DATE or VERSION@DATE, such as v3@2024-05-30.json"
            raise DocumentError(
                [Problem(file=shown, path="", message=message, hint=hint)]
            ) from None
    with falling_back(Fallback(version=stem(target), effective=undated)) as labels:
        imported = function(
            text,
            policy=chosen_policy,
            version=chosen_version,
            effective=chosen_effective,
            name=shown,
        )
    if not isinstance(imported, PolicyVersion):  # pragma: no cover (an importer's bug)
        msg = f"the {fmt} importer returned {a_type(imported)}, not a PolicyVersion"
        raise TypeError(msg)
    if given:
        imported = attrs.evolve(imported, **{k: v for k, v in given.items() if k in _METADATA})
    if sidecar is not None and meta.keys() & {"version", "effective"}:
        return Imported(version=imported, file=sidecar[0], text=sidecar[1], dated=not labels.used)
    return Imported(version=imported, file=shown, dated=not labels.used)


def _read_sidecar(text: str, name: str, limits: Limits) -> tuple[dict[str, Any], PolicyVersion]:
    """Read and check a sidecar; return its fields and them as a version (no rules)."""
    data, duplicates = parse(text, "yaml", name, limits)
    if duplicates:
        raise DocumentError(place(duplicates, text=text, format="yaml", name=name))
    if not isinstance(data, dict):
        got = "an empty document" if data is None else a_type(data)
        message = f"expected a mapping of version fields (got {got})"
        raise DocumentError([Problem(file=name, path="", message=message)])
    raw = []
    for key in data:
        if key not in SIDECAR_FIELDS:
            close = difflib.get_close_matches(str(key), SIDECAR_FIELDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            expected = ", ".join(SIDECAR_FIELDS)
            raw.append(
                RawProblem((str(key),), f"unknown sidecar field (expected: {expected})", True, hint)
            )
    if raw:
        raise DocumentError(place(raw, text=text, format="yaml", name=name))
    # Checked as a version of its own, so that every field is read, and
    # every problem placed, as in a version document.
    probe = {"policy": "sidecar", "version": "sidecar", "effective": "2000", **data, "rules": []}
    return data, build(probe, text=text, format="yaml", name=name, limits=limits)
