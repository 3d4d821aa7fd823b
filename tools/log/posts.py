"""Old blog posts (Jekyll or Hexo) brought into the log: a weekly report, a paper note, a course note
or a note in a section of its own (--into).

read_post reads a post and its front matter, plan_import decides what it
becomes, where it goes and which of its fields are kept, changed or dropped
(one message each), and tools.log.blog makes its text build here (Liquid,
images, math, code blocks). import_posts plans a whole blog (files and folders)
and writes it all or nothing; import_post does one post. tools/import_post is
the command; its --help says what is kept and what is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.log.blog import SKIP_LINE, Context, Converted, convert_body
from tools.log.cli import Refusal, UsageError
from tools.log.config import AUTHORS, BIB, POSTS, STATUSES, allowed_categories, author_ids
from tools.log.files import read_text, shown, write_files
from tools.log.frontmatter import (
    MARKDOWN, TEXT, FrontMatter, check_fields, described, front_matter_text, is_scalar, load_mapping,
    split_front_matter, yaml_value,
)
from tools.log.papers import notes_for, references, same_but_case, slug_of
from tools.log.reports import WEEK_PAST_THE_CALENDAR, report_in_week, title_of_week, week_fits, week_of

KINDS = {"weekly": POSTS, "paper": Path("docs/papers"), "course": Path("docs/courses")}

# What makes a post a weekly report: its title or text says so.
WEEKLY = re.compile(r"周报|周记|weekly|week(?:ly)?\s+report|下周计划|本周|第\s*[0-9一二三四五六七八九十百]+\s*周",
                    re.IGNORECASE)


# Jekyll: 2022-4-24 21:00:00; Hexo: 2022-04-24 21:00:00; either with a zone or a T.
POST_DATE = re.compile(
    r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?"
)


JEKYLL_NAME = re.compile(r"(?P<date>\d{4}-\d{1,2}-\d{1,2})-(?P<rest>.+)")
TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Strings(yaml.SafeLoader):
    """Safe YAML that leaves dates as written: Jekyll's 2022-4-24 is not a YAML date."""


_Strings.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class NoFrontMatter(Refusal):
    """A file that is no post: Jekyll publishes a file under _posts/ without front matter as it is, not as a post."""


@dataclass(frozen=True)
class Post:
    path: Path
    where: str  # the path as messages show it
    fields: dict
    lines: dict[str, int]
    body: str
    body_line: int
    notes: tuple[str, ...]  # what reading it changed (a BOM, a missing opening '---')

    def at(self, name: str) -> str:
        return f"{self.where}:{self.lines.get(name, 1)}"


def read_post(path: Path, root: Path) -> Post:
    where = str(path)  # as the user wrote it
    text = read_text(path, root, where)
    notes = []
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("dropped the UTF-8 byte order mark")
    parts = split_front_matter(text, where)
    if parts is not None:
        yaml_text, body, body_line = parts
        fields, lines = load_mapping(yaml_text, where, 2, _Strings)
    else:
        # Hexo also reads front matter that has no opening '---'.
        closing = re.search(r"^---[ \t]*(?:\r?\n|\Z)", text, re.MULTILINE)
        fields = None
        if closing is not None and closing.start() > 0:
            try:
                fields, lines = load_mapping(text[:closing.start()], where, 1, _Strings)
            except Refusal:
                fields = None
        if not fields or not ({"title", "date"} & set(fields)):
            raise NoFrontMatter(f"{where}:1: no front matter (a post starts with '---', then 'title:', 'date:' ..., then '---')")
        body, body_line = text[closing.end():], text.count("\n", 0, closing.end()) + 1
        notes.append("front matter had no opening '---' (Hexo allows that); ours has one")
    return Post(path, where, fields, lines, body, body_line, tuple(notes))


