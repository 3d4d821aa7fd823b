#!/usr/bin/env python3
"""One entry point for working on papernotes: set up, serve, build, test.

    python3 tools/dev.py serve      # build and serve the site at http://127.0.0.1:8000
                                    # (edits rebuild their page only; --full rebuilds all)
    python3 tools/dev.py test       # run the whole test suite (extra arguments go to pytest)
    python3 tools/dev.py build      # build the site into site/ with --strict
    python3 tools/dev.py offline    # build a copy for file:// into site-offline/
    python3 tools/dev.py setup      # only make .venv/ match uv.lock
    python3 tools/dev.py lock       # rewrite uv.lock from pyproject.toml (extra arguments go to `uv lock`)

Every command first makes `.venv/` match uv.lock exactly (`uv sync --locked`),
with the uv version pinned below, which it installs with pip into
`.venv-tools/` the first time (the wheel is checked against its hashes).
Only the standard library is used here, so a bare Python 3.10+ with pip can run it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
LOCK = ROOT / "uv.lock"
# The lock's digest as of the last sync that printed its progress: while it holds, the sync that
# runs before every command is quiet (it still puts back anything that drifted from the lock).
SYNCED = VENV / ".papernotes-synced"
ADDRESS = "127.0.0.1:8000"
# An edit rebuilds only the pages whose files changed (about a second at 1,000
# notes instead of a full build); `serve --full` rebuilds everything, which a
# new page, a renamed one or an edit to mkdocs.yml needs to show in the nav.
SERVE_FLAGS = ["--dirty"]

# uv, which reads uv.lock and installs it. Upgrading it: the new version and the sha256 of each of
# its wheels on PyPI (the release page of uv VERSION lists them), then `python3 tools/dev.py lock`.
UV_VERSION = "0.13.9"
UV_SHA256 = (
    "16963d19594e18d746a70c7fce82237bde4f2cac4cfcf0ca2b84796fe9d0c6e9",
    "2c45530751517d6c3bbc69a19473f6effe47cce047bede01ffd8af7ea7b36b25",
    "3eeeb51a267a2144640fcd8f38d4a2f63439b39bc47445fd84727c3fc462c843",
    "5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe",
    "56ec37616c00220032fc7b8c9d0ef51367fd0d70d9cd6ddd841660f949f84fed",
    "66c512266d633bef48384a1f53003f41f2a8e7b36fe6e7fbfd3e0fd52d96fa63",
    "6a44b2ed8111d2f60d2b92627c5dccda3f7ed7570b18ce115e569cd68c28246b",
    "6b0c7b9f47a5d011939d61e324d3fe18a8bc155d8dd53add738709a92f290a7c",
    "6d5114bba238adddacb32fb11904f2b3ff4e988f8e9ff0d8d3b5e9822cf836b8",
    "7ec1e1dd9b6cb335c301afdf877989df384227313981850755a59561f75e4ab8",
    "a2ee66fe8b6608e1482ab1bde5799da04705c1cb40324c7f66054ecf46ae6e40",
    "a6e845f387e4ed55bb59342957a9179e24a631fcc7668bda3426ae1cef8ed4b9",
    "c16ed11e013557536b3e60065f1b912f6407bd6518e041b961e23ef9e6b4fbf5",
    "c5dbdb7c8737cd183a9dce95b39cfd1f3d54ec2a27a1bb58f160293f9ba2c805",
    "d7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19",
    "db5c8df7145c21ffea9c0f74e38823bac3af60cbadf0e26b8633f08627b17bab",
    "dd6f4f93ddf8a668c73f0945f3638444b2140a4e15a3912067493fc6335543e4",
    "ecb6028d79dc96fbeafffe5c8af62a7099487ebc05a701e76714eebcffd06375",
    "eeb92051c2123b9730c46b04cc843cfa4bc7d7b0aec56df431a2215ef4cb0273",
)
TOOLS = ROOT / ".venv-tools"
UV_HOME = TOOLS / f"uv-{UV_VERSION}"
UV = UV_HOME / ("Scripts" if os.name == "nt" else "bin") / ("uv.exe" if os.name == "nt" else "uv")
STALE = ("dev: pyproject.toml changed since uv.lock was written: "
         "run `python3 tools/dev.py lock` (uv lock) and commit uv.lock")


class Refusal(Exception):
    """A one-line reason why the environment cannot be set up; main prints it and exits 1."""


def ensure_uv() -> Path:
    """The pinned uv, installed with this Python's pip into .venv-tools/ when it is not there yet."""
    if sys.version_info < (3, 10):
        raise Refusal(f"dev: papernotes needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    if UV.exists():
        return UV
    print(f"dev: installing uv {UV_VERSION} into {TOOLS.relative_to(ROOT)}/", flush=True)
    TOOLS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=TOOLS) as tmp:
        wanted = Path(tmp) / "uv.txt"
        wanted.write_text(f"uv=={UV_VERSION} " + " ".join(f"--hash=sha256:{h}" for h in UV_SHA256) + "\n")
        # --target: no virtual environment, no root, and no "externally managed" refusal needed.
        env = {**os.environ, "PIP_ROOT_USER_ACTION": "ignore", "PIP_REQUIRE_VIRTUALENV": "0", "PIP_USER": "0"}
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--only-binary", ":all:", "--require-hashes", "--target", str(Path(tmp) / "uv"), "-r", str(wanted)],
            env=env,
        )
        if done.returncode != 0:
            raise Refusal(f"dev: `{sys.executable} -m pip` could not install uv {UV_VERSION} (see above); "
                          "dev.py needs pip and access to PyPI once")
        for old in TOOLS.glob("uv-*"):  # other versions, and a half-made copy of this one
            if old != UV_HOME or not UV.exists():
                shutil.rmtree(old)
        if not UV.exists():  # another dev.py may have finished first
            os.replace(Path(tmp) / "uv", UV_HOME)
    return UV


