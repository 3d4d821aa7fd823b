"""snippets/swin_v2.py against the formulas and against timm's Swin V2 WindowAttention.

Reference: timm/models/swin_transformer_v2.py (`WindowAttention`, and the
shifted-window mask of `SwinTransformerV2Block`). Tolerances: ../shared
REFERENCES.md section 1-2 (float32 atol 1e-5, float64 1e-12).
"""

from __future__ import annotations

import math

import pytest
import torch

from snippets import swin_v2
from snippets.swin_v2 import (
    SMALL_LOGITS,
    WindowAttention,
    cosine_attention,
    cosine_attention_blocked,
    cosine_attention_sdpa,
    log_spaced_coords,
    relative_position_index,
    shifted_window_mask,
)
from tests.support import Largest

ATOL = {torch.float32: 1e-5, torch.float64: 1e-12}

# Largest observed |ours - reference| per (comparison, dtype), printed at the end of the module.
LARGEST = Largest("swin_v2", atol=ATOL)
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(autouse=True)
def _blocked_path_at_any_size(monkeypatch):
    """The tests' inputs are small, and fast=True would keep the readable path for them on a
    CPU; with no size threshold the blocked path runs where a model at full size runs it."""
    monkeypatch.setattr(swin_v2, "SMALL_LOGITS", 0)


def _timm_swin_v2():
    """timm's swin_transformer_v2 module, or a skip that says why it cannot be imported."""
    try:
        from timm.models import swin_transformer_v2
    except Exception as error:  # ImportError, or RuntimeError from a torchvision built for another torch
        pytest.skip(
            f"timm's Swin V2 is not importable ({type(error).__name__}: {error}); timm imports "
            "torchvision, whose PyPI wheels load only against PyPI's torch (not a CPU-only build). "
            "pip install 'timm>=1.0.20' next to PyPI's torch (python3 tools/dev.py setup does)."
        )
    return swin_transformer_v2


# --- formulas (no reference library needed) --------------------------------------------------


def test_log_spaced_coords_formula(device):
    table = log_spaced_coords((4, 6), pretrained_window_size=(3, 5), device=device)
    assert table.shape == (1, 7, 11, 2)
    assert table.dtype == torch.float32
    d_h = torch.arange(-3, 4, dtype=torch.float64, device=device)
    d_w = torch.arange(-5, 6, dtype=torch.float64, device=device)
    x_h = d_h / 2 * 8  # pretrained window 3: divide by 3 - 1
    x_w = d_w / 4 * 8  # pretrained window 5: divide by 5 - 1
    expect_h = torch.sign(x_h) * torch.log2(x_h.abs() + 1) / 3
    expect_w = torch.sign(x_w) * torch.log2(x_w.abs() + 1) / 3
    torch.testing.assert_close(table[0, :, 0, 0].double(), expect_h, atol=1e-6, rtol=0)
    torch.testing.assert_close(table[0, 0, :, 1].double(), expect_w, atol=1e-6, rtol=0)
    # channel 0 depends only on the row offset, channel 1 only on the column offset
    assert (table[0, :, :, 0] == table[0, :, :1, 0]).all()
    assert (table[0, :, :, 1] == table[0, :1, :, 1]).all()


def test_log_spaced_coords_range_and_window_one(device):
    top = log_spaced_coords((7, 7), device=device).abs().max().item()
    assert top == pytest.approx(math.log2(9) / 3, abs=1e-6)  # 1.0566417
    ones = log_spaced_coords((1, 1), device=device)  # only offset 0: no 0 / 0
    assert ones.shape == (1, 1, 1, 2) and (ones == 0).all()


@pytest.mark.parametrize("window_size", [(7, 7), (4, 6), (6, 4)])
def test_relative_position_index_formula(device, window_size):
    Wh, Ww = window_size
    N = Wh * Ww
    index = relative_position_index(window_size, device=device)
    assert index.shape == (N, N) and index.dtype == torch.int64
    for i in range(0, N, 5):
        for j in range(0, N, 3):
            d_h = i // Ww - j // Ww  # query minus key
            d_w = i % Ww - j % Ww
            assert index[i, j].item() == (d_h + Wh - 1) * (2 * Ww - 1) + (d_w + Ww - 1)
    assert set(index.diagonal().tolist()) == {(Wh - 1) * (2 * Ww - 1) + Ww - 1}  # 84 for 7x7
    assert index.min().item() == 0 and index.max().item() == (2 * Wh - 1) * (2 * Ww - 1) - 1


