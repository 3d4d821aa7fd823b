"""tools/new_log: a new log holds the machinery and examples, none of this log's notes; its
README's two commands work in it; --update replaces only what the log has not changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tools import new_log
from tools.log import starter
from tools.log.scaffold import EXCLUDED, RECORD, machinery

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 25)  # a Wednesday: the example report is the Monday's, 2026-11-23
NESTED = "PAPERNOTES_NEW_LOG_RUN"  # set in the run inside a new log, which must not start another


def make(target: Path, *args: str, source: Path = ROOT) -> int:
    return new_log.main([str(target), "--no-git", *args], today=TODAY, source=source)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("logs") / "mylog"
    assert make(target, "--title", "Mei's reading log", "--author", "mei", "--name", "Mei Tan") == 0
    return target


def test_the_log_has_the_machinery_and_examples_and_none_of_our_notes(log):
    files = set(tree(log))
    for name in machinery(ROOT):
        assert name in files, name
    examples = set(starter.files(title="t", author="a", name="n", today=TODAY))
    ours = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")} - examples - set(machinery(ROOT))
    assert not files & ours  # of this log's pages, only the section pages it shares with every log
    assert not any(name.startswith(EXCLUDED) and name != "tests/notes/test_adam.py"
                   and name != "tests/notes/__init__.py" for name in files)
    for example in ("docs/weekly/posts/2026-11-23.md", "docs/papers/adam.md", "docs/courses/softmax-regression.md",
                    "snippets/adam.py", "tests/notes/test_adam.py", "docs/references.bib", "README.md",
                    "docs/assets/images/avatar-mei.svg"):
        assert example in files, example
    assert not (log / "snippets/moco.py").exists() and not (log / "docs/weekly/posts/2022-05-09.md").exists()
    assert "@inproceedings{kingma2015adam," in (log / "docs/references.bib").read_text()
    assert "he2020moco" not in (log / "docs/references.bib").read_text()
    assert json.loads((log / "snippets/verified.json").read_text()) == {}


def test_its_settings_name_the_log_and_its_author(log):
    config = (log / "mkdocs.yml").read_text()
    assert 'site_name: "Mei\'s reading log"' in config and 'site_author: "mei"' in config
    nav = config[config.index("\nnav:\n"):]
    assert "competitions/index.md" not in nav and "performance.md" not in nav and "papers/reading-list.md" in nav
    authors = (log / "docs/weekly/.authors.yml").read_text()
    assert "  mei:\n" in authors and 'name: "Mei Tan"' in authors
    assert "authors: [mei]" in (log / "docs/weekly/posts/2026-11-23.md").read_text()
    assert (log / "README.md").read_text().startswith("# Mei's reading log\n")


def test_scripts_stay_executable_and_the_record_holds_each_files_hash(log):
    for name in (".ci/run", "tools/new_week", "tools/extract", "tools/new_log"):
        assert os.access(log / name, os.X_OK), name
    record = json.loads((log / RECORD).read_text())
    assert record["title"] == "Mei's reading log" and record["author"] == "mei"
    assert set(record["files"]) == set(machinery(ROOT))
    for name, digest in record["files"].items():
        assert hashlib.sha256((log / name).read_bytes()).hexdigest() == digest, name


def test_the_exported_snippet_is_what_tools_extract_writes(log):
    done = subprocess.run([sys.executable, "-m", "tools.extract", "--root", str(log), "--check"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_folder_that_is_not_empty_is_refused_and_left_as_it_was(tmp_path, capsys):
    (tmp_path / "notes.md").write_text("mine\n")
    before = tree(tmp_path)
    assert make(tmp_path) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{tmp_path}: not empty" in err
    assert tree(tmp_path) == before


@pytest.mark.parametrize("option, value", [("--title", "My\nlog"), ("--title", "  "), ("--name", "Mei\x1bTan")])
def test_a_title_or_name_that_is_not_one_line_is_refused(tmp_path, capsys, option, value):
    assert make(tmp_path / "log", option, value) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"invalid {option} {value!r}: one line of text" in err
    assert not (tmp_path / "log").exists()


def test_the_avatar_is_well_formed_whatever_the_name(tmp_path):
    import xml.etree.ElementTree as ET

    assert make(tmp_path / "log", "--author", "x", "--name", "<b>&") == 0
    svg = ET.fromstring((tmp_path / "log/docs/assets/images/avatar-x.svg").read_text())
    assert svg.find("{http://www.w3.org/2000/svg}text").text == "<"


def test_a_bad_author_id_and_dry_run_write_nothing(tmp_path, capsys):
    assert make(tmp_path / "a", "--author", "Mei Tan") == 1
    assert "invalid author id 'Mei Tan'" in capsys.readouterr().err
    assert make(tmp_path / "b", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would write docs/papers/adam.md" in out and "would write tools/dev.py" in out
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# --- --update -------------------------------------------------------------------------------


@pytest.fixture
def source(tmp_path) -> Path:
    """A copy of this checkout's machinery (no .git: the files as they are), to change."""
    copy = tmp_path / "papernotes"
    for name in machinery(ROOT):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    return copy


