"""A note's front matter, read with the line of every field: one reader for the
commands and the site's hooks.
parse_front_matter splits the YAML between the opening and closing ``---``
lines from the body, refuses what MkDocs would misread (an alias, a field
twice, a value YAML cannot build) with file:line, and keeps each field's line
so that every later problem names it too. field_problems checks fields against
their kind (TEXT: one value; NAMES: a list of them); alias_problems and
aliases_of read the ``aliases`` any page may have.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from tools.log.cli import Refusal
from tools.log.files import read_text, shown

class _Loader(yaml.SafeLoader):
    """YAML as MkDocs reads front matter (safe; dates become datetime.date)."""


class TextDates(yaml.SafeLoader):
    """YAML as MkDocs reads front matter, except that dates stay text: a paper note's dates are
    checked one by one (to_date), so that an impossible one is a problem on its line, not a file
    that cannot be read."""


TextDates.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


@dataclass(frozen=True)
class FrontMatter:
    data: dict
    lines: dict[str, int]  # field -> 1-based line in the file
    body: str  # everything after the closing '---' line, as written
    body_line: int  # 1-based line where the body starts

    def line(self, name: str) -> int:
        return self.lines.get(name, 1)


FENCE = re.compile(r"---[ \t]*\r?\n")


def split_front_matter(text: str, where: str, lenient: bool = False) -> tuple[str, str, int] | None:
    """(YAML text, body, body's first line) or None when the text has no front matter.

    An opening '---' line without a closing one is a Refusal, unless lenient: then,
    as MkDocs reads such a page, there is no front matter and the '---' is a rule.
    """
    if not FENCE.match(text):
        return None
    start = FENCE.match(text).end()
    closing = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE).search(text, start)
    if closing is None:
        if lenient:
            return None
        raise Refusal(f"{where}:1: front matter is not closed (no second '---' line)")
    yaml_text = text[start:closing.start()]
    body = text[closing.end():]
    return yaml_text, body, text.count("\n", 0, closing.end()) + 1


def parse_front_matter(text: str, where: str, loader=_Loader, required: bool = False,
                       lenient: bool = False) -> FrontMatter:
    """The front matter of a Markdown file; Refusal with file:line for bad YAML (lenient: see split_front_matter)."""
    parts = split_front_matter(text, where, lenient)
    if parts is None:
        if required:
            raise Refusal(f"{where}:1: no front matter (the file must start with a '---' line)")
        return FrontMatter({}, {}, text, 1)
    yaml_text, body, body_line = parts
    data, lines = load_mapping(yaml_text, where, 2, loader)
    return FrontMatter(data, lines, body, body_line)


def load_mapping(yaml_text: str, where: str, first_line: int, loader=_Loader) -> tuple[dict, dict[str, int]]:
    """Front matter YAML (starting on first_line of the file): its fields and each field's line."""
    try:
        node = yaml.compose(yaml_text, Loader=loader)
        alias = _alias(node)
        if alias is not None:
            raise Refusal(f"{where}:{alias + first_line}: front matter uses a YAML alias "
                          "(&name ... *name); write the value out")
        data = yaml.load(yaml_text, Loader=loader) if node is not None else {}
    except RecursionError:
        raise Refusal(f"{where}:{first_line}: front matter is nested too deeply") from None
    except yaml.YAMLError as exc:
        # Where the construct began (an unclosed quote) says more than where reading stopped.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        problem = f"{context}, {problem}" if context else problem
        raise Refusal(f"{where}:{line}: front matter is not valid YAML: {problem}") from None
    except ValueError as exc:  # a value YAML reads but cannot build: date: 2026-02-30
        line, name, value = _bad_value(node, loader, first_line)
        raise Refusal(f"{where}:{line}: {name}: '{value}' is not valid: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, (yaml.MappingNode, type(None))):
        raise Refusal(f"{where}:{first_line}: front matter must be a mapping of fields ('name: value' lines)")
    lines: dict[str, int] = {}
    if node is not None:
        for key, _ in node.value:
            name = str(key.value)
            if name in lines:
                raise Refusal(f"{where}:{key.start_mark.line + first_line}: '{name}' appears twice in the front matter")
            lines[name] = key.start_mark.line + first_line
    return data, lines


def _alias(node) -> int | None:
    """0-based line of the field where a node is met a second time (a YAML alias), or None."""
    seen: set[int] = set()
    stack = [(node, 0)] if node is not None else []
    while stack:
        current, line = stack.pop()
        if id(current) in seen:
            return line
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack += [(item, line) for item in reversed(current.value)]
        elif isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                stack += [(value, key.start_mark.line), (key, key.start_mark.line)]
    return None


def _bad_value(node, loader, first_line: int) -> tuple[int, str, str]:
    """Line, field and text of the first value that YAML cannot build."""
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        try:
            loader("").construct_object(value, deep=True)
        except ValueError:
            text = value.value if isinstance(value, yaml.ScalarNode) else "..."
            return value.start_mark.line + first_line, str(key.value), text
    return first_line, "front matter", "..."


TEXT, NAMES = "text", "names"  # what a front matter field holds: one value, or a list of them


def described(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    return f"'{value}'"


def is_scalar(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def field_problems(data: dict, line_of, where: str, kinds: dict[str, str]):
    """(field, located problem ``where:line: ...``) per field of data whose value is not of
    its kind; line_of(name) is the field's line.

    TEXT: a string (or a number, which YAML reads from `title: 1984`); NAMES: a
    list of those ([CV, NLP]). An empty field is fine: it means nothing.
    """
    for name, kind in kinds.items():
        value = data.get(name)
        if value is None:
            continue
        at = f"{where}:{line_of(name)}"
        if kind == TEXT and not is_scalar(value):
            yield name, f"{at}: {name} must be text, not {described(value)}"
        elif kind == NAMES:
            if not isinstance(value, list):
                yield name, f"{at}: {name} must be a list ({name}: [a, b]), not {described(value)}"
            else:
                holding = next((item for item in value if not is_scalar(item)), None)
                if holding is not None:
                    yield name, f"{at}: {name} must be a list of names, not one holding {described(holding)}"


def blank_names(data: dict, line_of, where: str, name: str) -> list[str]:
    """A located problem when the list field ``name`` holds a blank name ('' or spaces only):
    for a field whose every name is shown and searched for (aliases), where one means a mistake."""
    value = data.get(name)
    if isinstance(value, list) and any(isinstance(item, str) and not item.strip() for item in value):
        return [f"{where}:{line_of(name)}: {name} must be a list of names, not one holding a blank name ('')"]
    return []


ALIASES = "aliases"  # the other names a reader types for a page's subject (the other language's)


def alias_problems(data: dict, line_of, where: str) -> list[str]:
    """Located problems with a page's ``aliases``: not a list of names (field_problems, kind
    NAMES), or a blank name in it. None, an empty field or ``[]`` is fine."""
    found = [problem for _, problem in field_problems(data, line_of, where, {ALIASES: NAMES})]
    return found or blank_names(data, line_of, where, ALIASES)


def aliases_of(meta: dict) -> list[str]:
    """A page's aliases as the site shows and searches them, from its front matter (or MkDocs'
    page.meta): each name stripped, blank ones and repeats dropped, in the order written.
    Lenient: what alias_problems refuses (not a list, a mapping in it) gives nothing."""
    value = meta.get(ALIASES) if isinstance(meta, dict) else None
    names: list[str] = []
    for item in value if isinstance(value, list) else ():
        name = str(item).strip() if is_scalar(item) else ""
        if name and name not in names:
            names.append(name)
    return names


def check_fields(front: FrontMatter, where: str, kinds: dict[str, str]) -> None:
    """Refusal naming file:line of the first field whose value is not of its kind (field_problems)."""
    for _, problem in field_problems(front.data, front.line, where, kinds):
        raise Refusal(problem)


def read_front_matter(path: Path, root: Path, **kwargs) -> FrontMatter:
    return parse_front_matter(read_text(path, root), shown(path, root), **kwargs)


def to_date(value, where: str, name: str = "date") -> dt.date:
    """A front matter date (a YAML date, a datetime, a string, or Material's {created: ...})."""
    if isinstance(value, dict) and "created" in value:
        value = value["created"]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", value.strip())
        if match:
            try:
                return dt.date.fromisoformat(match[1])
            except ValueError:
                pass
    raise Refusal(f"{where}: {name} must be a date YYYY-MM-DD, not {described(value)}")


def yaml_value(value) -> str:
    """One front matter value, written on one line (quoted only where YAML needs it)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def front_matter_text(fields: dict) -> str:
    return "---\n" + "".join(f"{name}: {yaml_value(value)}\n" for name, value in fields.items()) + "---\n"


def field_line(source: str, name: str) -> int:
    """1-based line of a front-matter field in a page's source (1 when it is missing)."""
    match = re.search(rf"^{re.escape(name)}\s*:", source, re.MULTILINE)
    return source.count("\n", 0, match.start()) + 1 if match else 1


def yaml_line(exc: yaml.YAMLError) -> int:
    """1-based line of a YAML error: where the construct began (an unclosed '['), else where reading stopped."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else 1


MARKDOWN = MarkdownIt("commonmark").use(front_matter_plugin)
