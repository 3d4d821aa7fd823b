# Generated from docs/papers/swin-transformer-v2.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 2c2faa12253d3007)

# docs/papers/swin-transformer-v2.md:96
"""Swin Transformer V2 window attention: log-CPB and scaled cosine attention.

Liu et al., "Swin Transformer V2: Scaling Up Capacity and Resolution", CVPR 2022.
State dict keys follow timm's `WindowAttention`, so its weights load with strict=True.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# tau > 0.01 (Sec. 3.2): logit_scale = log(1 / tau) is clamped at log(100).
MAX_LOGIT_SCALE = math.log(1.0 / 0.01)
# On a CPU without gradients, fast=True keeps the readable path while all the logits take at
# most this many bytes: they stay in cache anyway, and the readable path runs fewer operations.
SMALL_LOGITS = 1 << 20


def log_spaced_coords(window_size, pretrained_window_size=(0, 0), device=None):
    """Log-spaced relative coordinates, Eq. (4): shape (1, 2Wh-1, 2Ww-1, 2).

    Channel 0 is the row offset, channel 1 the column offset. Offsets are divided
    by the pre-training window minus one (or the current window when
    `pretrained_window_size` is (0, 0)), stretched to [-8, 8], then log-spaced.
    Always computed in float32 (as the reference code does); cast afterwards.
    """
    Wh, Ww = window_size
    d_h = torch.arange(-(Wh - 1), Wh, dtype=torch.float32, device=device)
    d_w = torch.arange(-(Ww - 1), Ww, dtype=torch.float32, device=device)
    table = torch.stack(torch.meshgrid(d_h, d_w, indexing="ij"), dim=-1)  # (2Wh-1, 2Ww-1, 2)
    M_h, M_w = pretrained_window_size if pretrained_window_size[0] > 0 else window_size
    # A window of size 1 has only the offset 0: divide by at least 1.
    scale = torch.tensor([max(M_h - 1, 1), max(M_w - 1, 1)], dtype=torch.float32, device=device)
    table = table / scale * 8  # offsets of the normalising window now span [-8, 8]
    # Eq. (4): sign(x) * log(1 + |x|), here in base 2 and divided by log2(8)
    table = torch.sign(table) * torch.log2(table.abs() + 1.0) / math.log2(8)
    return table.unsqueeze(0)  # (1, 2Wh-1, 2Ww-1, 2)


def relative_position_index(window_size, device=None):
    """For each (query, key) pair in a window, the row of its offset in the table: (N, N)."""
    Wh, Ww = window_size
    rows, cols = torch.meshgrid(
        torch.arange(Wh, device=device), torch.arange(Ww, device=device), indexing="ij"
    )
    coords = torch.stack([rows.flatten(), cols.flatten()])  # (2, N)
    offset = coords[:, :, None] - coords[:, None, :]  # (2, N, N): query minus key
    # shift each offset to start at 0, then read (d_h, d_w) as a row-major index
    return (offset[0] + Wh - 1) * (2 * Ww - 1) + (offset[1] + Ww - 1)  # (N, N)

# docs/papers/swin-transformer-v2.md:171
def cosine_attention(q, k, v, logit_scale, bias=None, mask=None, fast=False):
    """Scaled cosine attention, Eq. (2): softmax(cos(q, k) / tau + B + mask) v.

    q, k, v: (B_, H, N, D) with B_ = batch * windows, windows ordered batch-major.
    logit_scale: (H, 1, 1), log(1 / tau). bias: (H, N, N). mask: (nW, N, N), 0 or -100.
    Returns (B_, H, N, D). fast=True: on a CPU when no input needs a gradient,
    cosine_attention_blocked, or this readable path when the logits take at most SMALL_LOGITS
    bytes; cosine_attention_sdpa otherwise. The fast versions differ from this one by rounding.
    """
    B_, H, N, D = q.shape
    if fast:
        inputs = (q, k, v, logit_scale, bias)
        needs_grad = torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in inputs)
        if q.device.type != "cpu" or needs_grad:
            return cosine_attention_sdpa(q, k, v, logit_scale, bias, mask)
        if B_ * H * N * N * q.element_size() > SMALL_LOGITS:
            return cosine_attention_blocked(q, k, v, logit_scale, bias, mask)
    inv_tau = torch.clamp(logit_scale, max=MAX_LOGIT_SCALE).exp()  # (H, 1, 1)
    attn = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)  # (B_, H, N, N): cos(q_i, k_j)
    attn = attn * inv_tau  # Eq. (2): cos / tau
    if bias is not None:
        attn = attn + bias  # Eq. (2): + B_ij
    if mask is not None:
        nW = mask.shape[0]
        attn = attn.view(B_ // nW, nW, H, N, N) + mask.unsqueeze(1).unsqueeze(0)  # (B, nW, H, N, N)
        attn = attn.view(B_, H, N, N)  # (B_, H, N, N)
    return attn.softmax(dim=-1) @ v  # (B_, H, N, D)

# docs/papers/swin-transformer-v2.md:212
def cosine_attention_sdpa(q, k, v, logit_scale, bias=None, mask=None):
    """cosine_attention through F.scaled_dot_product_attention (fused kernels on a GPU)."""
    B_, H, N, D = q.shape
    inv_tau = torch.clamp(logit_scale, max=MAX_LOGIT_SCALE).exp()  # (H, 1, 1)
    # q / max(|q|, eps) / tau in one multiply: 1 / tau folded into the normalised queries
    q_hat = q * (inv_tau / q.norm(dim=-1, keepdim=True).clamp_min(1e-12))  # (B_, H, N, D)
    k_hat = F.normalize(k, dim=-1)  # (B_, H, N, D)
    if mask is None:
        attn_mask = None if bias is None else bias.unsqueeze(0)  # (1, H, N, N), shared by all windows
        return F.scaled_dot_product_attention(q_hat, k_hat, v, attn_mask=attn_mask, scale=1.0)
    nW = mask.shape[0]
    B = B_ // nW
    windows = mask.unsqueeze(1) if bias is None else bias + mask.unsqueeze(1)  # (nW, H or 1, N, N)
    windows = windows.expand(nW, H, N, N).reshape(1, nW * H, N, N)  # (1, nW*H, N, N)
    # Batch-major windows: (B_, H) is (B, nW * H), so one (nW*H, N, N) mask serves every image.
    q_hat, k_hat, v = (t.reshape(B, nW * H, N, D) for t in (q_hat, k_hat, v))  # (B, nW*H, N, D)
    out = F.scaled_dot_product_attention(q_hat, k_hat, v, attn_mask=windows, scale=1.0)  # (B, nW*H, N, D)
    return out.reshape(B_, H, N, D)  # (B_, H, N, D)

# docs/papers/swin-transformer-v2.md:253
def logits_start(bias, mask, nW, H, N, device, dtype):
    """What window w's logits start from before the cosines: bias + mask[w], (nW, H, N, N);
    zeros where neither is given."""
    start = torch.zeros(nW, H, N, N, device=device, dtype=dtype)
    if bias is not None:
        start += bias  # (H, N, N), the same for every window
    if mask is not None:
        start += mask.unsqueeze(1)  # (nW, 1, N, N), the same for every head
    return start


def cosine_attention_blocked(q, k, v, logit_scale, bias=None, mask=None, block_bytes=4 << 20):
    """cosine_attention a block of windows at a time, the block's logits (about block_bytes)
    kept in cache from one product to the next. For inference: autograd cannot follow it."""
    B_, H, N, D = q.shape
    nW = 1 if mask is None else mask.shape[0]
    if B_ % nW:
        raise ValueError(f"cosine_attention: {B_} windows are not whole images of {nW} windows")
    inv_tau = torch.clamp(logit_scale, max=MAX_LOGIT_SCALE).exp()  # (H, 1, 1)
    start = logits_start(bias, mask, nW, H, N, q.device, q.dtype)  # (nW, H, N, N)
    # windows per block: a multiple of nW, or a divisor of nW when one image's windows do not fit
    fit = max(1, block_bytes // (H * N * N * q.element_size()))
    size = nW * (fit // nW) if nW <= fit else max(d for d in range(1, fit + 1) if nW % d == 0)
    period = max(size, nW)  # the bias and mask of window s are rows (s % period) * H onwards
    start = start.repeat(period // nW, 1, 1, 1).view(period * H, N, N)  # (period*H, N, N)
    out = q.new_empty(B_, H, N, D)
    q_hat, k_hat = q.new_empty(size, H, N, D), q.new_empty(size, H, N, D)
    logits = q.new_empty(size * H, N, N)
    for s in range(0, B_, size):
        n = min(size, B_ - s)  # windows in this block
        # (n, H, N, D); views of one qkv tensor, as the module passes them, are copied into the
        # buffers first: a norm over such a strided block took longer than the copy and the norm
        q_s = q[s : s + n] if q.is_contiguous() else q_hat[:n].copy_(q[s : s + n])
        k_s = k[s : s + n] if k.is_contiguous() else k_hat[:n].copy_(k[s : s + n])
        q_norm = torch.linalg.vector_norm(q_s, dim=-1, keepdim=True).clamp_min_(1e-12)  # (n, H, N, 1)
        k_norm = torch.linalg.vector_norm(k_s, dim=-1, keepdim=True).clamp_min_(1e-12)
        torch.mul(q_s, inv_tau / q_norm, out=q_hat[:n])  # q / (tau |q|)
        torch.div(k_s, k_norm, out=k_hat[:n])
        a = logits[: n * H]  # (n*H, N, N)
        row = (s % period) * H
        # bias + mask + cos / tau, in one product
        torch.baddbmm(start[row : row + n * H], q_hat[:n].view(n * H, N, D),
                      k_hat[:n].view(n * H, N, D).transpose(1, 2), out=a)
        torch.softmax(a, dim=-1, out=a)
        torch.matmul(a.view(n, H, N, N), v[s : s + n], out=out[s : s + n])  # (n, H, N, D)
    return out

# docs/papers/swin-transformer-v2.md:319
class WindowAttention(nn.Module):
    """Window multi-head self-attention with log-CPB and scaled cosine attention.

    forward(x, mask=None): x (B_, N, C) with N = Wh * Ww tokens per window and
    B_ = batch * windows; mask (nW, N, N) for shifted windows. Returns (B_, N, C).
    `fast=True` takes a fast path of cosine_attention (see there); `fast=False` the readable one.
    """

    def __init__(self, dim, window_size, num_heads, qkv_bias=True, pretrained_window_size=(0, 0), fast=True):
        super().__init__()
        self.dim = dim
        self.window_size = tuple(window_size)
        self.pretrained_window_size = tuple(pretrained_window_size)
        self.num_heads = num_heads
        self.fast = fast
        # log(1 / tau), one per head, tau initialised to 0.1
        self.logit_scale = nn.Parameter(torch.log(10 * torch.ones(num_heads, 1, 1)))
        # G: relative coordinate -> one bias per head (Sec. 3.3)
        self.cpb_mlp = nn.Sequential(
            nn.Linear(2, 512, bias=True), nn.ReLU(inplace=True), nn.Linear(512, num_heads, bias=False)
        )
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        if qkv_bias:
            self.q_bias = nn.Parameter(torch.zeros(dim))
            self.v_bias = nn.Parameter(torch.zeros(dim))
        else:
            self.q_bias = None
            self.v_bias = None
        self.proj = nn.Linear(dim, dim)
        coords = log_spaced_coords(self.window_size, self.pretrained_window_size)
        self.register_buffer("relative_coords_table", coords, persistent=False)
        self.register_buffer("relative_position_index", relative_position_index(self.window_size), persistent=False)

    def relative_position_bias(self):
        """B = 16 * sigmoid(G(coords)) gathered for every (query, key) pair: (H, N, N)."""
        N = self.window_size[0] * self.window_size[1]
        H = self.num_heads
        table = self.cpb_mlp(self.relative_coords_table).view(-1, H)  # ((2Wh-1)(2Ww-1), H)
        bias = table[self.relative_position_index.view(-1)].view(N, N, H)  # (N, N, H)
        return 16 * torch.sigmoid(bias.permute(2, 0, 1))  # (H, N, N)

    def forward(self, x, mask=None):
        B_, N, C = x.shape
        H = self.num_heads
        qkv_bias = None
        if self.q_bias is not None:
            qkv_bias = torch.cat([self.q_bias, torch.zeros_like(self.v_bias), self.v_bias])  # no key bias
        qkv = F.linear(x, self.qkv.weight, qkv_bias)  # (B_, N, 3C)
        q, k, v = qkv.view(B_, N, 3, H, C // H).permute(2, 0, 3, 1, 4).unbind(0)  # each (B_, H, N, D)
        out = cosine_attention(q, k, v, self.logit_scale, self.relative_position_bias(), mask, fast=self.fast)
        out = out.transpose(1, 2).reshape(B_, N, C)  # (B_, N, C)
        return self.proj(out)

# docs/papers/swin-transformer-v2.md:389
def shifted_window_mask(resolution, window_size, shift_size, device=None, dtype=torch.float32):
    """Attention mask of shifted-window attention: (nW, N, N), 0 inside a region, -100 across."""
    H, W = resolution
    Wh, Ww = window_size
    s_h, s_w = shift_size
    region = torch.zeros(H, W, device=device, dtype=dtype)
    label = 0
    for rows in (slice(0, -Wh), slice(-Wh, -s_h), slice(-s_h, None)):
        for cols in (slice(0, -Ww), slice(-Ww, -s_w), slice(-s_w, None)):
            region[rows, cols] = label
            label += 1
    windows = region.view(H // Wh, Wh, W // Ww, Ww).permute(0, 2, 1, 3)  # (H/Wh, W/Ww, Wh, Ww)
    windows = windows.reshape(-1, Wh * Ww)  # (nW, N)
    different = windows.unsqueeze(1) != windows.unsqueeze(2)  # (nW, N, N)
    return torch.zeros_like(different, dtype=dtype).masked_fill(different, -100.0)
