"""The reading log on the site: paper boxes, citations, bibliography, reading list.

- A paper note names its entry in front matter (``bib: he2020moco``) and its
  reading ``status`` (queued, reading, read) with dates ``added``, ``started``,
  ``finished``. The note gets a box under its title: title, authors, venue,
  year, links and the BibTeX entry to copy.
- ``[@key]`` (or ``[@a; @b]``) anywhere in a page's text links to the paper's
  note, or to its bibliography entry when it has none.
- ``<!-- papernotes:bibliography -->`` and ``<!-- papernotes:reading-list -->``
  in a page are replaced by the generated lists; the reading list ends with the
  reading pace, papers finished per month, drawn here as a small inline SVG.
- A weekly report ends with a card for each paper it discusses (a link to a
  paper note, or a ``[@key]`` citation), in the order it first names them: the
  title, linked to the note, and its reading status.

Problems (a bad .bib file, an unknown key, a second note for one key, an
unknown status, a bad date) are warnings naming the file and line, so that
``mkdocs build --strict`` fails on them; a .bib file that cannot be read
stops the build at once.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import posixpath
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
from tools.log.frontmatter import MARKDOWN, FrontMatter, TextDates, parse_front_matter
from tools.log.papers import DATES, PaperNote, paper_note
from tools.site.hooks.nav import displayed_title

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
    front, problems = read_front(src_uri, source)
    return front.data, problems


def read_front(src_uri: str, source: str) -> tuple[FrontMatter, list[str]]:
    """The page's front matter as tools.log.frontmatter reads it, and a located problem if it cannot be read."""
    try:  # lenient: a page that opens with a '---' rule and never closes it is all body, as MkDocs reads it
        return parse_front_matter(source, f"docs/{src_uri}", loader=TextDates, lenient=True), []
    except Refusal as exc:
        return FrontMatter({}, {}, source, 1), [str(exc)]


def read_note(src_uri: str, source: str, papers: dict[str, Paper]) -> tuple[PaperNote | None, list[str]]:
    """Check one page's front matter (tools.log.papers.paper_note, as the commands read notes);
    return its note (None if it names no paper) and every problem, the unknown key included."""
    front, problems = read_front(src_uri, source)
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


def dates_cell(note: PaperNote) -> str:
    """The dates a note's front matter gives, in reading order: "added 2022-05-02 · started 2022-05-09"."""
    given = [f"{name} {note.dates[name].isoformat()}" for name in DATES if name in note.dates]
    return " · ".join(given) or "no date given"


def reading_list(notes: dict[str, PaperNote], papers: dict[str, Paper], here: str) -> str:
    """Notes grouped by status, with counts: each row with the dates its note gives (one
    Dates column, so that no column stands empty for the dates a status does not have) and
    tags when any note of the group has them; then the reading pace, papers finished per month."""
    parts = []
    for status in LIST_ORDER:
        group = [n for n in notes.values() if n.status == status]
        date_key = {"reading": "started", "queued": "added", "read": "finished"}[status]
        group.sort(key=lambda n: (n.dates.get(date_key) or dt.date.min, title_of(n, papers)), reverse=True)
        parts.append(f"## {status.capitalize()} ({len(group)})\n")
        if not group:
            parts.append("Nothing here yet.\n")
            continue
        tagged = any(note.tags for note in group)
        parts.append("| Paper | Year | Dates |" + (" Tags |" if tagged else "")
                     + "\n|---|---|---|" + ("---|" if tagged else ""))
        for note in group:
            year = papers[note.key].year if note.key in papers else "n.d."
            cells = [f"[{title_of(note, papers)}]({relative_md(note.src_uri, here)})", year, dates_cell(note)]
            if tagged:
                cells.append(", ".join(note.tags) or "none")
            parts.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        parts.append("")
    finished = [note.dates["finished"] for note in notes.values() if note.status == "read" and "finished" in note.dates]
    if finished:
        parts += ["## Reading pace\n", pace_chart(finished), ""]
    return "\n".join(parts)


def months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """(year, month) from first's month to last's, every month in between included."""
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


PACE_BAR, PACE_GAP, PACE_HEIGHT, PACE_TOP, PACE_BOTTOM = 22, 8, 80, 16, 30  # px of the pace chart