def test_cosine_logits_are_bounded(device):
    # cos / tau lies in [-1/tau, 1/tau] and 1/tau <= 100: with one key per query, softmax is 1
    # whatever the logit, so look at the logits through a bias-free two-key attention instead.
    g = torch.Generator(device=device).manual_seed(0)
    q = 1e4 * torch.randn(2, 3, 5, 4, generator=g, device=device)
    k = 1e4 * torch.randn(2, 3, 5, 4, generator=g, device=device)
    logit_scale = torch.full((3, 1, 1), 50.0, device=device)  # far above the clamp at log(100)
    eye = torch.eye(5, device=device).expand(2, 3, 5, 5)
    attn = cosine_attention(q, k, eye, logit_scale)  # v = identity returns the attention map
    cos = torch.nn.functional.normalize(q, dim=-1) @ torch.nn.functional.normalize(k, dim=-1).transpose(-2, -1)
    torch.testing.assert_close(attn, (100 * cos).softmax(-1), atol=1e-6, rtol=0)


def test_logit_scale_gradient_is_zero_above_clamp(device):
    g = torch.Generator(device=device).manual_seed(1)
    q, k, v = (torch.randn(2, 2, 5, 4, generator=g, device=device) for _ in range(3))
    logit_scale = torch.tensor([[[math.log(200.0)]], [[math.log(10.0)]]], device=device, requires_grad=True)
    cosine_attention(q, k, v, logit_scale).square().sum().backward()
    assert logit_scale.grad[0].item() == 0.0
    assert logit_scale.grad[1].item() != 0.0


def _random_attention(dtype, device, window_size=(4, 6), pretrained=(0, 0), heads=3, dim=24, fast=True, seed=0):
    torch.manual_seed(seed)
    attn = WindowAttention(dim, window_size, heads, pretrained_window_size=pretrained, fast=fast)
    _randomize(attn)
    return attn.to(device=device, dtype=dtype)


