"""tools/extract on notes written inline into a temporary tree, run in memory."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tools.extract import main

ROOT = Path(__file__).resolve().parent.parent

MOCO = '''
# MoCo

Some prose.

```python title="snippets/moco.py"
import torch


def queue_size(k: int) -> int:
    return k
```

An example:

```python
print(1)
```

!!! note "The momentum update"
    ```python title="snippets/moco.py"
    def momentum(m: float) -> float:
        return 1 - m
    ```
'''

GENERATED = """\
# Generated from docs/papers/moco.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 29216f60a4cfefcd)

# docs/papers/moco.md:5
import torch


def queue_size(k: int) -> int:
    return k

# docs/papers/moco.md:20
def momentum(m: float) -> float:
    return 1 - m
"""


BANNER = "# Generated from docs/papers/moco.md by tools/extract; edit the note, not this file."


def write(root: Path, path: str, text: str | bytes) -> Path:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return file


def snapshot(root: Path) -> dict[str, bytes]:
    return {file.relative_to(root).as_posix(): file.read_bytes() for file in sorted(root.rglob("*")) if file.is_file()}


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A checkout with one note and the snippets package's static __init__.py."""
    write(tmp_path, "docs/papers/moco.md", MOCO)
    (tmp_path / "snippets").mkdir()
    shutil.copy(ROOT / "snippets" / "__init__.py", tmp_path / "snippets" / "__init__.py")
    return tmp_path


def test_writes_one_module_per_note_with_banner_and_source_lines(tree, capsys):
    assert run(tree) == 0
    assert (tree / "snippets" / "moco.py").read_text() == GENERATED
    assert "snippets/moco.py: written" in capsys.readouterr().out


def test_check_passes_when_up_to_date_and_a_second_run_changes_nothing(tree, capsys):
    run(tree)
    before = snapshot(tree)
    assert run(tree) == 0
    assert run(tree, "--check") == 0
    assert snapshot(tree) == before
    assert "snippets/ is up to date (1 module)" in capsys.readouterr().out


def test_check_lists_every_stale_missing_and_orphaned_file(tree, capsys):
    write(tree, "docs/courses/adam.md", '```python title="snippets/adam.py"\nx = 1\n```\n')
    run(tree)
    write(tree, "docs/courses/dropout.md", '```python title="snippets/dropout.py"\ny = 2\n```\n')
    (tree / "snippets" / "moco.py").write_text(GENERATED + "# edited\n")
    (tree / "docs" / "courses" / "adam.md").unlink()
    capsys.readouterr()
    before = snapshot(tree)
    assert run(tree, "--check") == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "snippets/dropout.py: missing (exported by docs/courses/dropout.md)",
        "snippets/moco.py: edited (by hand since tools/extract wrote it, first at line 13)",
        "snippets/adam.py: orphan (no note exports it)",
        "snippets/ is out of date: run tools/extract",
    ]
    assert snapshot(tree) == before


def test_writing_fixes_what_check_lists(tree):
    write(tree, "docs/courses/adam.md", '```python title="snippets/adam.py"\nx = 1\n```\n')
    run(tree)
    (tree / "docs" / "courses" / "adam.md").unlink()
    assert run(tree) == 0
    assert not (tree / "snippets" / "adam.py").exists()
    assert run(tree, "--check") == 0


@pytest.mark.parametrize("flag", ["--show", "--dry-run"])
def test_dry_run_shows_a_diff_and_writes_nothing(tree, capsys, flag):
    before = snapshot(tree)
    assert run(tree, flag) == 0
    out = capsys.readouterr().out
    assert "# snippets/moco.py: missing (exported by docs/papers/moco.md)" in out
    assert "+++ b/snippets/moco.py" in out and "+# docs/papers/moco.md:20" in out
    assert snapshot(tree) == before


def test_admonitions_tabs_and_tildes_export_too(tree):
    tmp_path = tree
    write(
        tmp_path,
        "docs/n.md",
        '''
        === "PyTorch"

            ~~~python title="snippets/tabs.py"
            a = 1
            ~~~

        ???+ tip

            Text.


            ``` { .python title="snippets/tabs.py" }
            b = 2
            ```
        ''',
    )
    assert run(tmp_path) == 0
    text = (tmp_path / "snippets" / "tabs.py").read_text()
    assert "# docs/n.md:3\na = 1\n\n# docs/n.md:12\nb = 2\n" in text


