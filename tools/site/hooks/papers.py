"""The reading log on the site: paper boxes, citations, bibliography, reading list.

- A paper note names its entry in front matter (``bib: he2020moco``) and its
  reading ``status`` (queued, reading, read) with dates ``added``, ``started``,
  ``finished``. The note gets a box under its title: title, authors, venue,
  year, links and the BibTeX entry to copy.
- ``[@key]`` (or ``[@a; @b]``) anywhere in a page's text links to the paper's
  note, or to its bibliography entry when it has none.
- ``<!-- papernotes:bibliography -->`` and ``<!-- papernotes:reading-list -->``
  in a page are replaced by the generated lists.

Problems (a bad .bib file, an unknown key, a second note for one key, an
unknown status, a bad date) are warnings naming the file and line, so that
``mkdocs build --strict`` fails on them; a .bib file that cannot be read
stops the build at once.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import sys
from pathlib import Path

# MkDocs puts only this folder on sys.path while loading a hook; the
# checkout's root holds the shared tools.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from tools.log.bib import BibError, Paper, load
from tools.log.cli import Refusal
from tools.log.frontmatter import FrontMatter, TextDates, parse_front_matter
from tools.log.papers import DATES, PaperNote, paper_note

log = logging.getLogger("mkdocs.hooks.papers")

BIB_FILE = "references.bib"
LIST_ORDER = ("reading", "queued", "read")  # the reading list's sections
BIBLIOGRAPHY_MARK = "<!-- papernotes:bibliography -->"
READING_LIST_MARK = "<!-- papernotes:reading-list -->"
BIBLIOGRAPHY_PAGE = "papers/bibliography.md"
CITATION = re.compile(r"\[(@[A-Za-z0-9_:\-.+]+(?:\s*;\s*@[A-Za-z0-9_:\-.+]+)*)\]")
CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)


def front_matter(src_uri: str, source: str) -> tuple[dict, list[str]]:
    """The page's front matter fields (tools.log.frontmatter), and a located problem if it cannot be read."""
    front, problems = _front(src_uri, source)
    return front.data, problems


def _front(src_uri: str, source: str) -> tuple[FrontMatter, list[str]]:
    try:  # lenient: a page that opens with a '---' rule and never closes it is all body, as MkDocs reads it
        return parse_front_matter(source, f"docs/{src_uri}", loader=TextDates, lenient=True), []
    except Refusal as exc:
        return FrontMatter({}, {}, source, 1), [str(exc)]


def read_note(src_uri: str, source: str, papers: dict[str, Paper]) -> tuple[PaperNote | None, list[str]]:
    """Check one page's front matter (tools.log.papers.paper_note, as the commands read notes);
    return its note (None if it names no paper) and every problem, the unknown key included."""
    front, problems = _front(src_uri, source)
    note, found = paper_note(front, f"docs/{src_uri}")
    problems += found
    if note is not None and note.key not in papers:
        problems.insert(len(problems) - len(found), f"docs/{src_uri}:{front.line('bib')}: unknown BibTeX key "
                        f"'{note.key}' (not in docs/{BIB_FILE})")
    return note, problems


def title_of(note: PaperNote, papers: dict[str, Paper]) -> str:
    """What the reading list calls a note: its title, else its entry's, else its key."""
    return note.title or (papers[note.key].title if note.key in papers else note.key)


def index_notes(notes: list[PaperNote]) -> tuple[dict[str, PaperNote], list[str]]:
    """Key -> note; a second note for the same key is a problem."""
    by_key: dict[str, PaperNote] = {}
    problems = []
    for note in notes:
        if note.key in by_key:
            problems.append(f"docs/{note.src_uri}:1: a second note for '{note.key}' (the first is docs/{by_key[note.key].src_uri})")
        else:
            by_key[note.key] = note
    return by_key, problems


# -- rendering (Markdown that the page's own extensions then process) --------


def paper_box(paper: Paper, note: PaperNote) -> str:
    """An admonition under the note's title, with the entry to copy."""
    authors = ", ".join(paper.authors) or "unknown authors"
    links = " · ".join(f"[{name}]({url})" for name, url in paper.links().items())
    dates = " · ".join(f"{name} {value.isoformat()}" for name, value in note.dates.items())
    lines = [
        f'!!! abstract "{paper.title}"',
        "",
        f"    {authors}.  ",
        f"    *{paper.venue}*, {paper.year}." if paper.venue else f"    {paper.year}.",
        "",
        f"    **Status:** {note.status}" + (f" ({dates})" if dates else "") + (f" · {links}" if links else ""),
        "",
        '    ??? quote "BibTeX"',
        "",
        "        ```bibtex",
        *("        " + line for line in paper.bibtex.splitlines()),
        "        ```",
        "",
    ]
    return "\n".join(lines)


def insert_after_title(markdown: str, block: str) -> str:
    """Put ``block`` after the first level-1 heading, or at the top."""
    match = re.search(r"^# .*$", markdown, re.MULTILINE)
    if not match:
        return block + "\n" + markdown
    return markdown[: match.end()] + "\n\n" + block + markdown[match.end():]


