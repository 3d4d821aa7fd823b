"""snippets/modern_cnns.py: receptive fields measured by gradients, weight counts, batch norm.

References: the analytic receptive field 2n + 1 of n stacked 3x3 convolutions and the
weight counts 9nC^2 (27C^2 for n = 3) vs 49C^2; training-mode F.batch_norm and
nn.BatchNorm1d / nn.BatchNorm2d. Tolerances for batch norm: float64 1e-12, float32 1e-5.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from snippets.modern_cnns import batch_norm, conv_stack, receptive_field, weight_count
from tests.support import Largest

ATOL = {torch.float32: 1e-5, torch.float64: 1e-12}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("modern_cnns", atol=ATOL)


def _positive(net):
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.uniform_(m.weight, 0.1, 1.0)
    return net


@pytest.mark.parametrize("n_layers", [1, 2, 3, 4])
def test_stacked_3x3_receptive_field_is_2n_plus_1(device, n_layers):
    torch.manual_seed(0)
    net = _positive(conv_stack(3, n_layers)).to(device=device, dtype=torch.float64)
    assert receptive_field(net, 3) == (2 * n_layers + 1, 2 * n_layers + 1)


def test_three_3x3_see_what_one_7x7_sees_with_fewer_weights(device):
    torch.manual_seed(0)
    C = 8
    three = _positive(conv_stack(C, 3, kernel_size=3)).to(device)
    seven = _positive(conv_stack(C, 1, kernel_size=7)).to(device)
    assert receptive_field(three, C) == receptive_field(seven, C) == (7, 7)
    assert weight_count(three) == 27 * C * C == 1728
    assert weight_count(seven) == 49 * C * C == 3136


def test_receptive_field_with_random_signed_weights_and_no_relu(device):
    # default (signed) initialisation, linear stack: no gradient vanishes by accident
    torch.manual_seed(1)
    net = conv_stack(4, 3, relu=False).to(device=device, dtype=torch.float64)
    assert receptive_field(net, 4) == (7, 7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_per_feature_for_dense_layers(device, dtype):
    g = torch.Generator(device=device).manual_seed(2)
    X = 3 * torch.randn(16, 5, generator=g, device=device, dtype=dtype) + 2
    gamma = torch.rand(5, generator=g, device=device, dtype=dtype) + 0.5
    beta = torch.randn(5, generator=g, device=device, dtype=dtype)
    ref = F.batch_norm(X, None, None, gamma, beta, training=True, eps=1e-5)
    LARGEST.close("batch_norm 2-D vs F.batch_norm", batch_norm(X, gamma, beta), ref, dtype)
    layer = nn.BatchNorm1d(5).to(device=device, dtype=dtype).train()
    LARGEST.close("batch_norm 2-D vs nn.BatchNorm1d", batch_norm(X, layer.weight, layer.bias), layer(X), dtype)
    y = batch_norm(X, torch.ones_like(gamma), torch.zeros_like(beta))
    LARGEST.close("batch_norm 2-D feature means", y.mean(dim=0), torch.zeros(5, device=device, dtype=dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_per_channel_for_convolutions(device, dtype):
    g = torch.Generator(device=device).manual_seed(3)
    X = torch.randn(4, 3, 6, 5, generator=g, device=device, dtype=dtype) * 2 - 1
    gamma = torch.rand(3, generator=g, device=device, dtype=dtype) + 0.5
    beta = torch.randn(3, generator=g, device=device, dtype=dtype)
    ref = F.batch_norm(X, None, None, gamma, beta, training=True, eps=1e-5)
    ours = batch_norm(X, gamma, beta)
    LARGEST.close("batch_norm 4-D vs F.batch_norm", ours, ref, dtype)
    layer = nn.BatchNorm2d(3).to(device=device, dtype=dtype).train()
    LARGEST.close("batch_norm 4-D vs nn.BatchNorm2d", batch_norm(X, layer.weight, layer.bias), layer(X), dtype)
    # per channel: normalising each (channel, position) separately is a different thing
    per_position = (X - X.mean(dim=0)) / torch.sqrt(X.var(dim=0, unbiased=False) + 1e-5)
    assert (batch_norm(X, torch.ones_like(gamma), torch.zeros_like(beta)) - per_position).abs().max() > 0.1


def test_batch_norm_rejects_other_ranks():
    with pytest.raises(ValueError, match="2-D or 4-D"):
        batch_norm(torch.ones(2, 3, 4), torch.ones(3), torch.zeros(3))
