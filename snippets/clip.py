# Generated from docs/papers/clip.md by tools/extract; edit the note, not this file. (sha256 of the lines below: 2e00a2c67993144b)

# docs/papers/clip.md:220
"""CLIP's symmetric contrastive loss over the n x n image-text similarity matrix.

Radford et al., "Learning Transferable Visual Models From Natural Language
Supervision", ICML 2021, Figure 3.
"""

import torch
import torch.nn.functional as F


def clip_loss(image_features, text_features, logit_scale):
    """Mean of the image->text and text->image cross-entropies; pair i is (image i, text i).

    image_features, text_features: (n, d), not yet normalised; logit_scale: 1 / tau,
    a float or a 0-d tensor (exp of the learned log-scale).
    """
    image_features = F.normalize(image_features, dim=-1)  # I_e = l2_normalize(I_f): (n, d)
    text_features = F.normalize(text_features, dim=-1)  # T_e: (n, d)
    logits = logit_scale * image_features @ text_features.T  # (n, n): cosine S_ij / tau
    labels = torch.arange(logits.shape[0], device=logits.device)  # the diagonal is positive
    loss_i = F.cross_entropy(logits, labels)  # rows: each image picks its text
    loss_t = F.cross_entropy(logits.T, labels)  # columns: each text picks its image
    return (loss_i + loss_t) / 2
