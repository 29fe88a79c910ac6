"""Policies written in other formats, read as policydiff versions.

Each importer takes a foreign document (text, bytes or data already parsed)
and returns an ordinary :class:`~policydiff.model.PolicyVersion`; nothing
downstream knows where a version came from. :data:`IMPORTERS` names each
format the command line reads (``policydiff import FORMAT FILE``,
``--input-format FORMAT``) and where its importer lives.

Every name is imported from its home module when first used, so an
importer's optional library costs nothing until its format is read.

>>> from policydiff.importers import from_k8s_rbac
"""

import typing

from policydiff._lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from policydiff.importers._aws_iam import from_aws_iam
    from policydiff.importers._cedar import from_cedar
    from policydiff.importers._files import import_file
    from policydiff.importers._k8s_rbac import from_k8s_rbac
    from policydiff.importers._odrl import from_odrl
    from policydiff.importers._registry import IMPORTERS, formats, importer

__all__ = [
    "IMPORTERS",
    "formats",
    "from_aws_iam",
    "from_cedar",
    "from_k8s_rbac",
    "from_odrl",
    "import_file",
    "importer",
]

#: The module each public name comes from.
_HOMES = {
    **dict.fromkeys(("IMPORTERS", "formats", "importer"), "policydiff.importers._registry"),
    "import_file": "policydiff.importers._files",
    "from_aws_iam": "policydiff.importers._aws_iam",
    "from_k8s_rbac": "policydiff.importers._k8s_rbac",
    "from_cedar": "policydiff.importers._cedar",
    "from_odrl": "policydiff.importers._odrl",
}


__getattr__, __dir__ = _lazy_exports("policydiff.importers", _HOMES, globals(), __all__)