def test_a_missing_package_file_is_listed_and_blocks_writing(tree, capsys):
    (tree / "snippets" / "__init__.py").unlink()
    assert run(tree, "--check") == 1
    assert "snippets/__init__.py: missing (the package's static loader; restore it from git)" in capsys.readouterr().err
    assert run(tree) == 1
    assert not (tree / "snippets" / "moco.py").exists()


def test_an_empty_docs_tree_writes_nothing(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    assert run(tmp_path) == 0
    assert run(tmp_path, "--check") == 0
    assert snapshot(tmp_path) == {}
    assert "up to date (0 modules)" in capsys.readouterr().out


def test_no_docs_folder_at_all_is_an_empty_tree(tmp_path):
    assert run(tmp_path, "--check") == 0
    assert run(tmp_path) == 0
    assert list(tmp_path.iterdir()) == []


BAD = [
    ('```python title="../x.py"\nx = 1\n```\n', "docs/bad.md:1: title '../x.py' is not snippets/<name>.py"),
    ('```python title="/tmp/x.py"\nx = 1\n```\n', "docs/bad.md:1: title '/tmp/x.py' is not snippets/<name>.py"),
    ('```python title="snippets/../x.py"\nx\n```\n', "docs/bad.md:1: title 'snippets/../x.py' is not snippets/<name>.py"),
    ('```python title="snippets/a/b.py"\nx\n```\n', "docs/bad.md:1: title 'snippets/a/b.py' is not snippets/<name>.py"),
    ('```python title="snippets/my-net.py"\nx\n```\n', "docs/bad.md:1: title 'snippets/my-net.py' is not snippets/<name>.py"),
    ('```python title="snippets/__init__.py"\nx\n```\n', "docs/bad.md:1: title 'snippets/__init__.py' is not snippets/<name>.py"),
    ('```python title="snippets/Moco-v2.py"\nx\n```\n', "docs/bad.md:1: title 'snippets/Moco-v2.py' is not snippets/<name>.py"),
    ('```python title="snippets/class.py"\nx\n```\n', "docs/bad.md:1: title 'snippets/class.py' names a module that cannot be imported (class is a Python keyword)"),
    ('```text title="snippets/x.py"\nx\n```\n', "docs/bad.md:1: only a Python fence can export to snippets/x.py"),
    ("Text.\n\n```python\nx = 1\n", "docs/bad.md:3: the fence ```python is never closed"),
    ('!!! note\n    ```python title="snippets/x.py"\n    x = 1\n\nOut.\n', "docs/bad.md:2: the fence ```python title=\"snippets/x.py\" is never closed"),
    ("```python title=\"snippets/x.py\n```\n", "docs/bad.md:1: cannot read the fence's attributes"),
    (b"# Notes\n\ncaf\xe9\n", "docs/bad.md:3: not UTF-8 (byte 0xe9); save the note as UTF-8"),
    (b"# Notes\n\nText.\x00\n", "docs/bad.md:3: a NUL character (U+0000), which Markdown reads as U+FFFD; remove it"),
    (b"# Notes\r\n\r\nOne.\rTwo.\r\n", "docs/bad.md:3: a carriage return without a line feed"),
    ('Text.\n\n```python title="snippets/x.py"\nx = 1\ny = "\x1b[0m"\n```\n', "docs/bad.md:5: exported code holds the control character U+001B; remove it, or write it as an escape (\\x1b) in a string"),
    ('```python title="snippets/x.py"\nx = 1\x7f\n```\n', "docs/bad.md:2: exported code holds the control character U+007F"),
    ('```python title="snippets/x.py"\nx = "a\u2028b"\n```\n', "docs/bad.md:2: exported code holds the control character U+2028"),
    ('```python title="snippets/x.py"\nx = 1\n\x0cy = 2\n```\n', "docs/bad.md:3: exported code holds the control character U+000C"),
    (
        '```python title="snippets/x.py"\n# docs/bad.md:7\n```\n',
        "docs/bad.md:2: this line looks like the block markers of the generated file",
    ),
]


@pytest.mark.parametrize(("text", "error"), BAD, ids=lambda value: None)
@pytest.mark.parametrize("mode", [[], ["--check"], ["--show"]], ids=["write", "check", "show"])
def test_bad_input_is_one_located_line_and_writes_nothing(tree, capsys, text, error, mode):
    write(tree, "docs/bad.md", text)
    before = snapshot(tree)
    assert run(tree, *mode) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(error)
    assert snapshot(tree) == before


def test_two_notes_exporting_one_module_is_an_error(tree, capsys):
    write(tree, "docs/papers/mocov2.md", 'Text.\n\n```python title="snippets/moco.py"\nx = 1\n```\n')
    before = snapshot(tree)
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        "docs/papers/mocov2.md:3: snippets/moco.py is already exported by docs/papers/moco.md:5 (one note per module)"
    ]
    assert snapshot(tree) == before