def test_update_replaces_what_the_log_left_alone_and_keeps_what_it_changed(source, tmp_path, capsys):
    target = tmp_path / "log"
    assert make(target, source=source) == 0
    note = target / "docs/papers/adam.md"
    note.write_text(note.read_text() + "\nMy own line.\n")
    # Upstream: a hook changes, a tool is added, one test goes; the log changed another hook.
    hook, mine, both = "tools/site/hooks/guard.py", "tools/site/hooks/aliases.py", "tools/site/hooks/home.py"
    (source / hook).write_text((source / hook).read_text() + "\n# upstream change\n")
    (source / both).write_text((source / both).read_text() + "\n# upstream change\n")
    (source / "tools/log/added.py").write_text('"""new upstream"""\n')
    (source / "tests/test_worktree_clean.py").unlink()
    (target / mine).write_text((target / mine).read_text() + "\n# local change\n")
    (target / both).write_text((target / both).read_text() + "\n# local change\n")
    local_both = (target / both).read_bytes()
    notes_before = {n: d for n, d in tree(target).items() if n.startswith(("docs/", "snippets/adam", "tests/notes/"))}

    assert new_log.main(["--update", str(target), "--dry-run"], source=source) == 0
    assert "would: updated tools/site/hooks/guard.py" in capsys.readouterr().out
    assert (target / hook).read_text() == (target / hook).read_text().replace("# upstream change", "")

    assert new_log.main(["--update", str(target)], source=source) == 0
    out = capsys.readouterr().out
    assert (target / hook).read_bytes() == (source / hook).read_bytes()
    assert (target / "tools/log/added.py").is_file() and "added tools/log/added.py" in out
    assert not (target / "tests/test_worktree_clean.py").exists()
    assert (target / mine).read_text().endswith("# local change\n") and f"kept {mine}" in out
    assert (target / both).read_bytes() == local_both
    assert (target / f"{both}.new").read_bytes() == (source / both).read_bytes()
    assert f"conflict {both}" in out
    assert {n: d for n, d in tree(target).items() if n in notes_before} == notes_before
    record = json.loads((target / RECORD).read_text())
    assert record["files"][hook] == hashlib.sha256((source / hook).read_bytes()).hexdigest()

    # Run again: nothing left to do; the conflict is not offered twice.
    assert new_log.main(["--update", str(target)], source=source) == 0
    out = capsys.readouterr().out
    assert "0 updated, 0 added" in out and f"kept {both}" in out
    # A newer upstream version while the .new is still there: refused, nothing written.
    (source / both).write_text((source / both).read_text() + "# a second upstream change\n")
    (source / hook).write_text((source / hook).read_text() + "# a second upstream change\n")
    before = tree(target)
    assert new_log.main(["--update", str(target)], source=source) == 1
    assert f"{both}.new: already exists" in capsys.readouterr().err
    assert tree(target) == before


