"""Names a package exports from their home modules, imported when first used.

``policydiff`` and ``policydiff.importers`` list their public names and the
module each comes from; a name's module is imported on its first use (PEP
562), so importing the package costs nothing until a name is needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, homes: dict[str, str], namespace: MutableMapping[str, Any], names: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return a package's module ``__getattr__`` and ``__dir__``.

    Args:
        package: The package's name, for the error on an unknown name.
        homes: Each public name and the module it is imported from.
        namespace: The package's ``globals()``: a name imported once is
            kept there, so the next use is a plain lookup.
        names: The package's ``__all__``.
    """
    public = tuple(names)

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *public})

    return __getattr__, __dir__
