"""The pytest plugin of tests/plugins/, run as an inner pytest on temporary checkouts.

Each checkout has a note in docs/, snippets/ as tools/extract writes it and a
tests/test_demo.py; the inner run uses the same options as pyproject.toml.
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from tests.plugins.blocks import parse_mark
from tests.plugins.devices import cuda_problem
from tests.plugins.verified import carried_over, passed_per_device, updated
from tools.log.snippets import NoteError, code_digest
from tools.extract import main as extract

ROOT = Path(__file__).resolve().parent.parent

PYPROJECT = """
[tool.pytest.ini_options]
testpaths = ["tests", "docs"]
pythonpath = ["."]
addopts = "-ra --strict-markers -p no:codeblocks -p tests.plugins -p no:cacheprovider"
timeout = 600
"""

NOTE = '''
# Demo

```python title="snippets/demo.py"
def ratio(a, b):
    return a / b
```

A block that uses it:

```python
from snippets.demo import ratio

assert ratio(1, 2) == 0.5
```
'''

TESTS = '''
import torch

from snippets.demo import ratio


def test_ratio(device):
    assert ratio(torch.tensor(1.0, device=device), 2).item() == 0.5


def test_names():
    assert ratio.__name__ == "ratio"
'''


def checkout(pytester: pytest.Pytester, monkeypatch, note: str = NOTE, tests: str | None = TESTS) -> Path:
    """A temporary checkout; the inner pytest finds the plugin through PYTHONPATH."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    root = pytester.path
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "docs" / "notes").mkdir(parents=True)
    (root / "docs" / "notes" / "demo.md").write_text(textwrap.dedent(note).lstrip("\n"))
    (root / "snippets").mkdir()
    shutil.copy(ROOT / "snippets" / "__init__.py", root / "snippets" / "__init__.py")
    assert extract(["--root", str(root)]) == 0
    if tests is not None:
        (root / "tests").mkdir()
        (root / "tests" / "test_demo.py").write_text(textwrap.dedent(tests).lstrip("\n"))
    return root


def inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest on the temporary checkout, in this process (torch is imported once).

    The checkout's snippets package replaces this one's while it runs;
    pytester restores sys.modules and sys.path afterwards.
    """
    ours = {name: sys.modules.pop(name) for name in list(sys.modules) if name.partition(".")[0] == "snippets"}
    try:
        return pytester.runpytest_inprocess(*args)
    finally:
        sys.modules.update(ours)


def inner_subprocess(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest on the temporary checkout in a new Python, as a user runs it."""
    return pytester.runpytest_subprocess(*args, timeout=300)


# --------------------------------------------------------------------------
# Example blocks
# --------------------------------------------------------------------------

BLOCKS = '''
# Blocks

Text.

```python
import os, pickle

class Point:
    pass

assert __name__ == "__main__"
assert pickle.loads(pickle.dumps(Point())).__class__.__name__ == "Point"
open("litter.txt", "w").write("a block wrote this")
assert os.path.basename(os.getcwd()).startswith("papernotes-block-")
```

```python
x = 1
y = x / 0
```

<!--pytest.mark.timeout(1)-->
```python
while True:
    pass
```

<!--pytest.mark.skip(reason="a fragment")-->
```python
not python at all
```
'''


def test_blocks_fail_at_the_note_line_time_out_and_leave_no_files(pytester, monkeypatch):
    root = checkout(pytester, monkeypatch, note=BLOCKS, tests=None)
    result = inner(pytester, "docs", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2, skipped=1)
    out = result.stdout.str()
    # The failing block: its header, the block's own lines, the note's file and line.
    result.stdout.fnmatch_lines(
        [
            "*_ docs/notes/demo.md:17 [[]cpu[]] _*",
            "    x = 1",
            ">   y = x / 0",
            "E   ZeroDivisionError: division by zero",
            "docs/notes/demo.md:19: ZeroDivisionError",
        ]
    )
    assert "FAILED docs/notes/demo.md::line 17[cpu] - ZeroDivisionError: division by zero" in out
    # The hanging block, stopped by its own limit.
    result.stdout.fnmatch_lines(
        ["*_ docs/notes/demo.md:23 [[]cpu[]] _*", "docs/notes/demo.md:2[45]: the block ran past its 1 s limit and was stopped*"]
    )
    assert "SKIPPED [1] docs/notes/demo.md: a fragment" in out  # pytest folds marked skips per file
    # Ran in a temporary directory that is gone.
    assert not (root / "litter.txt").exists()


