#!/usr/bin/env python3
"""One entry point for working on papernotes: set up, serve, build, test.

    python3 tools/dev.py serve      # build and serve the site at http://127.0.0.1:8000
                                    # (edits rebuild their page only; --full rebuilds all)
    python3 tools/dev.py test       # run the whole test suite (extra arguments go to pytest)
    python3 tools/dev.py build      # build the site into site/ with --strict
    python3 tools/dev.py offline    # build a copy for file:// into site-offline/

Every command first makes sure that `.venv/` exists and holds what
pyproject.toml asks for; it reinstalls only when pyproject.toml changed.
Only the standard library is used here, so a bare Python 3.10+ can run it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".papernotes-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
ADDRESS = "127.0.0.1:8000"
# An edit rebuilds only the pages whose files changed (about a second at 1,000
# notes instead of a full build); `serve --full` rebuilds everything, which a
# new page, a renamed one or an edit to mkdocs.yml needs to show in the nav.
SERVE_FLAGS = ["--dirty"]


def _wanted() -> str:
    """What the environment must match: the text of pyproject.toml."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_env() -> Path:
    """Create .venv and install the project's dependencies when needed."""
    if not PYTHON.exists():
        print(f"dev: creating {VENV.relative_to(ROOT)}/", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text().strip() != _wanted():
        print("dev: installing dependencies from pyproject.toml (first run takes a few minutes)", flush=True)
        subprocess.run(
            [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{ROOT}[test]"],
            check=True,
        )
        STAMP.write_text(_wanted() + "\n")
    return PYTHON


def run(args: list[str], env: dict[str, str] | None = None) -> int:
    python = ensure_env()
    env = {"NO_MKDOCS_2_WARNING": "1", **os.environ, **(env or {})}
    return subprocess.call([str(python), "-m", *args], cwd=ROOT, env=env)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "serve":
        flags = [] if "--full" in rest else SERVE_FLAGS
        return run(["mkdocs", "serve", "--dev-addr", ADDRESS, *flags, *[a for a in rest if a != "--full"]])
    if command == "build":
        return run(["mkdocs", "build", "--strict", *rest])
    if command == "offline":
        return run(["mkdocs", "build", "--strict", "--site-dir", "site-offline", *rest], env={"OFFLINE": "true"})
    if command == "test":
        return run(["pytest", *rest])
    if command == "screenshot":
        return run(["tools.screenshot", *rest])
    if command == "setup":
        ensure_env()
        return 0
    print(__doc__.strip())
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main())
