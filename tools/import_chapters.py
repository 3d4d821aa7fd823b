"""Bring a long course-notes file into the log: one course note per ``## <n> <title>`` chapter.

    tools/import_chapters notes.md --course D2L                 docs/courses/d2l-12-weight-decay.md, ...
    tools/import_chapters notes.md --course D2L --assets DIR    where its ./assets/*.png images are
    tools/import_chapters notes.md --course D2L --dry-run       print what would be written; write nothing
    python -m tools.import_chapters                             the same command

Each second-level heading opens a note: docs/courses/<course>-<n>-<words>.md,
named after the course, the chapter's number and the Latin words of its title,
with front matter ``title`` (the heading), ``tags: [COURSE]`` and
``aliases: []``; the headings under it move up one level. A ``##`` section
without a number becomes a note under its title. Images (``![..](..)`` and
``<img src=..>``) are looked up beside the file, then in --assets DIR, copied
into a folder beside the note named after it, and the link points there; a
missing image becomes a visible placeholder ("missing image: ..."), reported
with its file:line; an external one becomes a plain link (the site loads
nothing from elsewhere). A Python block is marked skipped with the reason
"imported: not checked yet".

Nothing is overwritten: a chapter whose note exists (a course note with the
same title and the course's tag) is skipped and reported, and a taken file
name gets a suffix (-2). At the end one summary: how many notes were
written, per chapter what changed, what was skipped and why. It refuses, in
one line naming the file and line, and writes nothing: a file that is not
UTF-8 or holds a control character, a file without ``##`` chapters, an
--assets folder that is not there. Every note and image is written, or none
(a full disk, Ctrl-C: exit status 130, SIGTERM: 143).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.log.chapters import import_chapters
from tools.log.cli import Parser, run
from tools.log.config import ROOT
from tools.log.files import shown


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = Parser(prog="import_chapters", description=__doc__)
    parser.add_argument("file", help="the notes' Markdown file")
    parser.add_argument("--course", required=True, help="the course's name: the notes' tag and file-name prefix")
    parser.add_argument("--assets", metavar="DIR", help="the folder its images are in (default: beside the file)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    args = parser.parse_args(argv)

    def work():
        plan = import_chapters(root, Path(args.file), args.course,
                               Path(args.assets) if args.assets is not None else None, dry_run=args.dry_run)
        verb = "would write" if args.dry_run else "wrote"
        images = sum(len(chapter.images) for chapter in plan.written)
        missing = sum(len(chapter.missing) for chapter in plan.chapters)
        skipped = [chapter for chapter in plan.chapters if chapter.note is None]
        print(f"{verb} {len(plan.written)} course notes of {len(plan.chapters)} chapters: {images} images "
              f"copied, {missing} missing (placeholders), {len(skipped)} skipped")
        for chapter in plan.chapters:
            if chapter.note is None:
                print(f"  skipped: {chapter.skipped}")
                continue
            print(f"  {verb} {shown(chapter.note, root)} ({args.file}:{chapter.line})")
            for message in chapter.changes:
                print(f"    {message}")
            for message in chapter.missing:
                print(f"    missing: {message}")
        for message in plan.left_out:
            print(f"  not imported: {message}")

    return run("import_chapters", work)


if __name__ == "__main__":
    sys.exit(main())
