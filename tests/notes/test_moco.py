"""snippets/moco.py against a reference written from Algorithm 1 of the MoCo paper.

Tolerances: ../shared REFERENCES.md section 3 (parameters: float32 atol 1e-6,
float64 1e-12). Logits are divided by T = 0.07, so their float32 tolerance is
that of the parameters times 1/T: 1e-5.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from snippets.moco import MoCo, contrastive_loss, momentum_schedule, momentum_update, symmetric_loss
from tests.support import Largest

ATOL_PARAMS = {torch.float32: 1e-6, torch.float64: 1e-12}
ATOL_LOGITS = {torch.float32: 1e-5, torch.float64: 1e-12}
LARGEST = Largest("moco", atol=ATOL_PARAMS)
pytestmark = pytest.mark.usefixtures("one_thread")


def small_encoder(num_classes):
    return nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, num_classes))


class Algorithm1:
    """The training loop of Algorithm 1 (MoCo paper), one step at a time.

    f_k.params = f_q.params; for each minibatch: q = f_q(x_q); k = f_k(x_k).detach();
    l_pos = bmm(q, k); l_neg = mm(q, queue); logits = cat([l_pos, l_neg]);
    CrossEntropyLoss(logits / t, zeros); SGD update of f_q;
    f_k.params = m * f_k.params + (1 - m) * f_q.params; enqueue(queue, k); dequeue(queue).
    The queue is kept oldest-first by concatenation: no ring buffer, no pointer.
    Features are L2-normalised, as the paper's text (not its pseudo-code) says.
    """

    def __init__(self, f_q, queue, m, t, lr):
        self.f_q = copy.deepcopy(f_q)
        self.f_k = copy.deepcopy(f_q)  # f_k.params = f_q.params
        self.queue = queue.clone()  # (C, K), oldest key first
        self.m, self.t = m, t
        self.optimizer = torch.optim.SGD(self.f_q.parameters(), lr=lr)

    def forward(self, x_q, x_k):
        q = F.normalize(self.f_q(x_q), dim=1)  # (N, C)
        k = F.normalize(self.f_k(x_k), dim=1).detach()  # (N, C)
        N, C = q.shape
        l_pos = torch.bmm(q.view(N, 1, C), k.view(N, C, 1)).view(N, 1)  # (N, 1)
        l_neg = torch.mm(q.view(N, C), self.queue.view(C, -1))  # (N, K)
        logits = torch.cat([l_pos, l_neg], dim=1)
        labels = torch.zeros(N, dtype=torch.long, device=q.device)
        self.loss = F.cross_entropy(logits / self.t, labels)
        self.k = k
        return logits / self.t

    def update(self):
        self.optimizer.zero_grad()
        self.loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            for p_k, p_q in zip(self.f_k.parameters(), self.f_q.parameters()):
                p_k.copy_(self.m * p_k + (1 - self.m) * p_q)
        N = self.k.shape[0]
        self.queue = torch.cat([self.queue, self.k.T], dim=1)[:, N:]  # enqueue newest, dequeue oldest


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_matches_algorithm_1(device, dtype):
    torch.manual_seed(0)
    K, B, dim, m, T, lr, steps = 32, 8, 8, 0.9, 0.07, 0.03, 6  # lr 0.03 as in the paper
    moco = MoCo(small_encoder, dim=dim, K=K, m=m, T=T).to(device=device, dtype=dtype)
    ref = Algorithm1(moco.encoder_q, moco.queue, m, T, lr)
    optimizer = torch.optim.SGD(moco.encoder_q.parameters(), lr=lr)
    g = torch.Generator(device=device).manual_seed(1)
    pointers = []
    for step in range(steps):
        x_q = torch.randn(B, 12, generator=g, device=device, dtype=dtype)
        x_k = torch.randn(B, 12, generator=g, device=device, dtype=dtype)
        logits, labels = moco(x_q, x_k)
        expect = ref.forward(x_q, x_k)
        # negatives are scored against the queue before this batch is enqueued; ours is in ring
        # order, the reference oldest-first, so put our negatives in the reference's order
        ptr_before = (step * B) % K
        ours_in_fifo = torch.cat([logits[:, :1], torch.roll(logits[:, 1:], -ptr_before, dims=1)], dim=1)
        LARGEST.close("logits", ours_in_fifo, expect, dtype, atol=ATOL_LOGITS)
        assert labels.dtype == torch.long and (labels == 0).all()
        # the key encoder that produced this step's keys
        for p, p_ref in zip(moco.encoder_k.parameters(), ref.f_k.parameters()):
            LARGEST.close("key encoder", p, p_ref, dtype)

        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ref.update()
        assert all(p.grad is None and not p.requires_grad for p in moco.encoder_k.parameters())

        ptr = int(moco.queue_ptr)
        pointers.append(ptr)
        queue_in_fifo = torch.roll(moco.queue, -ptr, dims=1)
        LARGEST.close("queue", queue_in_fifo, ref.queue, dtype)
        for p, p_ref in zip(moco.encoder_q.parameters(), ref.f_q.parameters()):
            LARGEST.close("query encoder", p, p_ref, dtype)
    assert pointers == [8, 16, 24, 0, 8, 16]


def test_momentum_update_formula(device):
    torch.manual_seed(0)
    f_q, f_k = small_encoder(5).to(device), small_encoder(5).to(device)
    before = [p.clone() for p in f_k.parameters()]
    momentum_update(f_q, f_k, 0.99)
    for p_k, p_0, p_q in zip(f_k.parameters(), before, f_q.parameters()):
        torch.testing.assert_close(p_k, 0.99 * p_0 + 0.01 * p_q, atol=1e-6, rtol=0)  # key moves slowly
    # m = 1 keeps the key encoder, m = 0 copies the query encoder
    momentum_update(f_q, f_k, 0.0)
    assert all(torch.equal(a, b) for a, b in zip(f_k.parameters(), f_q.parameters()))


def test_momentum_update_is_list_wide():
    """One in-place list-wide operation for Eq. (2), not kernels per parameter tensor."""
    f_q, f_k = small_encoder(5), small_encoder(5)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        momentum_update(f_q, f_k, 0.999)
    top_level = [e.name for e in prof.events() if e.cpu_parent is None and e.name.startswith("aten::")]
    assert top_level == ["aten::_foreach_lerp_"], top_level


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_momentum_update_on_a_convnet(device, dtype):
    """Conv weights, BatchNorm affine parameters and biases of several shapes; the buffers
    (running statistics) are the key encoder's own and do not move."""
    torch.manual_seed(0)

    def convnet():
        return nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 1), nn.Flatten())

    f_q, f_k = convnet().to(device, dtype), convnet().to(device, dtype)
    with torch.no_grad():
        for b in f_q.buffers():
            b.add_(1)  # the query encoder's statistics differ from the key encoder's
    before = [p.clone() for p in f_k.parameters()]
    buffers = [b.clone() for b in f_k.buffers()]
    m = 0.999
    momentum_update(f_q, f_k, m)
    for p_k, p_0, p_q in zip(f_k.parameters(), before, f_q.parameters()):
        expect = m * p_0 + (1 - m) * p_q  # Eq. (2) written out
        LARGEST.close("momentum update", p_k, expect, dtype)
    assert all(torch.equal(a, b) for a, b in zip(f_k.buffers(), buffers))


