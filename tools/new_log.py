"""Start a log of your own, or bring a log's machinery up to date.

    tools/new_log DIR                          a new log in DIR (new or empty)
    tools/new_log DIR --title "My log" --author lin --name "Lin Qiao"
    tools/new_log --update DIR                 DIR's machinery from this checkout
    tools/new_log ... --dry-run                say what would be written; write nothing

A new log holds the machinery of this checkout (tools/, the build's hooks and
assets, the tests of the tools, .ci/, the GitHub workflow, pyproject.toml and
uv.lock), a mkdocs.yml with the log's title, and its own content: section
pages, one example note of each kind (a weekly report, a paper note whose
exported snippet has its test in tests/notes/, a course note), references.bib
with the example's entry, a README and the author's avatar. None of this
log's notes come along. DIR becomes a git repository with one commit when
git is installed (--no-git: none).

--update compares each machinery file with the version recorded in DIR's
.papernotes/machinery.json when it was installed: a file DIR has not changed
is replaced, one changed only in DIR is kept, one changed on both sides is
kept and the new version is written beside it as <file>.new. Notes,
snippets and tests/notes/ are never touched.

A refusal is one line naming the file, exit status 1, and nothing written:
DIR not empty, an author id that is not one, a log without its record.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from tools.log.cli import Parser, UsageError, run
from tools.log.scaffold import carry_out, plan_new_log, plan_update

# The checkout whose machinery a new log gets. Only the standard library is needed here, so a
# fresh clone can make a log before any `.venv/` exists.
ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None, today: dt.date | None = None, source: Path = ROOT) -> int:
    parser = Parser(prog="new_log", description=__doc__)
    parser.add_argument("dir", type=Path, help="the log's folder")
    parser.add_argument("--update", action="store_true", help="update DIR's machinery from this checkout")
    parser.add_argument("--title", help="the site's name (default: the folder's name)")
    parser.add_argument("--author", default="me", help="the author's id in .authors.yml (default: me)")
    parser.add_argument("--name", help="the author's name as shown (default: the id)")
    parser.add_argument("--no-git", action="store_true", help="do not make DIR a git repository")
    parser.add_argument("--dry-run", action="store_true", help="say what would be written; write nothing")
    args = parser.parse_args(argv)

    def work():
        target = args.dir.expanduser().absolute()
        if args.update:
            if args.title or args.name or args.author != "me":
                raise UsageError("--title, --author and --name set up a new log; --update keeps the log's own")
            plan = plan_update(source, target)
            for line in plan.lines:
                print(("would: " if args.dry_run else "") + line)
            if not args.dry_run:
                carry_out(plan, target)
            return
        title = args.title or target.name
        plan = plan_new_log(source, target, title, args.author, args.name or args.author,
                            today or dt.date.today())
        if args.dry_run:
            for path, _ in plan.new:
                print(f"would write {path.relative_to(target)}")
            print(plan.lines[-1])
            return
        carry_out(plan, target)
        committed = not args.no_git and git_init(target)
        print(f"new_log: {target}: {plan.lines[-1]}" + ("; git repository with one commit" if committed else ""))
        print(f"next: cd {target} && python3 tools/dev.py serve")

    return run("new_log", work)


def git_init(target: Path) -> bool:
    """git init, add and commit in target; False (and a line saying why) when git cannot.
    The commit is the user's when git knows who they are, else papernotes'."""
    try:
        known = subprocess.run(["git", "config", "user.email"], cwd=target, capture_output=True).returncode == 0
    except FileNotFoundError:
        print("new_log: git not found; the log is not a git repository yet", file=sys.stderr)
        return False
    identity = [] if known else ["-c", "user.name=papernotes", "-c", "user.email=papernotes@localhost"]
    steps = [["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
             ["git", *identity, "commit", "-q", "-m", "A new reading log, made by tools/new_log"]]
    for step in steps:
        done = subprocess.run(step, cwd=target, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"new_log: `{' '.join(step)}` failed: {(done.stderr.strip().splitlines() or [''])[-1]}", file=sys.stderr)
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