def test_every_problem_is_listed_not_only_the_first(tree, capsys):
    write(tree, "docs/a.md", '```python title="../a.py"\nx\n```\n')
    write(tree, "docs/b.md", "```python\nx\n")
    assert run(tree) == 1
    assert [line.split(":")[0] for line in capsys.readouterr().err.splitlines()] == ["docs/a.md", "docs/b.md"]


def test_a_file_written_by_hand_is_never_overwritten_or_removed(tree, capsys):
    write(tree, "snippets/moco.py", "def mine():\n    pass\n")
    write(tree, "snippets/notes.txt", "keep me\n")
    before = snapshot(tree)
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        "snippets/moco.py: written by hand (no tools/extract banner); move it away, it will not be overwritten",
        "snippets/notes.txt: not generated by tools/extract; remove it or move it out of snippets/",
    ]
    assert snapshot(tree) == before


def test_the_command_line_wrapper_and_module_both_run(tree):
    for command in ([str(ROOT / "tools" / "extract")], [sys.executable, "-m", "tools.extract"]):
        result = subprocess.run(
            [*command, "--root", str(tree), "--check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            # Without .venv/ the wrapper takes python3 from PATH: this one.
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"},
        )
        assert result.returncode == 1
        assert "snippets/moco.py: missing" in result.stderr


def test_exported_code_fails_at_the_line_of_the_note(tree):
    write(
        tree,
        "docs/papers/moco.md",
        MOCO + '\n```python title="snippets/moco.py"\nclass Queue:\n    def ratio(self):\n        return 1 / 0\n```\n',
    )
    run(tree)
    result = subprocess.run(
        [sys.executable, "-c", "import snippets.moco as m; print(m.momentum(0.9)); m.Queue().ratio()"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.stdout.startswith("0.09999")
    note = tree / "docs" / "papers" / "moco.md"
    assert f'File "{note}", line 28, in ratio\n    return 1 / 0\n' in result.stderr
    assert "ZeroDivisionError" in result.stderr


def test_snippets_in_this_checkout_are_what_the_notes_export(capsys):
    assert run(ROOT, "--check") == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    "marker", ["!!! note", "!!!note", '!!! warning "Title"', "??? tip", "???+ tip", '=== "Tab"', '===+ "Tab"', '===! "Tab"']
)
def test_fences_in_every_kind_of_material_container_are_found(marker):
    from tools.log.snippets import parse_fences

    text = f"Text.\n\n{marker}\n    ```python\n    x = 1\n\n    y = 2\n    ```\n\nAfter.\n"
    [fence] = parse_fences(text, "docs/n.md")
    assert (fence.line, fence.code) == (4, "x = 1\n\ny = 2\n")


def test_four_spaces_without_a_container_are_indented_code_not_a_fence():
    from tools.log.snippets import parse_fences

    assert parse_fences("Text.\n\n    ```python\n    x = 1\n    ```\n", "docs/n.md") == []


def test_modules_whose_names_differ_only_in_case_are_an_error(tree, capsys):
    write(tree, "docs/papers/moco2.md", 'Text.\n\n```python title="snippets/MoCo.py"\nx = 1\n```\n')
    before = snapshot(tree)
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        "docs/papers/moco2.md:3: snippets/MoCo.py and snippets/moco.py (exported by docs/papers/moco.md:5) "
        "differ only in case: one file on macOS and Windows; rename one"
    ]
    assert snapshot(tree) == before


# --------------------------------------------------------------------------
# Hand edits of generated modules
# --------------------------------------------------------------------------


def test_the_banner_records_the_hash_of_the_lines_below_it(tree):
    run(tree)
    banner, _, body = (tree / "snippets" / "moco.py").read_text().partition("\n")
    assert banner.endswith(f" (sha256 of the lines below: {hashlib.sha256(body.encode()).hexdigest()[:16]})")


def test_code_digest_leaves_the_banners_record_out():
    """Verification records name code_digest: a module hashes as it did before its banner
    recorded anything, so records made then still hold."""
    from tools.log.snippets import code_digest

    older = GENERATED.replace(" (sha256 of the lines below: 29216f60a4cfefcd)", "")
    assert code_digest(GENERATED) == code_digest(older)
    assert code_digest(GENERATED.replace("return k", "return k + 1")) != code_digest(GENERATED)


# (edit, line of the module, line of the note that holds that code)
EDITS = [
    (lambda text: text.replace("    return k\n", "    return k + 1\n"), 8, 10),
    (lambda text: text + "# my edit\n", 13, 23),  # echo '# my edit' >> snippets/moco.py
    (lambda text: text.replace("import torch\n", ""), 4, 6),
    (lambda text: text.replace("def momentum", "def momentum2"), 11, 21),
]


@pytest.mark.parametrize(("edit", "line", "note_line"), EDITS, ids=["change", "append", "delete", "rename"])
def test_a_hand_edit_is_refused_naming_its_line_and_nothing_is_written(tree, capsys, edit, line, note_line):
    run(tree)
    module = tree / "snippets" / "moco.py"
    module.write_text(edit(module.read_text()))
    # The note changes too (prose above the blocks: their lines move), and another note
    # exports a new module: still nothing is written.
    note = tree / "docs" / "papers" / "moco.md"
    note.write_text(note.read_text().replace("Some prose.\n", "Some prose,\nover two lines.\n"))
    write(tree, "docs/courses/adam.md", '```python title="snippets/adam.py"\nx = 1\n```\n')
    capsys.readouterr()
    before = snapshot(tree)
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"snippets/moco.py:{line}: edited by hand since tools/extract wrote it (docs/papers/moco.md:{note_line + 1} "
        "holds this code): make the edit in the note, or run tools/extract --force to discard it; "
        "tools/extract --show shows the difference"
    ]
    assert snapshot(tree) == before


