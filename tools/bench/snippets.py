#!/usr/bin/env python3
"""The notes' snippets against their references, timed side by side in one run.

    python -m tools.bench.snippets                        # CPU; CUDA too when there is one
    python -m tools.bench.snippets --device cpu --json benchmarks/snippets-cpu.json
    python -m tools.bench.snippets --quick                # small sizes, for the tests

- Adam (snippets/adam.py): one optimizer step on a 25M-parameter model
  (24 Linear(1024, 1024) layers), ours against ``torch.optim.Adam(foreach=True)``
  (and the per-parameter ``foreach=False``). Target: ours within 1.25x.
- MoCo (snippets/moco.py): ``momentum_update`` on two ResNet-50 encoders against
  two per-parameter loops: the official code's (``param_k.data = param_k.data * m
  + param_q.data * (1. - m)``, which allocates), the one the target is checked
  against, and an in-place one (``param_k.mul_(m).add_(param_q, alpha=1 - m)``).
  Target: at least 5x faster than the official loop. Also timed: one ``lerp_``
  over a single flat tensor as large as all the parameters, the floor that
  memory bandwidth sets for any update that reads both encoders and writes one.
- Swin V2 (snippets/swin_v2.py): ``cosine_attention(fast=True)`` against the
  readable path at (windows x batch = 1024, heads 4, N = 64, head dim 32), with
  the relative position bias and a shifted-window mask. Target: at least 2x.
- Dropout (tools/bench/dropout.py): mask multiply, masked assignment, F.dropout.

MoCo and Swin V2 also record the minor page faults per call of each side.
glibc's malloc hands a block of more than 32 MB back to the kernel when it is
freed, so a tensor that size made on every call is mapped afresh on every
call and pays a page fault per 4 KB page; smaller blocks are usually reused.
The readable Swin V2 path makes four 64 MB tensors per call (some 90,000
faults), so in a default process it pays for memory the fast path never asks
for. ``--reuse-freed-memory`` tells malloc (mallopt) to keep what is freed
for reuse, which takes the faults away from every side and leaves what the
computations themselves cost; the committed CPU results come in both forms,
``snippets-cpu.json`` and ``snippets-cpu-reused.json``.

Each benchmark runs in a process of its own (spawned, so with an empty heap).
In one process the default case depends on what ran before: a heap that the
Adam and MoCo benchmarks grew and freed can serve Swin V2's 64 MB tensors
without a fault. In one such run the readable path took 0 faults and 47 ms
per call, where in a process of its own it took 90,119 faults and 159 ms.

Each pair is timed with torch.utils.benchmark (which synchronises CUDA),
alternating ours and the reference for ``--rounds`` rounds after a warm-up,
and each figure is the median of the rounds' medians, so that a busy machine
slows both sides alike. The JSON names the device, torch, the thread count,
the date and the machine's load.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from snippets import adam, moco, swin_v2  # noqa: E402
from tools.bench import dropout as bench_dropout  # noqa: E402
from tools.bench.tables import snippets_section  # noqa: E402
from tools.bench.timing import (  # noqa: E402
    call, device_name, in_fresh_process, page_faults, reuse_freed_memory, timed,
)


def adam_model(layers: int, width: int, device) -> nn.Module:
    return nn.Sequential(*[nn.Linear(width, width) for _ in range(layers)]).to(device)


def bench_adam(device, quick: bool, rounds: int, min_run_time: float) -> dict:
    layers, width = (2, 256) if quick else (24, 1024)
    torch.manual_seed(0)
    optimizers = {}
    for name, make in {
        "ours (snippets/adam.py)": lambda p: adam.Adam(p, lr=1e-3),
        "torch.optim.Adam(foreach=True)": lambda p: torch.optim.Adam(p, lr=1e-3, foreach=True),
        "torch.optim.Adam(foreach=False)": lambda p: torch.optim.Adam(p, lr=1e-3, foreach=False),
    }.items():
        model = adam_model(layers, width, device)
        for p in model.parameters():
            p.grad = torch.randn_like(p) * 1e-2
        optimizers[name] = make(model.parameters())
    parameters = sum(p.numel() for p in model.parameters())
    times = timed({name: opt.step for name, opt in optimizers.items()}, rounds, min_run_time)
    ours, ref = times["ours (snippets/adam.py)"], times["torch.optim.Adam(foreach=True)"]
    return {
        "what": f"one step, {layers} x Linear({width}, {width}), {parameters / 1e6:.1f}M parameters",
        "parameters": parameters,
        "ms": {name: t * 1e3 for name, t in times.items()},
        "ratio": ours / ref, "ratio_of": "ours / torch.optim.Adam(foreach=True)", "target": "<= 1.25",
        "met": ours / ref <= 1.25,
    }


def bench_moco(device, quick: bool, rounds: int, min_run_time: float) -> dict:
    if quick:
        encoder_q = nn.Sequential(*[nn.Linear(64, 64) for _ in range(8)]).to(device)
        what = "8 x Linear(64, 64)"
    else:
        import torchvision

        encoder_q = torchvision.models.resnet50(num_classes=128).to(device)
        what = "ResNet-50 (num_classes=128)"
    encoder_k = moco.copy.deepcopy(encoder_q)
    m = 0.999

    @torch.no_grad()
    def official_loop():  # facebookresearch/moco, moco/builder.py, _momentum_update_key_encoder
        for param_q, param_k in zip(encoder_q.parameters(), encoder_k.parameters()):
            param_k.data = param_k.data * m + param_q.data * (1.0 - m)

    @torch.no_grad()
    def in_place_loop():
        for param_q, param_k in zip(encoder_q.parameters(), encoder_k.parameters()):
            param_k.mul_(m).add_(param_q, alpha=1 - m)

    parameters = sum(p.numel() for p in encoder_q.parameters())
    flat_q = torch.randn(parameters, device=device)
    flat_k = flat_q.clone()

    tensors = sum(1 for _ in encoder_q.parameters())
    fns = {
        "momentum_update (snippets/moco.py)": lambda: moco.momentum_update(encoder_q, encoder_k, m),
        "per-parameter loop": official_loop,
        "per-parameter loop, in place": in_place_loop,
        "floor: one lerp_ over a flat tensor": lambda: flat_k.lerp_(flat_q, 1 - m),
    }
    times = timed(fns, rounds, min_run_time)
    ours = times["momentum_update (snippets/moco.py)"]
    speedup = times["per-parameter loop"] / ours
    return {
        "what": f"{what}: {tensors} tensors, {parameters / 1e6:.1f}M parameters",
        "ms": {name: t * 1e3 for name, t in times.items()},
        "page_faults_per_call": page_faults(fns),
        "baselines": {
            "per-parameter loop": "the official code: param_k.data = param_k.data * m + param_q.data * (1. - m)",
            "per-parameter loop, in place": "param_k.mul_(m).add_(param_q, alpha=1 - m)",
        },
        "speedup": speedup, "speedup_of": "per-parameter loop (official) / momentum_update",
        "target": ">= 5", "met": speedup >= 5,
        "speedup_in_place": times["per-parameter loop, in place"] / ours,
        "speedup_in_place_of": "per-parameter loop, in place / momentum_update (not the target's baseline)",
        "floor_ratio": ours / times["floor: one lerp_ over a flat tensor"],
        "floor_ratio_of": "momentum_update / one lerp_ over a flat tensor",
    }


def module_qkv(B_: int, H: int, N: int, D: int, device=None) -> tuple[torch.Tensor, ...]:
    """Random q, k, v (B_, H, N, D) as WindowAttention passes them: strided views of one
    (B_, N, 3, H, D) projection."""
    return torch.randn(B_, N, 3, H, D, device=device).permute(2, 0, 3, 1, 4).unbind(0)


def swin_inputs(H: int, N: int, nW: int, device=None) -> tuple[torch.Tensor, ...]:
    """The benchmarks' logit_scale (H, 1, 1) at tau = 0.1, a random position bias (H, N, N) of the
    paper's 16 sigmoid form, and a mask (nW, N, N) that cuts the second half of the windows in two."""
    logit_scale = torch.log(10 * torch.ones(H, 1, 1, device=device))
    bias = 16 * torch.sigmoid(torch.randn(H, N, N, device=device))
    mask = torch.zeros(nW, N, N, device=device)
    mask[nW // 2:, : N // 2, N // 2:] = -100.0  # shifted windows see part of their tokens
    return logit_scale, bias, mask


def bench_swin(device, quick: bool, rounds: int, min_run_time: float) -> dict:
    B_, H, N, D, nW = (16, 4, 64, 32, 4) if quick else (1024, 4, 64, 32, 64)
    torch.manual_seed(0)
    q, k, v = (torch.randn(B_, H, N, D, device=device) for _ in range(3))  # (B_, H, N, D)
    views = module_qkv(B_, H, N, D, device)
    logit_scale, bias, mask = swin_inputs(H, N, nW, device)
    results = {}
    cases = {
        "bias": ((q, k, v), {"bias": bias}),
        "bias + mask": ((q, k, v), {"bias": bias, "mask": mask}),
        "bias + mask, the module's q, k, v (views of one qkv tensor)": (views, {"bias": bias, "mask": mask}),
    }
    for label, ((q, k, v), extra) in cases.items():
        fns = {
            "readable": lambda: swin_v2.cosine_attention(q, k, v, logit_scale, fast=False, **extra),
            "fast": lambda: swin_v2.cosine_attention(q, k, v, logit_scale, fast=True, **extra),
        }
        if device.type == "cpu":  # fast is the blocked path here; SDPA is what it replaced
            fns[SDPA] = lambda: swin_v2.cosine_attention_sdpa(q, k, v, logit_scale, **extra)
            fns[PRODUCTS] = products_and_softmax(q, k, v)
        times = timed(fns, rounds, min_run_time)
        speedup = times["readable"] / times["fast"]
        results[label] = {
            "ms": {n: t * 1e3 for n, t in times.items()}, "page_faults_per_call": page_faults(fns),
            "speedup": speedup, "met": speedup >= 2,
        }
    return {
        "what": f"cosine_attention, (B_, H, N, D) = ({B_}, {H}, {N}, {D}), {nW} windows",
        "cases": results, "speedup_of": "readable / fast", "target": ">= 2",
        "met": all(r["met"] for r in results.values()),
    }


SDPA = "cosine_attention_sdpa"
PRODUCTS = "floor: the products and the softmax alone"


def products_and_softmax(q, k, v, windows: int = 64):
    """The part of cosine attention no eager CPU path avoids, as the blocked path runs it: per block
    of windows (logits in cache), q k^T plus a bias, the softmax in place, and the product with v.
    The normalisation of q and k, and everything else, is left out, so readable / this bounds the
    speed-up of any such path."""
    B_, H, N, D = q.shape
    q, k, v = (t.reshape(B_ * H, N, D) for t in (q, k, v))
    k_t = k.transpose(1, 2)  # (B_*H, D, N)
    size = min(windows, B_) * H
    start = torch.zeros(size, N, N, device=q.device, dtype=q.dtype)
    logits = torch.empty(size, N, N, device=q.device, dtype=q.dtype)
    out = torch.empty_like(v)

    def run():
        for s in range(0, B_ * H, size):
            a = logits[: min(size, B_ * H - s)]
            e = s + a.shape[0]
            torch.baddbmm(start[: a.shape[0]], q[s:e], k_t[s:e], out=a)
            torch.softmax(a, dim=-1, out=a)
            torch.bmm(a, v[s:e], out=out[s:e])
        return out

    return run


def _dropout(sizes: list[int], device, min_run_time: float) -> dict:
    return {"p": 0.5, "results": bench_dropout.bench(sizes, 0.5, device, min_run_time)}


def bench_all(device: torch.device, quick: bool, rounds: int, min_run_time: float,
              allocator: str = "default", fresh: bool = False) -> dict:
    """Every benchmark; with fresh, each in its own new process. In one process, whether a large
    tensor costs page faults depends on what ran before: a heap that an earlier benchmark grew
    and freed serves it without any, a fresh one maps it anew on every call."""
    dropout_sizes = [2**12] if quick else [2**16, 2**20, 2**24]
    reuse = allocator != "default"

    def run(name: str, *args):
        if fresh:  # the child imports this module by its name (not as __main__) to find the function
            return in_fresh_process(call, "tools.bench.snippets", name, *args, reuse=reuse)
        return globals()[name](*args)

    return {
        "device": device.type,
        "allocator": allocator,
        "device_name": device_name(device),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": os.getloadavg(),
        "quick": quick,
        "processes": "a fresh process per benchmark" if fresh else "one process",
        "adam": run("bench_adam", device, quick, rounds, min_run_time),
        "moco": run("bench_moco", device, quick, rounds, min_run_time),
        "swin_v2": run("bench_swin", device, quick, rounds, min_run_time),
        "dropout": run("_dropout", dropout_sizes, device, min_run_time),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.snippets", description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("cpu", "cuda", "all"), default="all",
                        help="cpu, cuda, or all: CPU and CUDA when there is one (default)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one round (for the tests)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per comparison")
    parser.add_argument("--min-run-time", type=float, default=0.3, help="seconds per measurement")
    parser.add_argument("--json", type=Path, help="write here (default: benchmarks/snippets-<device>.json, "
                                                  "-reused.json with --reuse-freed-memory; none with --quick)")
    parser.add_argument("--one-process", action="store_true",
                        help="run every benchmark in this process (default: each in a fresh one; "
                             "always one with --quick)")
    parser.add_argument("--reuse-freed-memory", action="store_true",
                        help="keep freed memory for reuse (glibc mallopt), so that no side pays page faults")
    args = parser.parse_args(argv)
    allocator = "default"
    if args.reuse_freed_memory:
        if args.device == "cuda":
            print("tools/bench/snippets: --reuse-freed-memory is about the CPU's malloc; use --device cpu",
                  file=sys.stderr)
            return 2
        if not reuse_freed_memory():
            print("tools/bench/snippets: --reuse-freed-memory needs glibc's mallopt", file=sys.stderr)
            return 2
        allocator = "freed memory reused"
        args.device = "cpu"
    if args.device == "cuda" and not torch.cuda.is_available():
        print("tools/bench/snippets: --device cuda: CUDA is not available here", file=sys.stderr)
        return 2
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    devices = [d for d in devices if d == "cpu" or torch.cuda.is_available()]
    rounds = 1 if args.quick else args.rounds
    min_run_time = 0.01 if args.quick else args.min_run_time
    fresh = not (args.quick or args.one_process)
    for name in devices:
        result = bench_all(torch.device(name), args.quick, rounds, min_run_time, allocator, fresh)
        print(snippets_section(result), flush=True)  # the performance page's table
        suffix = "-reused" if args.reuse_freed_memory else ""
        path = args.json if args.json and len(devices) == 1 else (
            None if args.quick else ROOT / "benchmarks" / f"snippets-{name}{suffix}.json")
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
            print(f"tools/bench/snippets: wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