def bibliography(papers: dict[str, Paper], notes: dict[str, PaperNote], here: str) -> str:
    """Every entry, sorted by first author and year, each with an anchor."""
    def order(paper: Paper):
        return (paper.authors[0].split()[-1].lower() if paper.authors else "", paper.year, paper.key)

    lines = []
    for paper in sorted(papers.values(), key=order):
        links = [f"[{name}]({url})" for name, url in paper.links().items()]
        if paper.key in notes:
            links.insert(0, f"[note]({relative_md(notes[paper.key].src_uri, here)})")
        venue = f" *{paper.venue}*," if paper.venue else ""
        lines.append(
            f'- <span id="{paper.key}"></span>**{paper.title}**. {", ".join(paper.authors)}.{venue} {paper.year}.'
            + (f" {' · '.join(links)}" if links else "")
            + f" `{paper.key}`"
        )
    return f"{len(papers)} papers.\n\n" + "\n".join(lines) + "\n"


def reading_list(notes: dict[str, PaperNote], papers: dict[str, Paper], here: str) -> str:
    """Notes grouped by status, with counts and dates."""
    parts = []
    for status in LIST_ORDER:
        group = [n for n in notes.values() if n.status == status]
        date_key = {"reading": "started", "queued": "added", "read": "finished"}[status]
        group.sort(key=lambda n: (n.dates.get(date_key) or dt.date.min, title_of(n, papers)), reverse=True)
        parts.append(f"## {status.capitalize()} ({len(group)})\n")
        if not group:
            parts.append("Nothing here yet.\n")
            continue
        parts.append("| Paper | Year | Added | Started | Finished | Tags |\n|---|---|---|---|---|---|")
        for note in group:
            year = papers[note.key].year if note.key in papers else ""
            cells = [f"[{title_of(note, papers)}]({relative_md(note.src_uri, here)})", year]
            cells += [note.dates[d].isoformat() if d in note.dates else "" for d in DATES]
            cells.append(", ".join(note.tags))
            parts.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        parts.append("")
    return "\n".join(parts)


def relative_md(target: str, here: str) -> str:
    """A Markdown link from page ``here`` to page ``target`` (both relative to docs/)."""
    return get_relative_url(target, here)


def cite(html_text: str, resolve) -> tuple[str, list[str]]:
    """Replace [@key] outside code with links; ``resolve(key)`` gives (href, label) or None."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        keys = [k.strip()[1:] for k in match[1].split(";")]
        links = []
        for key in keys:
            found = resolve(key)
            if found is None:
                unknown.append(key)
                return match[0]
            href, label = found
            links.append(f'<a class="citation" href="{html.escape(href)}">{html.escape(label)}</a>')
        return "[" + "; ".join(links) + "]"

    pieces = CODE.split(html_text)
    for i in range(0, len(pieces), 2):  # even pieces are outside <pre> and <code>
        pieces[i] = CITATION.sub(replace, pieces[i])
    return "".join(pieces), unknown


# -- MkDocs events -----------------------------------------------------------

_papers: dict[str, Paper] = {}
_notes: dict[str, PaperNote] = {}
_urls: dict[str, str] = {}  # src_uri -> url


def on_files(files, config, **kwargs):
    global _papers, _notes
    try:
        bib = Path(config.docs_dir) / BIB_FILE
        root = Path(config.config_file_path).resolve().parent
        _papers = load(bib, bib.relative_to(root).as_posix() if bib.is_relative_to(root) else str(bib))
    except (BibError, OSError) as exc:
        raise PluginError(str(exc)) from None
    notes, problems = [], []
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".md"):
            continue
        note, found = read_note(file.src_uri, file.content_string, _papers)
        problems += found
        if note is not None:
            notes.append(note)
    _notes, duplicates = index_notes(notes)
    for problem in problems + duplicates:
        log.warning(problem)
    _urls.clear()
    _urls.update({f.src_uri: f.url for f in files.documentation_pages()})
    return files


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    src = page.file.src_uri
    if BIBLIOGRAPHY_MARK in markdown:
        markdown = markdown.replace(BIBLIOGRAPHY_MARK, bibliography(_papers, _notes, src))
    if READING_LIST_MARK in markdown:
        markdown = markdown.replace(READING_LIST_MARK, reading_list(_notes, _papers, src))
    key = page.meta.get("bib")
    note = _notes.get(str(key)) if key is not None else None
    if note is not None and note.src_uri == src and note.key in _papers:
        markdown = insert_after_title(markdown, paper_box(_papers[note.key], note))
    return markdown


def on_page_content(html_text: str, page, config, files, **kwargs) -> str:
    def resolve(key: str):
        paper = _papers.get(key)
        if paper is None:
            return None
        label = f"{paper.short_authors()}, {paper.year}"
        if key in _notes:
            target = _urls[_notes[key].src_uri]
        elif BIBLIOGRAPHY_PAGE in _urls:
            target = _urls[BIBLIOGRAPHY_PAGE] + f"#{key}"
        else:
            return None
        return get_relative_url(target, page.url), label

    rendered, unknown = cite(html_text, resolve)
    source = page.file.content_string
    for key in unknown:
        position = source.find(f"@{key}")
        line = source.count("\n", 0, position) + 1 if position >= 0 else 1
        log.warning(f"docs/{page.file.src_uri}:{line}: unknown BibTeX key '{key}' in citation")
    return rendered
