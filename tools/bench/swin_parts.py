#!/usr/bin/env python3
"""Where the Swin V2 fast path's time goes on a GPU, at the benchmark's size; and,
on a CPU, how the three paths compare across window shapes and input layouts, and what
fast=True picks for the small inputs of one image.

    python -m tools.bench.swin_parts        # CUDA: one line per timing (benchmarks/swin-parts-cuda.log)
    python -m tools.bench.swin_parts --cpu  # CPU: shapes (benchmarks/swin-shapes-cpu.log)

tools/bench/snippets.py times cosine_attention(fast=True) against the readable
path. This splits the fast path into its parts, F.normalize of q and k and
F.scaled_dot_product_attention (each backend that accepts float32 with a
bias), times the readable path under torch.compile, and times a candidate
that normalises with F.rms_norm (rms_norm_candidate), to see how far a 2x
speed-up is from what the parts cost, and the one-kernel candidate of
tools/bench/swin_fused.py (also with the shifted-window mask, on q, k, v as the
module passes them). The bfloat16 line is there for scale only: it is not
the same computation. Output of the committed run:
benchmarks/swin-parts-cuda.log.
"""

import argparse
import datetime
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils import benchmark

from snippets.swin_v2 import MAX_LOGIT_SCALE, cosine_attention
from tools.bench.snippets import module_qkv, swin_inputs
from tools.bench.timing import device_name, reuse_freed_memory, timed


def t(label, fn):
    m = benchmark.Timer("fn()", globals={"fn": fn}).blocked_autorange(min_run_time=0.3)
    print(f"{label:55s} {m.median*1e3:8.3f} ms", flush=True)


def unit_rms(x):
    """F.rms_norm over the last dimension (D): x * sqrt(D) / |x|. Its eps, 1e-24 / D, shows only
    where |x| is below about 1e-12, which is where this and F.normalize's clamp differ."""
    D = x.shape[-1]
    return F.rms_norm(x, (D,), eps=1e-24 / D)


def rms_norm_candidate(q, k, v, logit_scale, bias):
    """A candidate GPU fast path, timed here before it goes into the note: q and k normalised by
    F.rms_norm (one fused kernel each on CUDA, where F.normalize is several), then SDPA.

    rms_norm(x) = x * sqrt(D) / |x| (eps aside), so rms_norm(q) . rms_norm(k) = D cos(q, k):
    the 1 / D and the per-head 1 / tau go into q in one multiply, and k needs none."""
    inv_tau = torch.clamp(logit_scale, max=MAX_LOGIT_SCALE).exp()  # (H, 1, 1)
    q_hat = unit_rms(q) * (inv_tau / q.shape[-1])
    k_hat = unit_rms(k)
    return F.scaled_dot_product_attention(q_hat, k_hat, v, attn_mask=bias.unsqueeze(0), scale=1.0)


# (B_, H, N, D, nW): the benchmark's size, then Swin V2 windows of 12 x 12, 16 x 16, 7 x 7, and wider heads
SHAPES = [(1024, 4, 64, 32, 64), (256, 6, 144, 32, 16), (128, 4, 256, 32, 16), (4096, 3, 49, 32, 64),
          (64, 8, 256, 64, 4)]


# (B_, H, N, D, nW) of Swin V2-T's four stages for one 256 x 256 image, 8 x 8 windows:
# all its logits take 3, 1.5, 0.75 and 0.375 MiB (float32); SMALL_LOGITS is 1 MiB
ONE_IMAGE = [(64, 3, 64, 32, 64), (16, 6, 64, 32, 16), (4, 12, 64, 32, 4), (1, 24, 64, 32, 1)]


