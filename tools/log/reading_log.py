"""A reading log kept as one Markdown file (a GitHub README such as papers-weekly) brought into the log.

Such a file holds a pending list of papers (``- [ ] title``) and dated sections
(``## 2023.6.18``, also ``2023-06-18``, ``2023/6/18``, ``2023年6月18日``), newest
first. Here:

- each pending item becomes a queued paper note, docs/papers/<slug>.md, with
  ``status: queued`` and ``added`` (the day of the import), so that it is on
  the reading list and in new_week's queue. A paper note names its entry in
  docs/references.bib; an item whose title is an entry's there uses that key,
  and any other gets a minimal ``@misc`` entry (title, the year when the item
  says it, else ``n.d.``, and its link), appended to references.bib. An item
  whose paper is in the log already (a paper note with the same title, or the
  note of the entry with that title) is skipped and reported; so is a second
  import.
- the dated sections become weekly reports, one per ISO week (the log's unit:
  a report is the week's page in the blog, and the build takes one report a
  week), each section a ``### 2023.6.18`` part of the report's 论文阅读, oldest
  first. A week that has a report already is skipped and reported.
- images: a local one is copied beside the note, a missing one becomes a
  visible placeholder, an external one a plain link (tools.log.chapters.convert).

plan_reading_log writes nothing; import_reading_log writes every note, report,
image and the new references.bib, or none of them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.log.bib import BibError, parse, plain
from tools.log.chapters import convert, free_path, headings, read_source, slug_words
from tools.log.cli import Refusal
from tools.log.config import BIB, PAPERS, POSTS, choose_author
from tools.log.files import read_text, shown, write_files
from tools.log.frontmatter import ALIASES, TextDates, front_matter_text, parse_front_matter
from tools.log.papers import paper_notes, references
from tools.log.reports import PAPERS_HEADING, report_in_week, title_of_week, week_fits, week_of

DATED = re.compile(r"(?P<y>\d{4})\s*(?:[.\-/]|年)\s*(?P<m>\d{1,2})\s*(?:[.\-/]|月)\s*(?P<d>\d{1,2})\s*日?"
                   r"(?![\d.\-/])(?P<rest>.*)")
TASK = re.compile(r"\[(?P<mark>[ xX])\][ \t]+(?P<text>.+)", re.DOTALL)
LINK = re.compile(r"\[(?P<text>[^\]\n]+)\]\((?P<url>[^)\s]+)\)")
URL = re.compile(r"https?://[^\s)>\]]+")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
GLUED_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})$")
SLUG_WORDS = 5


def title_key(title: str) -> str:
    """What two titles share when they name one paper: letters and digits, case folded."""
    return "".join(char for char in plain(title).casefold() if char.isalnum())


@dataclass(frozen=True)
class Item:
    """A pending item: what its note and entry say."""

    line: int  # 1-based, in the source
    title: str
    comment: str  # the rest of the item's text ('2014年，提出了GRU')
    url: str | None
    year: str | None


def split_item(text: str, line: int) -> Item:
    """'StyleDrop: Text-to-Image Generation in Any Style 通过文字改变发型等' -> the title and the comment.

    A title written in Latin letters (three words or more) and followed by
    Chinese text is that title; the Chinese is a comment on it. A year glued
    to the title's end by '年' ('translation2014年') is the paper's year.
    """
    first, _, more = text.partition("\n")
    url = None
    link = LINK.search(first)
    if link:
        url = link["url"]
        first = first.replace(link[0], link["text"])
    elif URL.search(first):
        url = URL.search(first)[0]
        first = first.replace(url, "").strip()
    first = " ".join(first.split())
    title, comment, year = first, "", None
    cjk = CJK.search(first)
    if cjk and cjk.start() > 0 and len(first[:cjk.start()].split()) >= 3:
        title, comment = first[:cjk.start()].strip(), first[cjk.start():].strip()
        glued = GLUED_YEAR.search(title)
        if glued and comment.startswith("年"):
            year, title = glued["year"], title[:glued.start()].strip()
            comment = glued["year"] + comment
    if year is None:
        found = re.search(r"(?<!\d)((?:19|20)\d{2})\s*年", first) or re.search(r"\((?:19|20)\d{2}\)", first)
        year = found[0].strip("()年 ") if found else None
    comment = "\n".join(part for part in [comment, " ".join(more.split())] if part)
    return Item(line, title, comment, url, year)


@dataclass(frozen=True)
class Section:
    line: int  # 1-based line of its heading
    heading: str
    day: dt.date
    start: int  # 0-based: its first line after the heading
    end: int


@dataclass
class LogImport:
    notes: list[tuple[Item, Path, str, str | None]] = field(default_factory=list)  # item, note, text, new key
    skipped: list[str] = field(default_factory=list)  # "file:line: why"
    reports: list[tuple[Path, str, list[Section]]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "file:line: what changed"
    missing: list[str] = field(default_factory=list)
    images: list[tuple[Path, bytes]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    bib: tuple[str, str] | None = None  # references.bib's text now and with the new entries

    def files(self) -> list[tuple[Path, str]]:
        new = [(path, text) for _, path, text, _ in self.notes] + [(path, text) for path, text, _ in self.reports]
        return new + [(path, data) for path, data in self.images]


def dated_sections(source, found) -> list[Section]:
    sections = []
    for number, (line, level, text) in enumerate(found):
        match = DATED.match(text)
        if not match:
            continue
        try:
            day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError as exc:
            raise Refusal(f"{source.at(line)}: '{text}' is not a date ({exc})") from None
        if not week_fits(day):
            raise Refusal(f"{source.at(line)}: '{text}' cannot head a weekly report: its week ends after 9999-12-31")
        end = next((other for other, other_level, _ in found[number + 1:] if other_level <= level), len(source.lines))
        sections.append(Section(line + 1, text, day, line + 1, end))
    return sections


def bib_entry(key: str, item: Item, where: str) -> str:
    fields = [("title", "{" + re.sub(r"[{}\\]", "", item.title) + "}"), ("year", "{" + (item.year or "n.d.") + "}")]
    if item.url:
        fields.append(("url", "{" + item.url + "}"))
    fields.append(("note", "{From the pending list of " + re.sub(r"[{}\\]", "", where) + "}"))
    width = max(len(name) for name, _ in fields)
    return f"@misc{{{key},\n" + ",\n".join(f"  {name:<{width}} = {value}" for name, value in fields) + "\n}\n"


def paper_titles(root: Path, papers) -> dict[str, Path]:
    """title_key -> note, over every page of docs/papers: its title, and its entry's title."""
    found: dict[str, Path] = {}
    for path, note in paper_notes(root):
        if note.key in papers:
            found.setdefault(title_key(papers[note.key].title), path)
    folder = root / PAPERS
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        data = parse_front_matter(read_text(path, root), shown(path, root), loader=TextDates, lenient=True).data
        if data.get("title"):
            found.setdefault(title_key(str(data["title"])), path)
    return found