def pace_chart(finished: list[dt.date]) -> str:
    """Papers finished per month, as a small inline SVG drawn here (no script): one bar a
    month from the first to the last finish, zero months included, each bar's height in
    proportion to its count, with a <title>, a <desc> and per bar a <title> for screen
    readers and for hovering."""
    counts: dict[tuple[int, int], int] = {}
    for day in finished:
        counts[(day.year, day.month)] = counts.get((day.year, day.month), 0) + 1
    span = months(min(finished), max(finished))
    most = max(counts.values())
    unit = PACE_HEIGHT / most
    width = len(span) * (PACE_BAR + PACE_GAP) + PACE_GAP
    height = PACE_TOP + PACE_HEIGHT + PACE_BOTTOM
    base = PACE_TOP + PACE_HEIGHT
    first, last = span[0], span[-1]
    summary = (f"{len(finished)} papers finished from {dt.date(*first, 1):%B %Y} to {dt.date(*last, 1):%B %Y}; "
               + ", ".join(f"{dt.date(y, m, 1):%b %Y} {counts.get((y, m), 0)}" for y, m in span) + ".")
    shapes = []
    for i, (year, month) in enumerate(span):
        count = counts.get((year, month), 0)
        x = PACE_GAP + i * (PACE_BAR + PACE_GAP)
        bar = round(count * unit, 2)
        label = f"{dt.date(year, month, 1):%B %Y}: {count} paper{'s' if count != 1 else ''} finished"
        shapes.append(
            f'<g class="papernotes-pace__month" data-month="{year:04d}-{month:02d}" data-count="{count}">'
            f"<title>{label}</title>"
            f'<rect class="papernotes-pace__bar" x="{x}" y="{round(base - bar, 2)}" width="{PACE_BAR}" height="{bar}"/>'
            + (f'<text class="papernotes-pace__count" x="{x + PACE_BAR / 2}" y="{round(base - bar - 4, 2)}">{count}</text>'
               if count else "")
            + f'<text class="papernotes-pace__label" x="{x + PACE_BAR / 2}" y="{base + 13}">{dt.date(year, month, 1):%b}</text>'
            + (f'<text class="papernotes-pace__year" x="{x + PACE_BAR / 2}" y="{base + 26}">{year}</text>'
               if i == 0 or month == 1 else "")
            + "</g>")
    return (
        '<figure class="papernotes-pace">'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="papernotes-pace-title papernotes-pace-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        '<title id="papernotes-pace-title">Papers finished per month</title>'
        f'<desc id="papernotes-pace-desc">{html.escape(summary)}</desc>'
        f'<line class="papernotes-pace__axis" x1="0" y1="{base}" x2="{width}" y2="{base}"/>'
        + "".join(shapes) +
        "</svg>"
        f"<figcaption>Papers finished per month ({len(finished)} in all), from the notes' "
        "<code>finished</code> dates.</figcaption>"
        "</figure>"
    )


def relative_md(target: str, here: str) -> str:
    """A Markdown link from page ``here`` to page ``target`` (both relative to docs/)."""
    return get_relative_url(target, here)


def mentions(src_uri: str, markdown: str):
    """What a page's Markdown refers to, in the order of its text: ("page", path under
    docs/) for each link to a Markdown page, anchor left aside, and ("key", key) for each
    key of a [@key] citation. Read with markdown-it, so code does not count; an indented
    block (the body of an admonition, a content tab or a footnote, which CommonMark reads
    as code: the notes fence their code) is read as Markdown in its turn."""
    for token in MARKDOWN.parse(markdown):
        if token.type == "code_block":
            yield from mentions(src_uri, token.content)
        for child in token.children or ():
            if child.type == "link_open":
                path = str(child.attrs.get("href", "")).split("#", 1)[0].split("?", 1)[0]
                if path.endswith(".md") and "://" not in path and not path.startswith("/"):
                    yield "page", posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))
            elif child.type == "text":
                for match in CITATION.finditer(child.content):
                    for key in match[1].split(";"):
                        yield "key", key.strip()[1:]


def discussed(src_uri: str, markdown: str, notes: dict[str, PaperNote], papers: dict[str, Paper]) -> list[str]:
    """The keys of the papers a page discusses, in the order it first names them: its links
    to paper notes and its [@key] citations (``mentions``)."""
    by_page = {note.src_uri: key for key, note in notes.items()}
    keys: list[str] = []
    for kind, value in mentions(src_uri, markdown):
        key = by_page.get(value) if kind == "page" else value
        if key is not None and key in papers and key not in keys and (key not in notes or notes[key].src_uri != src_uri):
            keys.append(key)
    return keys


def note_title(note: PaperNote, papers: dict[str, Paper]) -> str:
    """A note's title as its page shows it (front matter, else first heading), else its entry's."""
    return note.title or (displayed_title(note.front, "") if note.front is not None else "") or title_of(note, papers)


CARDS_HEADING = "Papers in this report"


def paper_cards(keys: list[str], notes: dict[str, PaperNote], papers: dict[str, Paper], here: str,
                labels: dict[str, str]) -> str:
    """Markdown: a heading and one card per paper, its title linked to its note (or to its
    bibliography entry when it has none), its status and its authors and year."""
    cards = []
    for key in keys:
        paper = papers[key]
        note = notes.get(key)
        if note is not None:
            title, link = note_title(note, papers), relative_md(note.src_uri, here)
            status, label = note.status, labels.get(note.status, note.status.capitalize())
        else:
            title, link = paper.title, relative_md(BIBLIOGRAPHY_PAGE, here) + f"#{key}"
            status, label = "none", "No note yet"
        title = title.replace("[", "\\[").replace("]", "\\]")
        cards.append(
            f'- <span class="papernotes-card__status papernotes-card__status--{status}" data-status="{status}">'
            f"{html.escape(label)}</span> [{title}]({link}){{ .papernotes-card__title }} "
            f'<span class="papernotes-card__meta">{html.escape(paper.short_authors() or "unknown authors")}, '
            f"{html.escape(paper.year)}</span>")
    return (f"\n\n## {CARDS_HEADING}\n\n"
            f'<div class="papernotes-cards" markdown>\n\n' + "\n".join(cards) + "\n\n</div>\n")


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
_posts = "weekly/posts/"  # where the weekly reports are: the blog's posts


def on_config(config, **kwargs):
    global _posts
    blog = config.plugins.get("material/blog")
    if blog is not None:
        _posts = blog.config.blog_dir.strip("/") + "/posts/"
    return config


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
    if src.startswith(_posts):
        keys = discussed(src, markdown, _notes, _papers)
        if keys:
            labels = {str(k): str(v) for k, v in ((config.extra or {}).get("status") or {}).items()}
            markdown = markdown.rstrip("\n") + paper_cards(keys, _notes, _papers, src, labels)
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
