"""This log's README and benchmarks/: the figures the README gives are those measured."""

from __future__ import annotations

import json
from pathlib import Path

from tests.tex_corpus import load
from tools.site.hooks.mathml import to_mathml

ROOT = Path(__file__).resolve().parents[2]
FORMULAS, _ = load()


def test_the_readme_and_the_benchmark_give_the_coverage_measured_here():
    record = json.loads((ROOT / "benchmarks/tex.json").read_text(encoding="utf-8"))
    ours = record["converters"]["latex2mathml + pre-pass (the build)"]
    converted = sum(1 for f in FORMULAS if to_mathml(f.tex, f.display)[1] is None)
    assert (ours["converted"], ours["total"]) == (converted, len(FORMULAS))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{ours['coverage']:.2%}" in readme
    assert f"{record['converters']['latex2mathml']['coverage']:.2%}" in readme
    assert f"On the {len(FORMULAS)} formulas" in readme
    for row in record["build"]:  # the build times at 1,000 notes, as measured
        assert f"{row['build_s']:.1f}" in readme, row
