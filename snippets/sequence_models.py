# Generated from docs/courses/sequence-models.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 0fbb34ad79690bda)

# docs/courses/sequence-models.md:141
"""Sequence models (Dive into Deep Learning, chapter 8): vocabulary, time-major batches, clipping."""

import collections
import math

import torch
import torch.nn.functional as F


class Vocab:
    """Token <-> index. '<unk>' is index 0, then reserved tokens, then tokens by descending
    frequency (ties in order of first appearance); tokens seen fewer than min_freq times are left out."""

    def __init__(self, tokens, min_freq=0, reserved_tokens=()):
        counter = collections.Counter(tokens)
        self.token_freqs = sorted(counter.items(), key=lambda kv: kv[1], reverse=True)  # stable
        self.idx_to_token = ["<unk>", *reserved_tokens]
        self.idx_to_token += [t for t, n in self.token_freqs if n >= min_freq and t not in self.idx_to_token]
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, token):
        return self.token_to_idx.get(token, 0)  # unknown tokens map to <unk>


def time_major_one_hot(X, vocab_size):
    """X (B, T) of token indices -> (T, B, V) float: X[t] is time step t for the whole batch."""
    return F.one_hot(X.T, vocab_size).float()  # X.T: (T, B)


def grad_clipping(params, theta):
    """Scale all gradients together so that their joint L2 norm is at most theta.

    Returns the norm before clipping, as torch.nn.utils.clip_grad_norm_ does.
    """
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.sqrt(sum((g**2).sum() for g in grads))  # || g || over all parameters
    if norm > theta:
        for g in grads:
            g.mul_(theta / norm)
    return norm


def shares_storage(a, b):
    """True when a and b look into the same memory (one is a view of the other)."""
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
