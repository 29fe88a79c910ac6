"""Policies written in other formats, read as policydiff versions.

>>> from policydiff.importers import from_k8s_rbac

Each importer turns a foreign document into an ordinary
:class:`~policydiff.model.PolicyVersion`; nothing downstream knows where a
version came from. Each name is imported from its module when first used.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from policydiff.importers._k8s_rbac import from_k8s_rbac

__all__ = ["from_k8s_rbac"]

#: The module each public name comes from.
_HOMES = {
    "from_k8s_rbac": "policydiff.importers._k8s_rbac",
}


def __getattr__(name: str) -> typing.Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'policydiff.importers' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
