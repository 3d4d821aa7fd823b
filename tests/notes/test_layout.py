"""test_layout.py's tests that name this log's own notes and pages (the rest of test_layout.py holds for any log)."""

from __future__ import annotations

from tests.test_layout import (  # noqa: F401
    ROOT,
)


def test_tools_has_the_rooms_the_readme_names():
    rooms = {path.name for path in (ROOT / "tools").iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert rooms == {"log", "site", "bench", "figures"}
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    for name in sorted(rooms):
        assert f"{name}/" in layout, f"README's Layout does not describe tools/{name}/"