def post_date(post: Post) -> tuple[dt.date, str | None]:
    """The post's day, and where it came from when not from 'date:'."""
    value = post.fields.get("date")
    if value is None:
        match = JEKYLL_NAME.fullmatch(post.path.stem)
        if match:
            return _day(match["date"], f"{post.where}:1", "in the file name"), "the file name"
        raise Refusal(f"{post.where}:1: no date (no 'date:' in the front matter, no YYYY-MM-DD- in the file name)")
    if not is_scalar(value):
        raise Refusal(f"{post.at('date')}: date must be a date (YYYY-MM-DD, with a time or not), not {described(value)}")
    text = str(value).strip()
    match = POST_DATE.fullmatch(text)
    if not match:
        raise Refusal(f"{post.at('date')}: cannot read the date '{text}' (expected YYYY-MM-DD, with a time or not)")
    if match["H"] is not None and (int(match["H"]) > 23 or int(match["M"]) > 59 or int(match["S"] or 0) > 60):
        raise Refusal(f"{post.at('date')}: the time in '{text}' does not exist")
    return _day(f"{match['y']}-{match['m']}-{match['d']}", post.at("date"), f"'{text}'"), None


def _day(text: str, where: str, what: str) -> dt.date:
    year, month, day = (int(part) for part in text.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise Refusal(f"{where}: the date {what} does not exist: {exc}") from None


POST_FIELDS = {"title": TEXT, "subtitle": TEXT, "description": TEXT, "author": TEXT}


def check_post_fields(post: Post) -> None:
    """A field of the wrong kind is a refusal at its line: tags and categories are
    a list or words in a string (Jekyll's 'a b'); title, author ... are text."""
    check_fields(FrontMatter(post.fields, post.lines, post.body, post.body_line), post.where, POST_FIELDS)
    for name in ("tags", "categories", "category"):
        value = post.fields.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, list):
            raise Refusal(f"{post.at(name)}: {name} must be a list or words, not {described(value)}")
        stack = list(value)
        while stack:
            item = stack.pop()
            if isinstance(item, list):  # Hexo's nested categories
                stack += item
            elif not is_scalar(item):
                raise Refusal(f"{post.at(name)}: {name} must be a list of names, not one holding {described(item)}")


