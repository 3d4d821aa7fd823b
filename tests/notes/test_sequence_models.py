"""snippets/sequence_models.py: vocabulary order, time-major batches, gradient clipping, view/reshape.

References: torch.nn.utils.clip_grad_norm_ (same gradients after clipping, same returned
norm) and the closed form: the clipped norm is theta; nn.RNN with batch_first=False on
time_major_one_hot vs batch_first=True on the batch-major one-hot, same weights.
Tolerances: float64 1e-12, float32 1e-6.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from snippets.sequence_models import Vocab, grad_clipping, shares_storage, time_major_one_hot
from tests.support import Largest

ATOL = {torch.float32: 1e-6, torch.float64: 1e-12}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("sequence_models", atol=ATOL)


def test_vocab_orders_by_frequency_unk_first():
    tokens = "the cat sat on the mat the cat ran".split()
    vocab = Vocab(tokens, reserved_tokens=["<pad>"])
    assert vocab.idx_to_token == ["<unk>", "<pad>", "the", "cat", "sat", "on", "mat", "ran"]  # ties: first seen
    assert vocab["the"] == 2 and vocab["dog"] == 0 and len(vocab) == 8
    assert [vocab.idx_to_token[vocab[t]] for t in tokens] == tokens
    assert Vocab(tokens, min_freq=2).idx_to_token == ["<unk>", "the", "cat"]


def _grads(device, dtype, scale):
    g = torch.Generator(device=device).manual_seed(0)
    shapes = [(8, 5), (5,), (3, 8)]
    params = [torch.zeros(s, device=device, dtype=dtype, requires_grad=True) for s in shapes]
    grads = [scale * torch.randn(s, generator=g, device=device, dtype=dtype) for s in shapes]
    return params, grads


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_grad_clipping_matches_clip_grad_norm(device, dtype, scale):
    theta = 1.0
    ours, grads = _grads(device, dtype, scale)
    ref = [p.detach().clone().requires_grad_() for p in ours]
    for p, q, g in zip(ours, ref, grads):
        p.grad, q.grad = g.clone(), g.clone()
    norm_ours = grad_clipping(ours, theta)
    norm_ref = torch.nn.utils.clip_grad_norm_(ref, theta)
    # the norm reaches 840 at scale 100: summed in another order (clip_grad_norm_ on CUDA
    # takes per-tensor norms first) it differs in its last bits, 1.5e-7 relative in float32
    LARGEST.close("norm before clipping vs clip_grad_norm_ (relative)", norm_ours, norm_ref, dtype, relative=True)
    for p, q in zip(ours, ref):
        # clip_grad_norm_ divides by (norm + 1e-6): a relative difference of 1e-6 / norm
        torch.testing.assert_close(p.grad, q.grad, atol=ATOL[dtype] + 2e-6 * theta, rtol=0)
    after = torch.sqrt(sum((p.grad**2).sum() for p in ours))
    LARGEST.close("norm after clipping vs min(norm, theta)", after, torch.minimum(norm_ours, torch.tensor(theta, dtype=dtype, device=device)), dtype)
    if scale == 0.01:  # below the threshold: untouched
        for p, g in zip(ours, grads):
            assert torch.equal(p.grad, g)


@pytest.mark.parametrize("dtype", DTYPES)
def test_time_major_input_gives_the_same_rnn_outputs(device, dtype):
    B, T, V, H = 3, 5, 7, 4
    torch.manual_seed(0)
    X = torch.randint(V, (B, T), device=device)
    time_major = nn.RNN(V, H).to(device=device, dtype=dtype)  # batch_first=False: (T, B, V)
    batch_major = nn.RNN(V, H, batch_first=True).to(device=device, dtype=dtype)
    batch_major.load_state_dict(time_major.state_dict())
    inputs = time_major_one_hot(X, V).to(dtype)
    assert inputs.shape == (T, B, V)
    assert torch.equal(inputs[2], F.one_hot(X[:, 2], V).to(dtype))  # step t for the whole batch
    Y_t, h_t = time_major(inputs)  # (T, B, H)
    Y_b, h_b = batch_major(F.one_hot(X, V).to(dtype))  # (B, T, H)
    LARGEST.close("time-major vs batch_first RNN outputs", Y_t.transpose(0, 1), Y_b, dtype)
    LARGEST.close("time-major vs batch_first RNN final state", h_t, h_b, dtype)
    # labels in the same (time-major) order as the outputs stacked over time: Y.T.reshape(-1)
    labels = X.T.reshape(-1)  # (T * B,)
    assert labels[1 * B + 2] == X[2, 1]


def test_view_refuses_transposed_reshape_copies(device):
    x = torch.arange(12, device=device).reshape(3, 4)
    t = x.T  # (4, 3), not contiguous
    assert not t.is_contiguous()
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        t.view(12)
    flat = t.reshape(12)
    assert flat.tolist() == t.contiguous().view(12).tolist()
    assert not shares_storage(flat, x)  # a copy
    flat.add_(100)
    assert x.max() == 11  # the original is untouched


def test_reshape_shares_storage_when_it_can(device):
    x = torch.arange(12, device=device).reshape(3, 4)
    for y in (x.reshape(4, 3), x.reshape(-1), x.view(2, 6), x.T.T.reshape(12)):
        assert shares_storage(y, x)
    y = x.reshape(12)
    y[0] = -1
    assert x[0, 0] == -1  # a view: writes go through
