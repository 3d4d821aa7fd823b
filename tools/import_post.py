"""Bring an old blog post (Jekyll or Hexo) into the log, with our front matter.

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
matter) is written byte for byte as it was.

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
from tools.log.posts import KINDS, import_post


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = Parser(prog="import_post", description=__doc__)
    parser.add_argument("post", help="the post's Markdown file")
    parser.add_argument("--as", dest="kind", choices=sorted(KINDS), help="weekly, paper or course (default: "
                        "weekly when the post looks like a weekly report)")
    parser.add_argument("--slug", help="the note's file name (notes only; default: from the post's file name)")
    parser.add_argument("--author", help="the report's author id in docs/weekly/.authors.yml")
    parser.add_argument("--bib", metavar="KEY", help="the paper's key in docs/references.bib (paper notes)")
    parser.add_argument("--status", help="queued, reading or read (paper notes; default: read)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    args = parser.parse_args(argv)

    def work():
        made = import_post(root, Path(args.post), args.kind, args.slug, args.author, args.bib, args.status,
                           dry_run=args.dry_run)
        for message in made.messages:
            print(message)
        if args.dry_run:
            print(f"would write {shown(made.path, root)}:")
            print(made.text, end="")
        else:
            print(f"wrote {shown(made.path, root)}")

    return run("import_post", work)


if __name__ == "__main__":
    sys.exit(main())
