"""A new log made from this checkout's machinery, and later updates of that machinery.

The machinery is what every log runs on: the tools, the build's hooks and
assets, the tests of the tools, CI, the lock. ``machinery(source)`` lists it,
from git when the source is a checkout (so nothing untracked travels). A log's
own content (its notes, references.bib, snippets, the tests of its snippets,
its README) is written once by ``new_log`` and never touched again.

A log records in ``.papernotes/machinery.json`` the sha256 of each machinery
file as it was installed. ``update_log`` compares three versions of each file,
as a package manager does with configuration files: the one installed (the
record), the one in the log now, and the source's. A file the log has not
changed is replaced; a file changed in the log but not in the source is left
alone; a file changed on both sides is kept and the source's version is
written beside it as ``<file>.new`` to merge by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tools.log.cli import Refusal, UsageError
from tools.log import starter
from tools.log.files import cannot_write, control_at, shown, write_files

RECORD = Path(".papernotes/machinery.json")

# What a log runs on. Folders are taken whole, minus what EXCLUDED names.
MACHINERY_PATHS = (
    ".ci/", ".github/workflows/", ".gitignore", "pyproject.toml", "uv.lock", "mkdocs.yml",
    "tools/", "tests/", "snippets/__init__.py",
    "docs/assets/stylesheets/", "docs/assets/javascripts/", "docs/assets/fonts/",
    "docs/assets/images/favicon.svg",
    # What "verified" on a block means: the same in every log (its hook fills in the modules).
    "docs/verified.md",
)
# This log's own: its benchmarks and figure scripts, and the tests of its notes and snippets.
EXCLUDED = ("tools/bench/", "tools/figures/", "tests/notes/")
# Written by mkdocs.yml's template from the log's title, not copied.
TEMPLATED = "mkdocs.yml"

# The sections a new log starts with: (nav name, folder), in nav order.
SECTIONS = (("Weekly", "weekly"), ("Papers", "papers"), ("Courses", "courses"), ("Notes", "notes"),
            ("Notebooks", "notebooks"))

ID = re.compile(r"[a-z][a-z0-9_-]{0,31}", re.ASCII)


@dataclass
class Plan:
    """What a command will write: new files, replaced files (path, old, new), notes to print."""

    new: list[tuple[Path, str | bytes]] = field(default_factory=list)
    replaced: list[tuple[Path, bytes, bytes]] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    executable: set[Path] = field(default_factory=set)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _listed(source: Path) -> list[str]:
    """The source's files, relative and with forward slashes: git's tracked files, or a walk."""
    if (source / ".git").exists():
        done = subprocess.run(["git", "-C", str(source), "ls-files", "-z"], capture_output=True)
        if done.returncode == 0:
            return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0")
                    if name and (source / name).is_file()]
    names = []
    for folder, dirs, files in os.walk(source):
        top = Path(folder) == source
        dirs[:] = [d for d in dirs if d not in (".git", "__pycache__", ".pytest_cache")
                   and not (top and d in (".venv", ".venv-tools", "site", "site-offline"))]
        for name in files:
            if not name.endswith((".pyc", ".tmp")):
                names.append(Path(folder, name).relative_to(source).as_posix())
    return names


def machinery(source: Path) -> list[str]:
    """The machinery files of the checkout ``source``, sorted."""
    chosen = []
    for name in _listed(source):
        if name.startswith(EXCLUDED):
            continue
        if any(name == p or (p.endswith("/") and name.startswith(p)) for p in MACHINERY_PATHS):
            chosen.append(name)
    return sorted(chosen)


def mkdocs_yml(template: str, title: str, author: str) -> str:
    """This checkout's mkdocs.yml for another log: its title and author, its sections' nav."""
    def setting(text: str, key: str, value: str) -> str:
        line = re.compile(rf"^{key}: .*$", re.M)
        if not line.search(text):
            raise Refusal(f"mkdocs.yml: no '{key}:' line to set for the new log")
        return line.sub(lambda _: f"{key}: {json.dumps(value, ensure_ascii=False)}", text, count=1)

    text = setting(template, "site_name", title)
    text = setting(text, "site_description", f"{title}: weekly reports and paper notes whose code runs")
    text = setting(text, "site_author", author)
    text = setting(text, "copyright", "Notes and code in this log are tested on every build.")
    start = re.search(r"^nav:\s*$", text, re.M)
    if start is None:
        raise Refusal("mkdocs.yml: no 'nav:' section to write the new log's sections into")
    nav = ["nav:", "  - Home: index.md"]
    for name, folder in SECTIONS:
        nav += [f"  - {name}:", f"      - {folder}/index.md"]
        if folder == "papers":
            nav += ["      - Reading list: papers/reading-list.md", "      - Bibliography: papers/bibliography.md"]
    nav += ["  - Verified code: verified.md", "  - Tags: tags.md"]
    return text[:start.start()] + "\n".join(nav) + "\n"


def machinery_files(source: Path, title: str, author: str) -> dict[str, tuple[bytes, bool]]:
    """Each machinery file as a log gets it: (bytes, executable)."""
    files = {}
    for name in machinery(source):
        path = source / name
        data = path.read_bytes()
        if name == TEMPLATED:
            data = mkdocs_yml(data.decode("utf-8"), title, author).encode("utf-8")
        files[name] = (data, bool(path.stat().st_mode & stat.S_IXUSR))
    return files


def source_revision(source: Path) -> str | None:
    done = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def record_text(source: Path, title: str, author: str, hashes: dict[str, str]) -> str:
    record = {
        "about": "The machinery of this log as tools/new_log installed it: the sha256 of each file. "
                 "tools/new_log --update DIR replaces the files whose hash still matches.",
        "title": title,
        "author": author,
        "source_revision": source_revision(source),
        "files": dict(sorted(hashes.items())),
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


# --- a new log ------------------------------------------------------------------------------


def plan_new_log(source: Path, target: Path, title: str, author: str, name: str, today: dt.date) -> Plan:
    for option, value in (("--title", title), ("--name", name)):
        if not value.strip() or "\n" in value or "\r" in value or control_at(value):
            raise UsageError(f"invalid {option} {value!r}: one line of text")
    if not ID.fullmatch(author):
        raise Refusal(f"invalid author id '{author}': lowercase letters, digits, '-' or '_', starting with a letter")
    if target.exists() and not target.is_dir():
        raise Refusal(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise Refusal(f"{target}: not empty; a new log goes into a new or empty folder "
                      "(to update a log's machinery: tools/new_log --update DIR)")
    plan = Plan()
    files = machinery_files(source, title, author)
    for relative, (data, executable) in files.items():
        plan.new.append((target / relative, data))
        if executable:
            plan.executable.add(target / relative)
    for relative, text in starter.files(title=title, author=author, name=name, today=today).items():
        if relative in files:
            raise Refusal(f"{relative}: both machinery and content (a bug in tools/log/starter.py)")
        plan.new.append((target / relative, text))
    plan.new.append((target / RECORD, record_text(source, title, author,
                                                   {k: sha256(d) for k, (d, _) in files.items()})))
    plan.lines.append(f"{len(files)} machinery files, {len(plan.new) - len(files) - 1} files of the log's own")
    return plan


def carry_out(plan: Plan, root: Path) -> None:
    """Write the plan: new files and replacements all or nothing, then removals."""
    write_files(root, plan.new, replace=[(path, old, new) for path, old, new in plan.replaced])
    for path in plan.executable:
        try:
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError as exc:
            raise cannot_write(path, root, exc) from None
    for path in plan.removed:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise Refusal(f"{shown(path, root)}: cannot remove: {exc.strerror}") from None


# --- updating a log's machinery -------------------------------------------------------------


def read_record(target: Path) -> tuple[dict, bytes]:
    """The log's machinery record, and its bytes as read (the update replaces them only if unchanged)."""
    path = target / RECORD
    try:
        raw = path.read_bytes()
        record = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise Refusal(f"{path}: missing; {target} was not made by tools/new_log "
                      "(or its record was removed), so there is nothing to compare with") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refusal(f"{path}: unreadable: {exc}") from None
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        raise Refusal(f"{path}: not a machinery record (no 'files' mapping)")
    return record, raw


