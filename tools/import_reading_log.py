"""Bring a reading log kept as one Markdown file (a README like papers-weekly) into the log.

    tools/import_reading_log README.md                  queued paper notes and weekly reports
    tools/import_reading_log README.md --author yan     the reports' author id (default: the first)
    tools/import_reading_log README.md --date 2026-12-01  the day the papers join the log (default: today)
    tools/import_reading_log README.md --dry-run        print what would be written; write nothing
    python -m tools.import_reading_log                  the same command

Each pending item (``- [ ] title``) becomes a queued paper note,
docs/papers/<slug>.md (front matter ``title``, ``tags: []``, ``aliases: []``,
``bib``, ``status: queued``, ``added``), on the reading list and in new_week's
queue. Its ``bib`` is the entry of references.bib with the same title, or a
new minimal ``@misc`` entry (title; the year when the item names one, else
``n.d.``; its link), appended to references.bib. Latin text of three words or
more followed by Chinese is the title, the Chinese a comment kept in the note.

Each dated section (``## 2023.6.18``; also 2023-06-18, 2023/6/18, 2023年6月18日)
goes into the weekly report of its ISO week, docs/weekly/posts/<Monday>.md, as
a ``### 2023.6.18`` part of 论文阅读, oldest first. Images: a local one is copied
beside the report, a missing one becomes a visible placeholder (reported with
its file:line), an external one a plain link.

Nothing is duplicated or overwritten: an item whose paper has a note already
(same title, or the note of the entry with that title) and a week that has a
report are skipped and reported, so a second import writes nothing. At the
end one summary: what was written, what changed, what was skipped and why,
and the lines that are neither pending items nor dated sections. It refuses,
in one line naming the file and line, and writes nothing: a file that is not
UTF-8 or holds a control character, a date heading that is no date
(2023.2.30), an unknown author. Every file is written, or none (a full disk,
Ctrl-C: exit status 130, SIGTERM: 143).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from tools.log.cli import Parser, parse_day, run
from tools.log.config import BIB, ROOT
from tools.log.files import shown
from tools.log.reading_log import import_reading_log


def main(argv: list[str] | None = None, today: dt.date | None = None, root: Path = ROOT) -> int:
    parser = Parser(prog="import_reading_log", description=__doc__)
    parser.add_argument("file", help="the reading log's Markdown file")
    parser.add_argument("--author", help="the reports' author id in docs/weekly/.authors.yml (default: the first)")
    parser.add_argument("--date", help="the day the papers join the log, YYYY-MM-DD (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    args = parser.parse_args(argv)

    def work():
        day = parse_day(args.date) if args.date is not None else (today or dt.date.today())
        plan = import_reading_log(root, Path(args.file), args.author, day, dry_run=args.dry_run)
        verb = "would write" if args.dry_run else "wrote"
        entries = sum(1 for *_, key in plan.notes if key is not None)
        print(f"{verb} {len(plan.notes)} queued paper notes ({entries} new entries in {BIB}) and "
              f"{len(plan.reports)} weekly reports ({sum(len(g) for *_, g in plan.reports)} dated sections); "
              f"{len(plan.images)} images copied, {len(plan.missing)} missing (placeholders), "
              f"{len(plan.skipped)} skipped")
        for item, note, _, key in plan.notes:
            added = f"; added '{key}' to {BIB}" if key is not None else ""
            print(f"  {verb} {shown(note, root)} ({args.file}:{item.line}: {item.title}{added})")
        for path, _, group in plan.reports:
            print(f"  {verb} {shown(path, root)} ({', '.join(f'{args.file}:{s.line}' for s in group)})")
        for message in plan.changes:
            print(f"    {message}")
        for message in plan.missing:
            print(f"    missing: {message}")
        for message in plan.skipped:
            print(f"  skipped: {message}")
        for message in plan.left_out:
            print(f"  not imported: {message}")

    return run("import_reading_log", work)


if __name__ == "__main__":
    sys.exit(main())
