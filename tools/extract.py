"""Extract the exported code of the notes into the importable package snippets/.

    tools/extract              write snippets/<name>.py from the notes
    tools/extract --check      exit 1 and list every stale, missing, orphaned or hand-edited file
    tools/extract --show       print what would change (a diff); write nothing
                               (--dry-run is the same)
    tools/extract --force      write, discarding hand edits of generated modules
    python -m tools.extract    the same command

A Python fence with a title naming a file under snippets/ is exported:

    ```python title="snippets/moco.py"

Several fences of one note may name the same module; they are concatenated in
page order. One note per module. The generated file starts with a banner that
names the note and, above each block, a comment with the note's path and the
line of the fence (``# docs/papers/moco.md:42``); snippets/__init__.py reads
those comments back so that a traceback from exported code points at the note.

The banner ends with a record of what was written: the first 16 hex digits of
the sha256 of the rest of the file, ``(sha256 of the lines below: 1f0e...)``.
A module whose lines no longer match its record was edited by hand, and the
command will not overwrite or remove it: it names the module, the first edited
line and the note's line that holds that code, and writes nothing, until the
edit is made in the note (then the module is what the note exports and nothing
is lost) or discarded with --force. A module whose banner has no record (from
an older tools/extract) is rewritten only when it already holds what the note
exports, bar the banner; otherwise --force says so.

One run writes all its files or none: every module is first written whole to a
temporary file beside it (flushed to disk), and only when all of them are
there are they renamed over the modules, after which orphans are removed. A
failure before that (a full disk, a read-only folder, Ctrl-C) removes the
temporary files, leaves every module as it was, and names the module that
could not be written.

Notes are parsed with markdown-it-py (CommonMark), extended with what this
site's Markdown has that changes where a fence is: front matter, footnotes,
definition lists, and Material's indented containers (admonitions ``!!!``,
collapsible blocks ``???``, content tabs ``===``), whose bodies are indented
four spaces and would otherwise read as indented code.

Every problem in the notes is one line, ``docs/x.md:12: <problem>``, and the
command then exits 1 without writing anything. Files in snippets/ that were not
generated (no banner) are never overwritten or removed, not even with --force.
"""

from __future__ import annotations

try:
    import argparse
    import signal
    import sys
    from pathlib import Path

    from tools.log.snippets import ROOT, ExtractError, apply, count, plan, refusals, show
except KeyboardInterrupt:  # Ctrl-C while the command starts: as in main()
    if __name__ != "__main__":
        raise
    import sys

    print("tools/extract: interrupted; nothing written", file=sys.stderr)
    raise SystemExit(130) from None


def main(argv: list[str] | None = None) -> int:
    written: list[str] = []
    try:
        return _main(argv, written)
    except KeyboardInterrupt as interrupt:
        if written:
            for line in written:
                print(line)
            sys.stdout.flush()
            print("tools/extract: interrupted after every change above was made", file=sys.stderr)
        else:
            print("tools/extract: interrupted; nothing written", file=sys.stderr)
        return 128 + getattr(interrupt, "signum", signal.SIGINT)


def _main(argv: list[str] | None, written: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tools/extract",
        description="Write snippets/<name>.py from the fences of docs/**/*.md titled snippets/<name>.py.",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: this one)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 listing stale, missing, orphaned and hand-edited files"
    )
    mode.add_argument("--show", "--dry-run", dest="show", action="store_true", help="print a diff; write nothing")
    parser.add_argument(
        "--force",
        action="store_true",
        help="discard hand edits of generated modules (files without a banner are still never touched)",
    )
    args = parser.parse_args(argv)
    if args.force and args.check:
        parser.error("--force writes; --check only checks")
    root = args.root.resolve()

    modules, changes, errors = plan(root)
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        return 1
    up_to_date = f"snippets/ is up to date ({count(len(modules), 'module')})"
    if args.check:
        for change in changes:
            print(f"{change.path}: {change.kind} ({change.why})", file=sys.stderr)
        if changes:
            print("snippets/ is out of date: run tools/extract", file=sys.stderr)
            return 1
        print(up_to_date)
        return 0
    refused = refusals(root, changes, args.force)
    if args.show:
        print(show(root, changes) or up_to_date, end="" if changes else "\n")
        sys.stdout.flush()
        for line in refused:
            print(line, file=sys.stderr)
        return 1 if refused else 0
    if refused:
        for line in refused:
            print(line, file=sys.stderr)
        return 1
    try:
        apply(root, changes, written)
    except ExtractError as error:
        print(error, file=sys.stderr)
        return 1
    while written:  # what is left of it if Ctrl-C comes now, main() prints
        print(written.pop(0))
    if not changes:
        print(up_to_date)
    return 0


if __name__ == "__main__":
    sys.exit(main())