def plan_update(source: Path, target: Path) -> Plan:
    if not target.is_dir():
        raise Refusal(f"{target}: no such folder")
    if source.resolve() == target.resolve():
        raise Refusal(f"{target}: is the source itself; run the --update of another checkout of papernotes")
    record, old_record = read_record(target)
    title, author = str(record.get("title") or target.name), str(record.get("author") or "")
    installed: dict[str, str] = {str(k): str(v) for k, v in record["files"].items()}
    files = machinery_files(source, title, author)
    plan = Plan()
    hashes: dict[str, str] = {}
    counts = {"updated": 0, "added": 0, "unchanged": 0, "kept": 0, "conflict": 0, "removed": 0}
    for relative, (data, executable) in files.items():
        path = target / relative
        new_hash = sha256(data)
        hashes[relative] = new_hash
        old_hash = installed.get(relative)
        try:
            current = path.read_bytes() if path.exists() else None
        except OSError as exc:
            raise Refusal(f"{shown(path, target)}: unreadable: {exc.strerror}") from None
        current_hash = sha256(current) if current is not None else None
        if current_hash == new_hash:
            counts["unchanged"] += 1
        elif current is None:
            if old_hash is None:  # new in the machinery
                plan.new.append((path, data))
                counts["added"] += 1
                plan.lines.append(f"added {relative}")
            else:  # removed here on purpose: left removed
                counts["kept"] += 1
                plan.lines.append(f"kept {relative} removed (it was removed in this log)")
        elif old_hash == new_hash:  # changed here only
            counts["kept"] += 1
            plan.lines.append(f"kept {relative} (changed in this log; the machinery's version did not change)")
        elif current_hash == old_hash:  # changed upstream only
            plan.replaced.append((path, current, data))
            counts["updated"] += 1
            plan.lines.append(f"updated {relative}")
        else:  # changed on both sides
            side = path.with_name(path.name + ".new")
            if side.exists():
                raise Refusal(f"{shown(side, target)}: already exists; merge it into {relative} "
                              "and remove it, then run --update again")
            plan.new.append((side, data))
            counts["conflict"] += 1
            plan.lines.append(f"conflict {relative}: changed in this log and in the machinery; "
                              f"yours is kept, the new version is {relative}.new")
        if executable:
            plan.executable.add(path)
    for relative, old_hash in installed.items():
        if relative in files:
            continue
        path = target / relative
        if not path.exists():
            continue
        if sha256(path.read_bytes()) == old_hash:
            plan.removed.append(path)
            counts["removed"] += 1
            plan.lines.append(f"removed {relative} (no longer part of the machinery)")
        else:
            counts["kept"] += 1
            plan.lines.append(f"kept {relative} (no longer part of the machinery, but changed in this log)")
    # A conflicted file keeps the hash of the version offered: the next update knows it was seen.
    new_record = record_text(source, title, author, hashes).encode("utf-8")
    if new_record != old_record:
        plan.replaced.append((target / RECORD, old_record, new_record))
    plan.lines.append(", ".join(f"{n} {k}" for k, n in counts.items()))
    return plan
