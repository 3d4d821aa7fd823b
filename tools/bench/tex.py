#!/usr/bin/env python3
"""How much of the TeX people write each converter turns into MathML.

    python -m tools.bench.tex                          # coverage, latex2mathml with and without the pre-pass
    python -m tools.bench.tex --node-modules DIR       # and Temml and KaTeX from DIR/node_modules (for comparison)
    python -m tools.bench.tex --build 1000             # and the build at N = 1000, math hook before and after

The corpus is tests/data/tex/corpus.yml: the seeds' formulas and several
hundred written in the style of ML notes, plus real typos. A formula counts
as converted when the converter gives MathML without raising and without a
command left raw in its text (what the build's hook reports as an error); a
typo counts as refused when it is not converted. Node is only for the
comparison: the build runs latex2mathml, in Python.

Everything goes to benchmarks/tex.json, a table to standard output.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from latex2mathml.converter import convert  # noqa: E402

from tools.bench import build  # noqa: E402
from tests.tex_corpus import CORPUS, Formula, load  # noqa: E402,F401
from tools.site.hooks.mathml import RAW_COMMAND, to_mathml  # noqa: E402

OUT = ROOT / "benchmarks" / "tex.json"


def plain_latex2mathml(tex: str, display: bool) -> str | None:
    """None when latex2mathml as it is converts the formula, else why not."""
    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as exc:  # any exception means it cannot parse
        return f"cannot parse ({type(exc).__name__})"
    unknown = RAW_COMMAND.search(mathml)
    return f"unknown command {unknown[1]}" if unknown else None


def with_prepass(tex: str, display: bool) -> str | None:
    """None when the build's hook (pre-pass, latex2mathml, repairs) converts the formula."""
    return to_mathml(tex, display)[1]


NODE_SCRIPT = r"""
const lines = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse);
const temml = require("temml"), katex = require("katex");
const run = {
  temml: (t, d) => temml.renderToString(t, {displayMode: d, throwOnError: true}),
  katex: (t, d) => katex.renderToString(t, {displayMode: d, throwOnError: true, output: "mathml"}),
};
const out = {};
for (const [name, f] of Object.entries(run)) {
  out[name] = lines.map(([t, d]) => { try { f(t, d); return null; } catch (e) { return String(e.message).slice(0, 120); } });
}
process.stdout.write(JSON.stringify(out));
"""


def node_converters(node_modules: Path, items: list[tuple[str, bool]]) -> dict[str, list[str | None]]:
    """Temml's and KaTeX's verdicts on each (tex, display), with DIR/node_modules."""
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "run.js"
        script.write_text(NODE_SCRIPT, encoding="utf-8")
        result = subprocess.run(
            ["node", str(script)], input="\n".join(json.dumps(item) for item in items), text=True,
            capture_output=True, check=True, env={"NODE_PATH": str(node_modules / "node_modules"), "PATH": "/usr/bin:/bin"},
        )
    return json.loads(result.stdout)


def versions(node_modules: Path | None) -> dict[str, str]:
    from importlib.metadata import version

    found = {"latex2mathml": version("latex2mathml")}
    for name in ("temml", "katex"):
        if node_modules and (node_modules / "node_modules" / name / "package.json").is_file():
            found[name] = json.loads((node_modules / "node_modules" / name / "package.json").read_text())["version"]
    return found


def coverage(formulas: list[Formula], typos: list[dict], node_modules: Path | None) -> dict:
    items = [(f.tex, f.display) for f in formulas]
    typo_items = [(t["tex"], True) for t in typos]
    verdicts = {
        "latex2mathml": [plain_latex2mathml(*item) for item in items + typo_items],
        "latex2mathml + pre-pass (the build)": [with_prepass(*item) for item in items + typo_items],
    }
    if node_modules:
        verdicts.update(node_converters(node_modules, items + typo_items))
    results = {}
    for name, reasons in verdicts.items():
        formula_reasons, typo_reasons = reasons[:len(items)], reasons[len(items):]
        failed = [{"from": f.source, "tex": f.tex, "reason": r} for f, r in zip(formulas, formula_reasons) if r]
        results[name] = {
            "converted": len(items) - len(failed),
            "total": len(items),
            "coverage": round((len(items) - len(failed)) / len(items), 4),
            "typos_refused": sum(1 for r in typo_reasons if r),
            "typos": len(typos),
            "typos_accepted": [t["tex"] for t, r in zip(typos, typo_reasons) if not r],
            "failed": failed,
        }
    return results


def build_times(notes: int, timeout: float, repeat: int) -> list[dict]:
    """The strict build of N synthetic notes, with the math hook of the last
    commit before the pre-pass ("before") and with this checkout's ("after"),
    the two in turn, ``repeat`` times each."""
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-tex-") as work:
        projects = {}
        for variant in ("before", "after"):
            project = projects[variant] = Path(work) / variant
            build.copy_project(project)
            if variant == "before":
                old = subprocess.run(["git", "show", f"{BEFORE_REV}:tools/site/hooks/mathml.py"], cwd=ROOT,
                                     check=True, capture_output=True).stdout
                (project / "tools/site/hooks/mathml.py").write_bytes(old)
            build.write_corpus(project, notes)
        for round_ in range(repeat):
            for variant, project in projects.items():
                result = build.measure(project, variant, notes, timeout)
                results.append({"variant": variant, "round": round_ + 1, "notes": notes,
                                "build_s": result.build_s, "cpu_s": result.cpu_s})
    return results


BEFORE_REV = "56bf767"  # the last commit whose hook ran latex2mathml without the pre-pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.tex", description=__doc__.split("\n\n")[0])
    parser.add_argument("--node-modules", type=Path, default=None,
                        help="a folder whose node_modules holds temml and katex (npm install temml katex)")
    parser.add_argument("--build", type=int, default=None, metavar="N", help="also time the build at N synthetic notes")
    parser.add_argument("--repeat", type=int, default=2, help="builds of each variant, in turn (default 2)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per build")
    parser.add_argument("--json", type=Path, default=OUT, help=f"write the results here (default {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    formulas, typos = load()
    results = coverage(formulas, typos, args.node_modules)
    record = {
        "benchmark": "tex",
        "command": "python -m tools.bench.tex" + (" --node-modules DIR" if args.node_modules else "")
                   + (f" --build {args.build} --repeat {args.repeat}" if args.build else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": build.machine(),
        "corpus": {"formulas": len(formulas), "seeds": sum(f.source.startswith("seeds/") for f in formulas),
                   "typos": len(typos)},
        "versions": versions(args.node_modules),
        "converters": results,
    }
    print(f"{'converter':<38} {'converted':>12} {'coverage':>9} {'typos refused':>14}")
    for name, result in results.items():
        print(f"{name:<38} {result['converted']:>5} / {result['total']:<4} {result['coverage']:>9.2%}"
              f" {result['typos_refused']:>6} / {result['typos']}")
    if args.build:
        record["build"] = build_times(args.build, args.timeout, args.repeat)
        for row in record["build"]:
            print(f"build, N = {row['notes']}, math hook {row['variant']}: {row['build_s']:.1f} s ({row['cpu_s']:.1f} s CPU)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