def test_blocks_get_a_60_second_limit_unless_they_set_one(pytester, monkeypatch):
    checkout(pytester, monkeypatch, note=BLOCKS, tests=None)
    items, _ = pytester.inline_genitems("docs")
    limits = {item.name: item.get_closest_marker("timeout").args[0] for item in items}
    assert limits == {"line 5[cpu]": 60.0, "line 17[cpu]": 60.0, "line 23[cpu]": 1, "line 29[cpu]": 60.0}


def test_a_bad_mark_is_a_collection_error_naming_the_line(pytester, monkeypatch):
    checkout(pytester, monkeypatch, note="Text.\n\n<!--pytest.mark.skip(reason=why)-->\n```python\nx = 1\n```\n", tests=None)
    result = inner(pytester, "docs")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*docs/notes/demo.md:4: cannot use <!--pytest.mark.skip(reason=why)-->*"])


def test_marks_are_read_as_literals_not_evaluated():
    assert parse_mark('pytest.mark.skip(reason="later")', "n.md:1").mark.kwargs == {"reason": "later"}
    assert parse_mark("pytest.mark.xfail", "n.md:1").name == "xfail"
    skipif = parse_mark("pytest.mark.skipif(\"sys.platform == 'win32'\", reason='posix')", "n.md:1").mark
    assert skipif.args == ("sys.platform == 'win32'",)
    for text in ['__import__("os").system("true")', "pytest.mark.skipif(sys.platform == 'x', reason='y')", "skip("]:
        with pytest.raises(NoteError, match=r"^n\.md:1: cannot use"):
            parse_mark(text, "n.md:1")


# --------------------------------------------------------------------------
# Exported code and devices
# --------------------------------------------------------------------------


def test_a_failing_snippet_shows_the_note_line(pytester, monkeypatch):
    checkout(pytester, monkeypatch, tests="from snippets.demo import ratio\n\n\ndef test_zero(device):\n    ratio(1, 0)\n")
    result = inner_subprocess(pytester, "tests")
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["    def ratio(a, b):", ">       return a / b", "E       ZeroDivisionError: division by zero", "docs/notes/demo.md:5: ZeroDivisionError"]
    )


def test_the_device_fixture_runs_on_cpu_and_says_why_cuda_is_skipped(pytester, monkeypatch):
    checkout(pytester, monkeypatch)
    result = inner(pytester, "-v")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*tests/test_demo.py::test_ratio[[]cpu[]] PASSED*",
            "*tests/test_demo.py::test_ratio[[]cuda[]] SKIPPED*",
            "SKIPPED [[]1[]] tests/test_demo.py*: cuda not selected: pytest --device cuda runs it (not here: *)",
        ]
    )


@pytest.mark.skipif(cuda_problem() is None, reason="this machine has CUDA: asking for it is no error here")
def test_asking_for_cuda_without_it_is_a_usage_error(pytester, monkeypatch):
    checkout(pytester, monkeypatch)
    result = inner(pytester, "--device", "cuda")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--device cuda: * nothing was run (tests never fall back to the CPU)"])
    assert "passed" not in result.stdout.str()


def test_blocks_run_with_the_default_device_set_around_them():
    torch = pytest.importorskip("torch")
    from tests.plugins.blocks import default_device

    with default_device("meta"):
        assert torch.empty(2).device.type == "meta"
        torch.set_default_device("meta")  # a block that changes it leaks nothing
    assert torch.empty(2).device.type == "cpu"


GENERATORS = """\
A block whose generator would stay on the CPU under --device cuda.

```python
import torch

g = torch.Generator().manual_seed(0)
x = torch.rand(3, generator=g)
```

Two that say where their generator lives.

```python
import torch

g = torch.Generator(torch.get_default_device()).manual_seed(0)
h = torch.Generator("cpu")
assert torch.rand(3, generator=g).device == torch.get_default_device()
```
"""


