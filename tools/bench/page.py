#!/usr/bin/env python3
"""Write docs/performance.md from the benchmark results committed under benchmarks/.

    python -m tools.bench.page            # rewrite the page
    python -m tools.bench.page --check    # exit 1 if the page is not what the results give

Each table is stamped with the machine and the date of the run it comes
from. Results: benchmarks/site-*.json (tools/bench/build.py, the newest by its
date), serve.json (tools/bench/serve.py), search.json (tools/bench/search.py),
typing.json (tools/bench/search_typing.py),
snippets-<device>.json (tools/bench/snippets.py), dropout-<device>.json
(tools/bench/dropout.py), swin-*.log (tools/bench/swin_parts.py); the last
section, on the notes' fast paths, is tools/bench/page_notes.py.

Reads the results with tools/bench/tables.py and page_notes.py, which import
no benchmark: the benchmarks never import this module.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a file, not with -m
    sys.path.insert(0, str(ROOT))

from tools.bench import page_notes  # noqa: E402
from tools.bench.tables import snippets_section, stamp  # noqa: E402

BENCH = ROOT / "benchmarks"
PAGE = ROOT / "docs" / "performance.md"
CHARTS = ROOT / "docs" / "assets" / "images"
BUILD_CHART, PAGE_CHART = "performance-build.svg", "performance-page.svg"

INTRO = """\
---
# A catalogue of measurements names every topic of the log; in search it
# comes after the notes about them.
search:
  boost: 0.3
---

# Performance

How the site's build grows with the log, how fast an edit shows under
`tools/dev.py serve`, how fast search answers, and how the notes' snippets
compare with PyTorch's own implementations. This page is written by
`tools/bench/page.py` from the results committed under `benchmarks/`; each
table names the machine and the date of its run. Timings on a shared machine
vary from run to run: compare figures within one table, which were measured
in one run.
"""


PROFILE = """\
### Where the time goes

Profiles of `mkdocs build` under `python -m cProfile` on this machine
(2 cores, 2026-11-23); shares are of the profiled time, which runs about
1.5 times slower than a plain build.

