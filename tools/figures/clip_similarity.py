"""Draw CLIP's n x n image-text similarity matrix for one toy batch.

Writes docs/assets/figures/clip-similarity.svg, the figure in
docs/papers/clip.md. Row i is image I_i, column j is text T_j, and cell (i, j)
is the cosine similarity <I_i, T_j> of their L2-normalised embeddings. The n
diagonal cells are the matched pairs (the positives of the contrastive loss);
the n^2 - n others are negatives.

The embeddings are a toy: each concept has a vector made of a shared "group"
direction (animals, vehicles, food) plus its own direction, and the image and
the text of a pair are that concept vector plus independent noise. So the
diagonal is the largest entry of each row, and pairs from the same group (dog
and cat) are visibly more similar than pairs from different groups: the hard
negatives of the batch.

The output is deterministic: only the standard library is used, random
numbers come from ``random.Random(seed).random()`` (Mersenne Twister, stable
across Python versions and platforms), and the arithmetic is +, *, / and
sqrt, which IEEE 754 rounds the same way everywhere.

Usage:
    python tools/figures/clip_similarity.py            # (re)write the SVG
    python tools/figures/clip_similarity.py --check    # exit 1 if it is stale
    python tools/figures/clip_similarity.py --out /tmp/x.svg
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "docs" / "assets" / "figures" / "clip-similarity.svg"
SOURCE = "tools/figures/clip_similarity.py"

# One batch of n = 6 image-text pairs: (caption, group).
PAIRS: tuple[tuple[str, str], ...] = (
    ("a photo of a dog", "animal"),
    ("a photo of a cat", "animal"),
    ("a photo of a car", "vehicle"),
    ("a photo of a plane", "vehicle"),
    ("a photo of a pizza", "food"),
    ("a photo of a bowl of noodles", "food"),
)
DIM = 32  # embedding width d
SEED = 7
GROUP_WEIGHT = 0.9  # how much of a concept is its group direction
NOISE = 0.8  # how far an image or a caption strays from its concept


# -----------------------------------------------------------------------------
# The toy computation
# -----------------------------------------------------------------------------


def _normalise(v: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


def _uniform_vector(rng: random.Random, dim: int) -> list[float]:
    # Uniform in [-1, 1): only rng.random(), no libm functions, so bit-exact.
    return [2.0 * rng.random() - 1.0 for _ in range(dim)]


def toy_embeddings(
    pairs: tuple[tuple[str, str], ...] = PAIRS, dim: int = DIM, seed: int = SEED
) -> tuple[list[list[float]], list[list[float]]]:
    """Return (image_features, text_features): n unit vectors each, in R^dim."""
    rng = random.Random(seed)
    groups = sorted({group for _, group in pairs})
    group_vec = {g: _normalise(_uniform_vector(rng, dim)) for g in groups}
    images, texts = [], []
    for _, group in pairs:
        own = _normalise(_uniform_vector(rng, dim))
        concept = [GROUP_WEIGHT * g + o for g, o in zip(group_vec[group], own)]
        image = [c + NOISE * e for c, e in zip(concept, _normalise(_uniform_vector(rng, dim)))]
        text = [c + NOISE * e for c, e in zip(concept, _normalise(_uniform_vector(rng, dim)))]
        images.append(_normalise(image))
        texts.append(_normalise(text))
    return images, texts


def cosine_matrix(images: list[list[float]], texts: list[list[float]]) -> list[list[float]]:
    """S[i][j] = <I_i, T_j>; the inputs are already unit vectors."""
    return [[sum(a * b for a, b in zip(img, txt)) for txt in texts] for img in images]


# -----------------------------------------------------------------------------
# Drawing
# -----------------------------------------------------------------------------

CELL = 64
LEFT = 250  # room for the image labels
TOP = 200  # room for the title and the rotated caption labels
LEGEND_GAP = 28
LEGEND_W = 18
ZERO = (255, 255, 255)  # colour of similarity 0 (white) ...
HIGH = (40, 53, 147)  # ... of +1 (Material indigo 800) ...
LOW = (176, 164, 150)  # ... and of -1 (a warm grey): a diverging scale
POSITIVE = "#e65100"  # outline of the diagonal (deep orange)


def _colour(value: float) -> str:
    """Map a cosine similarity in [-1, 1] to a colour: LOW at -1, ZERO at 0, HIGH at +1."""
    t = min(1.0, max(-1.0, value))
    end = HIGH if t >= 0 else LOW
    rgb = (round(z + (e - z) * abs(t)) for z, e in zip(ZERO, end))
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _ink(value: float) -> str:
    """Dark text on light cells, white text on dark ones."""
    return "#ffffff" if value > 0.5 else "#1a1a1a"


def render_svg(matrix: list[list[float]], captions: list[str]) -> str:
    """The SVG document for an n x n similarity matrix (rows: images, columns: texts)."""
    n = len(matrix)
    grid = n * CELL
    width = LEFT + grid + LEGEND_GAP + LEGEND_W + 60
    height = TOP + grid + 70
    out: list[str] = []
    add = out.append
    add('<?xml version="1.0" encoding="UTF-8"?>')
    add(f"<!-- Generated by {SOURCE}; edit the script and rerun it, not this file. -->")
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
        f'role="img" aria-labelledby="title desc">'
    )
    add(f'<title id="title">CLIP: {n} x {n} image-text cosine similarity matrix of one batch</title>')
    add(
        '<desc id="desc">Rows are images I1 to I{n}, columns are texts T1 to T{n}. '
        "The diagonal cells are the matched (positive) pairs; every other cell is a negative.</desc>".format(n=n)
    )
    add(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    add(
        f'<text x="{LEFT + grid / 2:g}" y="28" text-anchor="middle" font-size="17" font-weight="bold" '
        f'fill="#1a1a1a">Cosine similarity S = I T\u1d40 of one batch (n = {n})</text>'
    )
    # Column labels: text encoder inputs, rotated.
    add(
        f'<text x="{LEFT + grid / 2:g}" y="56" text-anchor="middle" font-size="14" '
        f'fill="#1a1a1a">texts T1 ... T{n} (text encoder)</text>'
    )
    for j, caption in enumerate(captions):
        x = LEFT + j * CELL + CELL / 2
        y = TOP - 10
        add(
            f'<text x="{x:g}" y="{y}" font-size="12" fill="#1a1a1a" '
            f'transform="rotate(-40 {x:g} {y})">T{j + 1}: {escape(caption)}</text>'
        )
    # Row labels: image encoder inputs.
    add(
        f'<text x="18" y="{TOP + grid / 2:g}" text-anchor="middle" font-size="14" fill="#1a1a1a" '
        f'transform="rotate(-90 18 {TOP + grid / 2:g})">images I1 ... I{n} (image encoder)</text>'
    )
    for i, caption in enumerate(captions):
        y = TOP + i * CELL + CELL / 2 + 4
        subject = caption.removeprefix("a photo of ")
        add(
            f'<text x="{LEFT - 10}" y="{y:g}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">I{i + 1}: image of {escape(subject)}</text>'
        )
    # The cells.
    add('<g id="cells">')
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            x, y = LEFT + j * CELL, TOP + i * CELL
            kind = "positive" if i == j else "negative"
            add(
                f'<rect class="cell {kind}" data-i="{i}" data-j="{j}" data-value="{value:.4f}" '
                f'x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{_colour(value)}" '
                f'stroke="#9e9e9e" stroke-width="0.5"/>'
            )
            add(
                f'<text x="{x + CELL / 2:g}" y="{y + CELL / 2 + 5:g}" text-anchor="middle" '
                f'font-size="14" fill="{_ink(value)}">{value:.2f}</text>'
            )
    add("</g>")
    # Highlight the positives on top of the grid so their outline is not covered.
    add('<g id="positives" fill="none" stroke="{}" stroke-width="3.5">'.format(POSITIVE))
    for i in range(n):
        add(f'<rect x="{LEFT + i * CELL + 2}" y="{TOP + i * CELL + 2}" width="{CELL - 4}" height="{CELL - 4}"/>')
    add("</g>")
    # Legend: a colour bar from -1 to 1 and a key for the outline.
    lx = LEFT + grid + LEGEND_GAP
    steps = 20
    add('<g id="legend">')
    for k in range(steps):
        value = 1.0 - 2.0 * k / steps
        add(
            f'<rect x="{lx}" y="{TOP + k * grid / steps:g}" width="{LEGEND_W}" '
            f'height="{grid / steps + 0.5:g}" fill="{_colour(value)}"/>'
        )
    add(f'<rect x="{lx}" y="{TOP}" width="{LEGEND_W}" height="{grid}" fill="none" stroke="#9e9e9e"/>')
    for label, y in (("+1", TOP), ("0", TOP + grid / 2), ("\u22121", TOP + grid)):
        add(f'<text x="{lx + LEGEND_W + 6}" y="{y + 4:g}" font-size="12" fill="#1a1a1a">{label}</text>')
    key_y = TOP + grid + 34
    add(
        f'<rect x="{LEFT}" y="{key_y - 13}" width="16" height="16" fill="none" '
        f'stroke="{POSITIVE}" stroke-width="3"/>'
    )
    add(
        f'<text x="{LEFT + 24}" y="{key_y}" font-size="13" fill="#1a1a1a">'
        f"positive pair (diagonal, n = {n}); the other n\u00b2 \u2212 n = {n * n - n} cells are negatives</text>"
    )
    add("</g>")
    add("</svg>")
    return "\n".join(out) + "\n"


def build() -> str:
    """The SVG this script writes."""
    images, texts = toy_embeddings()
    return render_svg(cosine_matrix(images, texts), [caption for caption, _ in PAIRS])


# -----------------------------------------------------------------------------
# Command line
# -----------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="SVG to write or check (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the SVG differs from what would be written")
    args = parser.parse_args(argv)

    svg = build().encode("utf-8")
    where = _display(args.out)
    if args.check:
        if not args.out.is_file():
            print(f"{where}: missing; run python {SOURCE}", file=sys.stderr)
            return 1
        if args.out.read_bytes() != svg:
            print(f"{where}: stale; run python {SOURCE} to regenerate it", file=sys.stderr)
            return 1
        print(f"{where}: up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.is_file() and args.out.read_bytes() == svg:
        print(f"{where}: unchanged")
    else:
        args.out.write_bytes(svg)
        print(f"{where}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
