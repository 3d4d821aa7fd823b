"""The TeX corpus (tests/data/tex/corpus.yml): the formulas the build must convert and the
typos it must refuse. Read by tests/test_tex.py and by this log's benchmark tools/bench/tex.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent / "data" / "tex" / "corpus.yml"


@dataclass(frozen=True)
class Formula:
    source: str  # "seeds/001:21" or "own/<topic>"
    tex: str
    display: bool


def load(path: Path = CORPUS) -> tuple[list[Formula], list[dict]]:
    """The corpus's formulas, and its typos ({tex, why})."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    formulas = [Formula(s["from"], s["tex"], s["display"]) for s in data["seeds"]]
    formulas += [Formula(f"own/{topic}", tex, True) for topic, texs in data["own"].items() for tex in texs]
    return formulas, data["typos"]
