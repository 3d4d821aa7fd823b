"""snippets/gcn.py: the renormalised adjacency and one GCN layer.

References: the normalisation written entry by entry from Kipf & Welling, Eq. (8)
(A_hat_ij = A~_ij / sqrt(d~_i d~_j), d~_i = 1 + deg_i); the spectrum from
torch.linalg.eigvalsh. Tolerances: float32 atol 1e-6, float64 atol 1e-12.
"""

from __future__ import annotations

import math

import pytest
import torch

from snippets.gcn import gcn_layer, normalized_adjacency
from tests.support import Largest

ATOL = {torch.float32: 1e-6, torch.float64: 1e-12}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("gcn", atol=ATOL)
pytestmark = pytest.mark.usefixtures("one_thread")


def random_graph(N, p, seed, device, dtype, weighted=False):
    g = torch.Generator().manual_seed(seed)
    adj = (torch.rand(N, N, generator=g) < p).to(torch.float64)
    if weighted:
        adj = adj * (torch.rand(N, N, generator=g) + 0.5)
    adj = torch.triu(adj, diagonal=1)
    return (adj + adj.T).to(device=device, dtype=dtype)  # (N, N), symmetric, zero diagonal


GRAPHS = [(12, 0.3, 0, False), (40, 0.1, 1, False), (25, 0.2, 2, True), (8, 0.0, 3, False)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("N,p,seed,weighted", GRAPHS)
def test_normalisation_entry_by_entry(device, dtype, N, p, seed, weighted):
    adj = random_graph(N, p, seed, device, dtype, weighted)
    ours = normalized_adjacency(adj)
    a = adj.cpu().double().tolist()
    deg = [1.0 + sum(row) for row in a]  # d~_i: the self-loop counts once
    ref = [[((1.0 if i == j else 0.0) + a[i][j]) / math.sqrt(deg[i] * deg[j]) for j in range(N)] for i in range(N)]
    LARGEST.close("A_hat", ours, torch.tensor(ref, dtype=dtype, device=device))
    LARGEST.close("symmetric", ours, ours.T)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("N,p,seed,weighted", GRAPHS)
def test_eigenvalues_in_minus_one_one(device, dtype, N, p, seed, weighted):
    adj = random_graph(N, p, seed, device, torch.float64, weighted)
    eig = torch.linalg.eigvalsh(normalized_adjacency(adj)).cpu()
    assert eig.max().item() == pytest.approx(1.0, abs=1e-12)  # eigenvector D~^{1/2} 1
    assert eig.min().item() > -1.0 + 1e-6
    # the top eigenvector is D~^{1/2} 1
    a_hat = normalized_adjacency(adj.to(dtype))
    v = (adj.sum(dim=1) + 1).sqrt().to(dtype)
    LARGEST.close("A_hat D^{1/2} 1", a_hat @ v, v)


def test_bipartite_graph_without_self_loops_reaches_minus_one(device):
    # the reason for the self-loops: on a bipartite graph D^{-1/2} A D^{-1/2} has eigenvalue -1
    adj = torch.zeros(6, 6, dtype=torch.float64, device=device)
    adj[:3, 3:] = 1.0
    adj[3:, :3] = 1.0  # complete bipartite K_{3,3}
    without = torch.linalg.eigvalsh(normalized_adjacency(adj, self_loops=False))
    assert without.min().item() == pytest.approx(-1.0, abs=1e-12)
    assert torch.linalg.eigvalsh(normalized_adjacency(adj)).min().item() > -1.0 + 1e-6


def test_isolated_node_without_self_loop_gives_zeros(device):
    adj = torch.zeros(3, 3, device=device)
    adj[0, 1] = adj[1, 0] = 1.0
    a_hat = normalized_adjacency(adj, self_loops=False)
    assert torch.isfinite(a_hat).all() and not a_hat[2].any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_aggregates_neighbours(device, dtype):
    adj = random_graph(15, 0.25, 4, device, dtype)
    a_hat = normalized_adjacency(adj)
    g = torch.Generator(device=device).manual_seed(5)
    h = torch.randn(15, 6, generator=g, device=device, dtype=dtype)
    w = torch.randn(6, 3, generator=g, device=device, dtype=dtype)
    out = gcn_layer(a_hat, h, w)
    deg = adj.sum(dim=1) + 1
    for i in range(15):  # node i: sum over j in N(i) and i itself of h_j W / sqrt(d_i d_j)
        neigh = [j for j in range(15) if adj[i, j] != 0 or j == i]
        ref = sum((h[j] @ w) / torch.sqrt(deg[i] * deg[j]) for j in neigh)
        LARGEST.close("layer row", out[i], ref)
