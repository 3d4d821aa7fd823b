"""A run cannot be faked: a block that ends, crashes, kills or hangs its process,
or writes into the checkout, fails at its note line and the run goes on.

One inner pytest (a new Python, as a user runs it) on a temporary checkout
whose note holds one block per escape, then a block that must still pass.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.plugins.blocks import Checkout, start_method
from tests.test_snippet_loop import checkout


# (what the block does, its code, what its failure says); each block's first
# line is the line its failure names unless the code says otherwise.
ESCAPES = [
    ("os._exit", "import os\nos._exit(0)", "the block ended its process (os._exit(0))"),
    ("sys.exit", "import sys\nsys.exit(0)", "SystemExit(0): the block ended its process"),
    ("SystemExit", "raise SystemExit", "SystemExit(None): the block ended its process"),
    ("pytest.exit", 'import pytest\npytest.exit("x")', "pytest.exit('x'): the block stopped the test session"),
    ("segfault", "import ctypes\nctypes.string_at(0)", "the block's process died of SIGSEGV"),
    ("SIGKILL", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "the block ended its process (os.kill"),
    ("stdout.close", "import sys\nsys.stdout.close()", "the block closed its standard output"),
    ("os.close(1)", "import os\nos.close(1)", "the block closed its standard output"),
    ("thread", "import os, threading\nthreading.Thread(target=lambda: os._exit(0)).start()", "the block ended its process (os._exit(0))"),
    ("KeyboardInterrupt", "raise KeyboardInterrupt", "KeyboardInterrupt raised in the block"),
    ("open", 'import os\nopen(os.path.join(os.environ["CHECKOUT"], "docs/notes/demo.md"), "w")', "a block may not write into the checkout: docs/notes/demo.md"),
    (
        "pathlib, caught",
        'import os, pathlib\ntry:\n    pathlib.Path(os.environ["CHECKOUT"], "snippets/moco.py").write_text("x")\nexcept PermissionError:\n    pass',
        "the block tried to write into the checkout: snippets/moco.py",
    ),
    ("os.remove", 'import os\nos.remove(os.path.join(os.environ["CHECKOUT"], "pyproject.toml"))', "a block may not write into the checkout: pyproject.toml (os.remove"),
    ("rename", 'import os\nos.rename(os.environ["CHECKOUT"] + "/docs", os.environ["CHECKOUT"] + "/gone")', "a block may not write into the checkout: docs (os.rename"),
    ("mkdir", 'import os\nos.mkdir(os.environ["CHECKOUT"] + "/new")', "a block may not write into the checkout: new (os.mkdir"),
    ("rmtree", 'import os, shutil\nshutil.rmtree(os.environ["CHECKOUT"] + "/snippets")', "a block may not write into the checkout: snippets (shutil.rmtree"),
    ("touch", 'import os, subprocess\nsubprocess.run(["touch", os.environ["CHECKOUT"] + "/docs/stray.md"], check=True)', "wrote docs/stray.md (moved out of the checkout"),
]


def note() -> tuple[str, dict[str, int]]:
    """The note's text and the first code line of each block, by name."""
    lines, where = ["# Escapes", ""], {}
    for name, code, _ in ESCAPES:
        lines.append("```python")
        where[name] = len(lines) + 1
        lines += code.splitlines()
        lines += ["```", ""]
    lines += ["<!--pytest.mark.timeout(1)-->", "```python"]
    where["hang"] = len(lines) + 1
    lines += ["while True:", "    pass", "```", ""]
    lines += ["```python"]
    where["syntax"] = len(lines) + 1
    lines += ["x = 1", "y = = 2", "```", ""]
    lines += ["```python"]  # processes a block starts end as they like (DataLoader workers do)
    where["workers"] = len(lines) + 1
    lines += [
        "import multiprocessing",
        "worker = multiprocessing.get_context('fork').Process(target=print, args=('from a worker',))",
        "worker.start()",
        "worker.join()",
        "assert worker.exitcode == 0",
        "```",
        "",
    ]
    lines += ["```python"]
    where["last"] = len(lines) + 1
    lines += ['open("fine.txt", "w").write("its own folder")', 'print("the last block ran")', "```", ""]
    return "\n".join(lines), where


def files(root: Path) -> dict[str, bytes]:
    """The checkout's files (not the stdout and stderr files pytester writes beside them)."""
    found = {"pyproject.toml": (root / "pyproject.toml").read_bytes()}
    for folder in ("docs", "snippets"):
        found.update({str(p.relative_to(root)): p.read_bytes() for p in (root / folder).rglob("*") if p.is_file()})
    found["folders"] = " ".join(sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("runpytest"))).encode()
    return found


