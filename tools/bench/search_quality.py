#!/usr/bin/env python3
"""How often search puts the right page first, in headless Chromium.

    python -m tools.bench.search_quality --ours /tmp/site --material /tmp/site-material

Each query of tests/data/search-queries.yml is typed into the search box of a
built site; the pages of the results, in the order shown, are compared with
the pages the query wants. Reports success@1, success@3 and MRR (over the
first 10 pages) per kind of query (zh, en, cross) and overall, for each site
given; writes benchmarks/search-quality.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.bench.build import machine  # noqa: E402
from tools.site.browser import chromium, serve  # noqa: E402

QUERIES = ROOT / "tests" / "data" / "search-queries.yml"
KINDS = ("zh", "en", "cross")


def page_url(path: str) -> str:
    """docs/ path -> the page's URL path on a site with directory URLs."""
    stem = path[:-3] if path.endswith(".md") else path.rsplit(".", 1)[0]
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
    else:
        stem += "/"
    return "/" + stem


def ranked_pages(page, base: str, query: str, timeout: float) -> list[str]:
    box = page.locator("input.md-search__input")
    box.fill("")
    box.fill(query)
    box.press("End")
    page.wait_for_function(
        """() => document.querySelector('.md-search-result__item') !== null ||
                 /No matching/.test(document.querySelector('.md-search-result__meta')?.textContent || '')""",
        timeout=timeout * 1000, polling=50)
    page.wait_for_timeout(400)  # later answers to the same query replace the first
    hrefs = page.eval_on_selector_all(
        ".md-search-result__list > .md-search-result__item > a.md-search-result__link",
        "links => links.map(a => a.href)")
    pages = []
    for href in hrefs:
        path = urlparse(href).path
        if path not in pages:
            pages.append(path)
    return pages


def judge(site: Path, queries: list[dict], timeout: float) -> list[dict]:
    rows = []
    with serve(site) as base, chromium("tools/bench/search_quality") as browser:
        page = browser.new_page()
        page.set_default_timeout(timeout * 1000)
        page.goto(base, wait_until="load")
        page.locator("input.md-search__input").click()
        prefix = urlparse(base).path.rstrip("/")
        for item in queries:
            pages = ranked_pages(page, base, item["q"], timeout)
            want = {prefix + page_url(w) for w in item["want"]}
            rank = next((i + 1 for i, p in enumerate(pages[:10]) if p in want), None)
            rows.append({"q": item["q"], "kind": item["kind"], "rank": rank, "top": pages[:3]})
    return rows


def scores(rows: list[dict]) -> dict:
    out = {}
    for kind in (*KINDS, "all"):
        part = [r for r in rows if kind == "all" or r["kind"] == kind]
        if not part:
            continue
        n = len(part)
        out[kind] = {
            "queries": n,
            "success_at_1": round(sum(r["rank"] == 1 for r in part) / n, 3),
            "success_at_3": round(sum(r["rank"] is not None and r["rank"] <= 3 for r in part) / n, 3),
            "mrr": round(sum(1 / r["rank"] for r in part if r["rank"]) / n, 3),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.search_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--ours", type=Path, required=True, help="a site built with the sharded index")
    parser.add_argument("--material", type=Path, help="the same site built with PAPERNOTES_SEARCH_SHARDS=0")
    parser.add_argument("--label", default="before", help="what this run measures (default: before)")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "search-quality.json")
    args = parser.parse_args(argv)
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    record = json.loads(args.json.read_text(encoding="utf-8")) if args.json.is_file() else {
        "benchmark": "search-quality", "runs": []}
    for search, site in (("ours", args.ours), ("material", args.material)):
        if site is None:
            continue
        rows = judge(site, queries, args.timeout)
        summary = scores(rows)
        record["runs"].append({
            "label": args.label, "search": search,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(), "scores": summary, "queries": rows})
        for kind, s in summary.items():
            print(f"{args.label} {search} {kind}: {s['queries']} queries, success@1 {s['success_at_1']:.0%}, "
                  f"success@3 {s['success_at_3']:.0%}, MRR {s['mrr']:.2f}")
    args.json.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
