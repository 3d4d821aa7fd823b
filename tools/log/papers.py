"""Paper notes: docs/papers/<slug>.md, each pointing at its entry in docs/references.bib.

A paper note's front matter names its entry (``bib``), its reading ``status``
(queued, reading, read) and the dates it joined, was started and finished.
This module reads them (for the reading queue of tools/new_week and the
site's reading list alike) and writes new notes (tools/new_paper).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tools.log.bib import BibError, Paper, parse
from tools.log.chapters import free_path, slug_words
from tools.log.cli import Refusal, UsageError
from tools.log.config import BIB, PAPERS, STATUSES
from tools.log.files import read_text, shown, write_files
from tools.log.frontmatter import (
    ALIASES, MARKDOWN, NAMES, TEXT, FrontMatter, TextDates, blank_names, described, field_problems,
    front_matter_text, parse_front_matter, to_date,
)

# What a paper note's front matter holds besides bib and status (checked as field_problems does).
NOTE_FIELDS = {"title": TEXT, "tags": NAMES, ALIASES: NAMES}
DATES = ("added", "started", "finished")  # the day it joined the log, was started, was finished
SLUG = re.compile(r"[a-z0-9][a-z0-9\-]*")
DATE_FIELD = {"queued": None, "reading": "started", "read": "finished"}
SLUG_WORDS = 5  # a slug from a title: its first five words (attention-is-all-you-need)
# Latin letters that Unicode does not decompose into an ASCII letter and an accent.
ASCII_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE",
                               "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "ð": "d"})


@dataclass(frozen=True)
class PaperNote:
    """A paper note, as its front matter describes it."""

    where: str  # the note as messages name it: docs/papers/moco.md
    key: str  # its entry in references.bib
    status: str  # one of STATUSES
    dates: dict[str, dt.date]  # those of DATES it gives
    title: str | None  # its front matter's title, when it has one
    tags: tuple[str, ...]
    front: FrontMatter | None = field(default=None, compare=False, repr=False)  # what it was read from

    @property
    def src_uri(self) -> str:
        """The note's path under docs/, as MkDocs names a page: papers/moco.md."""
        return self.where.removeprefix("docs/")


def paper_note(front: FrontMatter, where: str) -> tuple[PaperNote | None, list[str]]:
    """The paper note a page's front matter describes, and every problem with it, each naming
    where:line. A page without ``bib`` is no paper note (None, no problems).

    This is the one definition of a paper note's fields: tools/new_week's reading
    queue, tools/new_paper's one-note-per-paper check and the site's paper boxes
    and reading list all read notes with it.
    """
    data = front.data
    if "bib" not in data:
        return None, []

    def at(name: str) -> str:
        return f"{where}:{front.line(name)}"

    key = data["bib"]
    if not isinstance(key, str) or not key.strip():
        return None, [f"{at('bib')}: bib must be one BibTeX key (bib: he2020moco), not {described(key)}"]
    problems = []
    status = data.get("status")
    if status is None:
        problems.append(f"{at('bib')}: a paper note needs a status: {', '.join(STATUSES)}")
    elif not isinstance(status, str) or status not in STATUSES:
        problems.append(f"{at('status')}: status must be one of {', '.join(STATUSES)}, not {described(status)}")
    dates = {}
    for name in DATES:
        if data.get(name) is not None:
            try:
                dates[name] = to_date(data[name], at(name), name)
            except Refusal as exc:
                problems.append(str(exc))
    wrong = dict(field_problems(data, front.line, where, NOTE_FIELDS))
    problems += wrong.values()
    if ALIASES not in wrong:  # a blank alias would be shown and searched for
        problems += blank_names(data, front.line, where, ALIASES)
    title = data.get("title") if "title" not in wrong and data.get("title") is not None else None
    tags = data.get("tags") if "tags" not in wrong else None
    note = PaperNote(where, key.strip(), str(status), dates, None if title is None else str(title),
                     tuple(str(tag) for tag in tags or ()), front)
    return note, problems


def paper_notes(root: Path) -> list[tuple[Path, PaperNote]]:
    """Every paper note under docs/papers, in path order; the first problem of any is a Refusal."""
    found = []
    folder = root / PAPERS
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        where = shown(path, root)
        note, problems = paper_note(parse_front_matter(read_text(path, root), where, loader=TextDates), where)
        if problems:
            raise Refusal(problems[0])
        if note is not None:
            found.append((path, note))
    return found


@dataclass(frozen=True)
class QueuedPaper:
    path: Path
    title: str
    status: str
    since: dt.date | None  # started (reading) or added (queued)


