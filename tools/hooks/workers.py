"""When the build hooks may fork a worker process (prerender.py, search_worker.py).

Not a hook itself: the two hooks import it, each with its own switch.
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def forking_enabled(env: str, command: str | None) -> bool:
    """On ``mkdocs build`` with two cores or more: by default on Linux, where
    forking a process is safe; elsewhere (macOS) only when ``env`` is "1"."""
    wanted = os.environ.get(env, "1" if sys.platform.startswith("linux") else "0")
    if wanted == "0" or command != "build":
        return False
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
