"""docs/performance.md is what tools/bench/page makes of the benchmark results; the modules of
tools/bench import one another without a circle; the notes' links into the page name its headings."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from pymdownx.slugs import slugify

from tools.bench import page as bench_page

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tools" / "bench"


def test_performance_page_is_what_the_results_give():
    assert bench_page.main(["--check"]) == 0, "run python -m tools.bench.page"


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of tools/bench that path imports, anywhere in it (function-local imports and
    importlib.import_module with a literal name included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)):
            names = [str(node.args[0].value)]
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["tools", "bench"] and len(parts) > 2 and parts[2] in modules:
                found.add(parts[2])
    return found


def test_no_import_circles_in_tools_bench():
    modules = {p.stem for p in BENCH.glob("*.py") if p.stem != "__init__"}
    graph = {name: _imports(BENCH / f"{name}.py", modules) for name in modules}
    circles = []

    def visit(name: str, path: list[str]) -> None:
        for dep in sorted(graph[name]):
            if dep in path:
                circles.append(" -> ".join(path[path.index(dep):] + [dep]))
            else:
                visit(dep, path + [dep])

    for name in sorted(modules):
        visit(name, [name])
    assert not circles, f"import circles in tools/bench: {sorted(set(circles))}"


def test_page_is_written_without_torch():
    """The page generator reads the benchmarks' records; it imports no benchmark, so not torch."""
    code = "import sys, tools.bench.page; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_notes_link_to_headings_of_the_page():
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    anchors = {slugify(case="lower")(m.group(1), "-") for m in re.finditer(r"^#+ (.+)$", page, re.M)}
    links = []
    for note in sorted((ROOT / "docs").glob("*/**/*.md")):
        for anchor in re.findall(r"\]\((?:\.\./)+performance\.md#([^)\s]+)\)", note.read_text(encoding="utf-8")):
            links.append((note.relative_to(ROOT).as_posix(), anchor))
    assert links, "no note links to a heading of the performance page"
    missing = [(note, anchor) for note, anchor in links if anchor not in anchors]
    assert not missing, f"links to headings the performance page does not have: {missing}"