def words(value) -> list[str]:
    """Tags or categories as a flat list: Jekyll writes 'a b', Hexo nests [[a, b], c]."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part]
    if isinstance(value, (list, tuple)):
        found = []
        for item in value:
            found += words(item) if isinstance(item, (list, tuple)) else [str(item)]
        return found
    return [str(value)]


def looks_weekly(post: Post) -> bool:
    return bool(WEEKLY.search(str(post.fields.get("title", ""))) or WEEKLY.search(post.body))


def shown_value(value) -> str:
    return value if isinstance(value, str) else yaml_value(value)


def has_h1(body: str) -> bool:
    return any(token.type == "heading_open" and token.tag == "h1" for token in MARKDOWN.parse(body))


@dataclass(frozen=True)
class Imported:
    path: Path
    text: str
    messages: list[str]  # what was dropped or changed, one line each
    source: Path | None = None
    converted: Converted | None = None  # what the text's conversion changed, copied and could not do


def plan_import(root: Path, source: Path, kind: str | None = None, slug: str | None = None,
                author: str | None = None, bib: str | None = None, status: str | None = None,
                into: str | None = None, assets: Path | None = None, fetch: bool = False,
                planned: dict | None = None) -> Imported:
    """What importing source would write, checked; writes nothing. planned holds what
    other posts of the same run will write (their paths, weeks and images)."""
    planned = planned if planned is not None else {"paths": set(), "weeks": {}, "images": set()}
    if kind is not None and kind not in KINDS:
        raise UsageError(f"invalid kind '{kind}': use weekly, paper or course")
    if status is not None and status not in STATUSES:
        raise UsageError(f"invalid status '{status}': use one of {', '.join(STATUSES)}")
    post = read_post(source, root)
    check_post_fields(post)
    if not post.body.strip():
        raise Refusal(f"{post.where}:{post.body_line - 1}: nothing after the front matter; there is no text to import")
    if kind is None:
        if looks_weekly(post):
            kind = "weekly"
        elif into is not None:
            kind = "note"
        else:
            raise Refusal(f"{post.where}:1: does not look like a weekly report; "
                          "say what it is: --as paper, --as course or --as weekly")
    if kind == "weekly" and (slug or bib or status):
        raise UsageError("--slug, --bib and --status are for notes (--as paper or --as course)")
    if kind != "weekly" and author:
        raise UsageError("--author is for weekly reports")
    if kind == "course" and (bib or status):
        raise UsageError("--bib and --status are for paper notes")
    messages = list(post.notes)
    day, from_where = post_date(post)
    if kind == "weekly" and into is not None and slug is None and bib is None and status is None:
        monday = week_of(day)[0] if week_fits(day) else None
        taken = planned["weeks"].get(monday) or (report_in_week(root, monday) if monday else None)
        if taken is not None:
            where = taken if isinstance(taken, str) else shown(taken.path, root)
            messages.append(f"the week of {monday.isoformat()} has a report ({where}): imported as a note "
                            f"in docs/{into}/ instead")
            kind = "note"
    if from_where:
        messages.append(f"took the date {day.isoformat()} from {from_where}")
    fields = dict(post.fields)
    out: dict = {}

    def drop(name: str) -> None:
        messages.append(f"dropped {name}: {shown_value(fields[name])}")

    title = fields.pop("title", None)
    if title is not None:
        out["title"] = str(title)
    if kind == "weekly":
        if not week_fits(day):
            raise Refusal(f"{post.at('date') if from_where is None else post.where + ':1'}: the date "
                          f"{day.isoformat()} cannot head a weekly report: {WEEK_PAST_THE_CALENDAR}")
        monday, sunday = week_of(day)
        ids = author_ids(root)
        out["date"] = monday
        if str(fields.get("date", "")) != monday.isoformat() or from_where:
            messages.append(f"changed date: {fields.get('date', day.isoformat())} -> {monday.isoformat()} "
                            f"(the Monday of its week, {title_of_week(monday)[len('Weekly report from '):]})")
        fields.pop("date", None)
        existing = report_in_week(root, monday)
        if monday in planned["weeks"]:
            raise Refusal(f"{post.where}:1: {planned['weeks'][monday]} of this run is the report for the week of "
                          f"{monday.isoformat()} already; give --into SECTION to import this one as a note")
        if existing is not None:
            raise Refusal(f"{shown(existing.path, root)}:{existing.front.line('date')}: the report for the week of "
                          f"{monday.isoformat()} already exists; not importing {post.where} over it")
        target = root / POSTS / f"{monday.isoformat()}.md"
        who = fields.pop("author", None)
        if author is not None:
            if author not in ids:
                raise Refusal(f"{AUTHORS}: unknown author '{author}' (known: {', '.join(ids)})")
            chosen = author
        else:
            chosen = _match_author(root, who, ids)
        if who is None:
            messages.append(f"added authors: [{chosen}] (the post names no author)")
        elif str(who) != chosen:
            messages.append(f"changed author: {shown_value(who)} -> authors: [{chosen}]")
        out["authors"] = [chosen]
        if title is None and not has_h1(post.body):
            out["title"] = title_of_week(monday)
            messages.append(f"added title: {out['title']} (the post has none)")
    else:
        if bib is not None:
            papers = references(root)
            if bib not in papers:
                other = same_but_case(bib, papers)
                if other is not None:
                    raise Refusal(f"{BIB}:{other.line}: no entry '{bib}', but '{other.key}' here; keys are "
                                  "written with their capitals")
                raise Refusal(f"{BIB}: no entry '{bib}'; add it first (tools/new_paper --bib FILE)")
            other = notes_for(root).get(bib)
            if other is not None:
                raise Refusal(f"{shown(other[0], root)}:{other[1]}: already the note for '{bib}'; one note per paper")
        name = slug if slug is not None else slug_of(_post_name(post.path))
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", name):
            if slug is not None:
                raise UsageError(f"invalid slug '{slug}': use lowercase letters, digits and hyphens")
            raise Refusal(f"{post.where}: cannot make a file name from '{post.path.name}'; give one with --slug")
        folder = Path("docs") / into if kind == "note" else KINDS[kind]
        target = root / folder / f"{name}.md"
        if slug is None:  # a clash gets a suffix; a name the user chose is refused instead
            count = 1
            while target.exists() or target in planned["paths"]:
                count += 1
                target = root / folder / f"{name}-{count}.md"
            if count > 1:
                messages.append(f"{shown(root / folder / (name + '.md'), root)} is taken: named it {target.name}")
        elif target in planned["paths"]:
            raise Refusal(f"{shown(target, root)}: two posts of this run would be written there; give them --slug")
        if title is None and not has_h1(post.body):
            out["title"] = name.replace("-", " ").capitalize()
            messages.append(f"added title: {out['title']} (the post has none)")
        written = fields.pop("date", None)
        if "author" in fields:
            drop("author")
            fields.pop("author")
    if target.exists():
        raise Refusal(f"{shown(target, root)}: already exists; not overwriting it")

    tags = words(fields.get("tags"))
    if fields.get("tags") is not None and not isinstance(fields["tags"], list):
        messages.append(f"changed tags: {shown_value(fields['tags'])} -> {shown_value(tags)}")
    fields.pop("tags", None)
    categories: list[str] = []
    for name in ("categories", "category"):
        if name not in fields:
            continue
        allowed = allowed_categories(root) if kind == "weekly" else []
        for category in words(fields.pop(name)):
            if allowed is None or category in allowed:
                categories.append(category)
            else:
                why = "not in mkdocs.yml's categories_allowed" if kind == "weekly" else "notes have no categories"
                messages.append(f"changed {name}: {category} -> tags ({why})")
                if category not in tags:
                    tags.append(category)
    if kind == "weekly":
        out["categories"] = categories
    out["tags"] = tags
    if "subtitle" in fields:
        messages.append(f"changed subtitle -> description: {shown_value(fields['subtitle'])}")
        out["description"] = str(fields.pop("subtitle"))
    elif "description" in fields:
        out["description"] = str(fields.pop("description"))
    if kind == "paper":
        if bib is not None:
            out["bib"] = bib
        else:
            messages.append("no bib key: give --bib KEY to link the note to its entry in docs/references.bib")
        chosen_status = status or "read"
        out["status"] = chosen_status
        messages.append(f"added status: {chosen_status}" + ("" if status else " (--status picks another)"))
        dates = {"added": day}
        if chosen_status != "queued":
            dates["started" if chosen_status == "reading" else "finished"] = day
        out.update(dates)
        messages.append(f"changed date: {written if written is not None else from_where} -> "
                        + ", ".join(f"{name}: {value.isoformat()}" for name, value in dates.items()))
    elif kind in ("course", "note"):
        out["date"] = day
        if written is None or str(written) != day.isoformat():
            messages.append(f"changed date: {written if written is not None else from_where} -> {day.isoformat()}")
    for name in list(fields):
        drop(name)
    head = front_matter_text(out)
    converted = convert_body(post.body, Context(source, post.where, post.body_line, target, assets, fetch,
                                                planned["images"]))
    converted.unchecked = [(line + head.count("\n"), why) for line, why in converted.unchecked]
    messages += converted.changes + [f"could not convert: {problem}" for problem in converted.problems]
    planned["paths"].add(target)
    if kind == "weekly":
        planned["weeks"][out["date"]] = post.where
    return Imported(target, head + converted.body, messages, source, converted)


def _post_name(path: Path) -> str:
    match = JEKYLL_NAME.fullmatch(path.stem)
    return match["rest"] if match else path.stem


def _match_author(root: Path, who, ids: list[str]) -> str:
    """The id in .authors.yml whose id or name is the post's author; else the first id."""
    if who is None:
        return ids[0]
    data = yaml.safe_load(read_text(root / AUTHORS, root)) or {}
    wanted = str(who).strip().lower()
    for author_id, about in (data.get("authors") or {}).items():
        name = str((about or {}).get("name", "")) if isinstance(about, dict) else ""
        if wanted in (str(author_id).lower(), name.lower()):
            return str(author_id)
    return ids[0]


