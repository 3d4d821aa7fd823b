"""Start a paper note: docs/papers/<slug>.md, pointing at its entry in docs/references.bib.

    tools/new_paper he2020moco              a key already in docs/references.bib
    tools/new_paper --bib moco.bib          a new entry: appended to references.bib, then the note
    tools/new_paper --bib moco.bib KEY      the entry KEY of a file that holds several
    tools/new_paper - < moco.bib            the new entry on standard input (also --bib -)
    tools/new_paper KEY --slug moco         the note's file name (default: from the key)
    tools/new_paper KEY --status reading    queued (default), reading or read
    tools/new_paper KEY --date 2026-11-20   the day it joined the log (default: today)
    tools/new_paper KEY --dry-run           print what would be written; write nothing
    python -m tools.new_paper               the same command

The note's front matter is ``title``, ``tags: []``, ``bib``, ``status`` and
``added`` (with ``started`` for reading, ``finished`` for read).

It refuses, in one line naming the file and line, without writing anything:
a new entry whose key is in references.bib with different fields (an
identical entry is accepted as it is), a key that differs from one there only
in case (``He2020MoCo`` for ``he2020moco``), a key that is nowhere, a
malformed entry (see tools/log/bib.py), a note that exists, and a second note for
the same key. The note is created atomically and never replaces a file;
references.bib is replaced atomically, with the new entry appended and the
rest of the file unchanged; either both are written or neither (after
Ctrl-C, exit status 130, or SIGTERM, 143, neither).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.log import files
from tools.log.bib import BibError, Paper, parse
from tools.new_week import (
    NOTE_FIELDS, PAPERS, ROOT, STATUSES, Parser, Refusal, UsageError, check_fields, decode, front_matter_text,
    READABLE, parse_day, read_front_matter, read_text, run, shown, write_files,
)

BIB = Path("docs/references.bib")
SLUG = re.compile(r"[a-z0-9][a-z0-9\-]*")
DATE_FIELD = {"queued": None, "reading": "started", "read": "finished"}


def references(root: Path) -> dict[str, Paper]:
    """docs/references.bib, read with tools.log.bib; a problem is a Refusal naming its line."""
    try:
        return parse(read_text(root / BIB, root), str(BIB))
    except BibError as exc:
        raise Refusal(str(exc)) from None


def slug_of(key: str) -> str:
    """he2020moco -> he2020moco; Vaswani2017:Attention -> vaswani2017-attention."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", key.lower())).strip("-")


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
    if old.authors != new.authors:
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
    """bib key -> (note, line of its 'bib' field), over every note in docs/papers."""
    found: dict[str, tuple[Path, int]] = {}
    folder = root / PAPERS
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        front = read_front_matter(path, root)
        check_fields(front, shown(path, root), NOTE_FIELDS)
        if front.data.get("bib") is not None:
            found.setdefault(str(front.data["bib"]), (path, front.line("bib")))
    return found


def render_note(paper: Paper, status: str, added: dt.date) -> str:
    fields = {"title": paper.title, "tags": [], "bib": paper.key, "status": status, "added": added}
    if DATE_FIELD[status]:
        fields[DATE_FIELD[status]] = added
    return "\n".join([
        front_matter_text(fields),
        f"# {paper.title}",
        "",
        "<!-- The box with authors, venue, links and the BibTeX entry is added by the site. -->",
        "",
        "## What it says",
        "",
        "<!-- The claim in a paragraph; the formulas that matter, with the paper's symbols. -->",
        "",
        "## Code",
        "",
        "<!-- ```python blocks run in the tests; title=\"snippets/<name>.py\" exports one. -->",
        "",
        "## Questions",
        "",
        "<!-- What is not clear yet; what to check next. -->",
        "",
    ])


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
    if slug is None and not SLUG.fullmatch(slug_of(entry.key)):
        raise UsageError(f"cannot make a file name from the key '{entry.key}'; give one with --slug")
    slug = check_slug(slug if slug is not None else slug_of(entry.key))
    note = root / PAPERS / f"{slug}.md"
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


def read_stdin(stdin=None) -> str:
    """Standard input as UTF-8 text (its bytes, whatever the locale says); Refusal naming the byte."""
    stream = stdin or sys.stdin
    if stream is None:
        raise Refusal("<stdin>: no standard input")
    binary = getattr(stream, "buffer", None)
    data = files.read_limited(binary if binary is not None else stream, "<stdin>", Refusal, READABLE)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    return decode(data, "<stdin>")


def main(argv: list[str] | None = None, today: dt.date | None = None, root: Path = ROOT,
         stdin=None) -> int:
    parser = Parser(prog="new_paper", description=__doc__)
    parser.add_argument("key", nargs="?", help="a key in docs/references.bib, or '-' for an entry on standard input")
    parser.add_argument("--bib", metavar="FILE", help="a .bib file with the new entry ('-': standard input)")
    parser.add_argument("--slug", help="the note's file name, docs/papers/SLUG.md (default: from the key)")
    parser.add_argument("--status", default="queued", help="queued (default), reading or read")
    parser.add_argument("--date", help="the day the paper joins the log, YYYY-MM-DD (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    args = parser.parse_args(argv)

    def work():
        day = parse_day(args.date) if args.date is not None else (today or dt.date.today())
        key, source = args.key, args.bib
        if key == "-":
            if source is not None:
                raise UsageError("give the entry either with --bib or as '-', not both")
            key, source = None, "-"
        bib_text, where = None, "<stdin>"
        if source == "-":
            bib_text = read_stdin(stdin)
        elif source is not None:
            path = Path(source)
            where = str(path)
            bib_text = read_text(path, root, where)
        made = new_paper(root, key, bib_text, where, args.slug, args.status, day, dry_run=args.dry_run)
        if args.dry_run:
            if made.bib_text is not None:
                print(f"would append '{made.entry.key}' to {BIB}:")
                print(made.entry.bibtex.strip("\n"))
            print(f"would write {shown(made.note, root)}:")
            print(made.text, end="")
        else:
            if made.bib_text is not None:
                print(f"added '{made.entry.key}' to {BIB}")
            print(shown(made.note, root))

    return run("new_paper", work)


if __name__ == "__main__":
    sys.exit(main())
