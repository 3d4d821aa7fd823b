#!/usr/bin/env python3
"""Time three ways to apply dropout: mask multiply, masked assignment, F.dropout.

    python -m tools.bench.dropout                       # CPU, prints a table
    python -m tools.bench.dropout --device cuda --json benchmarks/dropout-cuda.json

Each method draws its own mask inside the timed region, so all three pay for
their random numbers. Times come from torch.utils.benchmark (which synchronises
CUDA), the methods taking turns for a few rounds; each figure is the median
of its rounds' medians. The JSON records the device's name, the
torch version and every figure of the table.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a file, not with -m
    sys.path.insert(0, str(ROOT))

from tools.bench.tables import DROPOUT_METHODS, dropout_table  # noqa: E402
from tools.bench.timing import device_name, timed  # noqa: E402


def mask_multiply(x, p):
    keep = torch.rand_like(x) > p
    return x * keep / (1.0 - p)


def masked_assignment(x, p):
    keep = torch.rand_like(x) > p
    y = x.clone()
    y[~keep] = 0  # boolean indexing: find the dropped positions, then write
    return y / (1.0 - p)


def functional_dropout(x, p):
    return F.dropout(x, p, training=True)


METHODS = dict(zip(DROPOUT_METHODS, (mask_multiply, masked_assignment, functional_dropout)))


def bench(sizes: list[int], p: float, device: torch.device, min_run_time: float, rounds: int = 3) -> list[dict]:
    """Median time of each method at each size: the methods take turns for ``rounds`` rounds, and
    each figure is the median of its rounds' medians (tools.bench.timing.timed)."""
    rows = []
    for n in sizes:
        x = torch.randn(n, device=device)
        times = timed({name: functools.partial(fn, x, p) for name, fn in METHODS.items()}, rounds, min_run_time)
        rows += [{"elements": n, "method": name, "median_us": seconds * 1e6} for name, seconds in times.items()]
    return rows


def table(rows: list[dict]) -> str:
    """A Markdown table: one row per size, one column per method, and the ratio assignment / multiply
    (tools.bench.tables.dropout_table, which the performance page uses too)."""
    return dropout_table(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/bench/dropout", description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2**16, 2**20, 2**24], help="numbers of elements")
    parser.add_argument("-p", type=float, default=0.5, help="drop probability (default: 0.5)")
    parser.add_argument("--min-run-time", type=float, default=0.3, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds in which the methods take turns")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print(f"tools/bench/dropout: --device {args.device}: CUDA is not available here", file=sys.stderr)
        return 2
    if not 0.0 < args.p < 1.0:
        print(f"tools/bench/dropout: -p {args.p}: must be strictly between 0 and 1", file=sys.stderr)
        return 2
    torch.manual_seed(0)
    rows = bench(args.sizes, args.p, device, args.min_run_time, args.rounds)
    result = {
        "device": device.type,
        "device_name": device_name(device),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "p": args.p,
        "date": datetime.date.today().isoformat(),
        "results": rows,
    }
    print(f"{result['device_name']} ({device.type}, torch {torch.__version__}, {result['threads']} threads), p = {args.p}")
    print(table(rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
