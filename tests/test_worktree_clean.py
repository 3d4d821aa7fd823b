"""A full test run leaves the work tree as it found it: no stray files, no edits.

This test runs last (marker ``last``) and compares ``git status``, with a hash
of every file it lists, with the state at the start of the session.
"""

from __future__ import annotations

import pytest

from tests.plugins.worktree import worktree_state

pytestmark = pytest.mark.last


def test_tests_leave_the_worktree_as_they_found_it(request, worktree_at_start):
    if worktree_at_start is None:
        pytest.skip("not a git checkout (or git is missing): nothing to compare")
    now = worktree_state(request.config.rootpath)
    changed = sorted(
        f"{path}: {worktree_at_start.get(path, 'clean')} -> {now.get(path, 'clean')}"
        for path in set(worktree_at_start) | set(now)
        if worktree_at_start.get(path) != now.get(path)
    )
    assert not changed, "the test run changed the work tree:\n" + "\n".join(changed)
