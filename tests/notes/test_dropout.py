"""snippets/dropout.py: edge cases like F.dropout, seeded statistical tests, the gradient.

Reference behaviour: ../shared REFERENCES.md section 5. F.dropout draws its
mask differently (same seed, different mask), so it is compared in
distribution. Statistical checks use fixed seeds and five standard errors.
"""

from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F

from snippets.dropout import Dropout, dropout
from tests.support import Largest
from tools.bench import dropout as bench_dropout

# Largest |z| (difference in standard errors) per (check, dtype), printed at the end.
LARGEST = Largest("dropout")

DTYPES = [torch.float32, torch.float64]


# --- edge cases, against F.dropout ---------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_identity_cases_return_the_input_object(device, dtype):
    x = torch.randn(100, device=device, dtype=dtype)
    empty = torch.empty(0, 3, device=device, dtype=dtype)
    assert dropout(x, 0.0) is x and F.dropout(x, 0.0) is x
    assert dropout(x, 0.5, training=False) is x and F.dropout(x, 0.5, training=False) is x
    assert dropout(empty, 0.5) is empty and F.dropout(empty, 0.5) is empty


def test_p_zero_keeps_everything_even_where_rand_is_zero(device):
    # rand returns exactly 0.0 about once in 2**24 draws: `rand > 0` would drop those elements
    x = torch.ones(2**25, device=device)
    assert torch.equal(dropout(x, 0.0), x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_p_one_gives_zeros_like_f_dropout(device, dtype):
    x = torch.tensor([1.0, -2.5, 0.0, 1e30], device=device, dtype=dtype)
    y = dropout(x, 1.0)
    assert torch.equal(y, torch.zeros_like(x)) and not y.isnan().any()
    assert torch.equal(y, F.dropout(x, 1.0))
    special = torch.tensor([math.inf, math.nan], device=device, dtype=dtype)
    torch.testing.assert_close(dropout(special, 1.0), F.dropout(special, 1.0), equal_nan=True, atol=0, rtol=0)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_outside_unit_interval_raises_like_f_dropout(p):
    x = torch.ones(3)
    with pytest.raises(ValueError) as expected:
        F.dropout(x, p)
    with pytest.raises(ValueError) as ours:
        dropout(x, p)
    assert str(ours.value) == str(expected.value)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Dropout(p)


def test_p_nan_raises_value_error():
    # F.dropout lets NaN through its Python check and fails in C++ with a RuntimeError;
    # ours rejects it up front with the same ValueError as any other p outside [0, 1].
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.dropout(torch.ones(3), math.nan)
    with pytest.raises(ValueError, match="between 0 and 1, but got nan"):
        dropout(torch.ones(3), math.nan)


def test_module_train_and_eval(device):
    layer = Dropout(0.5)
    assert repr(layer) == "Dropout(p=0.5)"
    x = torch.ones(10_000, device=device)
    y = layer(x)
    assert set(y.unique().tolist()) == {0.0, 2.0}
    layer.eval()
    assert layer(x) is x


# --- statistics ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_expectation_and_kept_fraction(device, dtype, p):
    n = 250_000
    x = torch.tensor([1.0, -2.0, 0.5, 10.0], device=device, dtype=dtype)
    g = torch.Generator(device=device).manual_seed(1234)
    y = dropout(x.expand(n, 4), p, generator=g)  # (n, 4): n draws of each element
    se = x.abs() * math.sqrt(p / ((1 - p) * n))  # standard error of the mean of one element
    LARGEST.z("mean", (y.mean(dim=0) - x) / se, dtype)
    kept = (y != 0).to(torch.float64).mean()
    LARGEST.z("kept fraction", (kept - (1 - p)) / math.sqrt(p * (1 - p) / (4 * n)), dtype)
    # kept elements are exactly x / (1 - p)
    kept_values = torch.where(y != 0, y, x.expand(n, 4) / (1 - p))
    torch.testing.assert_close(kept_values, (x / (1 - p)).expand(n, 4), atol=0, rtol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_consistent_with_f_dropout(device, dtype, p):
    n = 1_000_000
    x = torch.full((n,), 3.0, device=device, dtype=dtype)
    torch.manual_seed(7)
    ours = dropout(x, p)
    theirs = F.dropout(x, p)
    # two independent samples of the kept fraction
    f_ours = (ours != 0).to(torch.float64).mean()
    f_theirs = (theirs != 0).to(torch.float64).mean()
    LARGEST.z("kept fraction vs F.dropout", (f_ours - f_theirs) / math.sqrt(2 * p * (1 - p) / n), dtype)
    se = 3.0 * math.sqrt(p / ((1 - p) * n))
    LARGEST.z("mean vs F.dropout", (ours.mean() - theirs.mean()) / (math.sqrt(2) * se), dtype)
    # the same two values
    assert ours.unique().tolist() == pytest.approx(theirs.unique().tolist(), abs=1e-6)


# --- gradient and randomness -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.3, 0.75])
def test_gradient_is_mask_over_keep_probability(device, dtype, p):
    g = torch.Generator(device=device).manual_seed(5)
    x = (torch.rand(1000, generator=g, device=device, dtype=dtype) + 0.5).requires_grad_()  # no zeros in x
    y = dropout(x, p, generator=g)
    y.sum().backward()
    mask = (y != 0).to(dtype)
    torch.testing.assert_close(x.grad, mask / (1 - p), atol=0, rtol=0)


def test_generator_makes_the_mask_reproducible(device):
    x = torch.ones(1000, device=device)
    a = dropout(x, 0.5, generator=torch.Generator(device=device).manual_seed(3))
    b = dropout(x, 0.5, generator=torch.Generator(device=device).manual_seed(3))
    c = dropout(x, 0.5, generator=torch.Generator(device=device).manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)


# --- the benchmark script ----------------------------------------------------------------------


def test_benchmark_script_writes_table_and_json(device, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench_dropout.main(["--device", device, "--sizes", "4096", "--min-run-time", "0.01", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["device"] == device and result["device_name"]
    assert {r["method"] for r in result["results"]} == {"mask multiply", "masked assignment", "F.dropout"}
    assert "assignment / multiply" in capsys.readouterr().out
    # the three methods compute dropout: zeros, and x / (1 - p) elsewhere
    x = torch.ones(4096, device=device)
    for fn in bench_dropout.METHODS.values():
        assert set(fn(x, 0.5).unique().tolist()) <= {0.0, 2.0}
