"""Bring old blog posts (Jekyll or Hexo) into the log, with our front matter, in a form that builds.

    tools/import_post old/_posts/ --into notes          a whole blog: weekly reports to docs/weekly/posts/,
                                                        every other post a note in docs/notes/
    tools/import_post old/_posts/ --assets old/         the folder that absolute links (/img/x.png) refer to
                                                        (default: the folders above the post, and their source/)
    tools/import_post old/_posts/ --fetch-images        download external images beside the note
                                                        (default: each becomes a plain link, listed)
    tools/import_post 2022-04-24-weekly.md              a weekly report, if it looks like one
    tools/import_post post.md --as weekly               a weekly report, whatever it looks like
    tools/import_post post.md --as paper [--bib KEY]    a paper note in docs/papers/<slug>.md
    tools/import_post post.md --as course               a course note in docs/courses/<slug>.md
    tools/import_post post.md --slug moco               the note's file name (default: from the post's)
    tools/import_post post.md --author lin              the report's author id (default: the post's
                                                        author when .authors.yml knows it, else the first)
    tools/import_post post.md --dry-run                 print what would be written; write nothing
    python -m tools.import_post                         the same command

A weekly report goes to docs/weekly/posts/<Monday>.md with ``date`` the Monday
of the ISO week of the post's date. Of the post's front matter, ``title`` and
``tags`` are kept, ``subtitle`` becomes ``description``, ``author`` becomes
``authors``, categories that mkdocs.yml does not allow become tags, and the rest
(``layout``, ``header-img``, ``catalog``, ...) is dropped. Each thing dropped or
changed is printed, one line each. The body (everything after the front
matter) is written as it was, except what the build here would not take:
Liquid (highlight blocks become fences, raw and site.baseurl go), images
(copied into a folder beside the note, named after it; a missing one becomes a
visible placeholder), math written for MathJax ($$ inline, \newline, bare
align* blocks) and Python blocks that cannot run here, which are skipped with
the reason "imported: not checked yet" and listed on docs/notes/unchecked.md.
Each change and each thing that could not be converted is printed with its
file and line, and a summary ends the run. A note whose name is taken gets a
suffix (-2); a weekly report whose week has one goes to --into's section.

It refuses, in one line naming the file and line, and writes nothing: a post
without front matter or with front matter that is not YAML, a field of the
wrong kind (``tags`` as a mapping, ``title`` as a list), a post with nothing
after its front matter, a control character or text that is not UTF-8, a
date or time that does not exist or cannot be read, a report for that week
that exists (under any name), a note that exists. A folder that refuses the
file or a full disk names the file it was to write; Ctrl-C (exit status 130)
and SIGTERM (143) leave nothing behind either.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.log.cli import Parser, run
from tools.log.config import ROOT
from tools.log.files import shown
from tools.log.posts import KINDS, Imports, import_posts


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = Parser(prog="import_post", description=__doc__)
    parser.add_argument("post", nargs="+", help="posts' Markdown files, or folders of them (searched through)")
    parser.add_argument("--as", dest="kind", choices=sorted(KINDS), help="weekly, paper or course (default: "
                        "weekly when the post looks like a weekly report)")
    parser.add_argument("--slug", help="the note's file name (notes only; default: from the post's file name)")
    parser.add_argument("--author", help="the report's author id in docs/weekly/.authors.yml")
    parser.add_argument("--bib", metavar="KEY", help="the paper's key in docs/references.bib (paper notes)")
    parser.add_argument("--status", help="queued, reading or read (paper notes; default: read)")
    parser.add_argument("--into", metavar="SECTION", help="where posts that are not weekly reports go: "
                        "docs/SECTION/ (e.g. notes)")
    parser.add_argument("--assets", metavar="DIR", help="the folder that absolute image links (/img/x.png) refer to")
    parser.add_argument("--fetch-images", action="store_true", help="download external images beside the note")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    args = parser.parse_args(argv)

    def work():
        made = import_posts(root, [Path(post) for post in args.post], args.kind, args.slug, args.author, args.bib,
                            args.status, into=args.into, assets=Path(args.assets) if args.assets else None,
                            fetch=args.fetch_images, dry_run=args.dry_run)
        for item in made:
            for message in item.messages:
                print(message)
            if args.dry_run:
                print(f"would write {shown(item.path, root)}:")
                if len(made) == 1:
                    print(item.text, end="")
            else:
                print(f"wrote {shown(item.path, root)}")
        for line in made.skipped:
            print(line)
        if len(made) > 1 or made.skipped or any(item.converted.images or item.converted.problems or item.converted.external
                                or item.converted.unchecked for item in made):
            print(summary(made, root, args.dry_run))

    return run("import_post", work)


def summary(made: Imports, root: Path, dry_run: bool) -> str:
    """N imported, and per post: images, formulas, blocks, what is left to do by hand."""
    images = sum(len(item.converted.images) for item in made)
    lines = [f"{'would import' if dry_run else 'imported'} {counted(len(made), 'post')}: "
             f"{counted(images, 'image')} copied, {counted(sum(item.converted.formulas for item in made), 'formula')}, "
             f"{counted(sum(item.converted.blocks for item in made), 'Python block')} "
             f"({sum(len(item.converted.unchecked) for item in made)} skipped as not checked yet)"
             + (f"; {counted(len(made.skipped), 'file')} without front matter left out" if made.skipped else "")]
    for item in made:
        converted = item.converted
        lines.append(f"  {item.source} -> {shown(item.path, root)}: " + ", ".join(
            counted(number, what) for number, what in ((len(converted.changes), "change"),
                                                      (len(converted.images), "image"),
                                                      (converted.formulas, "formula"),
                                                      (converted.blocks, "Python block"))))
        lines += [f"    not converted: {problem}" for problem in converted.problems]
        lines += [f"    external image, now a link: {link}" for link in converted.external]
        lines += [f"    unchecked: {shown(item.path, root)}:{line}: {why}" for line, why in converted.unchecked]
    return "\n".join(lines)


def counted(number: int, what: str) -> str:
    return f"{number} {what}{'s' * (number != 1)}"


if __name__ == "__main__":
    sys.exit(main())