def test_an_edit_made_in_the_note_too_is_not_lost_and_is_written(tree, capsys):
    run(tree)
    module = tree / "snippets" / "moco.py"
    module.write_text(module.read_text().replace("return k\n", "return 2 * k\n"))
    note = tree / "docs" / "papers" / "moco.md"
    note.write_text(note.read_text().replace("return k\n", "return 2 * k\n"))
    capsys.readouterr()
    assert run(tree) == 0
    body = GENERATED.partition("\n")[2].replace("return k\n", "return 2 * k\n")
    assert module.read_text() == f"{BANNER} (sha256 of the lines below: {hashlib.sha256(body.encode()).hexdigest()[:16]})\n{body}"
    assert "snippets/moco.py: written (only its banner differs from what docs/papers/moco.md exports)" in capsys.readouterr().out
    assert run(tree, "--check") == 0


def test_force_discards_a_hand_edit(tree, capsys):
    run(tree)
    module = tree / "snippets" / "moco.py"
    module.write_text(module.read_text() + "# my edit\n")
    capsys.readouterr()
    assert run(tree, "--force") == 0
    assert module.read_text() == GENERATED
    assert capsys.readouterr().out.splitlines() == [
        "snippets/moco.py: written, discarding its hand edit (by hand since tools/extract wrote it, first at line 13)"
    ]


def test_show_shows_the_hand_edit_against_what_would_be_written(tree, capsys):
    run(tree)
    module = tree / "snippets" / "moco.py"
    module.write_text(module.read_text().replace("    return k\n", "    return k + 1\n"))
    capsys.readouterr()
    before = snapshot(tree)
    assert run(tree, "--show") == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[:2] == [
        "# snippets/moco.py: edited (by hand since tools/extract wrote it, first at line 8)",
        "# writing with --force discards the - lines of snippets/moco.py",
    ]
    assert "\n-    return k + 1\n+    return k\n" in out
    assert err.startswith("snippets/moco.py:8: edited by hand since tools/extract wrote it")
    assert run(tree, "--show", "--force") == 0
    assert snapshot(tree) == before


def test_force_cannot_go_with_check(tree, capsys):
    with pytest.raises(SystemExit) as exit:
        run(tree, "--check", "--force")
    assert exit.value.code == 2
    assert "--force writes; --check only checks" in capsys.readouterr().err