def paper_title(note: PaperNote, path: Path, root: Path) -> str:
    """The title a report lists: the front matter's, else the note's first heading, else its entry's."""
    if note.title:
        return note.title
    tokens = MARKDOWN.parse(note.front.body)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return tokens[i + 1].content
    papers = references(root)
    if note.key in papers:
        return papers[note.key].title
    return path.stem


def reading_queue(root: Path) -> list[QueuedPaper]:
    """Paper notes with status reading, then queued; by date (started, added), then path."""
    queue = []
    for path, note in paper_notes(root):
        if note.status == "read":
            continue
        since = note.dates.get("started" if note.status == "reading" else "added")
        queue.append(QueuedPaper(path, paper_title(note, path, root), note.status, since))
    order = {"reading": 0, "queued": 1}
    return sorted(queue, key=lambda p: (order[p.status], p.since or dt.date.max, p.path))


def references(root: Path) -> dict[str, Paper]:
    """docs/references.bib, read with tools.log.bib; a problem is a Refusal naming its line."""
    try:
        return parse(read_text(root / BIB, root), str(BIB))
    except BibError as exc:
        raise Refusal(str(exc)) from None


def slug_of(key: str) -> str:
    """he2020moco -> he2020moco; Vaswani2017:Attention -> vaswani2017-attention."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", key.lower())).strip("-")


def ascii_text(text: str) -> str:
    """Latin letters without their accents: 'Łukasz Gérard' -> 'Lukasz Gerard'; any other
    character that is not ASCII (a dash, another script) is a space."""
    decomposed = unicodedata.normalize("NFKD", text.translate(ASCII_LETTERS))
    return "".join(char if char.isascii() else " " for char in decomposed if not unicodedata.combining(char))


def title_slug(title: str) -> str:
    """A note's file name from its paper's title, as the log names notes: the short name
    before a colon ('CLIPasso: Semantically-Aware ...' -> clipasso), else the title's first
    five words ('Attention is All you Need' -> attention-is-all-you-need); '' when the title
    has no Latin letters or digits."""
    text = ascii_text(title)
    short = re.match(r"\s*([^\s:]{2,20}):\s", text)
    words = slug_words(short[1]) if short else []
    return "-".join(words or slug_words(text)[:SLUG_WORDS])


def check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise UsageError(f"invalid slug '{slug}': use lowercase letters, digits and hyphens")
    return slug


def same_but_case(key: str, known: dict[str, Paper]) -> Paper | None:
    """The entry of known whose key is key written with other capitals, if any."""
    return next((paper for name, paper in known.items() if name != key and name.lower() == key.lower()), None)


def _normal(value: str) -> str:
    return " ".join(value.split())


def differences(old: Paper, new: Paper) -> list[str]:
    """The names of what differs between two entries (type, authors, fields), ignoring spacing."""
    names = []
    if old.kind != new.kind:
        names.append("entry type")
    if old.names != new.names:  # as written: {\L}ukasz and Łukasz are two spellings
        names.append("author")
    for name in sorted(set(old.fields) | set(new.fields)):
        if _normal(old.fields.get(name, "")) != _normal(new.fields.get(name, "")):
            names.append(name)
    return names


def read_entry(text: str, where: str, key: str | None) -> Paper:
    """The one entry of a .bib text (or the one named key)."""
    try:
        entries = parse(text, where)
    except BibError as exc:
        raise Refusal(str(exc)) from None
    if not entries:
        raise Refusal(f"{where}:1: no BibTeX entry found")
    if key is not None:
        if key not in entries:
            raise Refusal(f"{where}:1: no entry '{key}' (it has {', '.join(entries)})")
        return entries[key]
    if len(entries) > 1:
        raise Refusal(f"{where}:1: {len(entries)} entries ({', '.join(entries)}); name the one to add after --bib FILE")
    return next(iter(entries.values()))


def notes_for(root: Path) -> dict[str, tuple[Path, int]]:
    """bib key -> (note, line of its 'bib' field), over every paper note in docs/papers."""
    found: dict[str, tuple[Path, int]] = {}
    for path, note in paper_notes(root):
        found.setdefault(note.key, (path, note.front.line("bib")))
    return found


# What a new note holds under its title: a guide in an HTML comment, which the site does
# not show, so that a note just queued publishes no empty headings.
GUIDE = """\
<!-- The site shows the paper's box under the title: authors, venue, links, the BibTeX entry.
Write the note below this comment; a heading goes in together with the text under it, e.g.
  ## What it says    the claim in a paragraph; the formulas that matter, in the paper's symbols
  ## Code            a Python block runs in the tests; one titled snippets/NAME.py is exported
  ## Questions       what is not clear yet; what to check next
