"""Execute the notebook pages top to bottom and save them with their outputs.

The site shows notebooks as they are stored (mkdocs-jupyter ``execute: false``),
so a notebook's outputs must be refreshed here after an edit:

    .venv/bin/python tools/site/run_notebooks.py                  # every docs/notebooks/*.ipynb
    .venv/bin/python tools/site/run_notebooks.py docs/notebooks/hm-eda.ipynb
    .venv/bin/python tools/site/run_notebooks.py --check          # stale outputs -> exit 1

tests/test_notebooks.py runs the same execution and compares text outputs.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "docs" / "notebooks"
CELL_TIMEOUT_S = 60


def execute(path: Path, cwd: Path | None = None, timeout: int = CELL_TIMEOUT_S) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel; raise CellExecutionError on the first failing cell."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    client.execute()
    return nb


def text_outputs(nb: nbformat.NotebookNode) -> list[list[str]]:
    """Per code cell, its text: streams, text/plain results, errors. Images are left out."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(f"{out.name}: {out.text}")
            elif out.output_type in ("execute_result", "display_data"):
                texts.append(out.get("data", {}).get("text/plain", ""))
            elif out.output_type == "error":
                texts.append(f"error: {out.ename}: {out.evalue}")
        cells.append(texts)
    return cells


DECIMAL = re.compile(r"-?\d+\.\d+")
# Printed decimals may move in the last digit on another CPU (its float kernels
# round differently, and training amplifies that); anything larger is a change.
REL_TOL, ABS_TOL = 0.02, 0.01


def differences(now: list[list[str]], stored: list[list[str]]) -> list[str]:
    """Where two notebooks' text outputs differ: the text with its decimal
    numbers blanked out must be equal, and each decimal close to its
    counterpart. Integers (counts, sizes) must match exactly."""
    if len(now) != len(stored):
        return [f"{len(now)} code cells now, {len(stored)} stored"]
    found = []
    for i, (a, b) in enumerate(zip(now, stored), start=1):
        a, b = "\n".join(a), "\n".join(b)
        if DECIMAL.sub("#", a) != DECIMAL.sub("#", b):
            found.append(f"code cell {i}: {b!r} is now {a!r}")
            continue
        for x, y in zip(DECIMAL.findall(a), DECIMAL.findall(b)):
            if not math.isclose(float(x), float(y), rel_tol=REL_TOL, abs_tol=ABS_TOL):
                found.append(f"code cell {i}: {y} is now {x}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: docs/notebooks/*.ipynb")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a notebook's text outputs differ from a fresh run")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    status = 0
    for path in paths:
        start = time.perf_counter()
        try:
            nb = execute(path)
        except CellExecutionError as exc:
            print(f"{path}: a cell failed\n{exc}", file=sys.stderr)
            status = 1
            continue
        took = time.perf_counter() - start
        if args.check:
            found = differences(text_outputs(nb), text_outputs(nbformat.read(path, as_version=4)))
            stale = bool(found)
            print(f"{path}: {'stale outputs' if stale else 'up to date'} ({took:.1f} s)")
            for line in found:
                print(f"  {line}")
            status |= stale
        else:
            nbformat.write(nb, path)
            print(f"{path}: executed and saved ({took:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
