# Generated from docs/courses/modern-cnns.md by tools/extract; edit the note, not this file. (sha256 of the lines below: f86f772355f1e7fd)

# docs/courses/modern-cnns.md:123
"""Modern CNNs (Dive into Deep Learning, chapter 7): VGG's 3x3 stacks, batch normalisation."""

import torch
from torch import nn


def conv_stack(channels, n_layers, kernel_size=3, relu=True):
    """n_layers convolutions kernel_size x kernel_size, 'same' padding, no bias, C -> C channels."""
    layers = []
    for _ in range(n_layers):
        layers.append(nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, bias=False))
        if relu:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def weight_count(net):
    return sum(p.numel() for p in net.parameters())


def receptive_field(net, channels, size=21):
    """Height and width of the input region that one output pixel (the centre) depends on.

    Measured, not computed: back-propagate from the centre pixel of the output and
    take the bounding box of the input positions whose gradient is non-zero.
    """
    p = next(net.parameters())
    x = torch.rand(1, channels, size, size, dtype=p.dtype, device=p.device, requires_grad=True)
    y = net(x)  # (1, C, size, size) with 'same' padding
    y[0, :, size // 2, size // 2].sum().backward()
    seen = x.grad[0].abs().sum(dim=0) != 0  # (size, size): where the centre pixel looks
    rows = seen.any(dim=1).nonzero()
    cols = seen.any(dim=0).nonzero()
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def batch_norm(X, gamma, beta, eps=1e-5):
    """Training-mode batch normalisation, biased batch variance.

    X (B, d): one mean per feature, over the batch.
    X (B, C, H, W): one mean per channel, over the batch and all positions.
    gamma, beta: (d,) or (C,).
    """
    if X.dim() == 2:
        dims, shape = (0,), (1, -1)  # per feature
    elif X.dim() == 4:
        dims, shape = (0, 2, 3), (1, -1, 1, 1)  # per channel
    else:
        raise ValueError(f"expected a 2-D or 4-D input, got {X.dim()}-D")
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)  # divide by m, as in the formula
    X_hat = (X - mean) / torch.sqrt(var + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape)