- *before*, N = 1,000: rendering the navigation 44% (Material's
  `nav-item.html` walked every note of a section for every page), the search
  plugin 24% (parsing each page's HTML and segmenting Chinese with jieba),
  the blog plugin re-converting posts for its listings 8%, latex2mathml 8%,
  Python-Markdown most of the rest. `navigation.prune` and the sidebar limit
  of 40 notes per section (`tools/site/hooks/nav.py`) took the navigation down to a
  few per cent and made a page's size independent of the size of the log.
- mkdocs-jupyter read every Markdown page with jupytext three times per
  build to look for a notebook header, 23% at N = 400 (now
  `ignore: ["*.md"]`: notebooks are `.ipynb`).
- The blog plugin converted every weekly report three times more for its
  listings (index, archive, categories), 16% at N = 1,000
  (`tools/site/hooks/blog.py` converts only the excerpt), and asked "is this page
  a post?" by comparing the page with every post, each comparison computing
  two titles from Markdown: 24 s of a 108 s profile at N = 2,000, growing
  with the square of the log (`tools/site/hooks/blog.py` looks the page up by
  path).
- What is left grows linearly: Python-Markdown about 40%, search indexing
  about 25% (half of it jieba), templates about 15%, latex2mathml 8%. A build
  uses one core, so `tools/site/hooks/prerender.py` has a second process convert
  3 in 5 of the pages other than blog posts ahead of the build (with MkDocs'
  own `Page.render`), and `tools/site/hooks/search_worker.py` one
  index every page for search as soon as its HTML is final; both are
  checked to leave the site byte for byte as a one-process build writes it.
- Run to run, on this shared 2-core machine: four builds of the N = 2,000
  log with this configuration took 39.3, 41.0, 44.7 and 45.5 s, and the CPU
  time of the same build moved between 59 and 77 s. The 45 s aimed for is
  where the build is, not a margin below it.
"""


def svg_chart(title: str, unit: str, series: dict[str, list[tuple[float, float]]], limit: float | None = None) -> str:
    """A line chart as SVG text: one line per series, x = notes, y = value."""
    width, height, left, right, top, bottom = 560, 300, 60, 110, 30, 40
    points = [p for line in series.values() for p in line]
    x_max = max(x for x, _ in points)
    y_max = max([y for _, y in points] + ([limit] if limit else []))
    y_max = _nice(y_max * 1.05)
    sx = lambda x: left + (width - left - right) * x / x_max  # noqa: E731
    sy = lambda y: height - bottom - (height - top - bottom) * y / y_max  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{title}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="#fff"/>',  # readable on the dark palette too
           f'<text x="{left}" y="18" font-size="14">{title}</text>']
    for i in range(5):
        y = y_max * i / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#ccc"/>'
                   f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
    for x in sorted({x for x, _ in points}):
        out.append(f'<text x="{sx(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{x:,.0f}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" text-anchor="middle">notes</text>'
               f'<text x="14" y="{(top + height - bottom) / 2:.0f}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(top + height - bottom) / 2:.0f})">{unit}</text>')
    if limit:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{sy(limit):.1f}" y2="{sy(limit):.1f}" '
                   f'stroke="#888" stroke-dasharray="4 4"/><text x="{left + 6}" y="{sy(limit) - 5:.1f}" '
                   f'fill="#555">target {limit:g}</text>')
    colours = ("#c2185b", "#1565c0", "#2e7d32")
    for (name, line), colour in zip(series.items(), colours):
        line = sorted(line)
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in line)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}"/>' for x, y in line]
        x, y = line[-1]
        out.append(f'<text x="{sx(x) + 8:.1f}" y="{sy(y) + 4:.1f}" fill="{colour}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above value."""
    power = 10 ** len(str(int(value))) / 10 if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def site_section(record: dict) -> str:
    rows = record["results"]
    lines = [
        "## Build time and size",
        "",
        "`python -m tools.bench.build` writes a synthetic log of N notes like ours (a quarter weekly "
        "reports, half paper notes with BibTeX entries, a quarter course notes; about 1,500 words of "
        "Chinese and English each, with formulas, code, a table and tags) into a copy of the project "
        "and builds it with `mkdocs build --strict`. *before* is the configuration without the "
        f"growth work (commit `{record['before_rev']}`'s navigation and formula hooks, no "
        "`navigation.prune`, jupytext reading every page, the blog plugin as it comes, one process); "
        "*after* is this site's. CPU (s) is the user and system time of the build and its worker "
        "processes; *before* builds use one core, *after* builds two.",
        "",
        stamp(record),
        "",
        "| variant | notes | pages | build (s) | CPU (s) | peak memory (MB) | median page (KB) | site (MB) "
        "| search index (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: (r["notes"], r["variant"] != "before")):
        lines.append(
            f"| {r['variant']} | {r['notes']:,} | {r['pages']:,} | {r['build_s']:.1f} | {r.get('cpu_s', 0):.1f} "
            f"| {r['peak_rss_mb']:.0f} | {r['median_page_kb']:.1f} | {r['site_mb']:.1f} | {r['search_index_mb']:.1f} |"
        )
    lines += ["", f"![Build time against the number of notes](assets/images/{BUILD_CHART})",
              "", f"![Median page size against the number of notes](assets/images/{PAGE_CHART})"]
    after = {r["notes"]: r for r in rows if r["variant"] == "after"}
    if after:
        small, large = after[min(after)], after[max(after)]
        lines += [
            "",
            f"After: the median page is {large['median_page_kb'] / small['median_page_kb']:.2f} times as large at "
            f"N = {large['notes']:,} as at N = {small['notes']:,}; the build took {large['build_s']:.0f} s "
            f"({large.get('cpu_s', 0):.0f} s of CPU) at N = {large['notes']:,}.",
        ]
    return "\n".join(lines)


def serve_section(record: dict) -> str:
    latencies = ", ".join("—" if s is None else f"{s:.2f}" for s in record["latencies_s"])
    return "\n".join([
        "## Editing under serve",
        "",
        f"`python -m tools.bench.serve` starts `{record['command']}` on a synthetic log of "
        f"{record['notes']:,} notes, edits one note several times and polls its URL until the edit is served.",
        "",
        stamp(record),
        "",
        "| notes | first build (s) | edit to served page (s) | median (s) |",
        "|---:|---:|---|---:|",
        f"| {record['notes']:,} | {record['first_build_s']:.1f} | {latencies} | "
        + ("—" if record["median_s"] is None else f"{record['median_s']:.2f}") + " |",
    ])


def search_section(record: dict) -> str:
    runs = record.get("runs") or [{k: record[k] for k in ("notes", "search_index_mb", "queries")}]
    names = {"before": "Material's", "after": "sharded", None: "Material's"}
    lines = [
        "## Search",
        "",
        "`python -m tools.bench.search` builds the synthetic log at each size twice: with Material's own "
        "search, where the browser fetches every section in `search_index.json` and builds a Lunr index of "
        "them in a web worker before the first query, and with the sharded index (`tools/site/search_shards.py`), "
        "computed at build time and cut into files that a worker of ours fetches only as a query needs them, "
        "and ranks as the README's *How search ranks* says. "
        "For each query it opens the home page in headless Chromium with an empty cache, types the query into "
        "the search box and waits for its first results.",
        "",
        stamp(record),
        "",
        "| notes | search | build (s) | index (MB) | query | first result after typing (s) "
        "| from page load (s) | fetched from search/ (KB) | results |",
        "|---:|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        build = f"{run['build_s']:.1f}" if run.get("build_s") else "—"
        for q in run["queries"]:
            if q["query"] is None:
                continue
            # A query that finds nothing is not printed: on this page, search would find it.
            query = q["query"] if q["results"] else "*a made-up word*"
            fetched = f"{q['search_kb']:,.0f}" if "search_kb" in q else "—"
            lines.append(
                f"| {run['notes']:,} | {names[run.get('variant')]} | {build} | {run['search_index_mb']:.1f} | "
                f"{query} | {q['typing_to_result_s']:.2f} | {q['load_to_result_s']:.2f} | {fetched} | {q['results']} |")
    lines += ["", "With Material's search the wait grows with the log: the browser indexes every section before "
              "it answers. The sharded index loads a vocabulary and a list of sections up front, then per query "
              "the postings of the words typed and the text of the pages shown first (20), so the wait grows "
              "with what a query matches, not with the log. `mkdocs serve` and the offline build (its files "
              "written as scripts, for file://) search the same way."]
    return "\n".join(lines)


def quality_section(record: dict) -> str:
    kinds = (("zh", "Chinese"), ("en", "English"), ("cross", "cross-lingual"), ("all", "all"))
    lines = [
        "### Right page first",
        "",
        "`python -m tools.bench.search_quality` types each query of `tests/data/search-queries.yml` "
        "(written from the notes, each with the page a reader wants) into the search box of the built site "
        "in headless Chromium, and scores the pages shown: success@1 (the right page first), success@3, and "
        "MRR over the first 10 pages. *ours* is the site's search, *Material* Material's stock search on the "
        "same site (`PAPERNOTES_SEARCH_SHARDS=0`). In the *before* runs ours ranked as Material's does (Lunr's "
        "weights, any piece of a Chinese word enough); *after* is the ranking the README describes, with the "
        "notes' `aliases:`, which Material's search does not index.",
        "",
        "| run | search | date | " + " | ".join(f"{name} s@1 / s@3 / MRR" for _, name in kinds) + " |",
        "|---|---|---|" + "---:|" * len(kinds),
    ]
    for run in record["runs"]:
        cells = []
        for kind, _ in kinds:
            s = run["scores"].get(kind)
            cells.append("—" if s is None else
                         f"{s['success_at_1']:.0%} / {s['success_at_3']:.0%} / {s['mrr']:.2f} ({s['queries']})")
        search = {"ours": "ours", "material": "Material"}.get(run["search"], run["search"])
        lines.append(f"| {run['label']} | {search} | {run['date']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def typing_section(record: dict) -> str:
    results = record["last_key_to_answer_s"]
    words = list(next(iter(results.values())))
    notes = f"the N = {record['notes']:,} site" if record.get("notes") else "a built site"
    lines = [
        "### Typed key by key",
        "",
        f"`python -m tools.bench.search_typing` types each word into the search box of {notes} at "
        f"{record['delay_ms']} ms a key, and times the answer to the whole word from the last key: every key "
        "sends a query, and the worker must not keep the last one waiting behind the others."
        + (" *before* is the worker that finished every query and then dropped those overtaken; *after* stops "
           "an overtaken query at its next wait. The workers take turns on one site"
           if set(results) == {"before", "after"} else "")
        + f", median of {record['rounds']} rounds.",
        "",
        stamp(record),
        "",
        "| worker | " + " | ".join(words) + " |",
        "|---|" + "---:|" * len(words),
    ]
    for label, seconds in results.items():
        lines.append(f"| {label} | " + " | ".join(f"{seconds[word]:.2f} s" for word in words) + " |")
    return "\n".join(lines)


def site_charts(record: dict) -> dict[str, str]:
    def series(key: str) -> dict[str, list[tuple[float, float]]]:
        out: dict[str, list[tuple[float, float]]] = {}
        for r in record["results"]:
            out.setdefault(r["variant"], []).append((r["notes"], r[key]))
        return out

    return {
        BUILD_CHART: svg_chart("mkdocs build --strict, 2 cores", "seconds", series("build_s"), limit=45),
        PAGE_CHART: svg_chart("Median HTML page", "KB", series("median_page_kb")),
    }


def render() -> dict[Path, str]:
    """The page and its charts: {path: text}."""
    parts, files = [INTRO], {}
    sites = sorted(BENCH.glob("site-*.json"), key=lambda p: _load(p)["date"])
    if sites:
        record = _load(sites[-1])
        parts.append(site_section(record))
        parts.append(PROFILE.rstrip())
        files.update({CHARTS / name: text for name, text in site_charts(record).items()})
    for name, section in (("serve.json", serve_section), ("search.json", search_section),
                          ("typing.json", typing_section),
                          ("search-quality.json", quality_section)):
        record = _load(BENCH / name)
        if record:
            parts.append(section(record))
    records: dict = {}
    for device in ("cpu", "cpu-reused", "cuda"):
        record = records[f"snippets-{device}"] = _load(BENCH / f"snippets-{device}.json")
        if record:
            parts.append(snippets_section(record))
    for device in ("cpu", "cuda"):
        records[f"dropout-{device}"] = _load(BENCH / f"dropout-{device}.json")
    for name in ("swin-shapes-cpu", "swin-parts-cuda"):  # tools/bench/swin_parts.py's output
        path = BENCH / f"{name}.log"
        records[name] = path.read_text(encoding="utf-8") if path.exists() else None
    notes = page_notes.sections(records)
    if notes:
        parts.append(notes)
    return {PAGE: "\n\n".join(parts) + "\n", **files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.page", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the page is current")
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        stale = [path for path, text in files.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path.relative_to(ROOT)}: not what benchmarks/ gives; run python -m tools.bench.page",
                  file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
