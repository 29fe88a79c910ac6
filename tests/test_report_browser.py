"""The HTML report in a real browser: headless Chromium draws it and builds its DOM.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). Without
it the tests are skipped, except under CI, where a missing browser fails them.
"""

from __future__ import annotations

import os
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import policydiff
from docs import _chromium
from docs._chromium import dump_dom, find_chromium, screenshot
from tests.conftest import ROOT
from tests.test_report import FIRST, HOSTILE_DOCUMENT, KURSK_SITUATION

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"

pytestmark = pytest.mark.slow


def need_chromium() -> None:
    """Skip without Chromium, unless under CI, where its absence is a failure."""
    if find_chromium() is not None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI is set but chromium is not installed: .ci/run installs it")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium); CI installs it")


@pytest.fixture(scope="module")
def chromium() -> None:
    need_chromium()


@pytest.fixture(scope="module")
def flagship_page(chromium: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "report.html"
    history = policydiff.load_history(HISTORY)
    page.write_text(policydiff.report(history, situations=[KURSK_SITUATION]), encoding="utf-8")
    return page


# -- reading the screenshot --------------------------------------------------------------


def _paeth(left: int, up: int, corner: int) -> int:
    guess = left + up - corner
    to_left, to_up, to_corner = abs(guess - left), abs(guess - up), abs(guess - corner)
    if to_left <= to_up and to_left <= to_corner:
        return left
    return up if to_up <= to_corner else corner


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB or RGBA PNG: its width, height and rows of RGB(A) bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, compressed, header = 8, bytearray(), b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed += body
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour in (2, 6), interlace) == (8, True, 0), "an unexpected PNG layout"
    size = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(bytes(compressed)), width * size
    rows: list[bytes] = []
    above = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            corner = above[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + above[i]) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + above[i]) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, above[i], corner)) & 0xFF
        rows.append(bytes(line))
        above = line
    return width, height, [b"".join(r[i : i + 3] for i in range(0, stride, size)) for r in rows]


def colours(rows: list[bytes]) -> dict[tuple[int, int, int], int]:
    """Count the pixels of each colour."""
    found: dict[tuple[int, int, int], int] = {}
    for row in rows:
        for i in range(0, len(row), 3):
            pixel = (row[i], row[i + 1], row[i + 2])
            found[pixel] = found.get(pixel, 0) + 1
    return found


def near(found: dict[tuple[int, int, int], int], target: tuple[int, int, int]) -> int:
    """How many pixels lie within a small distance of ``target``."""
    return sum(
        count
        for pixel, count in found.items()
        if all(abs(a - b) <= 12 for a, b in zip(pixel, target, strict=True))
    )


# -- the DOM -------------------------------------------------------------------------------


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(dom: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(dom)
    return parser.found


def with_class(found: list[tuple[str, dict[str, str | None]]], cls: str) -> list[str]:
    return [tag for tag, attrs in found if cls in (attrs.get("class") or "").split()]


# -- the tests ----------------------------------------------------------------------------


def test_chromium_draws_the_flagship_timeline(flagship_page: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"

    screenshot(flagship_page, png, width=1000, height=1000)

    width, height, rows = read_png(png.read_bytes())
    found = colours(rows)
    white = near(found, (255, 255, 255))
    assert (width, height) == (1000, 1000)
    assert white < 0.95 * width * height, "the page is (almost) blank"
    assert len(found) > 50
    # The permit bars' green and the prohibit bars' red reached the screen.
    assert near(found, (0x2E, 0x7D, 0x32)) > 2000
    assert near(found, (0xC6, 0x28, 0x28)) > 1000


def test_the_dom_chromium_builds_holds_the_timeline(flagship_page: Path) -> None:
    found = elements(dump_dom(flagship_page))

    assert with_class(found, "timeline") == ["svg"]
    assert with_class(found, "version") == ["g"] * 5
    assert with_class(found, "lifespan") == ["rect"] * 4
    assert len(with_class(found, "uncertain")) == 3
    assert with_class(found, "mark")
    assert with_class(found, "decisions") == ["svg"]
    assert with_class(found, "period") == ["rect"] * 3
    assert [attrs.get("id") for tag, attrs in found if tag == "article"] == [
        f"step-{n}" for n in range(1, 5)
    ]


def test_hostile_strings_build_no_element_in_the_browser(chromium: None, tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(FIRST, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    page = tmp_path / "report.html"
    page.write_text(policydiff.report(policydiff.load_history(tmp_path)), encoding="utf-8")

    found = elements(dump_dom(page))

    tags = {tag for tag, _ in found}
    assert tags.isdisjoint({"script", "img", "iframe", "b"})
    assert not [name for _, attrs in found for name in attrs if name.startswith("on")]
    assert {attrs["href"] for tag, attrs in found if tag == "a"} == {
        "https://example.org/report?a=1&b=<2>"
    }


def test_without_chromium_the_tests_skip_and_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_chromium.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        need_chromium()


def test_under_ci_a_missing_chromium_fails_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_chromium.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI is set but chromium is not installed"):
        need_chromium()


def test_a_missing_chromium_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_chromium.shutil, "which", lambda name: None)

    with pytest.raises(_chromium.ChromiumError, match="chromium is not installed"):
        dump_dom(tmp_path / "page.html")
