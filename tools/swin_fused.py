"""A candidate GPU fast path for Swin V2's scaled cosine attention: one Triton kernel per call.

    from tools.swin_fused import fused_cosine_attention
    out = fused_cosine_attention(q, k, v, logit_scale, bias, mask)  # as snippets.swin_v2.cosine_attention

tools/bench_swin_parts times it on a GPU next to the note's paths; until a run
there says it is faster and agrees, the note's dispatch does not use it.

One program per (window, head): it reads that window's q, k and v once (any
strides along windows, heads and tokens; the head dimension contiguous),
normalises q with 1/tau folded in and k, takes the logits as one N x N tile,
adds bias plus mask for its window, takes the softmax and writes q's rows of
the output. Nothing of size (B_, H, N, N) goes to memory, so the memory
traffic is q, k, v and the output, once each. Products run in full float32
(``input_precision="ieee"``): TF32 would round q and k to 10-bit mantissas.
Windows of up to 64 tokens (8 x 8) fit one tile; larger ones would need a
loop over blocks of keys with a running softmax, which this does not have.

With TRITON_INTERPRET=1 set before this module is imported, Triton runs the
kernel on CPU tensors through NumPy, which is how the tests check it without
a GPU.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from snippets.swin_v2 import MAX_LOGIT_SCALE

MAX_TOKENS = 64  # tokens per window that fit one tile of logits


@triton.jit
def _cosine_attention_kernel(
    q_ptr, k_ptr, v_ptr, out_ptr, inv_tau_ptr, start_ptr,
    q_sb, q_sh, q_sn, k_sb, k_sh, k_sn, v_sb, v_sh, v_sn, o_sb, o_sh, o_sn,
    H, N, nW,
    D: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, HAS_START: tl.constexpr,
):
    b = tl.program_id(0) // H  # window
    h = tl.program_id(0) % H  # head
    n = tl.arange(0, BLOCK_N)  # tokens, padded to a power of 2
    d = tl.arange(0, BLOCK_D)
    tokens = n < N
    tile = tokens[:, None] & (d < D)[None, :]
    q = tl.load(q_ptr + b * q_sb + h * q_sh + n[:, None] * q_sn + d[None, :], mask=tile, other=0.0).to(tl.float32)
    k = tl.load(k_ptr + b * k_sb + h * k_sh + n[:, None] * k_sn + d[None, :], mask=tile, other=0.0).to(tl.float32)
    v = tl.load(v_ptr + b * v_sb + h * v_sh + n[:, None] * v_sn + d[None, :], mask=tile, other=0.0).to(tl.float32)
    inv_tau = tl.load(inv_tau_ptr + h).to(tl.float32)
    # q / (tau max(|q|, eps)) and k / max(|k|, eps), eps as in F.normalize
    q = q * (inv_tau / tl.maximum(tl.sqrt(tl.sum(q * q, 1)), 1e-12))[:, None]
    k = k / tl.maximum(tl.sqrt(tl.sum(k * k, 1)), 1e-12)[:, None]
    logits = tl.dot(q, tl.trans(k), input_precision="ieee")  # (BLOCK_N, BLOCK_N): cos / tau
    if HAS_START:  # bias + mask of this window, (nW, H, N, N), the windows batch-major
        w = b % nW
        logits += tl.load(start_ptr + (w * H + h) * N * N + n[:, None] * N + n[None, :],
                          mask=tokens[:, None] & tokens[None, :], other=0.0).to(tl.float32)
    logits = tl.where(tokens[None, :], logits, float("-inf"))  # padded keys get no weight
    p = tl.exp(logits - tl.max(logits, 1)[:, None])
    out = tl.dot(p, v, input_precision="ieee") / tl.sum(p, 1)[:, None]
    tl.store(out_ptr + b * o_sb + h * o_sh + n[:, None] * o_sn + d[None, :],
             out.to(out_ptr.dtype.element_ty), mask=tile)


def fused_cosine_attention(q, k, v, logit_scale, bias=None, mask=None):
    """cosine_attention in one kernel: q, k, v (B_, H, N, D), logit_scale (H, 1, 1), bias (H, N, N),
    mask (nW, N, N) with B_ a whole number of images of nW windows. Returns (B_, H, N, D).
    float32, float16 or bfloat16, computed in float32. No autograd: for inference."""
    B_, H, N, D = q.shape
    if N > MAX_TOKENS:
        raise ValueError(f"fused_cosine_attention: {N} tokens per window; one tile holds at most {MAX_TOKENS}")
    if q.dtype not in (torch.float32, torch.float16, torch.bfloat16):
        raise ValueError(f"fused_cosine_attention: {q.dtype} is not float32, float16 or bfloat16")
    nW = 1 if mask is None else mask.shape[0]
    if B_ % nW:
        raise ValueError(f"fused_cosine_attention: {B_} windows are not whole images of {nW} windows")
    q, k, v = (t if t.stride(-1) == 1 else t.contiguous() for t in (q, k, v))
    inv_tau = torch.clamp(logit_scale, max=MAX_LOGIT_SCALE).exp().reshape(H).float().contiguous()
    start = None
    if bias is not None or mask is not None:  # what window w's logits start from, (nW, H, N, N)
        start = torch.zeros(nW, H, N, N, device=q.device, dtype=torch.float32)
        if bias is not None:
            start += bias
        if mask is not None:
            start += mask.unsqueeze(1)
    out = torch.empty(B_, H, N, D, device=q.device, dtype=q.dtype)
    _cosine_attention_kernel[(B_ * H,)](
        q, k, v, out, inv_tau, inv_tau if start is None else start,
        q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
        v.stride(0), v.stride(1), v.stride(2), out.stride(0), out.stride(1), out.stride(2),
        H, N, nW,
        D=D, BLOCK_N=max(16, triton.next_power_of_2(N)), BLOCK_D=max(16, triton.next_power_of_2(D)),
        HAS_START=start is not None,
    )
    return out
