"""tools/dev.py's guard on the lock: a pyproject.toml edited without `uv lock` stops every command
with one line naming the command that updates the lock, before anything is installed. Offline, with
an empty uv cache: uv compares the requirements recorded in uv.lock with pyproject.toml's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import dev

ROOT = Path(__file__).resolve().parent.parent

STALE = ("dev: pyproject.toml changed since uv.lock was written: "
         "run `python3 tools/dev.py lock` (uv lock) and commit uv.lock")


@pytest.fixture
def checkout(tmp_path):
    """A copy of what the guard reads: tools/dev.py, pyproject.toml, uv.lock, and the pinned uv."""
    if not dev.UV.exists():
        pytest.skip(f"no uv {dev.UV_VERSION} at {dev.UV} (python3 tools/dev.py setup installs it)")
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "dev.py", tmp_path / "tools" / "dev.py")
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".venv-tools").symlink_to(dev.TOOLS, target_is_directory=True)
    return tmp_path


def _dev(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "UV_CACHE_DIR": str(checkout / "uv-cache"), "UV_OFFLINE": "1"}
    return subprocess.run([sys.executable, str(checkout / "tools" / "dev.py"), *args], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_committed_lock_holds_what_pyproject_asks_for():
    if not dev.UV.exists():
        pytest.skip(f"no uv {dev.UV_VERSION} at {dev.UV} (python3 tools/dev.py setup installs it)")
    dev.check_lock(dev.UV)  # raises dev.Refusal when stale


@pytest.mark.parametrize("edit", [
    ('"torch>=2.3"', '"torch>=2.4"'),  # a bound moved
    ('"numpy",', '"numpy",\n  "rich",'),  # a dependency added
    ('  "jieba>=0.42",\n', ""),  # one removed
], ids=["bound", "added", "removed"])
def test_a_pyproject_edited_without_the_lock_stops_every_command_in_one_line(checkout, edit):
    pyproject = checkout / "pyproject.toml"
    before = pyproject.read_text()
    assert edit[0] in before
    pyproject.write_text(before.replace(edit[0], edit[1], 1))
    for command in ("test", "serve", "setup"):
        done = _dev(checkout, command)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", STALE + "\n"), command
    assert not (checkout / ".venv").exists()  # refused before anything was installed


def test_an_edit_that_changes_no_requirement_passes_the_guard(checkout):
    pyproject = checkout / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("\ndescription = ", "\ndescription = 'edited' #", 1))
    done = _dev(checkout, "lock", "--check")  # `uv lock --check`, which the guard runs
    assert done.returncode == 0, done.stderr


def test_a_missing_lock_is_named(checkout):
    (checkout / "uv.lock").unlink()
    done = _dev(checkout, "build")
    assert (done.returncode, done.stderr) == (1, "dev: uv.lock is missing: run `python3 tools/dev.py lock` "
                                                 "(uv lock) and commit uv.lock\n")
