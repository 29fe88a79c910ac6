"""Sphinx configuration for the policydiff documentation."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import policydiff  # noqa: E402 (needs the path above when not installed)

project = "policydiff"
author = "The policydiff developers"
copyright = "the policydiff developers"
release = policydiff.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "conftest.py"]

# Definition lists, for the command reference.
myst_enable_extensions = ["deflist"]
# Headings up to ### get anchors, so pages can link to sections.
myst_heading_anchors = 3

# Google-style docstrings only; the code base uses no other style.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

# Warnings fail the build (-W); unresolved Python references are not warnings
# because the standard library and dependencies are not linked (no network).
nitpicky = False

html_theme = "alabaster"
html_title = f"policydiff {release}"
html_static_path: list[str] = []