def test_update_refuses_a_folder_without_its_record(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    assert new_log.main(["--update", str(tmp_path)]) == 1
    assert f"{tmp_path / RECORD}: missing" in capsys.readouterr().err


# --- the README's Quick start, in the new log ------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(3000)
@pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="the run inside a new log does not make another")
def test_quick_start_serve_and_test_work_in_a_new_log(tmp_path):
    """The two commands of the new log's README, in the new log, with this checkout's .venv/
    (the lock is the same, so `uv sync --locked` leaves it as it is: no second PyTorch)."""
    if not (ROOT / ".venv" / "bin" / "python").exists() or not (ROOT / ".venv-tools").is_dir():
        pytest.skip("no .venv/ made by tools/dev.py to lend the new log")
    target = tmp_path / "log"
    done = subprocess.run([str(ROOT / "tools/new_log"), str(target), "--title", "Test log"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "git repository with one commit" in done.stdout or "git not found" in done.stderr
    readme = (target / "README.md").read_text()
    assert "```sh\npython3 tools/dev.py serve\n```" in readme and "```sh\npython3 tools/dev.py test\n```" in readme
    (target / ".venv").symlink_to(ROOT / ".venv")
    (target / ".venv-tools").symlink_to(ROOT / ".venv-tools")
    env = {**os.environ, NESTED: "1"}
    env.pop("PAPERNOTES_RUN_REPORT", None)

    port = free_port()
    serve = subprocess.Popen([sys.executable, "tools/dev.py", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                             cwd=target, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        page, deadline = None, time.monotonic() + 300
        while page is None and time.monotonic() < deadline and serve.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/papers/adam/", timeout=5).read().decode()
            except OSError:
                time.sleep(1)
        assert page is not None, serve.stderr.read().decode()[-2000:] if serve.poll() is not None else "no answer"
        assert "Adam: A Method for Stochastic Optimization" in page and "<title>" in page and "Test log" in page
        verified = urllib.request.urlopen(f"http://127.0.0.1:{port}/verified/", timeout=5).read().decode()
        assert 'id="module-adam"' in verified  # the page a badge links to, with the example's module
    finally:
        serve.terminate()
        serve.wait(30)

    started = time.perf_counter()
    tests = subprocess.run([sys.executable, "tools/dev.py", "test"], cwd=target, env=env,
                           capture_output=True, text=True)
    seconds = time.perf_counter() - started
    tail = tests.stdout[-3000:] + tests.stderr[-2000:]
    assert tests.returncode == 0, tail
    summary = tests.stdout.strip().splitlines()[-1]
    assert " passed" in summary and " failed" not in summary and " error" not in summary, summary
    print(f"the new log's suite: {summary.strip('= ')} ({seconds:.0f} s)")
    # Its example snippet's tests ran and passed: the run recorded them, as in any log.
    record = json.loads((target / "snippets/verified.json").read_text())
    assert record["adam"]["devices"]["cpu"]["tests_passed"] == 2
    status = subprocess.run(["git", "status", "--porcelain"], cwd=target, capture_output=True, text=True).stdout
    assert status.split("\n")[0].strip() in ("", "M snippets/verified.json"), status


def test_a_bare_python_makes_a_log(tmp_path):
    """A fresh clone has no .venv/ yet: new_log needs only the standard library (-S: no site-packages)."""
    done = subprocess.run([sys.executable, "-S", "-m", "tools.new_log", str(tmp_path / "log"), "--no-git"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    made = tree(tmp_path / "log")
    reference = tmp_path / "reference"
    assert make(reference) == 0
    def kinds(files):  # the example report is named after this week's Monday
        return {name for name in files if not name.startswith("docs/weekly/posts/")}

    assert kinds(made) == kinds(tree(reference))
    assert made["snippets/adam.py"] == tree(reference)["snippets/adam.py"]
