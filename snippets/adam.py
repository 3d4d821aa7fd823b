# Generated from docs/courses/adam.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 6e0035742ddd4e87)

# docs/courses/adam.md:164
"""Adam (Kingma & Ba, 2015, Algorithm 1) with torch.optim.Adam's options."""

import math

import torch


class Adam(torch.optim.Optimizer):
    """Adam with torch's arguments: lr, betas, eps, weight_decay, amsgrad, maximize,
    decoupled_weight_decay (True gives AdamW). Arguments are validated as torch does.

    fast=True (the default) computes the same update in place, with list-wide
    operations (torch._foreach_lerp_, _addcmul_, _addcdiv_) over all of a group's
    parameters; fast=False spells out each line of Algorithm 1, one parameter at a time."""

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
            params = [theta for theta in group["params"] if theta.grad is not None]
            for theta in params:
                if theta.grad.is_sparse:
                    raise RuntimeError("Adam does not support sparse gradients")
                state = self.state[theta]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(theta)  # m_0
                    state["exp_avg_sq"] = torch.zeros_like(theta)  # v_0
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = torch.zeros_like(theta)
                state["step"] += 1
            if params:
                (self._fast_step if group["fast"] else self._readable_step)(group, params)
        return loss

    def _readable_step(self, group, params):
        """Algorithm 1, line by line, one parameter at a time."""
        alpha, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        for theta in params:
            g = -theta.grad if group["maximize"] else theta.grad
            state = self.state[theta]
            t = state["step"]
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    theta.mul_(1 - alpha * weight_decay)  # AdamW: theta <- theta (1 - alpha lambda)
                else:
                    g = g + weight_decay * theta  # L2: g <- g + lambda theta
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m.mul_(beta1).add_((1 - beta1) * g)  # Alg. 1: m_t
            v.mul_(beta2).add_((1 - beta2) * g * g)  # Alg. 1: v_t
            if group["amsgrad"]:
                torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]  # AMSGrad: the largest v_t so far
            m_hat = m / (1 - beta1**t)  # Alg. 1: bias-corrected first moment
            v_hat_sqrt = v.sqrt() / math.sqrt(1 - beta2**t)  # sqrt of the corrected second moment
            theta.sub_(alpha * m_hat / (v_hat_sqrt + eps))  # Alg. 1: theta_t

    def _fast_step(self, group, params):
        """The same update in place, with the bias corrections folded into two scalars, as
        list-wide operations (torch._foreach_*). On a GPU the list is the whole group: a
        dozen kernel launches per step instead of a dozen per parameter. On the CPU it is
        one parameter at a time, so that the temporaries stay the size of one parameter."""
        on_cpu = all(theta.device.type == "cpu" for theta in params)
        for chunk in ([theta] for theta in params) if on_cpu else [params]:
            self._fast_update(group, chunk)

    def _fast_update(self, group, params):
        alpha, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        states = [self.state[theta] for theta in params]
        grads = [theta.grad for theta in params]
        if group["maximize"]:
            grads = torch._foreach_neg(grads)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                torch._foreach_mul_(params, 1 - alpha * weight_decay)  # AdamW
            else:
                grads = torch._foreach_add(grads, params, alpha=weight_decay)  # L2: g + lambda theta
        ms = [state["exp_avg"] for state in states]
        vs = [state["exp_avg_sq"] for state in states]
        torch._foreach_lerp_(ms, grads, 1 - beta1)  # Alg. 1: m_t = beta1 m + (1 - beta1) g
        torch._foreach_mul_(vs, beta2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - beta2)  # Alg. 1: v_t
        if group["amsgrad"]:
            vs_max = [state["max_exp_avg_sq"] for state in states]
            torch._foreach_maximum_(vs_max, vs)
            vs = vs_max
        steps = [state["step"] for state in states]  # parameters may have skipped steps: one t each
        denom = torch._foreach_sqrt(vs)
        torch._foreach_div_(denom, [math.sqrt(1 - beta2**t) for t in steps])
        torch._foreach_add_(denom, eps)  # sqrt(v_hat) + eps
        # theta_t = theta - alpha m_hat / denom, with m_hat = m / (1 - beta1^t) folded into the step
        torch._foreach_addcdiv_(params, ms, denom, [-alpha / (1 - beta1**t) for t in steps])
