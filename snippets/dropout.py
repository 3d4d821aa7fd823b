# Generated from docs/courses/dropout.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 076f773f43be0fa9)

# docs/courses/dropout.md:63
"""Inverted dropout (Srivastava et al., 2014), as in Dive into Deep Learning 5.6."""

import torch
import torch.nn as nn


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(x, p, training=True, generator=None):
    """Zero each element with probability p and scale the rest by 1 / (1 - p).

    Returns x itself when p == 0, when not training, or when x is empty;
    zeros (x * 0) when p == 1. generator: a torch.Generator on x's device.
    """
    _check_p(p)
    if not training or p == 0.0 or x.numel() == 0:
        return x
    if p == 1.0:
        return x * 0.0  # every unit dropped; the formula below would divide by zero
    keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) > p  # P(keep) = 1 - p
    return x * keep / (1.0 - p)  # E[h'] = h


class Dropout(nn.Module):
    """Module form: active in train(), the identity in eval()."""

    def __init__(self, p=0.5):
        super().__init__()
        _check_p(p)
        self.p = p

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
