# Generated from docs/courses/attention-transformer.md by tools/extract; edit the note, not this file. (sha256 of the lines below: f298f58851c17d29)

# docs/courses/attention-transformer.md:135
"""Positional encoding, layer norm and BERT's pre-training data (Dive into Deep Learning 10.6, 15.8, 15.9)."""

import torch


def positional_encoding(max_len, d, dtype=torch.float32, device=None):
    """P (max_len, d): P[i, 2j] = sin(i * w_j), P[i, 2j+1] = cos(i * w_j), w_j = 10000 ** (-2j / d)."""
    i = torch.arange(max_len, dtype=dtype, device=device).reshape(-1, 1)  # (max_len, 1)
    w = torch.pow(10000, -torch.arange(0, d, 2, dtype=dtype, device=device) / d)  # (d/2,)
    P = torch.zeros(max_len, d, dtype=dtype, device=device)
    P[:, 0::2] = torch.sin(i * w)
    P[:, 1::2] = torch.cos(i * w)
    return P


def offset_matrix(delta, d, dtype=torch.float32, device=None):
    """M (d, d), block diagonal with 2x2 rotations by delta * w_j: P[i + delta] = P[i] @ M for every i."""
    w = torch.pow(10000, -torch.arange(0, d, 2, dtype=dtype, device=device) / d)
    c, s = torch.cos(delta * w), torch.sin(delta * w)  # (d/2,) each
    M = torch.zeros(d, d, dtype=dtype, device=device)
    M[0::2, 0::2] = torch.diag(c)  # sin' = sin cos(dw) + cos sin(dw)
    M[1::2, 0::2] = torch.diag(s)
    M[0::2, 1::2] = torch.diag(-s)  # cos' = cos cos(dw) - sin sin(dw)
    M[1::2, 1::2] = torch.diag(c)
    return M


def layer_norm(X, gamma, beta, eps=1e-5):
    """Normalise each token over its own d features: X (..., d); gamma, beta (d,)."""
    mean = X.mean(dim=-1, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=-1, keepdim=True)  # biased, as nn.LayerNorm
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta


def mlm_mask(tokens, vocab_size, mask_id, generator=None, p=0.15):
    """BERT's masked-LM corruption of a batch of token ids (any shape).

    Each position is chosen with probability p; a chosen position becomes mask_id with
    probability 0.8, a uniformly random token with 0.1, and stays as it is with 0.1.
    Returns (corrupted tokens, chosen: bool mask of the positions to predict).
    """
    u = torch.rand(tokens.shape, generator=generator, device=tokens.device)
    chosen = u < p
    v = torch.rand(tokens.shape, generator=generator, device=tokens.device)  # which of 80/10/10
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=tokens.device)
    out = tokens.clone()
    out = torch.where(chosen & (v < 0.8), torch.full_like(tokens, mask_id), out)
    out = torch.where(chosen & (v >= 0.8) & (v < 0.9), random_tokens, out)
    return out, chosen


def nsp_pair(sentence, next_sentence, corpus, generator=None):
    """Next sentence prediction: (A, B, is_next). With probability 1/2 B is the true next
    sentence, otherwise a sentence drawn uniformly from corpus."""
    if torch.rand((), generator=generator) < 0.5:
        return sentence, next_sentence, True
    j = int(torch.randint(len(corpus), (), generator=generator))
    return sentence, corpus[j], False