def cpu_shapes() -> int:
    """Readable, blocked and SDPA paths at several shapes, with bias and mask, on q, k, v made
    separately and on views of one qkv tensor (the module's layout), malloc keeping freed memory
    (no page faults on any side), the three paths taking turns."""
    from snippets.swin_v2 import WindowAttention, cosine_attention_blocked, cosine_attention_sdpa, shifted_window_mask

    if not reuse_freed_memory():
        print("tools/bench/swin_parts --cpu: needs glibc's mallopt", file=sys.stderr)
        return 2
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{device_name(torch.device('cpu'))}, {when}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, freed memory reused")
    torch.manual_seed(0)
    for B_, H, N, D, nW in SHAPES:
        ls, bias, mask = swin_inputs(H, N, nW)
        layouts = {
            "separate": [torch.randn(B_, H, N, D) for _ in range(3)],
            "qkv views": module_qkv(B_, H, N, D),
        }
        for layout, (q, k, v) in layouts.items():
            ms = {name: t * 1e3 for name, t in timed({
                "readable": lambda: cosine_attention(q, k, v, ls, bias, mask, fast=False),
                "blocked": lambda: cosine_attention_blocked(q, k, v, ls, bias, mask),
                "sdpa": lambda: cosine_attention_sdpa(q, k, v, ls, bias, mask),
            }, rounds=3, min_run_time=0.3).items()}
            print(f"(B_, H, N, D) = ({B_}, {H}, {N}, {D}), {nW} windows, {layout}: "
                  f"readable {ms['readable']:.1f} ms, "
                  f"blocked {ms['blocked']:.1f} ms ({ms['readable'] / ms['blocked']:.2f}x), "
                  f"sdpa {ms['sdpa']:.1f} ms ({ms['readable'] / ms['sdpa']:.2f}x)", flush=True)
    # one image: fast=True keeps the readable path while the logits are small (SMALL_LOGITS)
    for B_, H, N, D, nW in ONE_IMAGE:
        q, k, v = module_qkv(B_, H, N, D)
        ls, bias, mask = swin_inputs(H, N, nW)
        with torch.no_grad():
            us = {name: t * 1e6 for name, t in timed({
                "readable": lambda: cosine_attention(q, k, v, ls, bias, mask, fast=False),
                "blocked": lambda: cosine_attention_blocked(q, k, v, ls, bias, mask),
                "fast": lambda: cosine_attention(q, k, v, ls, bias, mask, fast=True),
            }, rounds=5, min_run_time=0.2).items()}
        print(f"one image, (B_, H, N, D) = ({B_}, {H}, {N}, {D}), qkv views, logits {B_ * H * N * N * 4 / 2**20:.2f} MiB: "
              f"readable {us['readable']:.0f} us, blocked {us['blocked']:.0f} us "
              f"({us['readable'] / us['blocked']:.2f}x), fast {us['fast']:.0f} us "
              f"({us['readable'] / us['fast']:.2f}x)", flush=True)
    # the whole module, projections and position-bias MLP included, as a model runs it for inference
    fast = WindowAttention(128, (8, 8), 4, fast=True).eval()
    readable = WindowAttention(128, (8, 8), 4, fast=False).eval()
    readable.load_state_dict(fast.state_dict())
    x = torch.randn(1024, 64, 128)  # 16 images of 64 x 64 tokens, 8 x 8 windows
    mask = shifted_window_mask((64, 64), (8, 8), (4, 4))
    with torch.no_grad():
        ms = {name: t * 1e3 for name, t in timed(
            {"readable": lambda: readable(x, mask), "fast": lambda: fast(x, mask)}, rounds=3, min_run_time=0.3).items()}
    print(f"WindowAttention(128, (8, 8), 4) under no_grad, x (1024, 64, 128), shifted-window mask: "
          f"readable {ms['readable']:.1f} ms, fast {ms['fast']:.1f} ms ({ms['readable'] / ms['fast']:.2f}x)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench.swin_parts",
        description="Where the Swin V2 fast path's time goes on a GPU; with --cpu, the three CPU paths across shapes.")
    parser.add_argument("--cpu", action="store_true",
                        help="the CPU paths across shapes and layouts (default: the parts on CUDA)")
    if parser.parse_args(argv).cpu:
        return cpu_shapes()
    if not torch.cuda.is_available():
        print("tools/bench/swin_parts: needs a CUDA device", file=sys.stderr)
        return 2
    torch.manual_seed(0)
    B_, H, N, D = 1024, 4, 64, 32
    q, k, v = (torch.randn(B_, H, N, D, device="cuda") for _ in range(3))
    ls, bias, mask = swin_inputs(H, N, 64, "cuda")  # 64 windows an image

    print(torch.cuda.get_device_name(), torch.__version__)
    t("readable, bias", lambda: cosine_attention(q, k, v, ls, bias, fast=False))
    t("fast, bias", lambda: cosine_attention(q, k, v, ls, bias, fast=True))
    qn, kn = F.normalize(q, dim=-1), F.normalize(k, dim=-1)
    am = bias.unsqueeze(0)
    full = am.expand(B_, H, N, N).contiguous()
    t("normalize q and k only", lambda: (F.normalize(q, dim=-1), F.normalize(k, dim=-1)))
    t("sdpa default, bias (1,H,N,N)", lambda: F.scaled_dot_product_attention(qn, kn, v, attn_mask=am, scale=1.0))
    t("sdpa, bias expanded contiguous (B_,H,N,N)",
      lambda: F.scaled_dot_product_attention(qn, kn, v, attn_mask=full, scale=1.0))
    backends = [("EFFICIENT", SDPBackend.EFFICIENT_ATTENTION), ("MATH", SDPBackend.MATH),
                ("CUDNN", SDPBackend.CUDNN_ATTENTION)]
    for name, backend in backends:
        try:
            with sdpa_kernel([backend]):
                F.scaled_dot_product_attention(qn, kn, v, attn_mask=am, scale=1.0)
                t(f"sdpa {name}, bias", lambda: F.scaled_dot_product_attention(qn, kn, v, attn_mask=am, scale=1.0))
        except RuntimeError as e:
            print(name, "unavailable:", str(e).splitlines()[0][:100])
    qb, kb, vb, ab = (x.bfloat16() for x in (qn, kn, v, am))
    t("sdpa bf16 (for scale only, not a candidate)",
      lambda: F.scaled_dot_product_attention(qb, kb, vb, attn_mask=ab, scale=1.0))
    t("matmul q k^T only", lambda: qn @ kn.transpose(-2, -1))
    t("rms_norm q and k only", lambda: (unit_rms(q), unit_rms(k)))
    gap = (rms_norm_candidate(q, k, v, ls, bias) - cosine_attention(q, k, v, ls, bias, fast=False)).abs().max()
    print(f"rms_norm candidate: largest difference from the readable path {gap.item():.2e}")
    t("rms_norm candidate, bias", lambda: rms_norm_candidate(q, k, v, ls, bias))
    from tools.bench.swin_fused import fused_cosine_attention  # Triton, which CUDA builds of torch bring

    gap = (fused_cosine_attention(q, k, v, ls, bias) - cosine_attention(q, k, v, ls, bias, fast=False)).abs().max()
    print(f"fused candidate: largest difference from the readable path {gap.item():.2e}")
    t("fused candidate (tools/swin_fused), bias", lambda: fused_cosine_attention(q, k, v, ls, bias))
    # with the shifted-window mask, on q, k, v as WindowAttention passes them (views of one qkv tensor)
    qv, kv, vv = module_qkv(B_, H, N, D, "cuda")
    t("readable, bias + mask, qkv views", lambda: cosine_attention(qv, kv, vv, ls, bias, mask, fast=False))
    t("fast, bias + mask, qkv views", lambda: cosine_attention(qv, kv, vv, ls, bias, mask, fast=True))
    t("fused candidate, bias + mask, qkv views", lambda: fused_cosine_attention(qv, kv, vv, ls, bias, mask))
    compiled = torch.compile(lambda q, k, v: cosine_attention(q, k, v, ls, bias, fast=False))
    compiled(q, k, v)
    compiled(q, k, v)
    t("torch.compile(readable), bias", lambda: compiled(q, k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
