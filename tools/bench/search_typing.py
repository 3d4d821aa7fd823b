#!/usr/bin/env python3
"""How soon the answer to a whole word arrives when it is typed key by key.

    python -m tools.bench.search_typing --site /tmp/site                 # the site's own search worker
    python -m tools.bench.search_typing --site /tmp/site --notes 2000 \
        --workers old.js docs/assets/javascripts/workers/papernotes-search.js --labels before after

Each key sends Material's worker a query ("m", "mo", "mom", ...). A worker that
answers them in turn can keep the last one waiting behind the work of those
before it. For each word and worker: a new browser context (empty cache), the
home page loaded, the vocabulary given a second to load, the word typed at
``--delay`` ms a key, and the time from the last key to the worker's answer
to the whole word (not to one of its prefixes). With ``--workers``, each file
is copied in turn over the site's worker (restored afterwards), the workers
taking turns word by word for ``--rounds`` rounds, and each figure is the
median of its rounds. Needs a site built with the sharded index
(``python -m tools.bench.build`` or ``mkdocs build``) and Chromium. Writes
``--json`` (default benchmarks/typing.json), which the performance page shows.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.bench.search import WATCH_WORKER  # noqa: E402
from tools.bench.build import machine  # noqa: E402
from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve  # noqa: E402

WORKER = Path("assets/javascripts/workers/papernotes-search.js")
WORDS = ("momentum", "attention", "contrastive", "transformer")

# When the last key went up, on the page's clock (WATCH_WORKER times the answers).
LAST_KEY = """
window.__lastKey = null;
addEventListener("keyup", () => { window.__lastKey = performance.now(); }, true);
"""


def time_word(browser, base: str, word: str, delay: int, timeout: float) -> float:
    """Seconds from the last key of ``word`` to the answer to the whole word."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(WATCH_WORKER)
        page.add_init_script(LAST_KEY)
        page.set_default_timeout(timeout * 1000)
        page.goto(base, wait_until="load")
        box = page.locator("input.md-search__input")
        box.click()
        page.wait_for_timeout(1000)
        box.press_sequentially(word, delay=delay)
        page.wait_for_function("word => window.__searchAnswers.some(answer => answer.query === word)", arg=word,
                               timeout=timeout * 1000, polling=10)
        return page.evaluate("""word => {
            const answer = window.__searchAnswers.find(answer => answer.query === word);
            return (answer.at - window.__lastKey) / 1000;
        }""", word)
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.search_typing", description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True, help="a site built with the sharded index")
    parser.add_argument("--workers", type=Path, nargs="+", help="worker files to compare (default: the site's)")
    parser.add_argument("--words", nargs="+", default=list(WORDS))
    parser.add_argument("--delay", type=int, default=60, help="ms between keys (default 60)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=30, help="seconds allowed per wait")
    parser.add_argument("--labels", nargs="+", help="a name for each worker (default: its path)")
    parser.add_argument("--notes", type=int, help="how many notes the site has (for the record)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "typing.json", help="write here")
    args = parser.parse_args(argv)
    if args.labels and len(args.labels) != len(args.workers or [None]):
        parser.error("--labels: one name per worker")
    if find_chromium() is None:
        print(f"tools/bench/search_typing: no Chromium: {INSTALL_HINT}", file=sys.stderr)
        return 2
    target = args.site / WORKER
    if not target.is_file():
        print(f"tools/bench/search_typing: {target}: no sharded-search worker (was the site built with it?)", file=sys.stderr)
        return 2
    for worker in args.workers or []:
        if not worker.is_file():
            print(f"tools/bench/search_typing: {worker}: no such file", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        original = Path(tmp) / "worker.js"
        shutil.copyfile(target, original)
        # the site's own worker, named by its path, is read from the copy (it is overwritten in turn)
        workers = [original if worker.resolve() == target.resolve() else worker for worker in args.workers or []]
        workers = workers or [original]
        times: dict[tuple[str, str], list[float]] = {}
        try:
            with serve(args.site) as base, chromium("tools/bench/search_typing") as browser:
                for _ in range(args.rounds):
                    for word in args.words:
                        for worker in workers:
                            shutil.copyfile(worker, target)
                            seconds = time_word(browser, base, word, args.delay, args.timeout)
                            times.setdefault((str(worker), word), []).append(seconds)
        finally:
            shutil.copyfile(original, target)
    print(f"{args.site}: the whole word's answer after the last key, typed at {args.delay} ms a key, "
          f"median of {args.rounds}")
    labels = args.labels or ["the site's worker" if worker == original else str(worker) for worker in workers]
    results = {label: {word: round(statistics.median(times[(str(worker), word)]), 3) for word in args.words}
               for label, worker in zip(labels, workers)}
    for label, seconds in results.items():
        print(f"{label}: " + ", ".join(f"{word} {s:.2f} s" for word, s in seconds.items()))
    record = {
        "benchmark": "typing",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "load_average": os.getloadavg(),
        "notes": args.notes, "delay_ms": args.delay, "rounds": args.rounds,
        "last_key_to_answer_s": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