On starting or finishing the paper, set status: reading or read, with started: or finished:. -->
"""


def render_note(paper: Paper, status: str, added: dt.date) -> str:
    """The note tools/new_paper writes: front matter, the title (the entry's, LaTeX decoded,
    braces removed: tools.log.bib), and the guide."""
    fields = {"title": paper.title, "tags": [], ALIASES: [], "bib": paper.key, "status": status, "added": added}
    if DATE_FIELD[status]:
        fields[DATE_FIELD[status]] = added
    return "\n".join([front_matter_text(fields), f"# {paper.title}", "", GUIDE])


@dataclass(frozen=True)
class NewPaper:
    note: Path
    text: str
    entry: Paper
    bib_text: str | None  # the new references.bib, when the entry is new


def plan_paper(root: Path, key: str | None = None, bib_text: str | None = None, bib_where: str = "<stdin>",
               slug: str | None = None, status: str = "queued", today: dt.date | None = None) -> NewPaper:
    """What new_paper would write, checked; writes nothing."""
    if status not in STATUSES:
        raise UsageError(f"invalid status '{status}': use one of {', '.join(STATUSES)}")
    bib_path = root / BIB
    known = references(root) if bib_path.exists() else {}
    old_text = read_text(bib_path, root) if bib_path.exists() else ""
    new_bib = None
    if bib_text is None:
        if key is None:
            raise UsageError("name a BibTeX key, or give the entry with --bib FILE or '-' for standard input")
        if key not in known:
            other = same_but_case(key, known)
            if other is not None:
                raise Refusal(f"{BIB}:{other.line}: no entry '{key}', but '{other.key}' here; keys are "
                              f"written with their capitals")
            raise Refusal(f"{BIB}: no entry '{key}'; add it with --bib FILE or on standard input ('-')")
        entry = known[key]
    else:
        entry = read_entry(bib_text, bib_where, key)
        other = same_but_case(entry.key, known)
        if other is not None:
            raise Refusal(f"{BIB}:{other.line}: '{entry.key}' differs only in case from '{other.key}', "
                          f"already there: the same paper? use that key, or give this entry another")
        if entry.key in known:
            changed = differences(known[entry.key], entry)
            if changed:
                raise Refusal(f"{BIB}:{known[entry.key].line}: '{entry.key}' is already there with a different "
                              f"{', '.join(changed)}; edit it there or give the new entry another key")
            entry = known[entry.key]
        else:
            base = old_text.rstrip("\n")
            new_bib = (base + "\n\n" if base else "") + entry.bibtex.strip("\n") + "\n"
            try:
                appended = parse(new_bib, str(BIB))[entry.key]  # the whole file must still read
            except BibError as exc:
                if entry.macros and exc.line > base.count("\n") + 1:  # an @string of the input only
                    raise Refusal(f"{bib_where}:{entry.line}: '{entry.key}' would read differently in {BIB} "
                                  f"({', '.join(entry.macros)}): write out the @string macros it uses") from None
                raise Refusal(str(exc)) from None
            changed = differences(entry, appended)
            if changed:  # e.g. booktitle = iclr, with @string{iclr = ...} only in the input
                raise Refusal(f"{bib_where}:{entry.line}: '{entry.key}' would read differently in {BIB} "
                              f"({', '.join(changed)}): write out the @string macros it uses")
    if slug is None:  # from the title, else the key; -2, -3 ... after a name already taken
        made = next((name for name in (title_slug(entry.title), slug_of(entry.key)) if SLUG.fullmatch(name)), None)
        if made is None:
            raise UsageError(f"cannot make a file name from the title or the key '{entry.key}'; give one with --slug")
        note = free_path(root / PAPERS, made, set())
    else:
        note = root / PAPERS / f"{check_slug(slug)}.md"
    if note.exists():
        raise Refusal(f"{shown(note, root)}: already exists; not overwriting it")
    other = notes_for(root).get(entry.key)
    if other is not None:
        raise Refusal(f"{shown(other[0], root)}:{other[1]}: already the note for '{entry.key}'; "
                      f"one note per paper")
    text = render_note(entry, status, today or dt.date.today())
    return NewPaper(note, text, entry, new_bib)


def new_paper(root: Path, key: str | None = None, bib_text: str | None = None, bib_where: str = "<stdin>",
              slug: str | None = None, status: str = "queued", today: dt.date | None = None,
              dry_run: bool = False) -> NewPaper:
    """Create the note (and append the entry to references.bib when it is new)."""
    bib_path = root / BIB
    old_text = read_text(bib_path, root) if bib_path.exists() else ""
    plan = plan_paper(root, key, bib_text, bib_where, slug, status, today)
    if dry_run:
        return plan
    # Both or neither: the note's name is claimed first (a race loses there), then
    # references.bib is replaced, unless someone changed it since it was read.
    write_files(root, [(plan.note, plan.text)],
                (bib_path, old_text, plan.bib_text) if plan.bib_text is not None else None)
    return plan
