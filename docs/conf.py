"""Sphinx configuration for the policydiff documentation."""

from __future__ import annotations

import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import policydiff  # noqa: E402 (needs the path above when not installed)
from docs._chromium import find_chromium, screenshot  # noqa: E402 (the same)

FLAGSHIP = ROOT / "examples" / "us-ukraine-strikes" / "history"
#: The situations whose decisions over time the flagship report draws.
FLAGSHIP_SITUATIONS = (
    {
        "subject": "Ukraine",
        "action": "strike",
        "territory": "Belgorod Oblast",
        "weapon": "GMLRS",
        "purpose": "defensive",
    },
    {"subject": "Ukraine", "action": "strike", "territory": "Kursk Oblast", "weapon": "ATACMS"},
)

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


# -- the flagship report -----------------------------------------------------------
#
# The build writes the flagship history's HTML report next to the pages
# (flagship-report.html) and, where Chromium is installed, a screenshot of it
# (flagship-report.png), which docs/report.md shows under the tag
# report_screenshot. Both are made fresh by every build; neither is committed.


def _flagship_report(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    folder = Path(app.doctreedir) / "flagship-report"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "flagship-report.html"
    history = policydiff.load_history(FLAGSHIP)
    page.write_text(policydiff.report(history, situations=FLAGSHIP_SITUATIONS), encoding="utf-8")
    picture = folder / "flagship-report.png"
    picture.unlink(missing_ok=True)
    if find_chromium() is not None:
        screenshot(page, picture, width=1200, height=2000)
        app.tags.add("report_screenshot")
    else:
        logging.getLogger(__name__).info(
            "chromium is not installed: the report page shows no screenshot"
        )
    app.config.html_extra_path = [*app.config.html_extra_path, str(folder)]


def setup(app: Sphinx) -> dict[str, bool]:
    """Make the flagship report (and its screenshot) as part of every HTML build."""
    app.connect("builder-inited", _flagship_report)
    return {"parallel_read_safe": True}
