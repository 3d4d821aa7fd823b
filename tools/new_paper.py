"""Start a paper note: docs/papers/<slug>.md, pointing at its entry in docs/references.bib.

    tools/new_paper he2020moco              a key already in docs/references.bib
    tools/new_paper --bib moco.bib          a new entry: appended to references.bib, then the note
    tools/new_paper --bib moco.bib KEY      the entry KEY of a file that holds several
    tools/new_paper - < moco.bib            the new entry on standard input (also --bib -)
    tools/new_paper KEY --slug moco         the note's file name (default: from the title)
    tools/new_paper KEY --status reading    queued (default), reading or read
    tools/new_paper KEY --date 2026-11-20   the day it joined the log (default: today)
    tools/new_paper KEY --dry-run           print what would be written; write nothing
    python -m tools.new_paper               the same command

The note's front matter is ``title``, ``tags: []``, ``aliases: []`` (to fill with the names a
reader of the other language types for the paper), ``bib``, ``status`` and ``added`` (with
``started`` for reading, ``finished`` for read). The title is the entry's as a reader sees it
(LaTeX decoded, braces removed: ``{\\L}ukasz`` is "Łukasz"); under it, a guide to the note in an
HTML comment, which the site does not show: a note just queued publishes no empty headings.
Without --slug the file is named after the title: the short name before a colon
(``CLIPasso: ...`` -> clipasso.md), else its first five words (attention-is-all-you-need.md),
else the key; ``-2``, ``-3`` ... when that name is taken.

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
import sys
from pathlib import Path

from tools.log import files
from tools.log.cli import Parser, Refusal, UsageError, parse_day, run
from tools.log.config import BIB, ROOT
from tools.log.files import READABLE, decode, read_text, shown
from tools.log.papers import new_paper


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
    parser.add_argument("--slug", help="the note's file name, docs/papers/SLUG.md (default: from the title)")
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