def test_queue_size_must_be_multiple_of_batch(device):
    moco = MoCo(small_encoder, dim=4, K=30, m=0.9).to(device)
    queue, params = moco.queue.clone(), [p.clone() for p in moco.encoder_k.parameters()]
    with pytest.raises(ValueError, match="K=30 is not a multiple of the batch size 8"):
        moco(torch.randn(8, 12, device=device), torch.randn(8, 12, device=device))
    # nothing moved
    assert torch.equal(moco.queue, queue) and int(moco.queue_ptr) == 0
    assert all(torch.equal(a, b) for a, b in zip(moco.encoder_k.parameters(), params))


def test_defaults_and_initial_state(device):
    moco = MoCo(small_encoder).to(device)
    assert (moco.queue.shape, moco.m, moco.T) == ((128, 65536), 0.999, 0.07)
    torch.testing.assert_close(moco.queue.norm(dim=0), torch.ones(65536, device=device), atol=1e-5, rtol=0)
    assert all(torch.equal(a, b) for a, b in zip(moco.encoder_q.parameters(), moco.encoder_k.parameters()))
    assert not any(p.requires_grad for p in moco.encoder_k.parameters())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_v3_loss_formula(device, dtype):
    g = torch.Generator(device=device).manual_seed(3)
    N, dim, T = 6, 5, 0.2
    q1, q2, k1, k2 = (torch.randn(N, dim, generator=g, device=device, dtype=dtype) for _ in range(4))

    def ctr(q, k):  # one row at a time, the formula as written
        q, k = q / q.norm(dim=1, keepdim=True), k / k.norm(dim=1, keepdim=True)
        total = 0.0
        for i in range(N):
            scores = torch.stack([q[i] @ k[j] / T for j in range(N)])
            total = total - (scores[i] - torch.logsumexp(scores, dim=0))
        return 2 * T * total / N

    ours = symmetric_loss(q1, q2, k1, k2, T=T)
    expect = ctr(q1, k2) + ctr(q2, k1)
    LARGEST.close("v3 loss", ours, expect, dtype, atol={torch.float32: 1e-5, torch.float64: 1e-12})
    assert contrastive_loss(q1, k2, T).item() == pytest.approx(ctr(q1, k2).item(), abs=1e-5)


def test_v3_momentum_schedule():
    assert momentum_schedule(0.99, 0, 100) == pytest.approx(0.99, abs=1e-15)
    assert momentum_schedule(0.99, 50, 100) == pytest.approx(0.995, abs=1e-15)
    assert momentum_schedule(0.99, 100, 100) == pytest.approx(1.0, abs=1e-15)
