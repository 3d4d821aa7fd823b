"""snippets/adam.py against torch.optim.Adam and torch.optim.AdamW.

Tolerances: ../shared REFERENCES.md section 4 (float32 atol 1e-6 at lr 1e-3,
float64 1e-12). Our code follows Algorithm 1's formulas, torch orders the
operations differently (lerp for m, corrections folded elsewhere), so float32
results differ by rounding only.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from snippets.adam import Adam
from tests.support import Largest

ATOL = {torch.float32: 1e-6, torch.float64: 1e-12}
LARGEST = Largest("adam", atol=ATOL)
pytestmark = pytest.mark.usefixtures("one_thread")


def _gradients(shapes, steps, dtype, device, seed=0):
    """Gradients whose magnitudes span 1e-9 .. 10, different at every step."""
    g = torch.Generator(device=device).manual_seed(seed)
    for _ in range(steps):
        yield [
            torch.randn(shape, generator=g, device=device, dtype=dtype)
            * 10 ** torch.empty(shape, device=device, dtype=dtype).uniform_(-9, 1, generator=g)
            for shape in shapes
        ]


WEIGHT_DECAY = {"none": (0.0, False), "l2": (0.1, False), "decoupled": (0.1, True)}
# Every combination of amsgrad, maximize and weight decay at torch's eps, plus a large eps
# (where the placement of eps matters most) for two of them.
COMBINATIONS = [(a, m, d, 1e-8) for a, m, d in itertools.product([False, True], [False, True], WEIGHT_DECAY)]
COMBINATIONS += [(True, False, "l2", 1e-3), (False, True, "decoupled", 1e-3)]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    "amsgrad,maximize,decay,eps",
    COMBINATIONS,
    ids=[f"ams{int(a)}-max{int(m)}-{d}-eps{e:g}" for a, m, d, e in COMBINATIONS],
)
def test_matches_torch_over_200_steps(device, dtype, amsgrad, maximize, decay, eps):
    shapes = [(60, 50), (50,), (1,)]
    g = torch.Generator(device=device).manual_seed(1)
    start = [torch.randn(shape, generator=g, device=device, dtype=dtype) for shape in shapes]
    ours_params = [p.clone().requires_grad_() for p in start]
    ref_params = [p.clone().requires_grad_() for p in start]
    weight_decay, decoupled = WEIGHT_DECAY[decay]
    kwargs = dict(lr=1e-3, betas=(0.9, 0.999), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
    ours = Adam(ours_params, decoupled_weight_decay=decoupled, **kwargs)
    ref = torch.optim.AdamW(ref_params, **kwargs) if decoupled else torch.optim.Adam(ref_params, **kwargs)
    for grads in _gradients(shapes, 200, dtype, device):
        for p, q, grad in zip(ours_params, ref_params, grads):
            p.grad, q.grad = grad.clone(), grad.clone()
        ours.step()
        ref.step()
    for p, q in zip(ours_params, ref_params):
        LARGEST.close("vs torch.optim after 200 steps", p, q, dtype)
    # the state has moved: the comparison is not between two unchanged tensors
    assert not torch.equal(ours_params[0], start[0])


def test_adam_with_decoupled_flag_is_adamw(device):
    g = torch.Generator(device=device).manual_seed(2)
    start = torch.randn(100, generator=g, device=device, dtype=torch.float64)
    p, q = start.clone().requires_grad_(), start.clone().requires_grad_()
    ours = Adam([p], lr=1e-2, weight_decay=0.01, decoupled_weight_decay=True)
    ref = torch.optim.Adam([q], lr=1e-2, weight_decay=0.01, decoupled_weight_decay=True)
    for (grad,) in _gradients([(100,)], 50, torch.float64, device, seed=3):
        p.grad, q.grad = grad.clone(), grad.clone()
        ours.step()
        ref.step()
    torch.testing.assert_close(p, q, atol=1e-12, rtol=0)


def test_analytic_first_step(device):
    g = torch.Generator(device=device).manual_seed(4)
    theta0 = torch.randn(1000, generator=g, device=device, dtype=torch.float64)
    grad = torch.randn(1000, generator=g, device=device, dtype=torch.float64) * 10 ** torch.empty(
        1000, device=device, dtype=torch.float64
    ).uniform_(-9, 3, generator=g)
    theta = theta0.clone().requires_grad_()
    theta.grad = grad.clone()
    lr, eps = 1e-3, 1e-8
    Adam([theta], lr=lr, eps=eps).step()
    # bias corrections cancel at t = 1: m_hat = g, v_hat = g^2
    torch.testing.assert_close(theta.detach(), theta0 - lr * grad / (grad.abs() + eps), atol=1e-15, rtol=0)


def test_bias_correction_constant_gradient(device):
    """With a constant gradient, m_hat = g and v_hat = g^2 at every step: each step has size lr."""
    lr, beta1, beta2 = 1e-2, 0.9, 0.999
    grad = torch.tensor([2.0, -0.5, 1e-3], device=device, dtype=torch.float64)
    theta = torch.zeros(3, device=device, dtype=torch.float64, requires_grad=True)
    optimizer = Adam([theta], lr=lr, betas=(beta1, beta2), eps=0.0)
    previous = theta.detach().clone()
    for t in range(1, 21):
        theta.grad = grad.clone()
        optimizer.step()
        torch.testing.assert_close(previous - theta.detach(), lr * grad.sign(), atol=1e-14, rtol=0)
        previous = theta.detach().clone()
    # the uncorrected ratio m_t / sqrt(v_t) would have been far from 1 at the first step
    uncorrected_first = (1 - beta1) / math.sqrt(1 - beta2)
    assert uncorrected_first == pytest.approx(3.1623, abs=1e-4)


def test_closure_and_param_groups(device):
    w = torch.ones(3, device=device, requires_grad=True)
    b = torch.ones(1, device=device, requires_grad=True)
    optimizer = Adam([{"params": [w]}, {"params": [b], "lr": 0.1}], lr=0.01)

    def closure():
        optimizer.zero_grad()
        loss = (w.sum() + b.sum()) ** 2
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    assert loss.item() == pytest.approx(16.0)
    torch.testing.assert_close(w.detach(), torch.full((3,), 0.99, device=device), atol=1e-6, rtol=0)
    torch.testing.assert_close(b.detach(), torch.full((1,), 0.9, device=device), atol=1e-6, rtol=0)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=-1e-3),
        dict(eps=-1.0),
        dict(betas=(1.0, 0.999)),
        dict(betas=(-0.1, 0.999)),
        dict(betas=(0.9, 1.0)),
        dict(weight_decay=-0.1),
        dict(lr=float("nan")),
        dict(betas=(0.9, torch.tensor(0.999))),
    ],
    ids=lambda kwargs: ",".join(f"{k}={v}" for k, v in kwargs.items()),
)
def test_invalid_arguments_raise_like_torch(kwargs):
    params = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError) as expected:
        torch.optim.Adam(params, **kwargs)
    with pytest.raises(ValueError) as ours:
        Adam(params, **kwargs)
    assert str(ours.value) == str(expected.value)


@pytest.mark.parametrize("options", [
    {}, {"amsgrad": True}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True},
    {"maximize": True},
])
def test_fast_path_matches_the_readable_one(options):
    """fast=True (list-wide operations) against fast=False (one tensor at a time), 50 steps, float64."""
    torch.manual_seed(0)
    start = [torch.randn(5, 3, dtype=torch.float64), torch.randn(7, dtype=torch.float64)]
    fast = [p.clone().requires_grad_() for p in start]
    readable = [p.clone().requires_grad_() for p in start]
    opt_fast = Adam(fast, lr=1e-2, fast=True, **options)
    opt_readable = Adam(readable, lr=1e-2, fast=False, **options)
    for _ in range(50):
        for params, opt in ((fast, opt_fast), (readable, opt_readable)):
            opt.zero_grad()
            sum((p.sin() * p).sum() for p in params).backward()
            opt.step()
    for a, b in zip(fast, readable):
        torch.testing.assert_close(a, b, atol=1e-12, rtol=0)


def test_mixed_dtypes_and_skipped_steps_match_torch(device):
    """One group with float32 and float64 parameters, one of which has no gradient every
    third step: the list-wide path keeps one step count per parameter, as torch does."""
    torch.manual_seed(0)
    start = [
        torch.randn(4, 3, device=device),
        torch.randn(6, device=device, dtype=torch.float64),
        torch.randn(2, 2, device=device),
    ]
    ours = [p.clone().requires_grad_() for p in start]
    ref = [p.clone().requires_grad_() for p in start]
    opt_ours = Adam(ours, lr=1e-2)
    opt_ref = torch.optim.Adam(ref, lr=1e-2, foreach=True)
    for step in range(30):
        for params, opt in ((ours, opt_ours), (ref, opt_ref)):
            opt.zero_grad(set_to_none=True)
            used = params if step % 3 else params[:2]
            sum((p.double().sin() * p.double()).sum() for p in used).backward()
            opt.step()
    assert opt_ours.state[ours[2]]["step"] == int(opt_ref.state[ref[2]]["step"]) == 20
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, atol=ATOL[a.dtype], rtol=0)
