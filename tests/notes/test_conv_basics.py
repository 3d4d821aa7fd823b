"""snippets/conv_basics.py against torch's own convolution.

References: F.conv2d (cross-correlation, no flip) for corr2d / corr2d_multi_in_out;
nn.Conv2d(kernel_size=1) with the same weights for conv1x1_as_linear.
Tolerances: float64 1e-12; float32 1e-5 (sums of up to 27 products in another order).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from snippets.conv_basics import conv1x1_as_linear, corr2d, corr2d_multi_in_out
from tests.support import Largest

ATOL = {torch.float32: 1e-5, torch.float64: 1e-12}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("conv_basics", atol=ATOL)


@pytest.mark.parametrize("dtype", DTYPES)
def test_corr2d_is_f_conv2d_without_flip(device, dtype):
    g = torch.Generator(device=device).manual_seed(0)
    X = torch.randn(7, 9, generator=g, device=device, dtype=dtype)
    K = torch.randn(2, 3, generator=g, device=device, dtype=dtype)
    ref = F.conv2d(X[None, None], K[None, None])[0, 0]  # (6, 7)
    LARGEST.close("corr2d vs F.conv2d", corr2d(X, K), ref, dtype)
    # a true convolution (flipped kernel) is something else
    flipped = F.conv2d(X[None, None], K.flip(0, 1)[None, None])[0, 0]
    assert (corr2d(X, K) - flipped).abs().max() > 0.1


@pytest.mark.parametrize("dtype", DTYPES)
def test_multi_in_out_channels_match_f_conv2d(device, dtype):
    g = torch.Generator(device=device).manual_seed(1)
    X = torch.randn(3, 6, 5, generator=g, device=device, dtype=dtype)  # (c_i, h, w)
    K = torch.randn(4, 3, 3, 3, generator=g, device=device, dtype=dtype)  # (c_o, c_i, k, k)
    ours = corr2d_multi_in_out(X, K)
    assert ours.shape == (4, 4, 3)
    LARGEST.close("corr2d_multi_in_out vs F.conv2d", ours, F.conv2d(X[None], K)[0], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [False, True])
def test_1x1_conv_is_a_per_pixel_linear_layer(device, dtype, bias):
    torch.manual_seed(2)
    linear = nn.Linear(6, 4, bias=bias).to(device=device, dtype=dtype)
    conv = nn.Conv2d(6, 4, kernel_size=1, bias=bias).to(device=device, dtype=dtype)
    with torch.no_grad():
        conv.weight.copy_(linear.weight.reshape(4, 6, 1, 1))  # the same weights
        if bias:
            conv.bias.copy_(linear.bias)
    X = torch.randn(2, 6, 5, 7, device=device, dtype=dtype)
    ours = conv1x1_as_linear(X, linear.weight, linear.bias)
    assert ours.shape == (2, 4, 5, 7)
    LARGEST.close("1x1 conv as linear vs nn.Conv2d", ours, conv(X), dtype)
    # and pixel by pixel: output[:, :, i, j] is the linear layer applied to X[:, :, i, j]
    LARGEST.close("1x1 conv as linear vs nn.Linear at one pixel", ours[:, :, 3, 5], linear(X[:, :, 3, 5]), dtype)
