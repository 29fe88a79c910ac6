"""The public face: one package namespace, sorted and complete."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import policydiff
import policydiff.errors
import policydiff.model

#: The modules a user imports from; every other module is private.
PUBLIC_MODULES = ("policydiff", "policydiff.model", "policydiff.errors")


def test_all_lists_exactly_the_public_names_in_sorted_order() -> None:
    public = {
        name
        for name in dir(policydiff)
        if not name.startswith("_") and not inspect.ismodule(getattr(policydiff, name))
    }
    assert sorted(public) == policydiff.__all__


def test_every_public_name_is_importable_from_the_package() -> None:
    for name in policydiff.__all__:
        exec(f"from policydiff import {name}", {})


def test_an_unknown_name_is_an_attribute_error_that_names_it() -> None:
    with pytest.raises(AttributeError, match=r"^module 'policydiff' has no attribute 'lod'$"):
        policydiff.lod  # noqa: B018


@pytest.mark.parametrize("name", sorted(policydiff.__all__))
def test_a_public_class_names_a_public_module_that_holds_it(name: str) -> None:
    value = getattr(policydiff, name)
    if not isinstance(value, type):
        return
    assert value.__module__ in PUBLIC_MODULES
    assert getattr(importlib.import_module(value.__module__), name) is value


def test_importing_the_package_imports_none_of_its_dependencies() -> None:
    # Names are imported from their modules when first used, so the command
    # line's --help starts without DeepDiff, the parsers, pendulum or rich.
    script = (
        "import sys\n"
        "from policydiff._cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'deepdiff', 'yaml', 'pendulum', 'cattrs', 'rich', 'tomli_w'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"


def test_every_model_and_error_class_is_reachable_from_the_package() -> None:
    for module in (policydiff.model, policydiff.errors):
        for name in module.__all__:
            assert getattr(policydiff, name) is getattr(module, name)


def test_every_error_derives_from_the_one_root() -> None:
    for name in policydiff.errors.__all__:
        error = getattr(policydiff.errors, name)
        if isinstance(error, type) and issubclass(error, Exception):
            assert issubclass(error, policydiff.PolicyDiffError)


def test_document_problems_are_also_value_errors() -> None:
    assert issubclass(policydiff.DocumentError, ValueError)
    assert issubclass(policydiff.DiffError, ValueError)