def test_a_block_making_a_generator_without_a_device_fails_on_the_cpu_too(pytester, monkeypatch):
    """CI has no GPU: the generator that would break the CUDA run is caught on the CPU, at its line."""
    checkout(pytester, monkeypatch, note=GENERATORS, tests=None)
    result = inner(pytester, "docs", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["docs/notes/demo.md:6: torch.Generator() is a CPU generator even when the block runs on CUDA (--device cuda);*"]
    )


def test_device_less_generators_are_found_at_their_note_lines():
    from tests.plugins.blocks import device_less_generators

    parts = ((10, "import torch\ng = torch.Generator()\n"), (20, "from torch import Generator\n\nh = [Generator()]\n"))
    assert device_less_generators(parts) == [11, 22]
    named = ((1, 'torch.Generator("cpu")\ntorch.Generator(device="cuda")\ntorch.Generator(torch.get_default_device())\n'),)
    assert device_less_generators(named) == []


def test_ieee_float32_switches_tf32_off_and_restores_the_settings():
    torch = pytest.importorskip("torch")
    from tests.plugins.devices import ieee_float32

    cudnn = torch.backends.cudnn
    if not hasattr(cudnn, "conv"):
        pytest.skip(f"torch {torch.__version__} has only the legacy allow_tf32 flags")
    switches = (torch.backends.cuda.matmul, cudnn.conv, cudnn.rnn)
    before = [switch.fp32_precision for switch in switches]
    assert "tf32" in before  # cuDNN convolutions use TF32 unless told otherwise
    with ieee_float32():
        assert [switch.fp32_precision for switch in switches] == ["ieee"] * 3
    assert [switch.fp32_precision for switch in switches] == before


# --------------------------------------------------------------------------
# Verification records
# --------------------------------------------------------------------------


def records(root: Path) -> dict | None:
    path = root / "snippets" / "verified.json"
    return json.loads(path.read_text()) if path.exists() else None


def test_a_passing_run_records_the_module_and_a_rerun_changes_nothing(pytester, monkeypatch):
    root = checkout(pytester, monkeypatch)
    inner(pytester).assert_outcomes(passed=3, skipped=1)
    saved = records(root)
    assert saved["demo"]["sha256"] == code_digest((root / "snippets" / "demo.py").read_text())
    cpu = saved["demo"]["devices"]["cpu"]
    assert set(saved["demo"]["devices"]) == {"cpu"}
    assert cpu["tests_passed"] == 2 and cpu["torch"] and cpu["device_name"] and len(cpu["date"]) == 10
    # An unchanged record keeps its date, so the file does not change.
    path = root / "snippets" / "verified.json"
    path.write_text(path.read_text().replace(cpu["date"], "2000-01-01"))
    before = path.read_bytes()
    inner(pytester).assert_outcomes(passed=3, skipped=1)
    assert path.read_bytes() == before


def test_text_added_above_a_block_keeps_its_record(pytester, monkeypatch):
    """Prose added to a note moves the block-line comments of the module (# docs/notes/demo.md:3
    becomes :6), not its code: the record still holds, and a run leaves verified.json as it was.
    A change to the code does not keep it."""
    from tools.site.hooks.badges import badge

    root = checkout(pytester, monkeypatch)
    inner(pytester).assert_outcomes(passed=3, skipped=1)
    module, path = root / "snippets" / "demo.py", root / "snippets" / "verified.json"
    before, saved = module.read_text(), path.read_bytes()
    note = root / "docs" / "notes" / "demo.md"
    note.write_text(note.read_text().replace("# Demo\n", "# Demo\n\nA new paragraph,\non two lines.\n"))
    assert extract(["--root", str(root)]) == 0
    assert module.read_text() != before and "# docs/notes/demo.md:6" in module.read_text()
    assert badge(records(root)["demo"], code_digest(module.read_text()))[1]
    inner(pytester).assert_outcomes(passed=3, skipped=1)
    assert path.read_bytes() == saved
    note.write_text(note.read_text().replace("return a / b", "return a / b  # the ratio"))
    assert extract(["--root", str(root)]) == 0
    assert badge(records(root)["demo"], code_digest(module.read_text())) == ("not verified for this version", False)


