# Generated from docs/papers/gcn.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 54b97cfab43cb666)

# docs/papers/gcn.md:58
"""GCN: the renormalised adjacency D~^{-1/2} (A + I) D~^{-1/2} and one GCN layer.

Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks",
ICLR 2017, Eq. (8) and (9).
"""

import torch


def normalized_adjacency(adj, self_loops=True):
    """A_hat = D~^{-1/2} A~ D~^{-1/2} with A~ = A + I (the renormalization trick).

    adj: (N, N) symmetric, non-negative, dense. Returns (N, N).
    """
    N = adj.shape[0]
    if self_loops:
        adj = adj + torch.eye(N, dtype=adj.dtype, device=adj.device)  # A~ = A + I_N
    deg = adj.sum(dim=1)  # (N,): D~_ii = sum_j A~_ij
    inv_sqrt = deg.pow(-0.5)
    inv_sqrt = torch.where(deg > 0, inv_sqrt, torch.zeros_like(inv_sqrt))  # isolated node without self-loop
    return inv_sqrt[:, None] * adj * inv_sqrt[None, :]  # (N, N): A~_ij / sqrt(d_i d_j)


def gcn_layer(a_hat, h, weight):
    """One layer before the non-linearity: A_hat H W. h: (N, F_in); weight: (F_in, F_out)."""
    return a_hat @ (h @ weight)  # (N, F_out); multiplying H W first is cheaper when F_out < F_in
