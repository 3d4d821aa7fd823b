"""test_build_errors.py's tests that name this log's own notes and pages (the rest of test_build_errors.py holds for any log)."""

from __future__ import annotations

import pytest
from pathlib import Path
from tests.test_build_errors import (  # noqa: F401
    IN_PRERENDER,
    POST,
    QUICK_S,
    build,
    failed_fast,
    note,
    one_line_with,
    with_hook,
)

DEFECTS = (
    "---\ntitle: Defects\nbib: nosuchkey2099\nstatus: bogus\n---\n\n"
    "# Defects\n\n"
    "Cites [@nosuchcite2099].\n\n"                      # line 9
    "Math: $\\undefinedmacro{x}$.\n\n"                  # line 11
    "See [a missing note](missing-note.md) and [an anchor](moco.md#no-such-anchor).\n\n"  # line 13
    "1. The update:\n   $$\n   m_t = \\beta m_{t-1}\n   $$\n"  # line 17
)


EXPECTED = [
    "docs/papers/zz-defects.md:3: unknown BibTeX key 'nosuchkey2099' (not in docs/references.bib)",
    "docs/papers/zz-defects.md:4: status must be one of queued, reading, read, not 'bogus'",
    "docs/papers/zz-defects.md:9: unknown BibTeX key 'nosuchcite2099' in citation",
    "docs/papers/zz-defects.md:11: TeX unknown command \\undefinedmacro",
    "docs/papers/zz-defects.md:17: $ left as text, not math",
    "contains a link 'missing-note.md', but the target 'papers/missing-note.md' is not found",
    "contains a link 'moco.md#no-such-anchor', but the doc 'papers/moco.md' does not contain an anchor",
]


IN_SEARCH = '''
import os

class Unpickled:
    """Runs {call} in the search worker, which unpickles the page's fields."""
    def __reduce__(self):
        return {call}

def on_page_content(html, page, **kwargs):
    if page.file.src_uri == "papers/moco.md":
        page.meta["zz_test"] = Unpickled()
    return html
'''


RAISES = '''
def on_page_markdown(markdown, page, **kwargs):
    if page.file.src_uri == "papers/moco.md":
        raise RuntimeError("the hook broke")
    return markdown
'''


SERIAL = {"PAPERNOTES_PRERENDER": "0", "PAPERNOTES_SEARCH_WORKER": "0"}


def _unknown_author(project: Path) -> None:
    post = project / POST
    post.write_text(post.read_text(encoding="utf-8").replace("  - lin\n", "  - nobody\n", 1), encoding="utf-8")


@pytest.mark.parametrize("flags", [(), ("-q",)])
def test_an_unknown_author_fails_at_once_naming_the_post(tmp_path, flags):
    result, seconds, lines = build(tmp_path, _unknown_author, *flags)
    failed_fast(result, seconds, lines)
    one_line_with(lines, f"{POST}:4: Couldn't find author 'nobody'")


def test_a_hook_that_raises_fails_at_once_naming_page_and_hook(tmp_path):
    result, seconds, lines = build(tmp_path, with_hook(RAISES))
    failed_fast(result, seconds, lines)
    one_line_with(lines, "docs/papers/moco.md: RuntimeError: the hook broke",
                  "(in on_page_markdown of tools/site/hooks/zz_test.py)")


def test_a_hook_that_raises_shows_its_traceback_under_verbose(tmp_path):
    result, seconds, lines = build(tmp_path, with_hook(RAISES), "-v")
    assert result.returncode != 0 and seconds < QUICK_S
    one_line_with(lines, "docs/papers/moco.md: RuntimeError: the hook broke")
    assert any("Traceback (most recent call last)" in line for line in lines)


@pytest.mark.parametrize("action, why", [
    ("os.kill(os.getpid(), signal.SIGKILL)", "stopped (exit code -9)"),
    ("time.sleep(600)", "sent nothing for 2 s"),
])
def test_a_prerender_worker_that_dies_or_hangs_leaves_its_pages_to_the_build(tmp_path, action, why):
    result, seconds, lines = build(tmp_path, with_hook(IN_PRERENDER.format(action=action)))
    assert result.returncode == 0, "\n".join(lines[-30:])
    assert seconds < QUICK_S
    one_line_with(lines, f"prerender: the worker {why}; the build converts the remaining pages itself")
    assert (tmp_path / "out" / "papers" / "moco" / "index.html").is_file()


def test_a_search_worker_that_dies_leaves_the_rest_to_the_build(tmp_path):
    result, seconds, lines = build(tmp_path, with_hook(IN_SEARCH.format(call="(os._exit, (3,))")))
    assert result.returncode == 0, "\n".join(lines[-30:])
    assert seconds < QUICK_S
    one_line_with(lines, "search worker stopped (exit code 3) after indexing", "the build indexes the rest itself")
    sections = (tmp_path / "out" / "search" / "shards" / "index.json").read_text(encoding="utf-8")
    assert "MoCo" in sections or "moco" in sections


def test_a_search_worker_that_raises_fails_the_build_naming_the_page(tmp_path):
    result, seconds, lines = build(tmp_path, with_hook(IN_SEARCH.format(call='(int, ("not a number",))')))
    failed_fast(result, seconds, lines)
    line = one_line_with(lines, "docs/papers/moco.md: search worker failed: ValueError: invalid literal for int()")
    assert "md: docs/" not in line, f"a second page named in front: {line}"  # only the page the worker was on


@pytest.mark.parametrize("flag", ["-q", "-v"])
@pytest.mark.parametrize("workers", ["workers", "serial"])
def test_our_checks_fail_a_strict_build_under_quiet_and_verbose(tmp_path, flag, workers):
    result, seconds, lines = build(tmp_path, note("docs/papers/zz-defects.md", DEFECTS), flag,
                                   env=SERIAL if workers == "serial" else None)
    assert result.returncode == 1, "\n".join(lines[-30:])
    for expected in EXPECTED:
        one_line_with(lines, expected)
    one_line_with(lines, f"Aborted with {len(EXPECTED)} warnings in strict mode!")
    if flag == "-q":
        assert not any(line.startswith("INFO") for line in lines), "-q shows no INFO lines"
