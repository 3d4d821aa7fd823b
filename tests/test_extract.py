"""tools/extract on notes written inline into a temporary tree, run in memory."""

from __future__ import annotations

import os
import shutil
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
# Generated from docs/papers/moco.md by tools/extract; edit the note, not this file.

# docs/papers/moco.md:5
import torch


def queue_size(k: int) -> int:
    return k

# docs/papers/moco.md:20
def momentum(m: float) -> float:
    return 1 - m
"""


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
        "snippets/moco.py: stale (differs from what docs/papers/moco.md exports)",
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
    ('```text title="snippets/x.py"\nx\n```\n', "docs/bad.md:1: only a Python fence can export to snippets/x.py"),
    ("Text.\n\n```python\nx = 1\n", "docs/bad.md:3: the fence ```python is never closed"),
    ('!!! note\n    ```python title="snippets/x.py"\n    x = 1\n\nOut.\n', "docs/bad.md:2: the fence ```python title=\"snippets/x.py\" is never closed"),
    ("```python title=\"snippets/x.py\n```\n", "docs/bad.md:1: cannot read the fence's attributes"),
    (b"# Notes\n\ncaf\xe9\n", "docs/bad.md:3: not UTF-8 (byte 0xe9); save the note as UTF-8"),
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
    from tools.extract import parse_fences

    text = f"Text.\n\n{marker}\n    ```python\n    x = 1\n\n    y = 2\n    ```\n\nAfter.\n"
    [fence] = parse_fences(text, "docs/n.md")
    assert (fence.line, fence.code) == (4, "x = 1\n\ny = 2\n")


def test_four_spaces_without_a_container_are_indented_code_not_a_fence():
    from tools.extract import parse_fences

    assert parse_fences("Text.\n\n    ```python\n    x = 1\n    ```\n", "docs/n.md") == []
