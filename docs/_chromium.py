"""Open a local page in headless Chromium: a screenshot, or the DOM it built.

The documentation build uses it for the flagship report's screenshot, and the
browser test for checking the report in a real browser. Chromium is told to
stay off the network: no background or component updates, no sync, no QUIC,
and every host name resolves to nothing, so a page that tried to fetch
anything would fail to. Each run gets a fresh profile (and home) that is
removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ChromiumError", "dump_dom", "find_chromium", "screenshot"]

#: Debian's package installs the browser as ``chromium``.
PROGRAM = "chromium"

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-extensions",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


class ChromiumError(RuntimeError):
    """Chromium did not do what was asked; the message holds what it said."""


def find_chromium() -> str | None:
    """Return the path of the ``chromium`` program, or ``None`` when it is not installed."""
    return shutil.which(PROGRAM)


def _run(page: Path, *args: str, workdir: Path) -> str:
    program = find_chromium()
    if program is None:
        msg = f"{PROGRAM} is not installed (Debian: apt-get install {PROGRAM})"
        raise ChromiumError(msg)
    profile = workdir / "profile"
    env = {**os.environ, "HOME": str(workdir)}
    done = subprocess.run(
        [program, *_FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        msg = f"{PROGRAM} exited with {done.returncode}:\n{done.stderr}"
        raise ChromiumError(msg)
    return done.stdout


def screenshot(page: Path, png: Path, *, width: int = 1200, height: int = 1600) -> None:
    """Render ``page`` in a window of ``width`` x ``height`` pixels and save it as ``png``.

    Raises:
        ChromiumError: Chromium is missing, failed, or wrote no picture.
    """
    with tempfile.TemporaryDirectory(prefix="policydiff-chromium-") as work:
        _run(
            page,
            f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}",
            workdir=Path(work),
        )
    if not png.is_file():
        msg = f"{PROGRAM} wrote no screenshot of {page}"
        raise ChromiumError(msg)


def dump_dom(page: Path) -> str:
    """Return the DOM that Chromium built from ``page``, serialized as HTML.

    Raises:
        ChromiumError: Chromium is missing or failed.
    """
    with tempfile.TemporaryDirectory(prefix="policydiff-chromium-") as work:
        return _run(page, "--dump-dom", workdir=Path(work))
