"""snippets/clip.py: CLIP's symmetric loss against the paper's pseudo-code.

Reference: Figure 3 of Radford et al. (2021) transcribed with explicit sums,
    I_e = l2_normalize(I_f); T_e = l2_normalize(T_f)
    logits = I_e T_e^T * exp(t)
    loss_i = cross_entropy(logits, labels, axis=0); loss_t = ... axis=1
    loss = (loss_i + loss_t) / 2
with each cross-entropy written as -mean(logit of the right pair - log sum exp).
Tolerances (rtol 0): float64 atol 1e-12; float32 atol 1e-5 for the loss, whose
logits reach 100 (the scale's clip) and carry an error of 100 * 1e-7, and 1e-6 for
gradients with respect to the features.
"""

from __future__ import annotations

import math

import pytest
import torch

from snippets.clip import clip_loss
from tests.support import Largest

ATOL = {"loss": {torch.float32: 1e-5, torch.float64: 1e-12}, "grad": {torch.float32: 1e-6, torch.float64: 1e-12}}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("clip", atol=ATOL["loss"])
pytestmark = pytest.mark.usefixtures("one_thread")


def figure3_loss(I_f, T_f, scale):
    """The pseudo-code of Figure 3, without F.cross_entropy or F.normalize."""
    I_e = I_f / I_f.pow(2).sum(dim=1, keepdim=True).sqrt()
    T_e = T_f / T_f.pow(2).sum(dim=1, keepdim=True).sqrt()
    logits = I_e @ T_e.T * scale  # (n, n)
    n = logits.shape[0]
    loss_i = 0.0  # over images: row i, the right text is i
    loss_t = 0.0  # over texts: column j, the right image is j
    for k in range(n):
        loss_i = loss_i - (logits[k, k] - torch.log(torch.exp(logits[k, :] - logits[k].max()).sum()) - logits[k].max())
        loss_t = loss_t - (logits[k, k] - torch.log(torch.exp(logits[:, k] - logits[:, k].max()).sum()) - logits[:, k].max())
    return (loss_i / n + loss_t / n) / 2


CASES = [(8, 16, 1 / 0.07), (32, 64, 100.0), (5, 3, 1.0), (1, 4, 10.0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n,d,scale", CASES)
def test_loss_and_gradients_match_figure_3(device, dtype, n, d, scale):
    g = torch.Generator(device=device).manual_seed(n * d)
    I_f = torch.randn(n, d, generator=g, device=device, dtype=dtype, requires_grad=True)
    T_f = torch.randn(n, d, generator=g, device=device, dtype=dtype, requires_grad=True)
    log_scale = torch.tensor(math.log(scale), device=device, dtype=dtype, requires_grad=True)
    ours = clip_loss(I_f, T_f, log_scale.exp())
    ref = figure3_loss(I_f, T_f, log_scale.exp())
    LARGEST.close("loss", ours, ref)
    grads_ours = torch.autograd.grad(ours, [I_f, T_f, log_scale])
    grads_ref = torch.autograd.grad(ref, [I_f, T_f, log_scale])
    for name, a, b in zip(["grad image", "grad text", "grad log scale"], grads_ours, grads_ref):
        LARGEST.close(name, a, b, atol=ATOL["loss" if name == "grad log scale" else "grad"])


@pytest.mark.parametrize("dtype", DTYPES)
def test_symmetric_in_images_and_texts(device, dtype):
    g = torch.Generator(device=device).manual_seed(1)
    I_f = torch.randn(6, 10, generator=g, device=device, dtype=dtype)
    T_f = torch.randn(6, 10, generator=g, device=device, dtype=dtype)
    LARGEST.close("swap", clip_loss(T_f, I_f, 14.0), clip_loss(I_f, T_f, 14.0))


def test_scale_invariant_in_feature_norms_and_float_scale(device):
    g = torch.Generator(device=device).manual_seed(2)
    I_f = torch.randn(7, 12, generator=g, device=device, dtype=torch.float64)
    T_f = torch.randn(7, 12, generator=g, device=device, dtype=torch.float64)
    norms = torch.rand(7, 1, generator=g, device=device, dtype=torch.float64) * 10 + 0.1
    base = clip_loss(I_f, T_f, 20.0)
    LARGEST.close("rescaled features", clip_loss(I_f * norms, T_f, 20.0), base)
    LARGEST.close("tensor scale", clip_loss(I_f, T_f, torch.tensor(20.0, device=device, dtype=torch.float64)), base)


def test_perfect_alignment_limit(device):
    # orthonormal, matched pairs: each direction costs log(1 + (n - 1) exp(-scale))
    n = 6
    e = torch.eye(n, 8, device=device, dtype=torch.float64)
    for scale in (1.0, 5.0, 30.0):
        expected = torch.tensor(math.log1p((n - 1) * math.exp(-scale)), device=device, dtype=torch.float64)
        LARGEST.close("aligned", clip_loss(e, e, scale), expected)


def test_permuted_pairs_cost_more(device):
    # the loss is about which text goes with which image: a wrong pairing is worse
    g = torch.Generator(device=device).manual_seed(3)
    I_f = torch.randn(16, 32, generator=g, device=device, dtype=torch.float64)
    T_f = I_f + 0.1 * torch.randn(16, 32, generator=g, device=device, dtype=torch.float64)
    perm = torch.roll(torch.arange(16, device=device), 1)
    assert clip_loss(I_f, T_f, 1 / 0.07) + 1.0 < clip_loss(I_f, T_f[perm], 1 / 0.07)