def _randomize(attn) -> None:
    """Random weights on the scale of nn.Linear's default initialisation (outputs of order 1),
    non-zero q/v biases, and temperatures on both sides of the clamp at log(100) = 4.6."""
    with torch.no_grad():
        for name, p in attn.named_parameters():
            fan_in = p.shape[-1] if p.dim() == 2 else 32
            p.uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))
        attn.logit_scale.uniform_(0.5, 5.0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shifted", [False, True])
def test_fast_path_matches_readable_path(device, dtype, shifted):
    fast = _random_attention(dtype, device, fast=True)
    slow = _random_attention(dtype, device, fast=False)
    nW, B = 4, 2
    x = torch.randn(B * nW, 24, 24, device=device, dtype=dtype)
    mask = shifted_window_mask((8, 12), (4, 6), (2, 3), device=device, dtype=dtype) if shifted else None
    ours = fast(x, mask)
    ref = slow(x, mask)
    LARGEST.close("fast-vs-readable", ours, ref, dtype)


def _attention_inputs(device, dtype, with_bias, with_mask, B=3, nW=4, H=2, N=16, D=8):
    """q, k, v as strided views of one qkv tensor (as in the module), logit_scale, bias, mask."""
    g = torch.Generator(device=device).manual_seed(4)
    qkv = torch.randn(B * nW, N, 3, H, D, generator=g, device=device, dtype=dtype)
    q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B_, H, N, D), not contiguous
    scales = [1.0, 5.0] if dtype == torch.float64 else [1.0, math.log(20.0)]  # log(1 / tau)
    logit_scale = torch.tensor(scales, device=device, dtype=dtype).view(H, 1, 1)  # (H, 1, 1)
    bias = 16 * torch.sigmoid(torch.randn(H, N, N, generator=g, device=device, dtype=dtype)) if with_bias else None
    mask = None
    if with_mask:
        mask = torch.zeros(nW, N, N, device=device, dtype=dtype)
        mask[1:, : N // 2, N // 2:] = -100.0  # (nW, N, N): windows 1.. cut in two, window 0 whole
        mask[1:, N // 2:, : N // 2] = -100.0
        mask[3] = mask[3].flip(-1)
    return q, k, v, logit_scale, bias, mask


# each path of cosine_attention, as (name, function of q, k, v, logit_scale, bias, mask)
BLOCK = 2 * 16 * 16  # values of one window's logits in _attention_inputs (H = 2, N = 16)
PATHS = {
    "fast": lambda *a: cosine_attention(*a, fast=True),
    "sdpa": cosine_attention_sdpa,
    # 3 windows fit a block, fewer than an image's 4: blocks of 2 windows, the mask read from mid-table
    "blocked-2": lambda *a: cosine_attention_blocked(*a, block_bytes=3 * BLOCK * a[0].element_size()),
    # 9 windows fit: blocks of 8 (two images), then a last block of 4
    "blocked-8": lambda *a: cosine_attention_blocked(*a, block_bytes=9 * BLOCK * a[0].element_size()),
    "blocked-default": cosine_attention_blocked,  # the whole batch in one block
    # q, k, v made contiguous: the blocked path then reads them in place instead of copying
    "blocked-8-contiguous": lambda q, k, v, *a: cosine_attention_blocked(
        q.contiguous(), k.contiguous(), v.contiguous(), *a, block_bytes=9 * BLOCK * q.element_size()),
}


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_bias", [False, True], ids=["no-bias", "bias"])
@pytest.mark.parametrize("with_mask", [False, True], ids=["no-mask", "mask"])
def test_cosine_attention_fast_matches_readable(device, dtype, with_bias, with_mask, path):
    """Every fast path against the readable one, for every combination of bias and mask, on
    q, k, v that are strided views of one qkv tensor (as in the module), with 3 images of 4
    windows so the mask must follow the windows (and, blocked, across blocks of 2 and of 8).

    float64 also crosses the clamp (1 / tau = 100). float32 stays at 1 / tau = 20: at 100,
    logits reach 116, where one float32 step is 7.6e-6, and the two paths' rounding of the
    logits alone moved outputs by up to 1.1e-5, past the 1e-5 REFERENCES.md gives for
    logits of order 10 (the old fast path, with .repeat, did the same).
    """
    inputs = _attention_inputs(device, dtype, with_bias, with_mask)
    ours = PATHS[path](*inputs)
    ref = cosine_attention(*inputs, fast=False)
    assert ours.shape == (12, 2, 16, 8)
    LARGEST.close(f"cosine_attention {path}-vs-readable", ours, ref, dtype)


def test_fast_picks_the_blocked_path_on_a_cpu_only_without_gradients():
    """fast=True: the blocked path on a CPU when nothing needs a gradient (it writes into
    buffers, which autograd cannot follow); the SDPA path when something does, and then the
    gradients are the readable path's."""
    q, k, v, logit_scale, bias, mask = _attention_inputs("cpu", torch.float64, True, True)
    assert torch.equal(cosine_attention(q, k, v, logit_scale, bias, mask, fast=True),
                       cosine_attention_blocked(q, k, v, logit_scale, bias, mask))
    grads = []
    for fast in (True, False):
        leaf = bias.clone().requires_grad_()
        out = cosine_attention(q, k, v, logit_scale, leaf, mask, fast=fast)
        if fast:
            assert torch.equal(out, cosine_attention_sdpa(q, k, v, logit_scale, leaf, mask))
        (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).view_as(out)).sum().backward()
        grads.append(leaf.grad)
    assert grads[0].abs().max() > 1e-3  # the bias does move the output
    torch.testing.assert_close(grads[0], grads[1], atol=1e-12, rtol=0)
    with torch.no_grad():  # a parameter under no_grad needs no gradient
        leaf = bias.clone().requires_grad_()
        assert torch.equal(cosine_attention(q, k, v, logit_scale, leaf, mask, fast=True),
                           cosine_attention_blocked(q, k, v, logit_scale, bias, mask))


def test_fast_keeps_the_readable_path_while_the_logits_are_small(monkeypatch):
    """On a CPU without gradients, fast=True runs the readable path up to SMALL_LOGITS bytes of
    logits (1 MiB: 32 windows of 64 tokens with 2 heads in float32) and the blocked one above."""
    monkeypatch.setattr(swin_v2, "SMALL_LOGITS", SMALL_LOGITS)
    assert SMALL_LOGITS == 32 * 2 * 64 * 64 * 4
    g = torch.Generator().manual_seed(7)
    for windows, path in [(32, "readable"), (33, "blocked")]:
        q, k, v = torch.randn(3, windows, 2, 64, 32, generator=g).unbind(0)
        logit_scale = torch.zeros(2, 1, 1)
        bias = torch.randn(2, 64, 64, generator=g)
        with torch.no_grad():
            fast = cosine_attention(q, k, v, logit_scale, bias, fast=True)
            expected = (cosine_attention(q, k, v, logit_scale, bias) if path == "readable"
                        else cosine_attention_blocked(q, k, v, logit_scale, bias))
        assert torch.equal(fast, expected), f"{windows} windows: not the {path} path"


def test_blocked_path_rejects_windows_that_are_not_whole_images():
    q, k, v, logit_scale, bias, mask = _attention_inputs("cpu", torch.float32, True, True)
    with pytest.raises(ValueError, match="11 windows are not whole images of 4 windows"):
        cosine_attention_blocked(q[:11], k[:11], v[:11], logit_scale, bias, mask)


@pytest.mark.parametrize("shifted", [False, True])
def test_forward_matches_the_formulas(device, shifted):
    """The whole forward pass written head by head from the paper's formulas (float64):
    the bias comes from each pair's offset directly, without the index table."""
    dtype = torch.float64
    attn = _random_attention(dtype, device, window_size=(4, 6), pretrained=(3, 5), heads=3, dim=24)
    Wh, Ww, H, C = 4, 6, 3, 24
    N, D, B, nW = Wh * Ww, C // H, 2, 4
    x = torch.randn(B * nW, N, C, device=device, dtype=dtype)
    mask = shifted_window_mask((8, 12), (Wh, Ww), (2, 3), device=device, dtype=dtype) if shifted else None
    W_q, W_k, W_v = attn.qkv.weight.split(C)  # each (C, C)
    q = x @ W_q.T + attn.q_bias  # (B_, N, C)
    k = x @ W_k.T  # no key bias
    v = x @ W_v.T + attn.v_bias
    # offsets of every (query, key) pair, normalised by the pre-training window (3, 5), Eq. (4),
    # in float32 on the CPU, as the module makes its table when it is built (CUDA's float32
    # log2 can differ from the CPU's in the last bit: 3e-8 in the output, not 1e-12)
    i = torch.arange(N)
    d_h = (i[:, None] // Ww - i[None, :] // Ww).float() / (3 - 1) * 8  # (N, N)
    d_w = (i[:, None] % Ww - i[None, :] % Ww).float() / (5 - 1) * 8
    coords = torch.stack([d_h, d_w], dim=-1)  # (N, N, 2)
    coords = (torch.sign(coords) * torch.log2(coords.abs() + 1) / 3).to(device=device, dtype=dtype)
    with torch.no_grad():
        bias = 16 * torch.sigmoid(attn.cpb_mlp(coords))  # (N, N, H)
        inv_tau = attn.logit_scale.clamp(max=math.log(100.0)).exp().flatten()  # (H,)
        heads = []
        for h in range(H):
            q_h, k_h, v_h = (t[..., h * D:(h + 1) * D] for t in (q, k, v))  # (B_, N, D)
            cos = (q_h @ k_h.transpose(1, 2)) / (q_h.norm(dim=-1)[:, :, None] * k_h.norm(dim=-1)[:, None, :])
            logits = cos * inv_tau[h] + bias[:, :, h]  # (B_, N, N)
            if mask is not None:
                logits = (logits.view(B, nW, N, N) + mask).view(B * nW, N, N)  # (B_, N, N)
            heads.append(logits.softmax(dim=-1) @ v_h)  # (B_, N, D)
        expect = torch.cat(heads, dim=-1) @ attn.proj.weight.T + attn.proj.bias  # (B_, N, C)
    # the fast path with gradients (SDPA), without (blocked on a CPU), and the readable path
    for fast, grad in ((True, True), (True, False), (False, True)):
        attn.fast = fast
        with torch.set_grad_enabled(grad):
            out = attn(x, mask)
        LARGEST.close("output-vs-formulas", out, expect, atol=1e-12)


def test_shifted_window_mask_blocks_across_regions(device):
    mask = shifted_window_mask((8, 8), (4, 4), (2, 2), device=device)
    assert mask.shape == (4, 16, 16)
    assert set(mask.unique().tolist()) == {0.0, -100.0}
    assert (mask[0] == 0).all()  # the top-left window is not split by the shift
    assert (mask[3] != 0).any()  # the bottom-right one mixes four regions
    assert (mask == mask.transpose(1, 2)).all() and (mask.diagonal(dim1=1, dim2=2) == 0).all()


# --- against timm ------------------------------------------------------------------------------

CASES = [
    # (window_size, pretrained_window_size, input resolution for the shifted-window mask)
    ((7, 7), (0, 0), (14, 14)),
    ((4, 6), (0, 0), (8, 12)),
    ((6, 4), (3, 5), (12, 8)),
    ((8, 8), (6, 6), (16, 16)),
]


def _timm_pair(swin, window_size, pretrained, dtype, device, fast, heads=4, dim=32, qkv_bias=True, seed=0):
    """timm's WindowAttention with random weights, and ours loaded from its state_dict."""
    torch.manual_seed(seed)
    ref = swin.WindowAttention(dim, window_size, heads, qkv_bias=qkv_bias, pretrained_window_size=pretrained)
    _randomize(ref)
    ours = WindowAttention(dim, window_size, heads, qkv_bias=qkv_bias, pretrained_window_size=pretrained, fast=fast)
    ours.load_state_dict(ref.state_dict(), strict=True)
    return ours.to(device=device, dtype=dtype).eval(), ref.to(device=device, dtype=dtype).eval()


@pytest.mark.parametrize("window_size,pretrained,resolution", CASES)
def test_tables_equal_timm(device, window_size, pretrained, resolution):
    swin = _timm_swin_v2()
    ours, ref = _timm_pair(swin, window_size, pretrained, torch.float32, device, fast=True)
    assert torch.equal(ours.relative_coords_table, ref.relative_coords_table)
    assert torch.equal(ours.relative_position_index, ref.relative_position_index)
    assert set(ours.state_dict()) == set(ref.state_dict())
    # float64 module: the table is still computed in float32, then cast, as timm does
    ours64, ref64 = _timm_pair(swin, window_size, pretrained, torch.float64, device, fast=True)
    assert torch.equal(ours64.relative_coords_table, ref64.relative_coords_table)
    with torch.no_grad():
        bias_ref = 16 * torch.sigmoid(
            ref.cpb_mlp(ref.relative_coords_table).view(-1, ref.num_heads)[ref.relative_position_index.view(-1)]
        )  # (N * N, H)
        N = window_size[0] * window_size[1]
        bias_ref = bias_ref.view(N, N, -1).permute(2, 0, 1)  # (H, N, N)
        ours_bias = ours.relative_position_bias()
    LARGEST.close("position-bias", ours_bias, bias_ref, atol=1e-5)


@pytest.mark.parametrize("window_size,pretrained,resolution", CASES)
def test_shifted_window_mask_equals_timm(device, window_size, pretrained, resolution):
    swin = _timm_swin_v2()
    shift = (window_size[0] // 2, window_size[1] // 2)
    block = swin.SwinTransformerV2Block(32, resolution, 4, window_size=window_size, shift_size=shift)
    ours = shifted_window_mask(resolution, window_size, shift, device=device)
    assert torch.equal(ours, block.attn_mask.to(device))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "readable"])
@pytest.mark.parametrize("shifted", [False, True], ids=["plain", "shifted"])
@pytest.mark.parametrize("window_size,pretrained,resolution", CASES)
def test_output_matches_timm(device, dtype, fast, shifted, window_size, pretrained, resolution):
    swin = _timm_swin_v2()
    ours, ref = _timm_pair(swin, window_size, pretrained, dtype, device, fast)
    nW = (resolution[0] // window_size[0]) * (resolution[1] // window_size[1])
    B = 2
    N = window_size[0] * window_size[1]
    g = torch.Generator(device=device).manual_seed(2)
    x = torch.randn(B * nW, N, 32, generator=g, device=device, dtype=dtype)
    mask = None
    if shifted:
        shift = (window_size[0] // 2, window_size[1] // 2)
        mask = shifted_window_mask(resolution, window_size, shift, device=device, dtype=dtype)
    with torch.no_grad():
        out = ours(x, mask)
        expect = ref(x, mask)
    LARGEST.close(f"output-{'fast' if fast else 'readable'}", out, expect, dtype)


def test_without_qkv_bias_matches_timm(device):
    swin = _timm_swin_v2()
    ours, ref = _timm_pair(swin, (4, 6), (0, 0), torch.float32, device, fast=True, qkv_bias=False)
    assert "q_bias" not in ours.state_dict()
    x = torch.randn(4, 24, 32, device=device)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), ref(x), atol=1e-5, rtol=0)


def test_gradients_match_timm(device):
    swin = _timm_swin_v2()
    ours, ref = _timm_pair(swin, (4, 6), (3, 5), torch.float64, device, fast=True)
    mask = shifted_window_mask((8, 12), (4, 6), (2, 3), device=device, dtype=torch.float64)
    x = torch.randn(8, 24, 32, device=device, dtype=torch.float64)
    ours(x, mask).square().sum().backward()
    ref(x, mask).square().sum().backward()
    grads = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        LARGEST.close("gradients", p.grad, grads[name].grad, atol=1e-9, rtol=1e-10, msg=name)
