"""No silent skip: every Python fence of docs/ is exported, executed, or skipped with a reason.

pytest-codeblocks runs only fences whose info string is exactly ``python``;
``py``, ``python3``, ``~~~`` or any attribute makes it pass a fence over
without a word. The real notes are checked here, and the checker itself on
notes written inline.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from tests.plugins.blocks import coverage

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_fence_in_docs_is_covered():
    covered, problems = coverage(ROOT)
    assert not problems, "\n".join(problems)
    counts = Counter(kind for _, kind, _ in covered)
    print(f"{len(covered)} Python fences in docs/: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))


def note(tmp_path: Path, text: str, name: str = "note.md") -> Path:
    file = tmp_path / "docs" / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return tmp_path


def kinds(root: Path) -> tuple[list[tuple[int, str]], list[str]]:
    covered, problems = coverage(root)
    return [(fence.line, kind) for fence, kind, _ in covered], problems


def test_every_form_of_python_fence_is_found(tmp_path):
    root = note(
        tmp_path,
        '''
        ```python
        a = 1
        ```

        ```py
        b = 1
        ```

        ~~~python
        c = 1
        ~~~

        ```python3 hl_lines="1"
        d = 1
        ```

        ``` { .python }
        e = 1
        ```

        !!! note "In an admonition"
            ```py
            f = 1
            ```

        === "In a tab"

            ```python
            g = 1
            ```

        ???+ tip
            === "Nested"
                ```Python
                h = 1
                ```

        ```text
        not python
        ```
        ''',
    )
    covered, problems = kinds(root)
    assert covered == [(1, "executed"), (28, "executed")]
    assert [problem.split(":")[1] for problem in problems] == ["5", "9", "13", "17", "22", "34"]
    assert all(problem.startswith("docs/note.md:") and "neither exported" in problem for problem in problems)


def test_exported_executed_and_skipped_fences_are_covered(tmp_path):
    root = note(
        tmp_path,
        '''
        ```python title="snippets/demo.py"
        def f():
            return 1
        ```

        <!--pytest.mark.skip(reason="a fragment of the loop above")-->
        ```py
        for step in steps:
        ```

        <!--pytest.mark.skip(reason="pseudo-code")-->
        ```python
        update(theta)
        ```

        ```python
        print(1)
        ```
        <!--pytest-codeblocks:cont-->
        ```python
        print(2)
        ```
        ''',
    )
    covered, problems = coverage(root)
    assert problems == []
    assert [(fence.line, kind, detail) for fence, kind, detail in covered] == [
        (1, "exported", "snippets/demo.py"),
        (7, "skipped", "a fragment of the loop above"),
        (12, "skipped", "pseudo-code"),
        (16, "executed", "example block"),
        (20, "executed", "continues the block above"),
    ]


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pytest_codeblocks.main")
@pytest.mark.parametrize(
    "comment",
    ["<!--pytest.mark.skip-->", '<!--pytest.mark.skip(reason="")-->', "<!--pytest-codeblocks:skip-->"],
)
def test_a_skip_needs_a_reason(tmp_path, comment):
    root = note(tmp_path, f"Text.\n\n{comment}\n```python\nx = 1\n```\n")
    _, problems = kinds(root)
    assert problems == ['docs/note.md:4: skipped without a reason: write <!--pytest.mark.skip(reason="...")-->']


def test_a_block_only_pytest_codeblocks_sees_is_reported(tmp_path):
    root = note(
        tmp_path,
        """
        ~~~markdown
        ```python
        shown, not run
        ```
        ~~~
        """,
    )
    _, problems = kinds(root)
    assert len(problems) == 1 and problems[0].startswith("docs/note.md:2: pytest-codeblocks runs a block here")


def test_a_broken_note_is_a_problem_not_a_crash(tmp_path):
    root = note(tmp_path, "Text\n\n```python\nx = 1\n")
    _, problems = kinds(root)
    assert problems[0] == "docs/note.md:3: the fence ```python is never closed"


def test_an_empty_docs_tree_has_nothing_to_cover(tmp_path):
    (tmp_path / "docs").mkdir()
    assert coverage(tmp_path) == ([], [])
