# Generated from docs/courses/adam.md by tools/extract; edit the note, not this file.

# docs/courses/adam.md:78
"""Adam (Kingma & Ba, 2015, Algorithm 1) with torch.optim.Adam's options."""

import math

import torch


class Adam(torch.optim.Optimizer):
    """Adam with torch's arguments: lr, betas, eps, weight_decay, amsgrad, maximize,
    decoupled_weight_decay (True gives AdamW). Arguments are validated as torch does.

    fast=True (the default) computes the same update with in-place fused
    operations (lerp_, addcmul_, addcdiv_), one temporary per parameter;
    fast=False spells out each line of Algorithm 1."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
        fast=True,
    ):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
            fast=fast,
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            alpha, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for theta in group["params"]:
                if theta.grad is None:
                    continue
                if theta.grad.is_sparse:
                    raise RuntimeError("Adam does not support sparse gradients")
                g = -theta.grad if group["maximize"] else theta.grad
                state = self.state[theta]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(theta)  # m_0
                    state["exp_avg_sq"] = torch.zeros_like(theta)  # v_0
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = torch.zeros_like(theta)
                state["step"] += 1
                t = state["step"]
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        theta.mul_(1 - alpha * weight_decay)  # AdamW: theta <- theta (1 - alpha lambda)
                    else:
                        g = g + weight_decay * theta  # L2: g <- g + lambda theta
                m, v = state["exp_avg"], state["exp_avg_sq"]
                if group["fast"]:
                    m.lerp_(g, 1 - beta1)  # Alg. 1: m_t = beta1 m + (1 - beta1) g
                    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)  # Alg. 1: v_t
                    if group["amsgrad"]:
                        torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                        v = state["max_exp_avg_sq"]
                    denom = v.sqrt().div_(math.sqrt(1 - beta2**t)).add_(eps)  # sqrt(v_hat) + eps
                    theta.addcdiv_(m, denom, value=-alpha / (1 - beta1**t))  # theta_t, m_hat folded into the step
                    continue
                m.mul_(beta1).add_((1 - beta1) * g)  # Alg. 1: m_t
                v.mul_(beta2).add_((1 - beta2) * g * g)  # Alg. 1: v_t
                if group["amsgrad"]:
                    torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    v = state["max_exp_avg_sq"]  # AMSGrad: the largest v_t so far
                m_hat = m / (1 - beta1**t)  # Alg. 1: bias-corrected first moment
                v_hat_sqrt = v.sqrt() / math.sqrt(1 - beta2**t)  # sqrt of the corrected second moment
                theta.sub_(alpha * m_hat / (v_hat_sqrt + eps))  # Alg. 1: theta_t
        return loss
