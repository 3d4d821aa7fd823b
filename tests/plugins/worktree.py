"""The work tree before the run, for tests/test_worktree_clean.py.

At the start of a session this takes ``git status`` and a hash of every file it
lists. Tests marked ``last`` run after all others, so the work-tree test sees
what every other test left behind. (snippets/verified.json is written after
the last test, by design: see verified.py.)
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

STATUS = pytest.StashKey[dict | None]()


def worktree_state(root: Path) -> dict[str, str] | None:
    """Path -> "<status> <content hash>" for every changed or untracked file, and
    ":HEAD" -> the commit checked out; None outside git."""
    try:
        result = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    state = {}
    entries = iter(result.stdout.decode("utf-8", "surrogateescape").split("\0"))
    for entry in entries:
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":
            next(entries, None)  # a rename's second path: where it came from
        file = root / path
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16] if file.is_file() else "-"
        state[path] = f"{code} {digest}"
    head = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=root, capture_output=True, text=True)
    state[":HEAD"] = head.stdout.strip()[:12] or "none"  # moves when someone commits during the run
    return state


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "last: run after every other test (the work-tree check)")


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[STATUS] = worktree_state(session.config.rootpath)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


@pytest.fixture
def worktree_at_start(request: pytest.FixtureRequest) -> dict[str, str] | None:
    """The work tree's state when the session started (see worktree_state)."""
    return request.config.stash[STATUS]
