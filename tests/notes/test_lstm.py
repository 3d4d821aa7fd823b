"""snippets/lstm.py: an LSTM written from its gates equals torch.nn.LSTMCell (and nn.LSTM)
with the same weights, over a whole sequence, in values and in gradients.

Reference: PyTorch's own cell, weights shared (gate order i, f, g, o).
Tolerances: float32 atol 1e-6, float64 atol 1e-12 (rtol 0); against cuDNN's fused nn.LSTM on CUDA,
float32 atol 1e-5 (see test_sequence_equals_nn_lstm). The largest differences
seen are printed at the end of the module.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from snippets.lstm import lstm, lstm_cell
from tests.support import Largest

ATOL = {torch.float32: 1e-6, torch.float64: 1e-12}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("lstm", atol=ATOL)
pytestmark = pytest.mark.usefixtures("one_thread")


def _cell(I, H, device, dtype, seed, bias=True):
    torch.manual_seed(seed)
    return nn.LSTMCell(I, H, bias=bias).to(device=device, dtype=dtype)


def _params(cell):
    return cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_step_equals_lstm_cell(device, dtype):
    cell = _cell(5, 7, device, dtype, 0)
    g = torch.Generator(device=device).manual_seed(1)
    x = torch.randn(4, 5, generator=g, device=device, dtype=dtype)
    h = torch.randn(4, 7, generator=g, device=device, dtype=dtype)
    c = torch.randn(4, 7, generator=g, device=device, dtype=dtype)
    h_ours, c_ours = lstm_cell(x, (h, c), *_params(cell))
    h_ref, c_ref = cell(x, (h, c))
    LARGEST.close("step h", h_ours, h_ref)
    LARGEST.close("step c", c_ours, c_ref)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_sequence_values_and_gradients_equal_lstm_cell(device, dtype, bias):
    T, B, I, H = 12, 3, 6, 8
    cell = _cell(I, H, device, dtype, 2, bias=bias)
    g = torch.Generator(device=device).manual_seed(3)
    xs = torch.randn(T, B, I, generator=g, device=device, dtype=dtype, requires_grad=True)
    h0 = torch.randn(B, H, generator=g, device=device, dtype=dtype, requires_grad=True)
    c0 = torch.randn(B, H, generator=g, device=device, dtype=dtype, requires_grad=True)
    upstream = torch.randn(T, B, H, generator=g, device=device, dtype=dtype)  # a generic loss

    params = [p for p in cell.parameters()]
    outs, (h, c) = lstm(xs, (h0, c0), cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    ours_grads = torch.autograd.grad((outs * upstream).sum() + c.sum(), [xs, h0, c0, *params])

    state, ref_outs = (h0, c0), []
    for x in xs:  # the reference loop, one nn.LSTMCell call per step
        state = cell(x, state)
        ref_outs.append(state[0])
    ref_outs = torch.stack(ref_outs)  # (T, B, H)
    ref_grads = torch.autograd.grad((ref_outs * upstream).sum() + state[1].sum(), [xs, h0, c0, *params])

    LARGEST.close("sequence outputs", outs, ref_outs)
    LARGEST.close("sequence c_T", c, state[1])
    names = ["xs", "h0", "c0"] + [n for n, _ in cell.named_parameters()]
    for name, ours, ref in zip(names, ours_grads, ref_grads):
        LARGEST.close(f"grad {name}", ours, ref)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sequence_equals_nn_lstm(device, dtype):
    # nn.LSTM (one layer) uses the same layout; its fused kernel is a second reference
    torch.manual_seed(4)
    rnn = nn.LSTM(4, 5).to(device=device, dtype=dtype)
    xs = torch.randn(9, 2, 4, device=device, dtype=dtype)
    h0 = torch.zeros(2, 5, device=device, dtype=dtype)
    outs, (h, c) = lstm(xs, (h0, h0), rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
    ref_outs, (ref_h, ref_c) = rnn(xs)
    # On CUDA nn.LSTM is cuDNN's fused kernel, which sums and applies the gates in its own
    # order; in float32 the difference grows along the sequence: 4.8e-6 after 9 steps on an
    # H100 with TF32 off (1.7e-4 with it on). The cell-by-cell comparisons above keep 1e-6.
    fused = ATOL if device == "cpu" else {torch.float32: 1e-5, torch.float64: ATOL[torch.float64]}
    LARGEST.close("nn.LSTM outputs", outs, ref_outs, atol=fused)
    LARGEST.close("nn.LSTM c_T", c, ref_c[0], atol=fused)


def test_gate_order_matters(device):
    # swapping the i and f blocks of the weights must change the result: the order is not arbitrary
    cell = _cell(3, 4, device, torch.float64, 5)
    x = torch.randn(2, 3, device=device, dtype=torch.float64)
    state = (torch.randn(2, 4, device=device, dtype=torch.float64),) * 2
    w_ih, w_hh, b_ih, b_hh = _params(cell)
    perm = torch.cat([torch.arange(4, 8), torch.arange(0, 4), torch.arange(8, 16)]).to(device)
    h_swapped, _ = lstm_cell(x, state, w_ih[perm], w_hh[perm], b_ih[perm], b_hh[perm])
    h_ref, _ = cell(x, state)
    assert (h_swapped - h_ref).abs().max() > 1e-3
