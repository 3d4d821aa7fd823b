"""The shape of tools/: its rooms, which room may import which, no import circles,
and nothing private of MkDocs or Material.

The graph is read from the source with ``ast`` (imports inside functions
included), so a circle fails here even where it would only fail at run time,
in the order some later caller happens to import things.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The floors of tools/: a module of a room may import modules of the rooms listed for it.
# "commands" are tools/*.py (what a user runs: dev.py, new_week, new_paper, import_post, extract).
ALLOWED = {
    "commands": {"commands", "log"},
    "log": {"log"},
    "site": {"site", "log"},
    "bench": {"bench", "site", "log", "commands"},
    "figures": {"figures", "log"},
}


def modules(tools: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module and package under tools (the folder itself is `tools`)."""
    found = {}
    for path in sorted(tools.rglob("*.py")):
        parts = ("tools", *path.relative_to(tools).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of known that the module imports (``from a import b``: a.b when that is a module, else a)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    targets.add(f"{source}.{alias.name}")
                elif source in known:
                    targets.add(source)
    targets.discard(name)
    return targets - {"tools"}  # the package's own __init__ holds nothing to depend on


def import_graph(tools: Path) -> dict[str, set[str]]:
    known = modules(tools)
    return {name: imported(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules, each as one circle through it (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            members = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                members.append(top)
                if top == node:
                    break
            if len(members) > 1:
                found.append(circle_through(sorted(members), graph))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def circle_through(members: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A path first -> ... -> first inside members, to name in a failure."""
    inside = set(members)
    start = members[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in sorted(graph[node] & inside):
            if other == start:
                return paths[node] + [start]
            if other not in paths:
                paths[other] = paths[node] + [other]
                queue.append(other)
    return members


def room(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else "commands"


def private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line: name`` (file relative to root) for each underscore name imported from mkdocs or material."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("mkdocs", "material"):
            names = [*node.module.split("."), *(alias.name for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [part for alias in node.names if alias.name.split(".")[0] in ("mkdocs", "material")
                     for part in alias.name.split(".")]
        else:
            continue
        found += [f"{path.relative_to(root)}:{node.lineno}: {name}" for name in names if name.startswith("_")]
    return found


# -- the checks on this checkout ---------------------------------------------------


def test_no_import_circle_in_tools():
    found = cycles(import_graph(ROOT / "tools"))
    assert not found, "import circles: " + "; ".join(" -> ".join(circle) for circle in found)


def test_each_room_imports_only_the_rooms_below_it():
    wrong = [f"{name} ({room(name)}) imports {other} ({room(other)})"
             for name, targets in sorted(import_graph(ROOT / "tools").items()) for other in sorted(targets)
             if room(other) not in ALLOWED[room(name)]]
    assert not wrong, "\n".join(wrong)


def test_nothing_private_of_mkdocs_or_material_is_imported():
    found = [line for path in sorted((ROOT / "tools").rglob("*.py")) for line in private_imports(path)]
    assert not found, "\n".join(found)


# -- the checks themselves, on trees made for them ---------------------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "tools" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "tools"


def test_a_circle_through_a_function_local_import_is_found(tmp_path: Path):
    tools = write_tree(tmp_path, {
        "__init__.py": "",
        "log/__init__.py": "",
        "log/a.py": "from tools.log import b\n",
        "log/b.py": "def f():\n    from tools.log.c import g\n",
        "log/c.py": "from .a import x\n",
        "log/d.py": "import tools.log.a\n",
    })
    assert cycles(import_graph(tools)) == [["tools.log.a", "tools.log.b", "tools.log.c", "tools.log.a"]]


def test_a_tree_without_circles_has_none(tmp_path: Path):
    tools = write_tree(tmp_path, {"__init__.py": "", "a.py": "import tools.b\n", "b.py": "import os\n"})
    assert import_graph(tools) == {"tools": set(), "tools.a": {"tools.b"}, "tools.b": set()}
    assert cycles(import_graph(tools)) == []


@pytest.mark.parametrize("line", [
    "from mkdocs.structure.pages import _RawHTMLPreprocessor\n",
    "from mkdocs._private import thing\n",
    "import material._internal.x\n",
])
def test_a_private_import_is_named(tmp_path: Path, line: str):
    source = tmp_path / "hook.py"
    source.write_text("import os\nfrom mkdocs.plugins import event_priority\n" + line, encoding="utf-8")
    found = private_imports(source, tmp_path)
    assert len(found) == 1 and found[0].startswith("hook.py:3: _"), found


def test_rooms():
    assert [room(n) for n in ("tools.dev", "tools.new_week", "tools.log.cli", "tools.site.hooks.nav",
                              "tools.bench.page", "tools.figures.clip_similarity")] == [
        "commands", "commands", "log", "site", "bench", "figures"]
