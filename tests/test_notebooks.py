"""Notebook pages (docs/notebooks/*.ipynb): they run, their stored outputs are
current, and their rendered pages load nothing from elsewhere.

The site shows each notebook as stored (mkdocs-jupyter ``execute: false``).
Here each one is executed top to bottom in a fresh kernel on the CPU, within
a time bound, and its text outputs (streams, text/plain results) must equal
the stored ones: the data are seeded, so a difference means someone edited a
cell without re-running it (``tools/site/run_notebooks.py`` refreshes them).
Printed decimals may differ in their last digits on another CPU; images are
not compared byte for byte.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from tools.site.hooks.notebooks import add_download_link, strip_remote
from tools.site.run_notebooks import NOTEBOOKS, differences, execute, main, text_outputs

NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
SECONDS_PER_NOTEBOOK = 60


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_notebook_runs_and_its_stored_text_outputs_are_current(path, tmp_path):
    start = time.perf_counter()
    fresh = execute(path, cwd=tmp_path)
    took = time.perf_counter() - start
    assert took < SECONDS_PER_NOTEBOOK, f"{path.name} took {took:.1f} s"
    stored = nbformat.read(path, as_version=4)
    found = differences(text_outputs(fresh), text_outputs(stored))
    assert found == [], f"{path.name} prints something else now; run tools/site/run_notebooks.py"
    assert list(tmp_path.iterdir()) == [], "a notebook wrote files"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_stored_notebook_was_run_in_order_and_shows_a_plot(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        f"{path.name}: not executed top to bottom in one kernel"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], \
        f"{path.name}: warnings in the stored outputs"
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: no plot"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "a title first"
    # No MathJax on the site (tools/site/hooks/notebooks.py removes it): no TeX in Markdown cells.
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert "$" not in cell.source, f"{path.name}: TeX in a Markdown cell would show raw"


def _notebook(tmp_path: Path, *sources: str, outputs: list | None = None) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    if outputs is not None:
        for cell, out in zip(nb.cells, outputs):
            cell.outputs = out
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_failing_cell_fails_the_run(tmp_path):
    path = _notebook(tmp_path, "x = 1", "assert x == 2, 'the claim is wrong'", "print('never')")
    with pytest.raises(CellExecutionError, match="the claim is wrong"):
        execute(path)
    assert main([str(path)]) == 1
    assert nbformat.read(path, as_version=4).cells[2].outputs == []  # nothing saved


def test_a_hanging_cell_times_out(tmp_path):
    path = _notebook(tmp_path, "import time; time.sleep(30)")
    with pytest.raises(CellTimeoutError):
        execute(path, timeout=2)


def test_check_finds_stale_outputs_and_writes_nothing(tmp_path, capsys):
    stale = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    path = _notebook(tmp_path, "print(1)", outputs=[stale])
    before = path.read_bytes()
    assert main(["--check", str(path)]) == 1
    assert "stale outputs" in capsys.readouterr().out
    assert path.read_bytes() == before
    assert main([str(path)]) == 0  # re-executed and saved: now current
    assert main(["--check", str(path)]) == 0


def test_differences_allow_rounding_noise_and_nothing_else():
    stored = [["stdout: loss 0.280  acc 0.934\n", "<Figure size 700x350 with 1 Axes>"], []]
    assert differences(stored, stored) == []
    assert differences([["stdout: loss 0.281  acc 0.933\n", "<Figure size 700x350 with 1 Axes>"], []], stored) == []
    assert differences([["stdout: loss 0.480  acc 0.934\n", "<Figure size 700x350 with 1 Axes>"], []], stored) \
        == ["code cell 1: 0.280 is now 0.480"]
    assert len(differences([["stdout: loss 0.280  acc 0.934\n", "<Figure size 700x350 with 2 Axes>"], []], stored)) == 1
    assert len(differences([["stdout: loss 0.280\n"], []], stored)) == 1
    assert differences([[]], stored) == ["1 code cells now, 2 stored"]


# --- the rendered pages -------------------------------------------------------

NBCONVERT_HEAD = """<style>.jp-Cell{}</style>
<!-- Load mathjax -->
<script src=""> </script>
<script type="text/x-mathjax-config">init_mathjax = function() {}</script>
<script type="module">
  const mermaid = (await import("https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs")).default;
</script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>
<link rel="stylesheet" href="https://unpkg.com/widgets.css">
<script>document.addEventListener('clipboard-copy', () => {})</script>
<script src="../../assets/javascripts/bundle.js"></script>
<div class="jp-Notebook"><a href="https://kaggle.com">a link is not a load</a></div>
"""


def test_strip_remote_removes_what_loads_from_elsewhere_and_keeps_the_rest():
    out, removed = strip_remote(NBCONVERT_HEAD)
    assert len(removed) == 5, removed
    assert "cdnjs" not in out and "unpkg" not in out and "mathjax-config" not in out
    assert 'src=""' not in out and "mathjax" not in out.lower()
    assert "clipboard-copy" in out and "bundle.js" in out and "https://kaggle.com" in out
    assert strip_remote(out) == (out, [])


def test_download_link_goes_under_the_title():
    assert add_download_link("<h1>T</h1><p>x</p>", "a.ipynb") == (
        '<h1>T</h1><p class="notebook-download"><a href="a.ipynb" download>'
        "Download the notebook (a.ipynb)</a></p><p>x</p>")
    assert add_download_link("<p>x</p>", "a.ipynb").endswith("</a></p><p>x</p>")


@pytest.mark.parametrize("variant", ["site", "offline_site"])
def test_notebook_pages_offer_their_ipynb(variant, request):
    build = request.getfixturevalue(variant)
    for path in NOTEBOOK_PATHS:
        pages = [p for p in build.pages() if p.stem in (path.stem, "index") and path.stem in str(p)]
        assert len(pages) == 1, pages
        text = (build.path / pages[0]).read_text(encoding="utf-8")
        assert f'<a href="{path.name}" download>' in text
        assert (build.path / pages[0]).parent.joinpath(path.name).read_bytes() == path.read_bytes()


def test_notebook_pages_are_in_the_site_without_remote_loads(site):
    for path in NOTEBOOK_PATHS:
        page = site.path / "notebooks" / path.stem / "index.html"
        text = page.read_text(encoding="utf-8")
        assert strip_remote(text)[1] == [], f"{page}: still loads from elsewhere"
        assert "cdnjs" not in text and "mathjax" not in text.lower()
        assert '<img alt="No description has been provided for this image" class="" src="data:image/png;base64,' in text
        assert (site.path / "notebooks" / path.stem / path.name).exists(), "the .ipynb is offered for download"
        # Headings keep usable anchors (a Chinese-only heading would get id="").
        ids = re.findall(r'<h[1-6] id="([^"]*)"', text)
        assert ids and "" not in ids and len(ids) == len(set(ids)), ids
    nav = (site.path / "notebooks" / "index.html").read_text(encoding="utf-8")
    for path in NOTEBOOK_PATHS:
        assert f'href="{path.stem}/"' in nav, f"{path.name} missing from the Notebooks section"
