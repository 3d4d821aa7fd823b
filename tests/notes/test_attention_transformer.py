"""snippets/attention_transformer.py: the offset rotation of the sinusoidal encoding,
layer norm, BERT's masking proportions.

References: the encoding itself at pos + delta (the claim P[pos + delta] = P[pos] M_delta);
a matrix fitted by least squares on positions 0..2999 and checked on 3000..5999 (independence
from pos); nn.LayerNorm / F.layer_norm; the binomial proportions 15% and 80/10/10 and the
NSP 50/50 split, within five standard errors with fixed seeds.
Tolerances: float64 1e-10 up to position 500, float32 1e-4 (sin/cos of arguments up to 500
in float32 carry ~3e-5 absolute error).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from snippets.attention_transformer import layer_norm, mlm_mask, nsp_pair, offset_matrix, positional_encoding
from tests.support import Largest

ATOL = {torch.float32: 1e-4, torch.float64: 1e-10}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("attention_transformer", atol=ATOL)


@pytest.mark.parametrize("dtype", DTYPES)
def test_encoding_values(device, dtype):
    P = positional_encoding(50, 8, dtype=dtype, device=device)
    assert P.shape == (50, 8)
    torch.testing.assert_close(P[0], torch.tensor([0.0, 1.0] * 4, dtype=dtype, device=device))
    expected = torch.tensor(math.sin(7 / 10000 ** (4 / 8)), dtype=dtype, device=device)
    LARGEST.close("P[7, 4] vs sin(7 / 10000^(4/8))", P[7, 4], expected, dtype, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("delta", [1, 5, 37])
def test_pos_plus_delta_is_a_fixed_rotation_of_pos(device, dtype, delta):
    d, n = 32, 500
    P = positional_encoding(n + delta, d, dtype=dtype, device=device)
    M = offset_matrix(delta, d, dtype=dtype, device=device)
    LARGEST.close("P[pos] @ M_delta vs P[pos + delta]", P[:n] @ M, P[delta:], dtype)
    LARGEST.close("M M^T vs I", M @ M.T, torch.eye(d, dtype=dtype, device=device), dtype)
    # block diagonal: nothing outside the 2x2 blocks
    blocks = torch.block_diag(*[torch.ones(2, 2, dtype=dtype, device=device)] * (d // 2))
    assert torch.equal(M * (1 - blocks), torch.zeros_like(M))


@pytest.mark.parametrize("delta", [3, 20])
def test_the_map_fitted_on_early_positions_holds_everywhere(device, delta):
    # The slowest pair turns by 10000^(-14/16) ~ 3e-4 rad per position: fit over 3000
    # positions so that every pair turns far enough for the fit to be well conditioned.
    dtype, d, n_fit, n = torch.float64, 16, 3000, 6000
    P = positional_encoding(n + delta, d, dtype=dtype, device=device)
    # least squares: the M that best maps P[0:3000] to P[delta:delta+3000]
    M_fit = torch.linalg.lstsq(P[:n_fit].cpu(), P[delta : delta + n_fit].cpu()).solution.to(device)  # (d, d)
    LARGEST.close("M fitted on pos < 3000 vs closed-form M_delta", M_fit, offset_matrix(delta, d, dtype=dtype, device=device), dtype, atol=1e-10)
    LARGEST.close("M fitted applied to pos 3000..5999 vs P[pos + delta]", P[n_fit:n] @ M_fit, P[n_fit + delta :], dtype, atol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_matches_nn_layer_norm(device, dtype):
    g = torch.Generator(device=device).manual_seed(0)
    X = 3 * torch.randn(4, 6, 10, generator=g, device=device, dtype=dtype) + 1  # (B, T, d)
    ln = nn.LayerNorm(10).to(device=device, dtype=dtype)
    with torch.no_grad():
        ln.weight.uniform_(0.5, 1.5)
        ln.bias.uniform_(-1, 1)
    LARGEST.close("layer_norm vs nn.LayerNorm", layer_norm(X, ln.weight, ln.bias), ln(X), dtype, atol=1e-5 if dtype == torch.float32 else 1e-12)
    # each token independently: changing one sample changes no other sample's output
    X2 = X.clone()
    X2[0] = 100 * X2[0]
    torch.testing.assert_close(layer_norm(X2, ln.weight, ln.bias)[1:], layer_norm(X, ln.weight, ln.bias)[1:], atol=0, rtol=0)
    # batch norm over (B, T) for each feature is a different normalisation
    bn = F.batch_norm(X.reshape(-1, 10), None, None, training=True).reshape(X.shape)
    assert (bn - F.layer_norm(X, (10,))).abs().max() > 0.1


def test_mlm_proportions_15_and_80_10_10(device):
    n, V, mask_id = 400_000, 1000, 3
    g = torch.Generator(device=device).manual_seed(0)
    tokens = torch.randint(4, V, (n,), generator=g, device=device)
    out, chosen = mlm_mask(tokens, V, mask_id, generator=g)
    k = int(chosen.sum())
    LARGEST.z("chosen fraction vs 0.15", (k / n - 0.15) / math.sqrt(0.15 * 0.85 / n))
    assert torch.equal(out[~chosen], tokens[~chosen])  # unchosen positions are never touched
    masked = int((out[chosen] == mask_id).sum())
    same = int((out[chosen] == tokens[chosen]).sum())
    other = k - masked - same
    # a random replacement equals the original with probability 1/V; tokens never equal mask_id
    p_same = 0.1 + 0.1 / V
    for name, count, p in [("mask 0.8", masked, 0.8), ("unchanged 0.1", same, p_same), ("random 0.1", other, 0.1 - 0.1 / V)]:
        LARGEST.z(f"MLM {name}", (count / k - p) / math.sqrt(p * (1 - p) / k))


def test_nsp_half_true_next_sentences():
    corpus = [f"s{i}" for i in range(1000)]
    g = torch.Generator().manual_seed(0)
    n = 20_000
    labels = []
    for i in range(n):
        a, b, is_next = nsp_pair(corpus[i % 999], corpus[i % 999 + 1], corpus, generator=g)
        assert a == corpus[i % 999] and (b == corpus[i % 999 + 1] or not is_next)
        labels.append(is_next)
    LARGEST.z("NSP is_next vs 0.5", (sum(labels) / n - 0.5) / math.sqrt(0.25 / n))
