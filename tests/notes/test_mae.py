"""snippets/mae.py: MAE's random masking keeps the requested number of tokens and its
restore index inverts the shuffle.

The reference is index bookkeeping done the slow way: for every sample, the kept
token indices are recovered by matching rows of x, and the restored sequence is
rebuilt position by position. All comparisons are exact (atol 0): masking only
moves values, it never computes with them.
"""

from __future__ import annotations

import pytest
import torch

from snippets.mae import random_masking, unshuffle

CASES = [(196, 0.75), (196, 0.5), (196, 0.0), (49, 0.9), (10, 0.33), (7, 0.75), (1, 0.0)]

pytestmark = pytest.mark.usefixtures("one_thread")


def _tokens(N, L, D, device, dtype):
    # distinct rows, so that a token's position can be recovered from its value
    base = torch.arange(N * L, device=device, dtype=dtype).reshape(N, L, 1)  # (N, L, 1)
    return base + torch.linspace(0, 0.5, D, device=device, dtype=dtype)  # (N, L, D)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("L,ratio", CASES)
def test_keeps_exactly_the_requested_number(device, dtype, L, ratio):
    N, D = 4, 3
    x = _tokens(N, L, D, device, dtype)
    g = torch.Generator(device=device).manual_seed(L)
    x_kept, mask, ids_restore = random_masking(x, ratio, generator=g)
    len_keep = round(L * (1 - ratio))
    assert x_kept.shape == (N, len_keep, D)
    assert mask.shape == (N, L) and ids_restore.shape == (N, L)
    assert mask.device == x.device and mask.dtype == dtype
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert mask.sum(dim=1).tolist() == [float(L - len_keep)] * N
    # ids_restore is a permutation of 0..L-1 in every row
    assert torch.equal(ids_restore.sort(dim=1).values, torch.arange(L, device=device).expand(N, L))


@pytest.mark.parametrize("L,ratio", CASES)
def test_kept_tokens_are_the_unmasked_ones(device, L, ratio):
    N, D = 3, 2
    x = _tokens(N, L, D, device, torch.float64)
    g = torch.Generator(device=device).manual_seed(100 + L)
    x_kept, mask, _ = random_masking(x, ratio, generator=g)
    for n in range(N):
        # reference: the original position of each kept token, found by its value
        positions = [int((x[n, :, 0] == v).nonzero()) for v in x_kept[n, :, 0].tolist()]
        assert len(set(positions)) == len(positions)  # no token kept twice
        expected = torch.ones(L, dtype=torch.float64, device=device)
        expected[positions] = 0
        torch.testing.assert_close(mask[n], expected, atol=0, rtol=0)
        torch.testing.assert_close(x_kept[n], x[n, positions], atol=0, rtol=0)


@pytest.mark.parametrize("L,ratio", CASES)
def test_restore_index_inverts_the_shuffle(device, L, ratio):
    N, D = 3, 5
    x = _tokens(N, L, D, device, torch.float32)
    g = torch.Generator(device=device).manual_seed(7 * L)
    x_kept, mask, ids_restore = random_masking(x, ratio, generator=g)
    mask_token = torch.full((D,), -1.0, device=device)
    restored = unshuffle(x_kept, mask_token, ids_restore)  # (N, L, D)
    # reference, position by position: a kept position holds its own token, a masked one the mask token
    for n in range(N):
        for i in range(L):
            want = x[n, i] if mask[n, i] == 0 else mask_token
            torch.testing.assert_close(restored[n, i], want, atol=0, rtol=0)
    # the shuffle itself: with every token kept (ratio 0) the round trip is the identity
    x_all, mask_all, ids_all = random_masking(x, 0.0, generator=g)
    assert not mask_all.any()
    torch.testing.assert_close(unshuffle(x_all, mask_token, ids_all), x, atol=0, rtol=0)


def test_masks_differ_between_samples_and_draws(device):
    x = torch.zeros(8, 196, 1, device=device)
    g = torch.Generator(device=device).manual_seed(0)
    _, m1, _ = random_masking(x, 0.75, generator=g)
    _, m2, _ = random_masking(x, 0.75, generator=g)
    assert len({tuple(row.tolist()) for row in m1}) == 8  # independent per sample
    assert not torch.equal(m1, m2)
    # the same seed gives the same mask
    _, m3, _ = random_masking(x, 0.75, generator=torch.Generator(device=device).manual_seed(0))
    assert torch.equal(m1, m3)


def test_a_cpu_generator_gives_the_same_mask_on_every_device(device):
    """The noise is drawn where the generator lives: one seed, one mask, wherever x is."""
    x = torch.randn(4, 49, 3, device=device)
    x_kept, mask, ids_restore = random_masking(x, 0.75, generator=torch.Generator("cpu").manual_seed(3))
    _, mask_cpu, ids_cpu = random_masking(x.cpu(), 0.75, generator=torch.Generator("cpu").manual_seed(3))
    assert mask.device == x.device and ids_restore.device == x.device
    assert torch.equal(mask.cpu(), mask_cpu) and torch.equal(ids_restore.cpu(), ids_cpu)
    assert torch.equal(x_kept, torch.gather(x, 1, ids_restore.argsort(dim=1)[:, :12, None].expand(4, 12, 3)))


def test_every_position_is_masked_about_equally_often(device):
    # uniform choice: over 4000 samples each of 16 positions is masked with probability 0.75
    x = torch.zeros(4000, 16, 1, device=device)
    g = torch.Generator(device=device).manual_seed(3)
    _, mask, _ = random_masking(x, 0.75, generator=g)
    freq = mask.double().mean(dim=0)
    se = (0.75 * 0.25 / 4000) ** 0.5
    assert ((freq - 0.75).abs() / se).max() < 5


def test_gradient_flows_to_kept_tokens_only(device):
    x = torch.randn(2, 16, 4, device=device, dtype=torch.float64, requires_grad=True)
    x_kept, mask, _ = random_masking(x, 0.75, generator=torch.Generator(device=device).manual_seed(1))
    x_kept.sum().backward()
    torch.testing.assert_close(x.grad, (1 - mask).unsqueeze(-1).expand_as(x), atol=0, rtol=0)


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5])
def test_bad_ratio_raises(ratio):
    with pytest.raises(ValueError, match="mask_ratio"):
        random_masking(torch.zeros(1, 4, 2), ratio)
