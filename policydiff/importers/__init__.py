"""Policies in other formats, read as policydiff versions (SPEC section 15).

Each importer turns one document of its format into a
:class:`~policydiff.model.PolicyVersion`; nothing downstream knows where a
version came from. Each name is imported from its module when first used, so
an optional format's library is needed only by those who read that format.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from policydiff.importers._cedar import from_cedar
    from policydiff.importers._odrl import from_odrl

__all__ = ["from_cedar", "from_odrl"]

_HOMES = {
    "from_cedar": "policydiff.importers._cedar",
    "from_odrl": "policydiff.importers._odrl",
}


def __getattr__(name: str) -> typing.Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'policydiff.importers' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
