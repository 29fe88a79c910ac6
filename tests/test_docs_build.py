"""The documentation site builds without a single warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from sphinx.cmd.build import build_main

DOCS = Path(__file__).resolve().parent.parent / "docs"


# Sphinx 9's own napoleon extension still reads autodoc options as a mapping;
# the deprecation is Sphinx's to resolve, not a problem with these docs.
@pytest.mark.filterwarnings("ignore:The mapping interface for autodoc options")
def test_the_documentation_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    status = build_main(
        ["-W", "--keep-going", "-q", "-E", "-b", "html", str(DOCS), str(tmp_path / "html")]
    )

    assert status == 0
    assert (tmp_path / "html" / "index.html").is_file()
    assert (tmp_path / "html" / "api.html").is_file()
