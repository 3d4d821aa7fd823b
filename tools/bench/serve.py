#!/usr/bin/env python3
"""How long an edit takes to reach the browser under ``tools/dev.py serve``.

    python -m tools.bench.serve                  # N = 1000 synthetic notes, 3 edits
    python -m tools.bench.serve --notes 10 --edits 1 --json /tmp/serve.json

It writes a synthetic corpus (tools/bench/build.py) into a temporary copy of
the project, starts ``mkdocs serve`` there on 127.0.0.1 with the flags that
``tools/dev.py serve`` uses, waits for the first build, then edits one paper
note several times: each edit appends a unique word, and the time counted is
from the file's write to the first response of the note's URL that contains
that word. Every wait is bounded; the server is stopped at the end, whatever
happens.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import dev  # noqa: E402
from tools.bench.build import machine, prepare, split  # noqa: E402
from tools.site.browser import mkdocs_serve  # noqa: E402


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(predicate, timeout: float, interval: float = 0.05) -> float | None:
    """Seconds until predicate() is true, or None after ``timeout``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        time.sleep(interval)
    return None


def measure(project: Path, note: str, edits: int, startup_timeout: float, edit_timeout: float) -> dict:
    with tempfile.TemporaryFile("w+") as log, mkdocs_serve(project, dev.SERVE_FLAGS, log=log) as base:
        url = base + note.removesuffix(".md") + "/"
        first = wait_for(lambda: fetch(url) is not None, startup_timeout, interval=0.5)
        if first is None:
            log.seek(0)
            raise RuntimeError(f"mkdocs serve did not answer within {startup_timeout:.0f} s:\n{log.read()[-2000:]}")
        time.sleep(1.0)  # let the watcher settle after the first build
        latencies = []
        source = project / "docs" / note
        for i in range(edits):
            word = f"benchedit{i}x{int(time.time() * 1000)}"
            with source.open("a", encoding="utf-8") as handle:
                handle.write(f"\n\nEdited: {word}\n")
            seconds = wait_for(lambda: word in (fetch(url) or ""), edit_timeout)
            latencies.append(seconds)
            time.sleep(1.0)
        return {"first_build_s": round(first, 1), "latencies_s": [None if s is None else round(s, 2)
                                                                   for s in latencies]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000, help="synthetic notes (default 1000)")
    parser.add_argument("--edits", type=int, default=3, help="edits to time (default 3)")
    parser.add_argument("--startup-timeout", type=float, default=600, help="seconds for the first build")
    parser.add_argument("--edit-timeout", type=float, default=120, help="seconds allowed per edit")
    parser.add_argument("--json", type=Path, help="write the result here (default benchmarks/serve.json)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="papernotes-serve-") as tmp:
        project = prepare(Path(tmp), args.notes, "after", "")
        note = f"papers/synth/paper-{min(3, split(args.notes).papers - 1):05d}.md"
        result = measure(project, note, args.edits, args.startup_timeout, args.edit_timeout)
    done = [s for s in result["latencies_s"] if s is not None]
    record = {
        "benchmark": "serve",
        "command": "python3 tools/dev.py serve  (mkdocs serve " + " ".join(dev.SERVE_FLAGS) + ")",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_average": os.getloadavg(),
        "notes": args.notes,
        **result,
        "median_s": statistics.median(done) if done else None,
    }
    print(f"serve at N={args.notes}: first build {result['first_build_s']} s; "
          f"edit to page: {result['latencies_s']} s (median {record['median_s']})")
    path = args.json or ROOT / "benchmarks" / "serve.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if len(done) == len(result["latencies_s"]) else 1


if __name__ == "__main__":
    sys.exit(main())
