# Generated from docs/courses/detection-segmentation.md by tools/extract; edit the note, not this file. (sha256 of the lines below: dbda2d49e8ebc287)

# docs/courses/detection-segmentation.md:125
"""Detection and segmentation pieces (Dive into Deep Learning 13.9, 13.10, 13.11)."""

import torch
from torch import nn


def random_crop_pair(image, label, height, width, generator=None):
    """The same random (height, width) crop of an image (C, H, W) and its label map (H, W)."""
    H, W = label.shape
    if H < height or W < width:
        raise ValueError(f"cannot crop {height}x{width} from {H}x{W}")
    where = None if generator is None else generator.device  # draw where the generator lives
    top = int(torch.randint(H - height + 1, (), generator=generator, device=where))
    left = int(torch.randint(W - width + 1, (), generator=generator, device=where))
    return (
        image[:, top : top + height, left : left + width],
        label[top : top + height, left : left + width],
    )


def bilinear_kernel(in_channels, out_channels, kernel_size):
    """Transposed-convolution weight (in, out, k, k) that performs bilinear upsampling (FCN)."""
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    t = torch.arange(kernel_size, dtype=torch.float64)
    f = 1 - (t - center).abs() / factor  # (k,): the 1-D triangle
    filt = f.reshape(-1, 1) * f.reshape(1, -1)  # (k, k)
    weight = torch.zeros(in_channels, out_channels, kernel_size, kernel_size, dtype=torch.float64)
    idx = torch.arange(min(in_channels, out_channels))
    weight[idx, idx] = filt  # channel i -> channel i only
    return weight


def bilinear_upsampler(channels, scale):
    """nn.ConvTranspose2d that upsamples by an even integer scale, initialised bilinearly."""
    if scale < 2 or scale % 2:
        raise ValueError(f"scale must be an even integer >= 2, got {scale}")
    up = nn.ConvTranspose2d(channels, channels, kernel_size=2 * scale, stride=scale, padding=scale // 2, bias=False)
    with torch.no_grad():
        up.weight.copy_(bilinear_kernel(channels, channels, 2 * scale))
    return up


def gram(X):
    """Gram matrix of one feature map X (c, h, w): (c, c), normalised by c * h * w."""
    c, n = X.shape[0], X[0].numel()
    X = X.reshape(c, n)  # (c, h*w)
    return X @ X.T / (c * n)