def import_post(root: Path, source: Path, kind: str | None = None, slug: str | None = None,
                author: str | None = None, bib: str | None = None, status: str | None = None,
                dry_run: bool = False, **options) -> Imported:
    """Write the imported post (unless dry_run); return it."""
    return import_posts(root, [source], kind, slug, author, bib, status, dry_run=dry_run, **options)[0]


POST_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
UNCHECKED_PAGE = "unchecked.md"
UNCHECKED_HEAD = """\
---
title: Unchecked imported code
---

<!-- Written by tools/import_post, which rewrites it on every import: edit the notes, not this page. -->

# Unchecked imported code

Python blocks that came in with old blog posts and could not run here as
they were (a module that is not installed, a file they read, a name from
another block). Each is skipped with the reason "imported: not checked yet"
until someone makes it run, or gives it a reason of its own.

"""


def post_files(paths: list[Path]) -> list[Path]:
    """The posts named: files as given, folders searched through (Jekyll's _posts/, Hexo's source/_posts/)."""
    return [path for path, _ in _post_files(paths)]


def _post_files(paths: list[Path]) -> list[tuple[Path, bool]]:
    """(post, whether it was found in a folder rather than named)."""
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir() and path.suffix.lower() in POST_SUFFIXES:
            raise Refusal(f"{path}: is a folder, not a file")
        if path.is_dir():
            found += [(p, True) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in POST_SUFFIXES
                      and not any(part.startswith(".") for part in p.relative_to(path).parts)]
        else:
            found.append((path, False))  # a missing one is refused by read_post, naming it
    seen, unique = set(), []
    for path, in_folder in found:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append((path, in_folder))
    return unique