def test_code_digest_leaves_out_the_block_line_comments_only():
    head = "# Generated from docs/notes/demo.md by tools/extract; edit the note, not this file.\n\n"
    module = head + "# docs/notes/demo.md:3\ndef ratio(a, b):\n    return a / b\n"
    moved = module.replace("demo.md:3", "demo.md:30")
    assert code_digest(moved) == code_digest(module)
    assert code_digest(module.replace("a / b", "b / a")) != code_digest(module)
    assert code_digest(module.replace("ratio", "ratio  # docs/notes/demo.md:3")) != code_digest(module)
    # another note's marker is code (a comment) like any other, and so is all of a file with no banner
    assert code_digest(module.replace("docs/notes/demo.md:3", "docs/other.md:3")) != code_digest(module)
    assert code_digest(moved.removeprefix(head)) != code_digest(module.removeprefix(head))


def test_records_of_whole_file_hashes_are_carried_over(tmp_path):
    """verified.json from before code_digest names the whole file's sha256: such a record, for
    the file as it is now, is renamed to the file's code_digest with all its devices."""
    import hashlib

    text = "# Generated from docs/notes/demo.md by tools/extract; edit the note, not this file.\n\n" \
           "# docs/notes/demo.md:3\nx = 1\n"
    (tmp_path / "demo.py").write_text(text)
    (tmp_path / "old.py").write_text(text.replace("x = 1", "x = 2"))
    cuda = {"date": "2026-01-02", "device_name": "GPU Y", "torch": "2.13.0", "tests_passed": 2}
    whole = hashlib.sha256(text.encode()).hexdigest()
    old = {
        "demo": {"sha256": whole, "devices": {"cuda": cuda}},
        "old": {"sha256": whole, "devices": {"cuda": cuda}},  # recorded for code old.py no longer has
        "gone": {"sha256": whole, "devices": {}},
    }
    new = carried_over(old, tmp_path)
    assert new["demo"] == {"sha256": code_digest(text), "devices": {"cuda": cuda}}
    assert new["old"] == old["old"] and new["gone"] == old["gone"]


@pytest.mark.parametrize(
    "args",
    [["-k", "ratio"], ["tests/test_demo.py::test_ratio"], ["--deselect", "tests/test_demo.py::test_names"], ["-x", "-m", "not cuda"]],
    ids=["-k", "node id", "--deselect", "-m"],
)
def test_a_partial_run_records_nothing(pytester, monkeypatch, args):
    root = checkout(pytester, monkeypatch)
    result = inner(pytester, *args)
    assert result.ret == 0
    assert records(root) is None


def test_a_failing_run_records_nothing_and_takes_the_old_record_away(pytester, monkeypatch):
    root = checkout(pytester, monkeypatch)
    inner(pytester).assert_outcomes(passed=3, skipped=1)
    assert set(records(root)["demo"]["devices"]) == {"cpu"}
    (root / "tests" / "test_demo.py").write_text(textwrap.dedent(TESTS) + "\n\ndef test_fails(device):\n    assert False\n")
    inner(pytester).assert_outcomes(passed=3, failed=1, skipped=2)
    assert records(root) == {}


def test_which_devices_a_module_is_verified_on():
    tests = {"t[cpu]": "cpu", "t[cuda]": "cuda", "free": None}
    assert passed_per_device(tests, {"t[cpu]": "passed", "t[cuda]": "skipped", "free": "passed"}) == {"cpu": 2}
    assert passed_per_device(tests, {"t[cpu]": "passed", "t[cuda]": "passed", "free": "failed"}) == {}
    assert passed_per_device(tests, {"t[cpu]": "failed", "t[cuda]": "passed", "free": "passed"}) == {"cuda": 2}
    assert passed_per_device({"a": None, "b": None}, {"a": "passed", "b": "passed"}) == {"cpu": 2}
    assert passed_per_device({"a": None}, {"a": "xfail"}) == {}


