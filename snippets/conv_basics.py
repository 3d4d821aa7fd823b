# Generated from docs/courses/conv-basics.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 21c9ed5dfdeaf2a5)

# docs/courses/conv-basics.md:102
"""Convolution basics (Dive into Deep Learning, sections 6.2 to 6.4)."""

import torch


def corr2d(X, K):
    """2-D cross-correlation of X (n_h, n_w) with K (k_h, k_w): no kernel flip, no padding."""
    h, w = K.shape
    Y = X.new_zeros(X.shape[0] - h + 1, X.shape[1] - w + 1)  # (n_h - k_h + 1, n_w - k_w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


def corr2d_multi_in(X, K):
    """X (c_i, n_h, n_w), K (c_i, k_h, k_w): cross-correlate per input channel, then add."""
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K):
    """X (c_i, n_h, n_w), K (c_o, c_i, k_h, k_w) -> (c_o, n_h', n_w'): one output channel per kernel."""
    return torch.stack([corr2d_multi_in(X, k) for k in K], dim=0)


def conv1x1_as_linear(X, weight, bias=None):
    """A 1x1 convolution written as a linear layer applied at every pixel.

    X (B, c_i, H, W); weight (c_o, c_i) as in nn.Linear; bias (c_o,) or None.
    """
    B, C, H, W = X.shape
    x = X.permute(0, 2, 3, 1).reshape(B * H * W, C)  # (B*H*W, c_i): one row per pixel
    y = torch.nn.functional.linear(x, weight, bias)  # (B*H*W, c_o)
    return y.reshape(B, H, W, -1).permute(0, 3, 1, 2)  # (B, c_o, H, W)
