"""The package's modules form layers: no module imports one that imports it back.

Every import counts, including those inside functions and those only for type
checkers, so a cycle cannot hide behind a deferred import.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "policydiff"


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``path`` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module in known:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package, with the package's modules it imports."""
    paths = {_module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    known = set(paths)
    return {name: _imports(path, known) - {name} for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk meets, each as the modules along it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def walk(module: str, trail: list[str]) -> None:
        if module in trail:
            found.append([*trail[trail.index(module) :], module])
            return
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            walk(imported, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        walk(module, [])
    return found


def test_no_module_of_the_package_imports_one_that_imports_it_back() -> None:
    assert cycles(import_graph()) == []


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    package = tmp_path / "policydiff"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text("def f():\n    from policydiff._time import g\n")
    (package / "_time.py").write_text("from policydiff.model import f\n")
    assert cycles(import_graph(package)) == [
        ["policydiff._time", "policydiff.model", "policydiff._time"]
    ]


#: The layers, bottom first, as the file names tell them: words, errors,
#: lazy exports and glob patterns; time and the model; documents (text to model); the
#: importers (foreign documents to model); results and sentences; the engine
#: (comparing, histories, storage, impact); the renderers; many inputs at
#: once (workers render what they send back); the command line and the
#: package's public face.
LAYERS = (
    {"_text", "errors", "_lazy", "_glob"},
    {"_time", "model"},
    {"_parse", "_locate", "_problems", "_convert", "_semantics", "_documents"},
    set(),  # the importers: the package policydiff.importers and its modules
    {"_results", "_describe", "_decisions", "_phrases"},
    set(),  # the engine: every module not named elsewhere
    set(),  # the renderers: every module whose name starts with _render
    {"_batch"},
    {"", "_cli", "__main__"},
)
_IMPORTERS, _ENGINE, _RENDERERS = 3, 5, 6


def layer(module: str) -> int:
    """The layer of a module of the package, 0 at the bottom."""
    name = module.removeprefix("policydiff").removeprefix(".")
    for index, names in enumerate(LAYERS):
        if name in names:
            return index
    if name == "importers" or name.startswith("importers."):
        return _IMPORTERS
    return _RENDERERS if name.startswith("_render") else _ENGINE


def test_every_import_points_down_the_layers_or_stays_in_one() -> None:
    upward = sorted(
        (module, imported)
        for module, imports in import_graph().items()
        for imported in imports
        if layer(imported) > layer(module)
    )
    assert upward == []


def test_the_bottom_layer_imports_nothing_of_the_package() -> None:
    graph = import_graph()
    assert graph["policydiff._text"] == graph["policydiff.errors"] == set()


def test_the_file_names_place_each_module_in_its_layer() -> None:
    order = [
        "policydiff._text",
        "policydiff.model",
        "policydiff._documents",
        "policydiff.importers._common",
        "policydiff._results",
        "policydiff._diff",
        "policydiff._render_text",
        "policydiff._batch",
        "policydiff._cli",
    ]
    assert [layer(module) for module in order] == list(range(len(order)))