def uv_env() -> dict[str, str]:
    """uv's environment: the project's .venv whatever the shell says, and never a Python download."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "UV_FROZEN", "UV_LOCKED", "UV_NO_SYNC")}
    env["UV_PROJECT_ENVIRONMENT"] = str(VENV)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def check_lock(uv: Path) -> None:
    """Refuse, in one line, a uv.lock that does not hold what pyproject.toml asks for.
    Needs no network: uv compares the requirements recorded in the lock with pyproject.toml's."""
    if not LOCK.exists():
        raise Refusal("dev: uv.lock is missing: run `python3 tools/dev.py lock` (uv lock) and commit uv.lock")
    done = subprocess.run([str(uv), "lock", "--check", "--offline", "--quiet", "--python", sys.executable],
                          cwd=ROOT, env=uv_env(), capture_output=True, text=True)
    if done.returncode == 1:  # the lock's requirements are not pyproject.toml's
        raise Refusal(STALE)
    if done.returncode != 0:  # pyproject.toml does not parse, say: uv's own words
        sys.stderr.write(done.stderr)
        raise Refusal("dev: `uv lock --check` failed (see above)")


def ensure_env() -> Path:
    """Make .venv hold exactly what uv.lock pins, with the test extra (uv sync --locked)."""
    uv = ensure_uv()
    check_lock(uv)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    changed = not SYNCED.exists() or SYNCED.read_text().strip() != digest
    command = [str(uv), "sync", "--locked", "--extra", "test"]
    if not PYTHON.exists():
        print(f"dev: creating {VENV.relative_to(ROOT)}/ from uv.lock (the first time takes a few minutes)", flush=True)
        command += ["--python", sys.executable]
    elif changed:
        print(f"dev: syncing {VENV.relative_to(ROOT)}/ with uv.lock", flush=True)
    else:
        command.append("--quiet")
    if subprocess.run(command, cwd=ROOT, env=uv_env()).returncode != 0:
        raise Refusal("dev: `uv sync --locked` failed (see above)")
    SYNCED.write_text(digest + "\n")
    return PYTHON


def lock(args: list[str]) -> int:
    """`uv lock`: resolve pyproject.toml again, keeping every pin that still satisfies it."""
    uv = ensure_uv()
    return subprocess.call([str(uv), "lock", "--python", sys.executable, *args], cwd=ROOT, env=uv_env())


def run(args: list[str], env: dict[str, str] | None = None) -> int:
    python = ensure_env()
    env = {"NO_MKDOCS_2_WARNING": "1", **os.environ, **(env or {})}
    return subprocess.call([str(python), "-m", *args], cwd=ROOT, env=env)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except Refusal as refusal:
        print(refusal, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the child (pytest, mkdocs, uv) got the Ctrl-C too and said its own word
        print("dev: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None = None) -> int:
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
        return run(["tools.site.screenshot", *rest])
    if command == "setup":
        ensure_env()
        return 0
    if command == "lock":
        return lock(rest)
    print(__doc__.strip())
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main())
