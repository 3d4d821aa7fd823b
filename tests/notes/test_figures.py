"""The figures in docs/assets/figures/ are what their scripts in tools/figures/ write.

A figure edited by hand, or a script changed without rerunning it, fails here.
The generator always writes into pytest's tmp_path, never into the checkout.
"""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "figures" / "clip_similarity.py"
COMMITTED = ROOT / "docs" / "assets" / "figures" / "clip-similarity.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def clip_similarity():
    """Import the script as a module without needing tools/ to be a package."""
    spec = importlib.util.spec_from_file_location("clip_similarity", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_svg_is_up_to_date(clip_similarity, tmp_path):
    out = tmp_path / "clip-similarity.svg"
    assert clip_similarity.main(["--out", str(out)]) == 0
    assert COMMITTED.is_file(), f"{COMMITTED.relative_to(ROOT)} is missing; run python {clip_similarity.SOURCE}"
    assert out.read_bytes() == COMMITTED.read_bytes(), (
        f"{COMMITTED.relative_to(ROOT)} is stale; run python {clip_similarity.SOURCE}"
    )


def test_generator_is_deterministic(clip_similarity, tmp_path):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    assert clip_similarity.main(["--out", str(first)]) == 0
    assert clip_similarity.main(["--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_check_mode(clip_similarity, tmp_path, capsys):
    out = tmp_path / "clip-similarity.svg"
    # Missing file: stale.
    assert clip_similarity.main(["--check", "--out", str(out)]) == 1
    assert "missing" in capsys.readouterr().err
    # Fresh file: up to date, and --check writes nothing.
    assert clip_similarity.main(["--out", str(out)]) == 0
    before = out.read_bytes()
    assert clip_similarity.main(["--check", "--out", str(out)]) == 0
    assert out.read_bytes() == before
    # A hand edit: stale, named in the message, and left as the user wrote it.
    edited = before.replace(b"0.78", b"0.99")
    assert edited != before
    out.write_bytes(edited)
    capsys.readouterr()
    assert clip_similarity.main(["--check", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stale" in err and "clip-similarity.svg" in err
    assert out.read_bytes() == edited


def test_svg_has_n_by_n_cells_and_a_positive_diagonal(clip_similarity):
    root = ET.fromstring(COMMITTED.read_bytes())
    assert root.tag == SVG_NS + "svg"
    n = len(clip_similarity.PAIRS)
    cells = [r for r in root.iter(SVG_NS + "rect") if "cell" in r.get("class", "").split()]
    assert len(cells) == n * n
    assert {(int(c.get("data-i")), int(c.get("data-j"))) for c in cells} == {
        (i, j) for i in range(n) for j in range(n)
    }
    positives = [c for c in cells if "positive" in c.get("class").split()]
    assert sorted((int(c.get("data-i")), int(c.get("data-j"))) for c in positives) == [(i, i) for i in range(n)]
    # The toy batch behaves like a trained CLIP batch: each image's own caption
    # is its most similar text, and each caption's own image its most similar image.
    value = {(int(c.get("data-i")), int(c.get("data-j"))): float(c.get("data-value")) for c in cells}
    for i in range(n):
        assert max(range(n), key=lambda j: value[i, j]) == i
        assert max(range(n), key=lambda k: value[k, i]) == i
    assert all(-1.0 <= v <= 1.0 for v in value.values())


def test_cosine_matrix_matches_torch(clip_similarity):
    torch = pytest.importorskip("torch")
    images, texts = clip_similarity.toy_embeddings()
    ours = torch.tensor(clip_similarity.cosine_matrix(images, texts), dtype=torch.float64)
    img = torch.tensor(images, dtype=torch.float64)  # (n, d)
    txt = torch.tensor(texts, dtype=torch.float64)  # (n, d)
    ref = torch.nn.functional.cosine_similarity(img[:, None, :], txt[None, :, :], dim=-1)  # (n, n)
    torch.testing.assert_close(ours, ref, atol=1e-12, rtol=0)
