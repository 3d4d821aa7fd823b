"""snippets/detection_segmentation.py: bilinear transposed convolution, paired random crops, Gram.

References: F.interpolate(mode="bilinear", align_corners=False), which must agree with the
bilinear-initialised nn.ConvTranspose2d on the output without its border of scale/2 rows and
columns on each side, and must disagree on that border (zero padding vs edge clamping);
an einsum for the Gram matrix. Tolerances: float64 1e-12, float32 1e-5.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from snippets.detection_segmentation import bilinear_kernel, bilinear_upsampler, gram, random_crop_pair
from tests.support import Largest

ATOL = {torch.float32: 1e-5, torch.float64: 1e-12}
DTYPES = [torch.float32, torch.float64]
LARGEST = Largest("detection_segmentation", atol=ATOL)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [2, 4, 8])
def test_bilinear_transposed_conv_equals_interpolate_inside_the_border(device, dtype, scale):
    g = torch.Generator(device=device).manual_seed(scale)
    x = torch.rand(2, 3, 6, 7, generator=g, device=device, dtype=dtype) + 0.5  # bounded away from 0
    up = bilinear_upsampler(3, scale).to(device=device, dtype=dtype)
    with torch.no_grad():
        ours = up(x)
    ref = F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)
    assert ours.shape == ref.shape == (2, 3, 6 * scale, 7 * scale)
    b = scale // 2  # the border where they differ
    LARGEST.close(f"transposed conv vs interpolate without a {b}-pixel border", ours[..., b:-b, b:-b], ref[..., b:-b, b:-b], dtype)
    # the border itself differs: the transposed convolution pads with zeros, interpolate clamps
    border = torch.ones(6 * scale, 7 * scale, dtype=torch.bool, device=device)
    border[b:-b, b:-b] = False
    differs = ((ours - ref).abs() > 1e-3)[..., border]  # (2, 3, number of border pixels)
    assert differs.all(), "every border pixel should differ for a positive input"


def test_kernel_is_diagonal_in_channels_and_sums_to_scale_squared():
    w = bilinear_kernel(3, 3, 4)
    assert w.shape == (3, 3, 4, 4)
    assert torch.equal(w[0, 1], torch.zeros(4, 4))
    # each input pixel spreads a total weight of scale^2 = 4 over the output: the mean is kept
    torch.testing.assert_close(w[1, 1].sum(), torch.tensor(4.0, dtype=torch.float64))
    f = torch.tensor([0.25, 0.75, 0.75, 0.25], dtype=torch.float64)
    torch.testing.assert_close(w[2, 2], f[:, None] * f[None, :], atol=0, rtol=0)


def test_odd_scale_is_refused():
    with pytest.raises(ValueError, match="even integer"):
        bilinear_upsampler(3, 3)


@pytest.mark.parametrize("generator_on", ["cpu", "device"])
def test_random_crop_keeps_image_and_label_aligned(device, generator_on):
    g = torch.Generator(device if generator_on == "device" else "cpu").manual_seed(0)
    image = torch.arange(5 * 7, dtype=torch.float32, device=device).reshape(1, 5, 7).repeat(3, 1, 1)
    label = torch.arange(5 * 7, device=device).reshape(5, 7)
    corners = set()
    for _ in range(200):
        img, lab = random_crop_pair(image, label, 3, 4, generator=g)
        assert torch.equal(img[0].long(), lab) and torch.equal(img[1], img[0])
        corners.add(int(lab[0, 0]))
    # every one of the (5 - 3 + 1) * (7 - 4 + 1) = 12 placements occurs
    assert len(corners) == 12
    with pytest.raises(ValueError, match="cannot crop"):
        random_crop_pair(image, label, 6, 4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gram_matrix(device, dtype):
    g = torch.Generator(device=device).manual_seed(1)
    X = torch.randn(4, 5, 6, generator=g, device=device, dtype=dtype)
    ref = torch.einsum("chw,dhw->cd", X, X) / (4 * 5 * 6)
    LARGEST.close("gram vs einsum", gram(X), ref, dtype)
    # position-free: permuting the pixels leaves the Gram matrix as it is
    perm = torch.randperm(30, generator=g, device=device)
    LARGEST.close("gram of shuffled pixels", gram(X.reshape(4, 30)[:, perm].reshape(4, 5, 6)), gram(X), dtype)
