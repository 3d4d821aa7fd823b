#!/usr/bin/env python3
"""How soon search answers on a large site, in headless Chromium, cold.

    python -m tools.bench.search                            # sites of N = 100, 500, 1000, 2000 notes
    python -m tools.bench.search --notes 2000 --site /tmp/site   # measure a site already built

Each size is built twice, side by side: "before" with Material's own search
(``PAPERNOTES_SEARCH_SHARDS=0``: the browser builds a Lunr index of every
section), "after" with the sharded index (tools/site/search_shards.py). For each
query: a new browser context (empty cache), the home page loaded, the query
typed into Material's search box at once, and the time until the first
result is shown, counted from the typing and from the page load, with what
the browser fetched from search/ by then. Every wait is bounded
(``--timeout``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.bench.build import machine, measure, prepare, search_index_mb  # noqa: E402
from tools.site.browser import chromium, serve  # noqa: E402
from tools.site.search_shards import ENV  # noqa: E402

QUERIES = ("对比学习", "momentum", "qzxqvbnmzz")  # Chinese, English, nothing

# Records which query each answer of the search worker is for, and when it
# came (the page's clock): the sharded index's worker sends the query back;
# Material's answers every query, in order.
WATCH_WORKER = """
window.__searchAnswers = [];
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(...args) {
    super(...args);
    const sent = this.__sent = [];
    this.addEventListener("message", ({ data }) => {
      if (data && data.type === 3)
        window.__searchAnswers.push({
          query: "query" in data.data ? data.data.query : sent[window.__searchAnswers.length],
          at: performance.now()
        });
    });
  }
  postMessage(message, ...rest) {
    if (message && message.type === 2)
      this.__sent.push(message.data);
    return super.postMessage(message, ...rest);
  }
};
"""


def time_queries(site: Path, queries, timeout: float) -> list[dict]:
    rows = []
    with serve(site) as base, chromium("tools/bench/search") as browser:
        for query in queries:
            context = browser.new_context()  # empty cache: a cold load
            fetched = []  # (bytes) of each response from search/, the worker's included
            context.on("response", lambda response: "/search/" in response.url and fetched.append(
                int(response.headers.get("content-length", 0))))
            page = context.new_page()
            page.add_init_script(WATCH_WORKER)
            page.set_default_timeout(timeout * 1000)
            start = time.perf_counter()
            page.goto(base, wait_until="load")
            loaded = time.perf_counter()
            box = page.locator("input.md-search__input")
            box.click()
            box.fill(query)
            box.press("End")  # Material reads the query on keyup
            typed = time.perf_counter()
            meta = page.locator(".md-search-result__meta")
            # The answer to this query (not to the empty one sent when the
            # box got focus) has been shown: its results, or Material's
            # "No matching documents".
            page.wait_for_function(
                """(query) => window.__searchAnswers.some(answer => answer.query === query) &&
                     (document.querySelector('.md-search-result__item') !== null ||
                      /No matching/.test(document.querySelector('.md-search-result__meta')?.textContent || ''))""",
                arg=query, timeout=timeout * 1000, polling=20)
            shown = time.perf_counter()
            search_kb, search_files = round(sum(fetched) / 1024, 1), len(fetched)
            results = page.locator(".md-search-result__item").count()
            rows.append({
                "query": query, "results": results, "meta": meta.text_content(),
                "typing_to_result_s": round(shown - typed, 3), "load_to_result_s": round(shown - loaded, 3),
                "page_load_s": round(loaded - start, 3), "search_kb": search_kb, "search_files": search_files,
            })
            context.close()
        # What the browser fetches and parses before the first query: Material's
        # index file, and for the sharded index its vocabulary and section list.
        context = browser.new_context()
        page = context.new_page()
        page.goto(base, wait_until="load")
        parse_s = page.evaluate("""async () => {
            const start = performance.now();
            const data = JSON.parse(await (await fetch('search/search_index.json')).text());
            let sections = data.docs.length;
            const shards = await fetch('search/shards/index.json');
            if (shards.ok)
                sections = JSON.parse(await shards.text()).locations.length;
            return [(performance.now() - start) / 1000, sections];
        }""")
        rows.append({"query": None, "fetch_and_parse_s": round(parse_s[0], 3), "sections": parse_s[1]})
        context.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.search", description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[100, 500, 1000, 2000],
                        help="synthetic notes, one site each (default 100 500 1000 2000)")
    parser.add_argument("--variants", nargs="+", choices=("before", "after"), default=["before", "after"],
                        help="Material's search (before), the sharded index (after); default both")
    parser.add_argument("--site", type=Path, help="a built site to measure instead of building one (with one --notes)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds allowed per wait")
    parser.add_argument("--json", type=Path, help="write here (default benchmarks/search.json)")
    args = parser.parse_args(argv)
    if args.site is not None and len(args.notes) != 1:
        parser.error("--site measures one site: give the one --notes it was built with")
    runs = []
    for notes in args.notes:
        with tempfile.TemporaryDirectory(prefix="papernotes-search-") as tmp:
            project = None if args.site is not None else prepare(Path(tmp), notes, "after", "")
            for variant in ([None] if args.site is not None else args.variants):
                site, build_s = args.site, None
                if site is None:
                    shards = {ENV: "0" if variant == "before" else "1"}
                    build_s = measure(project, variant, notes, timeout=900, env=shards).build_s
                    site = project / "site"
                index_mb = search_index_mb(site)
                rows = time_queries(site, QUERIES, args.timeout)
                runs.append({"notes": notes, "variant": variant, "build_s": build_s, "search_index_mb": index_mb,
                             "queries": rows})
                label = f"N={notes}" + (f" {variant}" if variant else "")
                for row in rows:
                    if row["query"] is None:
                        print(f"{label}: index ({index_mb} MB, {row['sections']} sections); fetched and parsed "
                              f"up front in {row['fetch_and_parse_s']:.2f} s")
                        continue
                    print(f"{label}: {row['query']}: {row['results']} results, {row['typing_to_result_s']:.2f} s "
                          f"after typing, {row['load_to_result_s']:.2f} s after load, {row['search_kb']:.0f} KB "
                          f"in {row['search_files']} files from search/")
    record = {
        "benchmark": "search",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_average": os.getloadavg(),
        "runs": runs,
    }
    path = args.json or ROOT / "benchmarks" / "search.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