def plan_reading_log(root: Path, source_path: Path, author: str | None = None,
                     today: dt.date | None = None) -> LogImport:
    """What importing the reading log would write, checked; writes nothing."""
    source = read_source(source_path, root)
    found = headings(source)
    sections = dated_sections(source, found)
    inside = {i for s in sections for i in range(s.line - 1, s.end)}
    plan = LogImport()
    papers = references(root)
    by_title = {title_key(paper.title): key for key, paper in papers.items()}
    noted = {note.key: path for path, note in paper_notes(root)}
    known = paper_titles(root, papers)
    keys = {key.lower() for key in papers}
    taken: set[Path] = set()
    entries: list[str] = []
    day = today or dt.date.today()
    items_at: set[int] = set()
    tokens = source.tokens
    for i, token in enumerate(tokens):
        if token.type != "inline" or i < 2 or tokens[i - 2].type != "list_item_open" or not token.map:
            continue
        line = token.map[0]
        task = TASK.match(token.content)
        if line in inside or task is None:
            continue
        items_at.update(range(*tokens[i - 2].map))
        if task["mark"] != " ":
            plan.skipped.append(f"{source.at(line)}: '{task['text'].splitlines()[0]}' is ticked (done), not pending")
            continue
        item = split_item(task["text"], line + 1)
        if not item.title:
            plan.skipped.append(f"{source.at(line)}: an item without a title")
            continue
        same = known.get(title_key(item.title))
        key = by_title.get(title_key(item.title))
        if same is None and key is not None and key in noted:
            same = noted[key]
        if same is not None:
            plan.skipped.append(f"{source.at(line)}: '{item.title}' is in the log already: {shown(same, root)}")
            continue
        words = slug_words(item.title)[:SLUG_WORDS] or ["pending", str(line + 1)]
        note = free_path(root / PAPERS, "-".join(words), taken)
        new_key = None
        if key is None:
            key, count = note.stem, 1
            while key.lower() in keys:
                count += 1
                key = f"{note.stem}-{count}"
            keys.add(key.lower())
            new_key = key
            entries.append(bib_entry(key, item, source.path.name))
        fields = {"title": item.title, "tags": [], ALIASES: [], "bib": key, "status": "queued", "added": day}
        body = [front_matter_text(fields), f"# {item.title}", ""]
        if item.comment:
            body += [item.comment, ""]
        body += [f"From the pending list of {source.path.name} (line {item.line}).", ""]
        known[title_key(item.title)] = note
        plan.notes.append((item, note, "\n".join(body), new_key))
    if entries:
        old = read_text(root / BIB, root)
        plan.bib = (old, old.rstrip("\n") + "\n\n" + "\n".join(entries))
        try:
            parse(plan.bib[1], str(BIB))
        except BibError as exc:
            raise Refusal(f"{source.where}: its entries would not read in {BIB}: {exc}") from None
    weeks: dict[dt.date, list[Section]] = {}
    for section in sections:
        weeks.setdefault(week_of(section.day)[0], []).append(section)
    chosen = choose_author(root, author) if weeks else None
    for monday in sorted(weeks):
        group = sorted(weeks[monday], key=lambda s: (s.day, s.line))
        dates = ", ".join(s.heading for s in group)
        existing = report_in_week(root, monday)
        target = root / POSTS / f"{monday.isoformat()}.md"
        if existing is not None or target.exists():
            there = shown(existing.path if existing is not None else target, root)
            plan.skipped.append(f"{source.at(group[0].line - 1)}: the week of {monday.isoformat()} has a report "
                                f"already ({there}); not importing {dates} over it")
            continue
        taken.add(target)
        parts = [front_matter_text({"date": monday, "authors": [chosen], "categories": [], "tags": []}),
                 f"# {title_of_week(monday)}", "",
                 f"From {source.path.name}: {dates}.", "", "<!-- more -->", "", PAPERS_HEADING, ""]
        for section in group:
            piece = convert(source, section.start, section.end, target, root, None, taken, shift=1)
            parts += [f"### {section.heading}", "", piece.text]
            plan.changes += piece.changes
            plan.missing += piece.missing
            plan.images += piece.images
        plan.reports.append((target, "\n".join(parts).rstrip("\n") + "\n", group))
    for index, text in enumerate(source.lines):
        if index not in inside and index not in items_at and text.strip():
            plan.left_out.append(f"{source.at(index)}: not a pending item or a dated section, not imported: "
                                 f"{text.strip()[:40]}")
    return plan


def import_reading_log(root: Path, source: Path, author: str | None = None, today: dt.date | None = None,
                       dry_run: bool = False) -> LogImport:
    """Write the notes, reports, images and references.bib, all or none (unless dry_run)."""
    plan = plan_reading_log(root, source, author, today)
    if not dry_run and (plan.files() or plan.bib):
        write_files(root, plan.files(), (root / BIB, *plan.bib) if plan.bib else None)
    return plan
