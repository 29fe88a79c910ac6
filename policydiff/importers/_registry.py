"""The foreign formats policydiff reads, each by name, loaded when first used.

A format is wired into ``policydiff import``, ``--input-format`` and history
folders by one line of :data:`IMPORTERS`: its name and where its importer
lives, as ``"module:function"``. The module is imported only when a file of
that format is read, so optional libraries cost nothing until then.

An importer is called as::

    function(source, *, policy=..., version=..., effective=..., name=...)

``source`` is the file's text; ``name`` the file's path for messages;
``version`` and ``effective`` may be ``None`` when neither a sidecar nor the
file name gives them (the importer then takes them from the document, when
its format carries them, or fails with a clear error).
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any, Protocol

from policydiff.errors import DocumentError, Problem

__all__ = ["IMPORTERS", "Importer", "formats", "importer"]

#: Each foreign format's name and its importer, as ``"module:function"``.
IMPORTERS: dict[str, str] = {
    "aws-iam": "policydiff.importers._aws_iam:from_aws_iam",
    "k8s-rbac": "policydiff.importers._k8s_rbac:from_k8s_rbac",
    "k8s-rbac-subjects": "policydiff.importers._k8s_rbac:from_k8s_rbac_subjects",
    "cedar": "policydiff.importers._cedar:from_cedar",
    "odrl": "policydiff.importers._odrl:from_odrl",
}


class Importer(Protocol):
    """What an importer is called as (see the module's docstring)."""

    def __call__(
        self,
        source: Any,
        *,
        policy: str,
        version: str | None,
        effective: Any,
        name: str = ...,
    ) -> Any: ...


def formats() -> tuple[str, ...]:
    """Return the names of the registered foreign formats, sorted."""
    return tuple(sorted(IMPORTERS))


def importer(fmt: str, *, name: str = "<string>") -> Importer:
    """Return the importer of the format ``fmt``, importing its module now.

    Args:
        fmt: A registered format name, such as ``aws-iam``.
        name: The file being read, for messages.

    Raises:
        DocumentError: ``fmt`` is not registered, or its module needs an
            optional library that is not installed (the message names the
            extra to install).
    """
    target = IMPORTERS.get(fmt)
    if target is None:
        known = formats()
        close = difflib.get_close_matches(fmt, known, n=1)
        message = f"unknown input format {fmt!r} (expected one of: {', '.join(known) or 'none'})"
        hint = f"did you mean {close[0]!r}?" if close else None
        raise DocumentError([Problem(file=name, path="", message=message, hint=hint)])
    module_name, _, function = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or "a module"
        if missing.split(".")[0] == "policydiff":
            raise
        message = f"reading {fmt} needs the library {missing!r}, which is not installed"
        hint = f"install the extra: pip install 'policydiff[{fmt}]'"
        raise DocumentError([Problem(file=name, path="", message=message, hint=hint)]) from None
    found: Importer = getattr(module, function)
    return found
