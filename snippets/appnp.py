# Generated from docs/papers/appnp.md by tools/extract; edit the note, not this file. (sha256 of the lines below: f1b3635168c4abc3)

# docs/papers/appnp.md:99
"""PPNP's closed-form propagation and APPNP's power iteration.

Klicpera, Bojchevski & Günnemann, "Predict then Propagate: Graph Neural Networks meet
Personalized PageRank", ICLR 2019, Eq. (3) to (5). A_hat comes from snippets.gcn.
"""

import torch


def ppnp_propagate(h, a_hat, alpha):
    """Z = alpha (I - (1 - alpha) A_hat)^{-1} H, by a linear solve. h: (N, C); a_hat: (N, N)."""
    N = a_hat.shape[0]
    eye = torch.eye(N, dtype=a_hat.dtype, device=a_hat.device)
    return alpha * torch.linalg.solve(eye - (1 - alpha) * a_hat, h)  # (N, C)


def appnp_propagate(h, a_hat, alpha, K):
    """K power-iteration steps Z <- (1 - alpha) A_hat Z + alpha H, from Z = H."""
    z = h
    for _ in range(K):
        z = (1 - alpha) * (a_hat @ z) + alpha * h  # Eq. (5)
    return z  # (N, C)