def test_a_hand_edited_orphan_is_not_removed_without_force(tree, capsys):
    write(tree, "docs/courses/adam.md", '```python title="snippets/adam.py"\nx = 1\n```\n')
    run(tree)
    (tree / "docs" / "courses" / "adam.md").unlink()
    adam = tree / "snippets" / "adam.py"
    adam.write_text(adam.read_text() + "y = 2\n")
    capsys.readouterr()
    before = snapshot(tree)
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        "snippets/adam.py: edited by hand since tools/extract wrote it, and no note exports it any more: "
        "move it out of snippets/ or into a note, or run tools/extract --force to remove it"
    ]
    assert snapshot(tree) == before
    assert run(tree, "--force") == 0
    assert not adam.exists()


def older(text: str) -> str:
    """A module as an older tools/extract wrote it: a banner without a record."""
    return re.sub(r" \(sha256 of the lines below: [0-9a-f]{16}\)", "", text, count=1)


def test_a_module_from_an_older_extract_is_rewritten_when_it_holds_what_the_note_exports(tree, capsys):
    write(tree, "snippets/moco.py", older(GENERATED))
    assert run(tree) == 0
    assert (tree / "snippets" / "moco.py").read_text() == GENERATED
    assert "snippets/moco.py: written (only its banner differs" in capsys.readouterr().out


def test_a_module_from_an_older_extract_that_differs_needs_force(tree, capsys):
    write(tree, "snippets/moco.py", older(GENERATED).replace("return k\n", "return k + 1\n"))
    before = snapshot(tree)
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        "snippets/moco.py:8: differs from what docs/papers/moco.md exports, and its banner (from an older "
        "tools/extract) has no record that would show a hand edit (docs/papers/moco.md:10 holds this code): make "
        "any edit in the note, or run tools/extract --force to regenerate it; tools/extract --show shows the difference"
    ]
    assert snapshot(tree) == before
    assert run(tree, "--force") == 0
    assert (tree / "snippets" / "moco.py").read_text() == GENERATED


# --------------------------------------------------------------------------
# All or nothing
# --------------------------------------------------------------------------


@pytest.fixture
def three(tree):
    """A tree where a run writes snippets/a.py and snippets/b.py and removes snippets/c.py."""
    write(tree, "docs/a.md", '```python title="snippets/a.py"\na = 1\n```\n')
    write(tree, "docs/b.md", '```python title="snippets/b.py"\nb = 1\n```\n')
    write(tree, "docs/c.md", '```python title="snippets/c.py"\nc = 1\n```\n')
    assert run(tree) == 0
    write(tree, "docs/a.md", '```python title="snippets/a.py"\na = 2\n```\n')
    write(tree, "docs/b.md", '```python title="snippets/b.py"\nb = 2\n' + "x = 0\n" * 3000 + "```\n")
    (tree / "docs" / "c.md").unlink()
    return tree


def on_temporary(monkeypatch, module: str, function: str, then) -> None:
    """Call ``then()`` after each os.<function> call on the temporary file of snippets/<module>.py;
    os.write writes at most 8192 bytes there first, as a disk does when it fills up."""
    real, real_open = getattr(os, function), os.open
    handles: set[int] = set()

    def opening(path, *args, **kwargs):
        handle = real_open(path, *args, **kwargs)
        if os.path.basename(str(path)).startswith(f".{module}.py."):
            handles.add(handle)
        return handle

    def calling(handle, *args):
        if handle not in handles:
            return real(handle, *args)
        result = real(handle, bytes(args[0][:8192])) if function == "write" else real(handle, *args)
        then()
        return result

    monkeypatch.setattr(os, "open", opening)
    monkeypatch.setattr(os, function, calling)


def raising(error: BaseException):
    def then():
        raise error

    return then


