# Generated from docs/papers/moco.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 80aa9a73ab386b64)

# docs/papers/moco.md:116
"""MoCo: momentum encoder, queue of keys, InfoNCE; and the MoCo v3 loss.

He et al., "Momentum Contrast for Unsupervised Visual Representation Learning",
CVPR 2020 (v1), and Chen, Xie & He, "An Empirical Study of Training
Self-Supervised Vision Transformers", ICCV 2021 (v3).
"""

import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


@torch.no_grad()
def momentum_update(encoder_q, encoder_k, m):
    """Eq. (2): theta_k <- m * theta_k + (1 - m) * theta_q, over all parameters at once."""
    theta_q = list(encoder_q.parameters())
    theta_k = list(encoder_k.parameters())
    if len(theta_q) != len(theta_k):
        raise ValueError(f"encoders differ: {len(theta_q)} query parameters, {len(theta_k)} key parameters")
    # Eq. (2) as an interpolation: theta_k + (1 - m) * (theta_q - theta_k), one in-place pass
    torch._foreach_lerp_(theta_k, theta_q, 1 - m)

# docs/papers/moco.md:151
class MoCo(nn.Module):
    """MoCo v1/v2 on one process (no shuffling BN).

    base_encoder: a callable such that base_encoder(num_classes=dim) returns a module
    mapping a batch of images to (B, dim) features (e.g. torchvision's resnet50).
    forward(im_q, im_k) -> (logits, labels): logits (B, 1 + K) / T, labels all 0.
    """

    def __init__(self, base_encoder, dim=128, K=65536, m=0.999, T=0.07):
        super().__init__()
        self.K = K
        self.m = m
        self.T = T
        self.encoder_q = base_encoder(num_classes=dim)
        self.encoder_k = copy.deepcopy(self.encoder_q)  # starts as a copy of the query encoder
        self.encoder_k.requires_grad_(False)  # updated only by momentum, never by gradient
        # The dictionary: K keys as columns, random unit vectors until real keys arrive.
        self.register_buffer("queue", F.normalize(torch.randn(dim, K), dim=0))  # (dim, K)
        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def _dequeue_and_enqueue(self, k):
        B = k.shape[0]
        ptr = int(self.queue_ptr)
        self.queue[:, ptr:ptr + B] = k.T  # (dim, B): the oldest batch is overwritten
        self.queue_ptr[0] = (ptr + B) % self.K

    def forward(self, im_q, im_k):
        B = im_q.shape[0]
        if self.K % B != 0:
            raise ValueError(f"queue size K={self.K} is not a multiple of the batch size {B}")
        q = F.normalize(self.encoder_q(im_q), dim=1)  # (B, dim)
        with torch.no_grad():
            momentum_update(self.encoder_q, self.encoder_k, self.m)
            k = F.normalize(self.encoder_k(im_k), dim=1)  # (B, dim)
        l_pos = (q * k).sum(dim=1, keepdim=True)  # (B, 1): q . k_+
        l_neg = q @ self.queue.clone()  # (B, K): a copy, because the queue changes below
        logits = torch.cat([l_pos, l_neg], dim=1) / self.T  # (B, 1 + K), Eq. (1)
        labels = torch.zeros(B, dtype=torch.long, device=logits.device)  # the positive is class 0
        self._dequeue_and_enqueue(k)
        return logits, labels

# docs/papers/moco.md:247
def contrastive_loss(q, k, T=1.0):
    """MoCo v3 ctr(q, k): InfoNCE over the (N, N) similarity matrix, scaled by 2T."""
    q = F.normalize(q, dim=1)  # (N, dim)
    k = F.normalize(k, dim=1)  # (N, dim)
    logits = q @ k.T / T  # (N, N): positives on the diagonal
    labels = torch.arange(q.shape[0], device=q.device)
    return F.cross_entropy(logits, labels) * (2 * T)


def symmetric_loss(q1, q2, k1, k2, T=1.0):
    """MoCo v3: ctr(q1, k2) + ctr(q2, k1); q from the query encoder, k from the momentum encoder."""
    return contrastive_loss(q1, k2, T) + contrastive_loss(q2, k1, T)


def momentum_schedule(m0, t, total):
    """MoCo v3 cosine schedule: m rises from m0 at t = 0 to 1 at t = total."""
    return 1 - 0.5 * (1 + math.cos(math.pi * t / total)) * (1 - m0)
