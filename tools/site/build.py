"""Build the site the way a user does, into a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout


@dataclass(frozen=True)
class SiteBuild:
    path: Path
    seconds: float
    log: str

    def pages(self) -> list[Path]:
        """Every HTML page of the site, relative to its root."""
        return sorted(p.relative_to(self.path) for p in self.path.rglob("*.html"))


def run_mkdocs(site_dir: Path, *, offline: bool = False, config: Path | None = None,
               cwd: Path = ROOT, env: dict[str, str] | None = None, args: tuple[str, ...] = (),
               timeout: float | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict [args]`` into ``site_dir``; ``env`` adds to the
    environment; subprocess.TimeoutExpired after ``timeout`` seconds."""
    env = {**os.environ, **(env or {}), "NO_MKDOCS_2_WARNING": "1", "OFFLINE": "true" if offline else "false"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", *args, "--site-dir", str(site_dir)]
    if config is not None:
        command += ["--config-file", str(config)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def build_site(site_dir: Path, *, offline: bool = False) -> SiteBuild:
    """Build with mkdocs.yml, or with the file that PAPERNOTES_CONFIG names
    (to run the site tests against a variant of the configuration)."""
    config = os.environ.get("PAPERNOTES_CONFIG")
    start = time.perf_counter()
    result = run_mkdocs(site_dir, offline=offline, config=Path(config).resolve() if config else None)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed:\n{result.stderr[-4000:]}")
    return SiteBuild(site_dir, seconds, result.stderr)


def copy_project(destination: Path) -> Path:
    """A copy of what a build reads (mkdocs.yml, tools/, docs/), to break on purpose."""
    for name in ("mkdocs.yml", "tools", "docs"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, destination / name)
    return destination


def strict_build(workdir: Path, change: Callable[[Path], object], *, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict [args]`` (run_mkdocs) on a copy of the project, made under
    ``workdir``, after ``change(project)``."""
    project = copy_project(workdir / "project")
    change(project)
    return run_mkdocs(workdir / "out", cwd=project, args=args, env=env, timeout=timeout)


def failed_strict_build(workdir: Path, change: Callable[[Path], object]) -> subprocess.CompletedProcess:
    """strict_build, with AssertionError if that build passes."""
    result = strict_build(workdir, change)
    if result.returncode == 0:
        raise AssertionError("mkdocs build --strict passed; it should have failed")
    return result
