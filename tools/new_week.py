"""Start this week's report: docs/weekly/posts/<Monday>.md.

    tools/new_week                      the week that contains today
    tools/new_week --date 2026-11-25    the week (Monday to Sunday) that contains that day
    tools/new_week --author lin         an author id from docs/weekly/.authors.yml (default: the first)
    tools/new_week --category CV        a category allowed in mkdocs.yml (repeatable)
    tools/new_week --dry-run            print the report; write nothing
    python -m tools.new_week            the same command

The report has the blog front matter (date, authors, categories, tags), the
title "Weekly report from YYYY.MM.DD to YYYY.MM.DD", the sections of the
existing reports (本周代码, 论文阅读, 下周计划), the papers whose notes say
``status: reading`` or ``status: queued``, and the unchecked ``- [ ]`` items of
the latest earlier report's 下周计划 (next week) section, carried over.

It never overwrites: a report whose front matter ``date`` falls in the same
ISO week, under any file name, is a refusal. So is anything wrong in what it
reads: front matter that is not YAML or has a field of the wrong kind
(``tags`` as a mapping, ``status`` not queued/reading/read), a control
character (line:column) or text that is not UTF-8 (the byte), in the reports
and paper notes as in .authors.yml and mkdocs.yml. Every refusal is one line
on stderr naming the file (and line), exit status 1; a bad command line (an
unknown option, a date that does not exist, one whose week ends after
9999-12-31) exits with 2; Ctrl-C is "new_week: interrupted; nothing
written", exit status 130. Nothing is written then: a folder that refuses
the file or a full disk is a refusal naming the report
(``docs/weekly/posts/2026-11-23.md: cannot write: Permission denied``), and
the temporary file it was written to is gone.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from tools.log.cli import Parser, UsageError, parse_day, run
from tools.log.config import ROOT
from tools.log.files import shown
from tools.log.reports import WEEK_PAST_THE_CALENDAR, new_week, week_fits


def main(argv: list[str] | None = None, today: dt.date | None = None, root: Path = ROOT) -> int:
    parser = Parser(prog="new_week", description=__doc__)
    parser.add_argument("--date", help="a day of the week, YYYY-MM-DD (default: today)")
    parser.add_argument("--author", help="author id from docs/weekly/.authors.yml (default: the first)")
    parser.add_argument("--category", action="append", default=[],
                        help="a category from mkdocs.yml's categories_allowed (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="print the report; write nothing")
    args = parser.parse_args(argv)

    def work():
        day = parse_day(args.date) if args.date is not None else (today or dt.date.today())
        if not week_fits(day):
            raise UsageError(f"invalid date '{day.isoformat()}': {WEEK_PAST_THE_CALENDAR}")
        week = new_week(root, day, args.author, args.category, dry_run=args.dry_run)
        if args.dry_run:
            print(f"would write {shown(week.path, root)}:")
            print(week.text, end="")
        else:
            print(shown(week.path, root))

    return run("new_week", work)


if __name__ == "__main__":
    sys.exit(main())
