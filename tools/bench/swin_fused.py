"""A candidate GPU fast path for Swin V2's scaled cosine attention: one Triton kernel per call.

    from tools.bench.swin_fused import fused_cosine_attention
    out = fused_cosine_attention(q, k, v, logit_scale, bias, mask)  # as snippets.swin_v2.cosine_attention

tools/bench/swin_parts times it on a GPU next to the note's paths; until a run
there says it is faster and agrees, the note's dispatch does not use it.

One program per window, head and block of up to 64 queries: it reads its
queries once and walks the window's keys and values in blocks of up to 64
(any strides along windows, heads and tokens; the head dimension
contiguous). It normalises the queries with 1/tau folded in and each block
of keys, adds bias plus mask for its window, and keeps a running softmax (the
rows' largest logit so far, the sum of their exponentials and the weighted
sum of values, rescaled when the largest grows), so nothing of size
(B_, H, N, N) goes to memory. For 8 x 8 windows (N = 64) that is one block
of each, and the memory traffic is q, k, v and the output, once each.
Products run in full float32 (``input_precision="ieee"``): TF32 would round
q and k to 10-bit mantissas.

With TRITON_INTERPRET=1 set before this module is imported, Triton runs the
kernel on CPU tensors through NumPy, which is how the tests check it without
a GPU.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from snippets.swin_v2 import MAX_LOGIT_SCALE, logits_start

BLOCK = 64  # queries per program, and keys per step


def launch_config(N: int, D: int) -> tuple[int, int, int]:
    """(block of queries and of keys, head dimension padded, warps) for windows of N tokens.

    Products need blocks of 16 or more. Warps: compiled for an H100 (sm_90) at D = 32, the head
    dimension of every Swin V2 model, blocks of 64 with 4 warps spilled registers (255 used, 480
    bytes of stack); with 8 they took 152 and none. Blocks of 16 and 32 fit 4 warps."""
    block = min(BLOCK, max(16, triton.next_power_of_2(N)))
    return block, max(16, triton.next_power_of_2(D)), 8 if block == 64 else 4


@triton.jit
def _cosine_attention_kernel(
    q_ptr, k_ptr, v_ptr, out_ptr, inv_tau_ptr, start_ptr,
    q_sb, q_sh, q_sn, k_sb, k_sh, k_sn, v_sb, v_sh, v_sn, o_sb, o_sh, o_sn,
    H, N, nW,
    D: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr, BLOCK_D: tl.constexpr,
    HAS_START: tl.constexpr,
):
    b = tl.program_id(0) // H  # window
    h = tl.program_id(0) % H  # head
    rows = tl.program_id(1) * BLOCK_M + tl.arange(0, BLOCK_M)  # this program's queries
    d = tl.arange(0, BLOCK_D)  # padded to a power of 2, as are the blocks
    d_ok = (d < D)[None, :]
    row_ok = rows < N
    q = tl.load(q_ptr + b * q_sb + h * q_sh + rows[:, None] * q_sn + d[None, :],
                mask=row_ok[:, None] & d_ok, other=0.0).to(tl.float32)
    inv_tau = tl.load(inv_tau_ptr + h).to(tl.float32)
    q = q * (inv_tau / tl.maximum(tl.sqrt(tl.sum(q * q, 1)), 1e-12))[:, None]  # q / (tau max(|q|, eps))
    top = tl.full([BLOCK_M], float("-inf"), tl.float32)  # largest logit of each row so far
    total = tl.zeros([BLOCK_M], tl.float32)  # sum of exp(logit - top)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)  # sum of exp(logit - top) v
    start_row = start_ptr + ((b % nW) * H + h) * N * N  # bias + mask of this window and head
    for first in range(0, N, BLOCK_K):
        cols = first + tl.arange(0, BLOCK_K)
        col_ok = cols < N
        tile = col_ok[:, None] & d_ok
        k = tl.load(k_ptr + b * k_sb + h * k_sh + cols[:, None] * k_sn + d[None, :], mask=tile, other=0.0)
        k = k.to(tl.float32)
        k = k / tl.maximum(tl.sqrt(tl.sum(k * k, 1)), 1e-12)[:, None]
        v = tl.load(v_ptr + b * v_sb + h * v_sh + cols[:, None] * v_sn + d[None, :], mask=tile, other=0.0)
        logits = tl.dot(q, tl.trans(k), input_precision="ieee")  # (BLOCK_M, BLOCK_K): cos / tau
        if HAS_START:
            logits += tl.load(start_row + rows[:, None] * N + cols[None, :],
                              mask=row_ok[:, None] & col_ok[None, :], other=0.0).to(tl.float32)
        logits = tl.where(col_ok[None, :], logits, float("-inf"))  # padded keys get no weight
        new_top = tl.maximum(top, tl.max(logits, 1))
        shrink = tl.exp(top - new_top)  # 0 on the first block
        p = tl.exp(logits - new_top[:, None])
        total = total * shrink + tl.sum(p, 1)
        acc = acc * shrink[:, None] + tl.dot(p, v.to(tl.float32), input_precision="ieee")
        top = new_top
    tl.store(out_ptr + b * o_sb + h * o_sh + rows[:, None] * o_sn + d[None, :],
             (acc / total[:, None]).to(out_ptr.dtype.element_ty, fp_downcast_rounding="rtne"),
             mask=row_ok[:, None] & d_ok)


def fused_cosine_attention(q, k, v, logit_scale, bias=None, mask=None):
    """cosine_attention in one kernel: q, k, v (B_, H, N, D), logit_scale (H, 1, 1), bias (H, N, N),
    mask (nW, N, N) with B_ a whole number of images of nW windows. Returns (B_, H, N, D).
    float32, float16 or bfloat16, computed in float32 and rounded to nearest once, at the output.
    No autograd: for inference."""
    B_, H, N, D = q.shape
    if q.dtype not in (torch.float32, torch.float16, torch.bfloat16):
        raise ValueError(f"fused_cosine_attention: {q.dtype} is not float32, float16 or bfloat16")
    nW = 1 if mask is None else mask.shape[0]
    if B_ % nW:
        raise ValueError(f"fused_cosine_attention: {B_} windows are not whole images of {nW} windows")
    q, k, v = (t if t.stride(-1) == 1 else t.contiguous() for t in (q, k, v))
    inv_tau = torch.clamp(logit_scale, max=MAX_LOGIT_SCALE).exp().reshape(H).float().contiguous()
    start = None
    if bias is not None or mask is not None:  # (nW, H, N, N), read in float32 whatever q's dtype
        start = logits_start(bias, mask, nW, H, N, q.device, torch.float32)
    out = torch.empty(B_, H, N, D, device=q.device, dtype=q.dtype)
    block, block_d, warps = launch_config(N, D)
    _cosine_attention_kernel[(B_ * H, triton.cdiv(N, block))](
        q, k, v, out, inv_tau, inv_tau if start is None else start,
        q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
        v.stride(0), v.stride(1), v.stride(2), out.stride(0), out.stride(1), out.stride(2),
        H, N, nW,
        D=D, BLOCK_M=block, BLOCK_K=block, BLOCK_D=block_d, HAS_START=start is not None,
        num_warps=warps, enable_fp_fusion=True,  # Triton 3.10 turns fusion off unless asked
    )
    return out