def test_records_of_an_old_version_go_and_unchanged_ones_keep_their_date():
    cpu = {"date": "2026-01-01", "device_name": "CPU X", "torch": "2.13.0", "tests_passed": 2}
    cuda = {"date": "2026-01-02", "device_name": "GPU Y", "torch": "2.13.0", "tests_passed": 2}
    old = {"demo": {"sha256": "a", "devices": {"cpu": cpu, "cuda": cuda}}, "gone": {"sha256": "c", "devices": {}}}
    about = {"cpu": {"date": "2026-02-02", "device_name": "CPU X", "torch": "2.13.0"}}
    same = updated(old, {"demo": ("a", {"cpu": 2})}, {"demo"}, about)
    assert same == {"demo": {"sha256": "a", "devices": {"cpu": cpu, "cuda": cuda}}}
    changed = updated(old, {"demo": ("b", {"cpu": 3})}, {"demo"}, about)
    assert changed == {"demo": {"sha256": "b", "devices": {"cpu": {**about["cpu"], "tests_passed": 3}}}}
    # A test that failed on a device takes that device's record of the version away.
    assert updated(old, {}, {"demo"}, about, {"demo": ("a", {"cuda"})}) == {"demo": {"sha256": "a", "devices": {"cpu": cpu}}}
    assert updated(old, {}, {"demo"}, about, {"demo": ("a", {"cpu", "cuda"})}) == {}
    assert updated(old, {}, {"demo"}, about, {"demo": ("b", {"cpu"})})["demo"] == old["demo"]


def test_the_same_verification_on_another_machine_keeps_the_record():
    cpu = {"date": "2026-01-01", "device_name": "CPU X", "torch": "2.13.0", "tests_passed": 2}
    old = {"demo": {"sha256": "a", "devices": {"cpu": cpu}}}
    # Another CPU, another day, same code, torch and test count: nothing to commit.
    elsewhere = {"cpu": {"date": "2026-03-03", "device_name": "CPU Z", "torch": "2.13.0"}}
    assert updated(old, {"demo": ("a", {"cpu": 2})}, {"demo"}, elsewhere) == old
    # Each part of the substance, changed alone, writes a new record.
    newer_torch = {"cpu": {**elsewhere["cpu"], "torch": "2.14.0"}}
    record = updated(old, {"demo": ("a", {"cpu": 2})}, {"demo"}, newer_torch)["demo"]["devices"]["cpu"]
    assert record == {**newer_torch["cpu"], "tests_passed": 2}
    record = updated(old, {"demo": ("a", {"cpu": 3})}, {"demo"}, elsewhere)["demo"]["devices"]["cpu"]
    assert record == {**elsewhere["cpu"], "tests_passed": 3}
    assert updated(old, {"demo": ("b", {"cpu": 2})}, {"demo"}, elsewhere)["demo"]["sha256"] == "b"


def test_a_block_in_an_admonition_keeps_its_blank_lines_and_line_numbers():
    import io

    from pytest_codeblocks import extract_from_buffer

    from tests.plugins.blocks import block_parts, compile_parts
    from tools.log.snippets import parse_fences

    text = '!!! example\n    ```python\n    a = 1\n\n    b = a / 0\n    ```\n\n```python\nc = 1\n```\n<!--pytest-codeblocks:cont-->\n```python\nd = c\n```\n'
    blocks = [block for block in extract_from_buffer(io.StringIO(text)) if block.syntax == "python"]
    fences = parse_fences(text, "docs/n.md")
    assert block_parts(blocks[0], fences, "docs/n.md:2") == ((3, "a = 1\n\nb = a / 0\n"),)
    assert block_parts(blocks[1], fences, "docs/n.md:8") == ((9, "c = 1\n"), (13, "d = c\n"))
    with pytest.raises(ZeroDivisionError) as caught:
        exec(compile_parts(block_parts(blocks[0], fences, "docs/n.md:2"), "docs/n.md"), {})
    assert caught.traceback[-1].lineno + 1 == 5
