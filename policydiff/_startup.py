"""The command line's start-up: until :func:`policydiff._cli.main` runs, Ctrl-C
ends the program as the system ends any other (exit 130 in a shell), instead
of raising a KeyboardInterrupt from the middle of an import, which Python
would print as a traceback. ``main()`` hands Ctrl-C back to Python.

Imported first by :mod:`policydiff._cli`, before anything slow to import,
and only when that program is what runs (the ``policydiff`` script or
``python -m policydiff``): a test run or an application that imports the
module keeps its own handling of Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

_PROGRAM = (
    (
        os.path.basename(sys.argv[0]) == "policydiff"
        or sys.argv[0].endswith(os.path.join("policydiff", "__main__.py"))
    )
    if sys.argv
    else False
)

if _PROGRAM and threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
