"""The project's pytest plugin, switched on by ``-p tests.plugins`` in pyproject.toml.

It is loaded through ``addopts`` rather than from tests/conftest.py so that it
is active whatever is collected: ``pytest docs/papers/moco.md`` runs that
note's example blocks with the same rules as the full run.

- devices.py   ``--device cpu|cuda``, the ``device`` fixture, the ``cuda`` marker
- blocks.py    every plain ```` ```python ```` block of docs/ runs as a test
- verified.py  snippets/verified.json: what passed on which device
- worktree.py  the ``last`` marker and the git status taken at the start
- runcount.py  $PAPERNOTES_RUN_REPORT: what the run collected and executed, for .ci/run
"""

pytest_plugins = [
    "pytester",
    "tests.plugins.devices",
    "tests.plugins.blocks",
    "tests.plugins.verified",
    "tests.plugins.worktree",
    "tests.plugins.runcount",
]
