# Generated from docs/courses/weight-decay.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 4e74998608036c7e)

# docs/courses/weight-decay.md:83
"""Weight decay as an L2 penalty (Dive into Deep Learning, section 5.2 / 4.5)."""

import torch


def l2_penalty(w):
    """lambda/2 * ||w||^2 without the lambda: sum(w ** 2) / 2."""
    return (w**2).sum() / 2


def train_with_penalty(w, b, X, y, lr, lambd, steps):
    """Minibatch-free SGD on  mean squared error / 2 + lambd * l2_penalty(w), by hand.

    The bias is not penalised. Returns new tensors (w, b); the inputs are not modified.
    """
    w = w.detach().clone().requires_grad_()
    b = b.detach().clone().requires_grad_()
    for _ in range(steps):
        loss = ((X @ w + b - y) ** 2).mean() / 2 + lambd * l2_penalty(w)
        gw, gb = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= lr * gw  # w <- w - lr * (grad L + lambd * w)
            b -= lr * gb
    return w.detach(), b.detach()


def train_with_optimizer(w, b, X, y, lr, lambd, steps):
    """The same model and data with torch.optim.SGD(weight_decay=lambd) on the weight only."""
    w = w.detach().clone().requires_grad_()
    b = b.detach().clone().requires_grad_()
    opt = torch.optim.SGD([{"params": [w], "weight_decay": lambd}, {"params": [b]}], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((X @ w + b - y) ** 2).mean() / 2  # no penalty term in the loss
        loss.backward()
        opt.step()
    return w.detach(), b.detach()


def decayed_step(w, grad, lr, lambd):
    """One step in closed form: w <- (1 - lr * lambd) * w - lr * grad."""
    return (1 - lr * lambd) * w - lr * grad
