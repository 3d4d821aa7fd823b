"""snippets/appnp.py: APPNP's power iteration converges to PPNP's closed form.

References: the closed form alpha (I - (1 - alpha) A_hat)^{-1} H computed through the
eigendecomposition A_hat = U diag(lambda) U^T (float64): alpha U diag(1 / (1 - (1 -
alpha) lambda)) U^T H, independent of the snippet's linear solve. The iteration's
error must stay under (1 - alpha)^K ||H - Z*|| (Frobenius norm) at every K.
Tolerances: closed form float32 atol 1e-5 (a solve with condition number up to
1/alpha = 20), float64 atol 1e-12; the bound with 1e-12 slack (float64 only).
"""

from __future__ import annotations

import pytest
import torch

from snippets.appnp import appnp_propagate, ppnp_propagate
from snippets.gcn import normalized_adjacency
from tests.support import Largest

ATOL = {torch.float32: 1e-5, torch.float64: 1e-12}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("appnp", atol=ATOL)
pytestmark = pytest.mark.usefixtures("one_thread")


def problem(N, p, C, seed, device, dtype):
    g = torch.Generator().manual_seed(seed)
    adj = torch.triu((torch.rand(N, N, generator=g) < p).double(), diagonal=1)
    a_hat = normalized_adjacency(adj + adj.T)  # (N, N), float64
    h = torch.randn(N, C, generator=g, dtype=torch.float64)  # (N, C): the MLP's predictions
    return a_hat.to(device=device, dtype=dtype), h.to(device=device, dtype=dtype)


def closed_form_by_eigh(a_hat, h, alpha):
    lam, U = torch.linalg.eigh(a_hat.double())  # A_hat = U diag(lam) U^T
    return alpha * U @ torch.diag(1 / (1 - (1 - alpha) * lam)) @ U.T @ h.double()


SETTINGS = [(20, 0.2, 0.1, 0), (50, 0.08, 0.1, 1), (35, 0.15, 0.2, 2), (10, 0.5, 0.05, 3)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("N,p,alpha,seed", SETTINGS)
def test_closed_form_against_eigendecomposition(device, dtype, N, p, alpha, seed):
    a_hat, h = problem(N, p, 3, seed, device, dtype)
    ref = closed_form_by_eigh(a_hat, h, alpha).to(dtype)
    LARGEST.close("PPNP closed form", ppnp_propagate(h, a_hat, alpha), ref)


@pytest.mark.parametrize("N,p,alpha,seed", SETTINGS)
def test_error_bound_decays_like_one_minus_alpha_to_the_k(device, N, p, alpha, seed):
    a_hat, h = problem(N, p, 3, seed, device, torch.float64)
    exact = closed_form_by_eigh(a_hat, h, alpha)
    start = torch.linalg.matrix_norm(h - exact).item()
    z, errors = h, []
    for K in range(0, 121):
        if K:
            z = (1 - alpha) * a_hat @ z + alpha * h  # one step, to record every K cheaply
        errors.append(torch.linalg.matrix_norm(z - exact).item())
        assert errors[-1] <= (1 - alpha) ** K * start + 1e-12, f"K={K}"
    # the snippet's function gives the same iterate as the loop above
    for K in (0, 1, 10, 120):
        z_k = appnp_propagate(h, a_hat, alpha, K)
        assert torch.linalg.matrix_norm(z_k - exact).item() == pytest.approx(errors[K], rel=1e-9, abs=1e-14)
    # the error has no component along eigenvalue 1 (there Z* = H), so it decays like
    # ((1 - alpha) |lambda_2|)^K, lambda_2 the largest other eigenvalue in magnitude: check
    # the observed ratio of successive errors while they are well above rounding
    lam = torch.linalg.eigvalsh(a_hat).cpu()
    rate = (1 - alpha) * lam[lam < 1 - 1e-9].abs().max().item()
    K = max(k for k in range(1, 121) if errors[k] > 1e-8)
    assert errors[K] / errors[K - 1] == pytest.approx(rate, abs=0.02)
    assert rate < 1 - alpha  # the bound (1 - alpha)^K is safe, not tight


@pytest.mark.parametrize("dtype", DTYPES)
def test_iteration_converges_to_closed_form(device, dtype):
    a_hat, h = problem(30, 0.2, 4, 7, device, dtype)
    alpha = 0.1
    z = appnp_propagate(h, a_hat, alpha, 400)  # 0.9**400 ~ 5e-19
    LARGEST.close("APPNP K=400 vs closed form", z, closed_form_by_eigh(a_hat, h, alpha).to(dtype))
    LARGEST.close("APPNP vs PPNP", z, ppnp_propagate(h, a_hat, alpha))


def test_neumann_series_partial_sums(device):
    # Z^(K) = alpha sum_{k<K} (1-alpha)^k A^k H + (1-alpha)^K A^K H, term by term
    a_hat, h = problem(12, 0.3, 2, 9, device, torch.float64)
    alpha, K = 0.15, 6
    term, series = h, torch.zeros_like(h)
    for k in range(K):
        series = series + alpha * (1 - alpha) ** k * term
        term = a_hat @ term  # A^{k+1} H
    LARGEST.close("Neumann partial sum", appnp_propagate(h, a_hat, alpha, K), series + (1 - alpha) ** K * term)


def test_gradient_through_propagation(device):
    # end-to-end training needs the gradient to reach H: check it against the closed form's
    a_hat, h = problem(15, 0.3, 2, 11, device, torch.float64)
    alpha = 0.2
    h1 = h.clone().requires_grad_()
    appnp_propagate(h1, a_hat, alpha, 200).sum().backward()
    h2 = h.clone().requires_grad_()
    ppnp_propagate(h2, a_hat, alpha).sum().backward()
    LARGEST.close("grad H", h1.grad, h2.grad)
