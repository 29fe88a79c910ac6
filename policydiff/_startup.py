"""The command line's start-up: until :func:`policydiff._cli.main` runs, Ctrl-C
ends the program as the system ends any other (exit 130 in a shell), instead
of raising a KeyboardInterrupt from the middle of an import, which Python
would print as a traceback. ``main()`` hands Ctrl-C back to Python.

Imported first by :mod:`policydiff._cli`, before anything slow to import.
"""

from __future__ import annotations

import signal
import threading

if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
