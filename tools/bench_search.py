#!/usr/bin/env python3
"""How soon search answers on a large site, in headless Chromium, cold.

    python -m tools.bench_search                            # sites of N = 100, 500, 1000, 2000 notes
    python -m tools.bench_search --notes 2000 --site /tmp/site   # measure a site already built

For each query: a new browser context (empty cache), the home page loaded,
the query typed into Material's search box at once, and the time until the
first result is shown, counted from the typing and from the page load. Every
wait is bounded (``--timeout``).
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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.bench_site import machine, measure, prepare  # noqa: E402
from tools.browser import CHROMIUM_ARGS, INSTALL_HINT, find_chromium, serve  # noqa: E402

QUERIES = ("对比学习", "momentum", "qzxqvbnmzz")  # Chinese, English, nothing


def time_queries(site: Path, queries, timeout: float) -> list[dict]:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit(f"tools/bench_search: no Chromium: {INSTALL_HINT}")
    rows = []
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for query in queries:
                context = browser.new_context()  # empty cache: a cold load
                page = context.new_page()
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
                # Results, or Material's "No matching documents" once the index answered.
                page.wait_for_function(
                    """() => document.querySelector('.md-search-result__item') !== null ||
                             /No matching/.test(document.querySelector('.md-search-result__meta')?.textContent || '')""",
                    timeout=timeout * 1000, polling=20)
                shown = time.perf_counter()
                results = page.locator(".md-search-result__item").count()
                rows.append({
                    "query": query, "results": results, "meta": meta.text_content(),
                    "typing_to_result_s": round(shown - typed, 3), "load_to_result_s": round(shown - loaded, 3),
                    "page_load_s": round(loaded - start, 3),
                })
                context.close()
            # What the browser spends on the index file alone, before Material's worker indexes it.
            context = browser.new_context()
            page = context.new_page()
            page.goto(base, wait_until="load")
            parse_s = page.evaluate("""async () => {
                const start = performance.now();
                const data = JSON.parse(await (await fetch('search/search_index.json')).text());
                return [(performance.now() - start) / 1000, data.docs.length];
            }""")
            rows.append({"query": None, "fetch_and_parse_s": round(parse_s[0], 3), "sections": parse_s[1]})
            context.close()
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_search", description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[100, 500, 1000, 2000],
                        help="synthetic notes, one site each (default 100 500 1000 2000)")
    parser.add_argument("--site", type=Path, help="a built site to measure instead of building one (with one --notes)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds allowed per wait")
    parser.add_argument("--json", type=Path, help="write here (default benchmarks/search.json)")
    args = parser.parse_args(argv)
    if args.site is not None and len(args.notes) != 1:
        parser.error("--site measures one site: give the one --notes it was built with")
    runs = []
    for notes in args.notes:
        with tempfile.TemporaryDirectory(prefix="papernotes-search-") as tmp:
            site = args.site
            if site is None:
                project = prepare(Path(tmp), notes, "after", "")
                measure(project, "after", notes, timeout=900)
                site = project / "site"
            index_mb = round((site / "search" / "search_index.json").stat().st_size / 2**20, 2)
            rows = time_queries(site, QUERIES, args.timeout)
        runs.append({"notes": notes, "search_index_mb": index_mb, "queries": rows})
        for row in rows:
            if row["query"] is None:
                print(f"N={notes}: search_index.json ({index_mb} MB, {row['sections']} sections) fetched and parsed "
                      f"in {row['fetch_and_parse_s']:.2f} s")
                continue
            print(f"N={notes}: {row['query']}: {row['results']} results, {row['typing_to_result_s']:.2f} s after "
                  f"typing, {row['load_to_result_s']:.2f} s after load")
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
