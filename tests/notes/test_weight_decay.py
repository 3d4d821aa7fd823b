"""snippets/weight_decay.py: an L2 penalty in the loss vs torch.optim.SGD(weight_decay=...).

References: torch.optim.SGD with weight_decay on the weight's parameter group, and the
closed-form step w <- (1 - lr * lambd) w - lr * grad. Tolerances: float64 1e-12,
float32 1e-5 (50 steps of rounding; the two paths add the decay term in different orders).
"""

from __future__ import annotations

import pytest
import torch

from snippets.weight_decay import decayed_step, l2_penalty, train_with_optimizer, train_with_penalty
from tests.support import Largest

ATOL = {torch.float32: 1e-5, torch.float64: 1e-12}
LARGEST = Largest("weight_decay", atol=ATOL)


def _problem(device, dtype, n=20, d=50, seed=0):
    """D2L's high-dimensional linear regression: 20 examples, many features."""
    g = torch.Generator(device=device).manual_seed(seed)
    X = torch.randn(n, d, generator=g, device=device, dtype=dtype)
    y = X @ torch.full((d, 1), 0.01, device=device, dtype=dtype) + 0.05 + 0.01 * torch.randn(n, 1, generator=g, device=device, dtype=dtype)
    w = torch.randn(d, 1, generator=g, device=device, dtype=dtype)
    b = torch.zeros(1, device=device, dtype=dtype)
    return w, b, X, y


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("lambd", [0.0, 0.1, 3.0])
def test_penalty_equals_sgd_weight_decay(device, dtype, lambd):
    w, b, X, y = _problem(device, dtype)
    w1, b1 = train_with_penalty(w, b, X, y, lr=0.003, lambd=lambd, steps=50)
    w2, b2 = train_with_optimizer(w, b, X, y, lr=0.003, lambd=lambd, steps=50)
    LARGEST.close("penalty vs SGD(weight_decay)", w1, w2, dtype)
    LARGEST.close("penalty vs SGD(weight_decay)", b1, b2, dtype)
    assert not torch.equal(w1, w)  # it did train


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_one_step_is_the_closed_form(device, dtype):
    w, b, X, y = _problem(device, dtype, seed=1)
    lr, lambd = 0.01, 0.5
    wr = w.clone().requires_grad_()
    loss = ((X @ wr + b - y) ** 2).mean() / 2
    (grad,) = torch.autograd.grad(loss, wr)
    w1, _ = train_with_penalty(w, b, X, y, lr=lr, lambd=lambd, steps=1)
    LARGEST.close("one step vs (1 - lr lambd) w - lr grad", w1, decayed_step(w, grad, lr, lambd), dtype)


def test_decay_shrinks_the_weights_more_with_larger_lambda(device):
    w, b, X, y = _problem(device, torch.float64)
    norms = [train_with_optimizer(w, b, X, y, lr=0.003, lambd=lam, steps=100)[0].norm() for lam in (0.0, 1.0, 3.0)]
    assert norms[0] > norms[1] > norms[2]


def test_l2_penalty_is_half_the_squared_norm(device):
    w = torch.tensor([3.0, -4.0], device=device)
    assert float(l2_penalty(w)) == 12.5