class Imports(list):
    """What a run imported (Imported, in order), and the files of its folders that are no posts."""

    skipped: list[str]


def unchecked_page(root: Path, section: str, imported: list[Imported]) -> tuple[Path, str] | None:
    """docs/<section>/unchecked.md as it should be after this run: every block in docs/ that is skipped as
    imported and not checked yet; None when there are none and the page does not exist."""
    page = root / "docs" / section / UNCHECKED_PAGE
    texts = {}
    for path in sorted((root / "docs").rglob("*.md")):
        if path != page:
            try:
                texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    texts.update({item.path: item.text for item in imported})
    rows = []
    for path, text in sorted(texts.items()):
        lines = text.split("\n")
        for number, line in enumerate(lines, 1):
            if line.strip() == SKIP_LINE:
                first = next((code.strip() for code in lines[number + 1:] if code.strip()), "")
                link = Path(os.path.relpath(path, page.parent)).as_posix()
                first = first.replace("|", "\\|").replace("`", "")[:60]
                rows.append(f"| [{path.relative_to(root / 'docs').as_posix()}]({link}) | {number + 1} | `{first}` |")
    if not rows and not page.exists():
        return None
    table = "| note | line | first line |\n|---|---|---|\n" + "\n".join(rows) + "\n" if rows else "None left.\n"
    return page, UNCHECKED_HEAD + table


def import_posts(root: Path, paths: list[Path], kind: str | None = None, slug: str | None = None,
                 author: str | None = None, bib: str | None = None, status: str | None = None,
                 into: str | None = None, assets: Path | None = None, fetch: bool = False,
                 dry_run: bool = False) -> Imports:
    """Plan every post, then write them, their images and the unchecked-code page all
    or nothing (unless dry_run); return what was (or would be) written."""
    found = _post_files(paths)
    sources = [path for path, _ in found]
    if not sources:
        raise Refusal(f"{paths[0] if paths else '.'}: no posts (.md or .markdown files) found")
    if len(sources) > 1 and (slug or bib):
        raise UsageError("--slug and --bib name one note: give one post with them")
    if into is not None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", into):
            raise UsageError(f"invalid section '{into}': use a folder name under docs/ (lowercase, digits, hyphens)")
        if not (root / "docs" / into / "index.md").is_file():
            raise Refusal(f"docs/{into}/index.md: no such section; make its index page first (and list it in "
                          "mkdocs.yml's nav)")
    if assets is not None and not assets.is_dir():
        raise Refusal(f"{assets}: --assets must be a folder")
    planned: dict = {"paths": set(), "weeks": {}, "images": set()}
    imported, skipped = Imports(), []
    for source, in_folder in found:
        try:
            imported.append(plan_import(root, source, kind, slug, author, bib, status, into, assets, fetch, planned))
        except NoFrontMatter as exc:
            if not in_folder:  # named on the command line: the user meant it to be a post
                raise
            skipped.append(str(exc).split(" (", 1)[0] + ": not a post, left out (Jekyll publishes it as a plain file)")
    imported.skipped = skipped
    if not imported:
        raise Refusal(f"{paths[0]}: no posts found (every file lacks front matter)")
    unchecked = unchecked_page(root, into or "notes", imported) if (
        into or (root / "docs/notes/index.md").is_file()) else None
    if not dry_run:
        new = [(item.path, item.text) for item in imported]
        new += [(path, data) for item in imported for path, data in item.converted.images]
        replace = None
        if unchecked is not None:
            page, text = unchecked
            if page.exists():
                old = read_text(page, root)
                if old != text:
                    replace = (page, old, text)
            else:
                new.append((page, text))
        write_files(root, new, replace)
    return imported
