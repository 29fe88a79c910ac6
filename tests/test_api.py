"""The public face: one package namespace, sorted and complete."""

from __future__ import annotations

import inspect

import policydiff
import policydiff.errors
import policydiff.model


def test_all_lists_exactly_the_public_names_in_sorted_order() -> None:
    public = {
        name
        for name, value in vars(policydiff).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert sorted(public) == policydiff.__all__


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