def test_every_escape_fails_at_its_line_and_the_run_goes_on(pytester: pytest.Pytester, monkeypatch):
    root = checkout(pytester, monkeypatch, note()[0], tests=None)
    (root / "snippets" / "moco.py").write_text("VALUE = 1\n")  # a module for a block to try to overwrite
    before = files(root)
    report = root.parent / f"{root.name}-report.json"
    monkeypatch.setenv("CHECKOUT", str(root))
    monkeypatch.setenv("PAPERNOTES_RUN_REPORT", str(report))
    result = pytester.runpytest_subprocess("docs", "-p", "no:randomly", "-rA", timeout=120)
    out = result.stdout.str()
    _, where = note()
    total = len(ESCAPES) + 4
    result.assert_outcomes(passed=2, failed=total - 2)
    for name, code, says in ESCAPES:
        line = where[name] + len(code.splitlines()) - 1  # each escape is the block's last line
        if name == "pathlib, caught":
            line = where[name] + 2
        assert f"docs/notes/demo.md:{line}: " in out, name
        assert says in out, name
    hang = [f"docs/notes/demo.md:{where['hang'] + i}: the block ran past its 1 s limit" in out for i in (0, 1)]
    assert any(hang)
    assert f"docs/notes/demo.md:{where['syntax'] + 1}: SyntaxError: invalid syntax" in out
    assert "    y = = 2" in out
    assert "site-packages/_pytest" not in out  # no pytest internals
    assert f"PASSED docs/notes/demo.md::line {where['workers'] - 1}[cpu]" in out
    assert f"PASSED docs/notes/demo.md::line {where['last'] - 1}[cpu]" in out
    # Nothing the blocks wrote is left in the checkout; what they deleted is there.
    assert files(root) == before
    moved = Path(re.search(r"moved out of the checkout, to (\S+)\)", out).group(1))
    assert (moved / "docs" / "stray.md").is_file()
    shutil.rmtree(moved)
    counts = json.loads(report.read_text())
    assert counts["collected"] == counts["executed"] == total
    assert counts["outcomes"] == {"failed": total - 2, "passed": 2} and counts["exitstatus"] == 1


def test_blocks_never_fork_the_pytest_process():
    """A fork of the session would hang in OpenMP after a multi-threaded torch
    operation, and could not use CUDA after the session initialised it."""
    assert start_method(["fork", "spawn", "forkserver"]) == "forkserver"
    assert start_method(["spawn"]) == "spawn"
    assert start_method(["fork", "spawn"]) == "spawn"


def test_a_checkout_snapshot_finds_new_changed_and_deleted_files(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("a")
    (tmp_path / "b.py").write_text("b")
    tree = Checkout(tmp_path)
    before = tree.snapshot()
    assert tree.strays(before, tree.snapshot(), 0) == ""
    (tmp_path / "docs" / "new.md").write_text("n")
    (tmp_path / "docs" / "a.md").write_text("changed")
    os.remove(tmp_path / "b.py")
    said = tree.strays(before, tree.snapshot(), 0)
    assert "wrote docs/new.md (moved out of the checkout" in said
    assert "changed docs/a.md" in said and "deleted b.py" in said
    assert not (tmp_path / "docs" / "new.md").exists()
    moved = Path(re.search(r"moved out of the checkout, to (\S+)\)", said).group(1))
    assert (moved / "docs" / "new.md").read_text() == "n"
    shutil.rmtree(moved)


# --------------------------------------------------------------------------
# runcount
# --------------------------------------------------------------------------

SKIPS_A_RUN = """
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    if item.name == "test_b":
        return True  # claims to have run it, runs nothing
"""


def test_runcount_reports_and_fails_a_run_that_ran_less_than_it_selected(pytester, monkeypatch):
    pytester.makepyfile(test_x="def test_a():\n    pass\n\ndef test_b():\n    pass\n\ndef test_c():\n    pass\n")
    report = pytester.path / "report.json"
    monkeypatch.setenv("PAPERNOTES_RUN_REPORT", str(report))
    result = pytester.runpytest_inprocess("-p", "tests.plugins.runcount", "-k", "not test_c", "-p", "no:cacheprovider")
    assert json.loads(report.read_text()) == {
        "collected": 3, "deselected": 1, "executed": 2, "outcomes": {"passed": 2}, "exitstatus": 0,
    }
    assert result.ret == 0
    pytester.makeconftest(SKIPS_A_RUN)
    monkeypatch.setenv("PAPERNOTES_RUN_REPORT", str(report))
    result = pytester.runpytest_inprocess("-p", "tests.plugins.runcount", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["runcount: 3 tests were selected but only 2 ran to the end, *"])
    counts = json.loads(report.read_text())
    assert (counts["collected"], counts["executed"], counts["exitstatus"]) == (3, 2, 1)
    assert "PAPERNOTES_RUN_REPORT" not in os.environ  # an inner run does not write the outer run's report
