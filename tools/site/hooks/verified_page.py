"""The page that says what "verified" means: docs/verified.md.

``<!-- papernotes:verified -->`` in a page is replaced by a section per
generated module of snippets/: the note it comes from, whether its record in
snippets/verified.json is for the code as it is now, and per device the
number of tests passed, the device's name, the torch version and the date;
then what its tests check, the first paragraph of the docstring of
``tests/**/test_<module>.py``. Each module's heading has the anchor
``#module-<name>`` that the badges link to (tools/site/hooks/badges.py).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.utils import get_relative_url  # noqa: E402

from tools.log.snippets import code_digest  # noqa: E402
from tools.site.hooks.badges import DEVICE_NAMES, badge, devices_of, load_records, mark  # noqa: E402
from tools.site.hooks.nav import note_title  # noqa: E402

MARK = "<!-- papernotes:verified -->"


def source_of(module: Path) -> str:
    """The note a generated module names in its banner (docs/...md), or ""."""
    for line in module.read_text(encoding="utf-8").splitlines()[:10]:
        for word in line.replace("`", " ").split():
            if word.startswith("docs/") and ".md" in word:
                return word[: word.index(".md") + 3]
    return ""


def title_of(root: Path, note: str) -> str:
    """A note's title as its page shows it (tools/site/hooks/nav.py), else its path."""
    path = root / note
    if not path.is_file():
        return note
    return note_title(path.read_text(encoding="utf-8")) or note.removeprefix("docs/")


def what_tests_check(root: Path, name: str) -> tuple[str, str]:
    """(the test file, relative to root; the first paragraph of its docstring), or ("", "")."""
    for test in sorted((root / "tests").rglob(f"test_{name}.py")):
        try:
            doc = ast.get_docstring(ast.parse(test.read_text(encoding="utf-8"))) or ""
        except SyntaxError:
            doc = ""
        return test.relative_to(root).as_posix(), " ".join(doc.split("\n\n")[0].split())
    return "", ""


def table(root: Path, here: str) -> str:
    """The Markdown that replaces the marker on page ``here`` (relative to docs/):
    a section per module, its heading anchored ``#module-<name>``."""
    snippets = root / "snippets"
    records = load_records(snippets / "verified.json")
    order = list(DEVICE_NAMES)
    parts = []
    for module in sorted(snippets.glob("*.py")):
        if module.name == "__init__.py":
            continue
        name = module.stem
        entry = records.get(name)
        details, verified = badge(entry, code_digest(module.read_text(encoding="utf-8")))
        source = source_of(module)
        note = source.removeprefix("docs/")
        state = mark(verified, devices_of(entry)) + ("" if verified else f" ({details})")
        lines = [f"### `snippets/{name}.py` {{ #module-{name} }}", "", f"- **Record**: {state}"]
        if note:
            lines.append(f"- **From**: [{title_of(root, source)}]({get_relative_url(note, here)})")
        for device, record in sorted(((entry or {}).get("devices") or {}).items(),
                                     key=lambda item: order.index(item[0]) if item[0] in order else len(order)):
            tests = record["tests_passed"]
            earlier = "" if verified else " (an earlier version of the code)"
            lines.append(f"- **{DEVICE_NAMES.get(device, device)}**{earlier}: {tests} test{'' if tests == 1 else 's'} passed "
                         f"on {record['device_name']}, torch {record['torch'].split('+')[0]}, {record['date']}")
        test_file, doc = what_tests_check(root, name)
        lines.append(f"- **What the tests check** (`{test_file}`): {doc}" if test_file else
                     "- **What the tests check**: no test file found")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def on_page_markdown(markdown: str, page, config, **kwargs) -> str:
    if MARK not in markdown:
        return markdown
    root = Path(config.config_file_path).resolve().parent
    return markdown.replace(MARK, table(root, page.file.src_uri))
