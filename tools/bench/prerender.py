#!/usr/bin/env python3
"""The prerender hook, timed: one synthetic log (tools/bench/build's corpus),
built in interleaved rounds by each variant:

- ``mkdocs``: ``PAPERNOTES_PRERENDER=0``, MkDocs' own ``Page.render`` in one process;
- ``rev``: tools/site/hooks/prerender.py as it was at git revision ``--rev``;
- ``checkout``: tools/site/hooks/prerender.py as it is in this checkout.

    python -m tools.bench.prerender                    # N = 1000, 2 rounds
    python -m tools.bench.prerender --notes 200 --rounds 3

Every build is ``mkdocs build --strict`` in one copy of the project; only the
hook file and the switch change between builds. Each build's site is checked
to be byte for byte the first build's (gzip files compared decompressed), so
a faster variant is not a different site. Prints each build's wall and CPU
seconds, then the median per variant.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.bench.build import BEFORE_REV, machine, measure, prepare  # noqa: E402

HOOK = "tools/site/hooks/prerender.py"
REV = "0e15410"  # the hook that reused one Markdown instance per process (private MkDocs classes)
VARIANTS = ("mkdocs", "rev", "checkout")


def site_digest(site: Path) -> str:
    """One digest of every file's path and bytes (gzip files decompressed: gzip stamps its own time)."""
    total = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        total.update(str(path.relative_to(site)).encode() + b"\0" + hashlib.blake2b(data).digest())
    return total.hexdigest()


def use_hook(project: Path, text: bytes) -> None:
    (project / HOOK).write_bytes(text)
    for cached in (project / HOOK).parent.glob("__pycache__/prerender.*"):
        cached.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.prerender", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1000, help="synthetic notes")
    parser.add_argument("--rounds", type=int, default=2, help="builds per variant, interleaved")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--rev", default=REV, help=f"git revision of the 'rev' hook (default {REV})")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per build")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    hooks = {
        "mkdocs": (ROOT / HOOK).read_bytes(),
        "rev": subprocess.run(["git", "show", f"{args.rev}:{HOOK}"], cwd=ROOT, check=True, capture_output=True).stdout,
        "checkout": (ROOT / HOOK).read_bytes(),
    }
    env = {"mkdocs": {"PAPERNOTES_PRERENDER": "0"}, "rev": {"PAPERNOTES_PRERENDER": "1"},
           "checkout": {"PAPERNOTES_PRERENDER": "1"}}
    runs = []
    first = None
    with tempfile.TemporaryDirectory(prefix="papernotes-prerender-bench-") as tmp:
        project = prepare(Path(tmp), args.notes, "after", BEFORE_REV)
        for round_ in range(1, args.rounds + 1):
            for variant in args.variants:
                use_hook(project, hooks[variant])
                result = measure(project, variant, args.notes, args.timeout, env=env[variant])
                digest = site_digest(project / "site")
                first = first or digest
                runs.append({"round": round_, "variant": variant, "build_s": result.build_s, "cpu_s": result.cpu_s,
                             "pages": result.pages, "same_site": digest == first})
                print(f"bench_prerender: round {round_} {variant:8} {result.build_s:6.1f} s, CPU {result.cpu_s:6.1f} s, "
                      f"{'same site' if digest == first else 'SITE DIFFERS'}", file=sys.stderr, flush=True)
    print(f"N = {args.notes} notes, {runs[0]['pages']} pages; rev = {args.rev}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'round':>5}  {'variant':8}  {'build s':>7}  {'CPU s':>6}  same site")
    for run in runs:
        print(f"{run['round']:>5}  {run['variant']:8}  {run['build_s']:7.1f}  {run['cpu_s']:6.1f}  {run['same_site']}")
    for variant in args.variants:
        mine = [run for run in runs if run["variant"] == variant]
        print(f"median  {variant:8}  {statistics.median(r['build_s'] for r in mine):7.1f}  "
              f"{statistics.median(r['cpu_s'] for r in mine):6.1f}")
    if args.json is not None:
        args.json.write_text(json.dumps({"notes": args.notes, "rev": args.rev, "machine": machine(), "runs": runs},
                                        indent=2) + "\n", encoding="utf-8")
    return 0 if all(run["same_site"] for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