def test_a_full_disk_on_the_second_module_leaves_every_module_as_it_was(three, capsys, monkeypatch):
    capsys.readouterr()
    before = snapshot(three)
    on_temporary(monkeypatch, "b", "write", raising(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    assert run(three) == 1
    assert capsys.readouterr().err.splitlines() == ["snippets/b.py: cannot write: No space left on device"]
    # a.py (written to its temporary file first) byte for byte, c.py not removed, no temporary file left.
    assert snapshot(three) == before
    monkeypatch.undo()
    assert run(three) == 0
    assert run(three, "--check") == 0


def test_a_folder_that_cannot_be_written_is_named_by_the_module(three, capsys, monkeypatch):
    capsys.readouterr()
    before = snapshot(three)
    folder = three / "snippets"
    if os.geteuid() == 0:  # root writes whatever the mode says: refuse as the system would
        real_open = os.open

        def opening(path, *args, **kwargs):
            if os.path.dirname(os.path.abspath(path)) == str(folder):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", opening)
    folder.chmod(0o555)
    try:
        assert run(three) == 1
    finally:
        folder.chmod(0o755)
    assert capsys.readouterr().err.splitlines() == ["snippets/a.py: cannot write: Permission denied"]
    assert snapshot(three) == before


@pytest.mark.parametrize("how", ["raised", "signal"])
def test_ctrl_c_while_writing_changes_nothing(three, capsys, monkeypatch, how):
    capsys.readouterr()
    before = snapshot(three)
    if how == "raised":
        on_temporary(monkeypatch, "b", "fsync", raising(KeyboardInterrupt()))
    else:  # a real SIGINT, as Ctrl-C sends it, while the second module is written
        on_temporary(monkeypatch, "b", "fsync", lambda: os.kill(os.getpid(), signal.SIGINT))
    assert run(three) == 130
    assert capsys.readouterr().err.splitlines() == ["tools/extract: interrupted; nothing written"]
    assert snapshot(three) == before
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_while_writing_changes_nothing(three, capsys, monkeypatch):
    capsys.readouterr()
    before = snapshot(three)
    handler = signal.getsignal(signal.SIGTERM)
    on_temporary(monkeypatch, "b", "fsync", lambda: os.kill(os.getpid(), signal.SIGTERM))
    assert run(three) == 128 + signal.SIGTERM
    assert capsys.readouterr().err.splitlines() == ["tools/extract: interrupted; nothing written"]
    assert snapshot(three) == before
    assert signal.getsignal(signal.SIGTERM) is handler


def test_ctrl_c_while_renaming_waits_until_every_module_is_in_place(three, capsys, monkeypatch):
    real_replace = os.replace

    def replace(source, target):
        os.kill(os.getpid(), signal.SIGINT)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    assert run(three) == 130
    out, err = capsys.readouterr()
    assert err.splitlines() == ["tools/extract: interrupted after every change above was made"]
    assert "snippets/c.py: removed (no note exports it)" in out
    monkeypatch.undo()
    assert run(three, "--check") == 0
    assert not [file for file in (three / "snippets").iterdir() if file.name.startswith(".")]


def test_a_module_edited_while_extract_runs_is_not_overwritten(three, capsys, monkeypatch):
    a = three / "snippets" / "a.py"
    on_temporary(monkeypatch, "b", "fsync", lambda: a.write_text(a.read_text() + "# mine\n"))
    capsys.readouterr()
    assert run(three) == 1
    monkeypatch.undo()
    assert capsys.readouterr().err.splitlines() == [
        "snippets/a.py: changed while tools/extract ran; nothing written, run it again"
    ]
    assert a.read_text().endswith("a = 1\n# mine\n")
    assert (three / "snippets" / "c.py").exists()
    assert not [file for file in (three / "snippets").iterdir() if file.name.startswith(".")]


def test_a_rewritten_module_keeps_its_permissions(three):
    (three / "snippets" / "a.py").chmod(0o640)
    assert run(three) == 0
    assert (three / "snippets" / "a.py").stat().st_mode & 0o777 == 0o640


def test_a_temporary_file_left_by_a_killed_run_is_named(tree, capsys):
    write(tree, "snippets/.moco.py.k2j4_x.extract-tmp", "# Generated from docs/papers/moco.md by tools/extract;")
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        "snippets/.moco.py.k2j4_x.extract-tmp: left by a tools/extract that was killed while writing; remove it"
    ]


def test_an_orphan_from_an_older_extract_is_removed_only_with_force(tree, capsys):
    write(tree, "snippets/adam.py", "# Generated from docs/courses/adam.md by tools/extract; edit the note, not this file.\n")
    before = snapshot(tree)
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == [
        "snippets/adam.py: no note exports it any more, and its banner (from an older tools/extract) has no record "
        "that would show a hand edit: move it out of snippets/, or run tools/extract --force to remove it"
    ]
    assert snapshot(tree) == before
    assert run(tree, "--force") == 0
    assert not (tree / "snippets" / "adam.py").exists()


def test_a_note_that_cannot_be_read_is_named(tree, capsys):
    (tree / "docs" / "folder.md").mkdir()
    assert run(tree) == 1
    assert capsys.readouterr().err.splitlines() == ["docs/folder.md: cannot read: Is a directory"]
    assert not (tree / "snippets" / "moco.py").exists()
