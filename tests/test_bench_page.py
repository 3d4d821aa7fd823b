"""docs/performance.md is what tools/bench/page makes of the benchmark results.

(Moved here from tests/test_bench_snippets.py, which must not import
tools/bench/page while that module is not committed.)"""

from __future__ import annotations

from tools.bench import page as bench_page


def test_performance_page_is_what_the_results_give():
    assert bench_page.main(["--check"]) == 0, "run python -m tools.bench.page"
