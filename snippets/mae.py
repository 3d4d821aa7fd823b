# Generated from docs/papers/mae.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 952498c411fe57fb)

# docs/papers/mae.md:84
"""MAE: per-sample random masking by argsort of noise, and the inverse shuffle.

He et al., "Masked Autoencoders Are Scalable Vision Learners", CVPR 2022, Sec. 3.
"""

import torch


def random_masking(x, mask_ratio, generator=None):
    """Keep round(L * (1 - mask_ratio)) tokens of each sample, chosen uniformly at random.

    x: (N, L, D) patch embeddings. Returns
      x_kept      (N, L_keep, D): the visible tokens, in shuffled order;
      mask        (N, L): 0 where a token is kept, 1 where it is masked, in the original order;
      ids_restore (N, L): gathering [x_kept, mask tokens] with it restores the original order.
    """
    if not 0.0 <= mask_ratio < 1.0:
        raise ValueError(f"mask_ratio must be in [0, 1), got {mask_ratio}")
    N, L, D = x.shape
    len_keep = round(L * (1 - mask_ratio))
    # one uniform number per token; the smallest len_keep are kept. It is drawn where the
    # generator lives, so a CPU generator gives the same mask whatever device x is on.
    where = x.device if generator is None else generator.device
    noise = torch.rand(N, L, generator=generator, device=where).to(x.device)  # (N, L)
    ids_shuffle = torch.argsort(noise, dim=1)  # (N, L): position in the shuffle -> token index
    ids_restore = torch.argsort(ids_shuffle, dim=1)  # (N, L): token index -> position in the shuffle
    ids_keep = ids_shuffle[:, :len_keep]  # (N, L_keep)
    x_kept = torch.gather(x, 1, ids_keep.unsqueeze(-1).expand(N, len_keep, D))  # (N, L_keep, D)
    # the mask in shuffled order is [0] * len_keep + [1] * (L - len_keep); unshuffle it
    mask = torch.ones(N, L, device=x.device, dtype=x.dtype)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, 1, ids_restore)  # (N, L)
    return x_kept, mask, ids_restore


def unshuffle(x_kept, mask_token, ids_restore):
    """The decoder's first step: append mask tokens, then put every token back in place.

    x_kept: (N, L_keep, D); mask_token: (D,) or (1, 1, D); returns (N, L, D).
    """
    N, len_keep, D = x_kept.shape
    L = ids_restore.shape[1]
    fill = mask_token.reshape(1, 1, D).expand(N, L - len_keep, D)  # (N, L - L_keep, D)
    full = torch.cat([x_kept, fill], dim=1)  # (N, L, D), still in shuffled order
    return torch.gather(full, 1, ids_restore.unsqueeze(-1).expand(N, L, D))  # (N, L, D)
