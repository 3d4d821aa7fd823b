"""A build that fails ends within seconds and says where in one line, and
``--strict`` fails on our checks whatever ``-q`` or ``-v`` says.

Each test builds a copy of the project (sitebuild.strict_build: mkdocs.yml,
tools/, docs/; about 3 s a build) with one defect, as a user runs it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tools.site.hooks.guard import line_in, not_utf8
from tools.site.build import strict_build

LIMIT_S = 60  # the subprocess is killed after this: a hang fails the test
QUICK_S = 25  # a failed build must end well within this (each takes about 3 s)
POST = "docs/weekly/posts/2022-04-18.md"


def build(tmp_path: Path, change, *args: str, env: dict | None = None):
    """(result, seconds, output lines) of ``mkdocs build --strict *args`` on
    a copy of the project after ``change(project)``."""
    start = time.monotonic()
    result = strict_build(tmp_path, change, args=args, env=env, timeout=LIMIT_S)
    seconds = time.monotonic() - start
    return result, seconds, (result.stdout + result.stderr).splitlines()


def note(path: str, text: str | bytes):
    def change(project: Path) -> None:
        target = project / path
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return change


def with_hook(source: str):
    """A change: one more hook (tools/site/hooks/zz_test.py) listed first in mkdocs.yml."""
    def change(project: Path) -> None:
        (project / "tools" / "site" / "hooks" / "zz_test.py").write_text(source, encoding="utf-8")
        config = project / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("hooks:\n", "hooks:\n  - tools/site/hooks/zz_test.py\n", 1), encoding="utf-8")
    return change


def one_line_with(lines: list[str], *parts: str) -> str:
    found = [line for line in lines if all(part in line for part in parts)]
    assert found, f"no line with {parts}:\n" + "\n".join(lines[-30:])
    return found[0]


def failed_fast(result, seconds, lines) -> None:
    assert result.returncode != 0, "\n".join(lines[-30:])
    assert seconds < QUICK_S, f"the failed build took {seconds:.1f} s"
    assert not any(line.startswith("Traceback") for line in lines), "\n".join(lines[-30:])


# -- errors end the build at once, in one located line ----------------------


def test_a_missing_snippet_include_fails_at_once_naming_the_page_and_line(tmp_path):
    result, seconds, lines = build(tmp_path, note(
        "docs/papers/zz-include.md", '# Include\n\nText.\n\n--8<-- "snippets/no_such_file.py"\n'))
    failed_fast(result, seconds, lines)
    one_line_with(lines, "docs/papers/zz-include.md:5: SnippetMissingError: Snippet at path "
                         "'snippets/no_such_file.py' could not be found")


@pytest.mark.parametrize("data, offset, byte, line", [
    (b"\xff\xfe# x\n", 0, 0xFF, 1),
    ("---\ntitle: Café\n---\n\n# Café\n".encode("latin-1"), 14, 0xE9, 2),
])
def test_a_note_that_is_not_utf8_fails_in_one_line_naming_file_and_byte(tmp_path, data, offset, byte, line):
    assert not_utf8(data) == (offset, byte, line)
    result, seconds, lines = build(tmp_path, note("docs/papers/zz-latin1.md", data))
    failed_fast(result, seconds, lines)
    one_line_with(lines, f"docs/papers/zz-latin1.md:{line}: not UTF-8 at byte {offset} (0x{byte:02x}); save it as UTF-8")
    assert not any("UnicodeDecodeError" in line for line in lines)


# -- a worker that dies, raises or hangs -------------------------------------

IN_PRERENDER = '''
import multiprocessing, os, signal, time
from tools.site.hooks import workers

workers.STALL_S = 2.0

def on_page_markdown(markdown, page, **kwargs):
    if multiprocessing.current_process().name == "papernotes-prerender":
        {action}
    return markdown
'''


def test_a_page_the_prerender_worker_fails_on_is_converted_by_the_build(tmp_path):
    result, seconds, lines = build(tmp_path, with_hook(IN_PRERENDER.format(action='raise RuntimeError("worker only")')))
    assert result.returncode == 0, "\n".join(lines[-30:])
    assert not any("worker only" in line for line in lines)


# -- strict whatever the log level -------------------------------------------


def test_line_in_finds_what_the_message_quotes():
    source = "---\nauthors:\n  - nobody\n---\n"
    assert line_in(source, "Couldn't find author 'nobody'") == 3
    assert line_in(source, 'Snippet at path "x.py" could not be found') is None


DROPS_MKDOCS_COUNTER = '''
import logging
from mkdocs.utils import CountHandler

def on_config(config, **kwargs):
    logger = logging.getLogger("mkdocs")
    for handler in list(logger.handlers):
        if isinstance(handler, CountHandler):
            logger.removeHandler(handler)
    return config
'''


def test_a_strict_build_fails_on_warnings_even_without_mkdocs_counter(tmp_path):
    def change(project: Path) -> None:
        with_hook(DROPS_MKDOCS_COUNTER)(project)
        note("docs/papers/zz-defects.md", "# Defects\n\nCites [@nosuchcite2099].\n")(project)

    result, seconds, lines = build(tmp_path, change, "-q")
    assert result.returncode == 1, "\n".join(lines[-30:])
    one_line_with(lines, "Aborted with 1 warnings in strict mode! The first: "
                         "docs/papers/zz-defects.md:3: unknown BibTeX key 'nosuchcite2099' in citation")
