"""The home page's verified-code table and the badges on exported blocks, as a
reader meets them: module names on one line, a short mark with its details on
hover, a link to the page that explains the records (docs/verified.md)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from tools.site.hooks.badges import devices_of, mark
from tools.site.hooks.home import summary

PAGES = {"index.md": "# Home\n", "verified.md": "# Verified code\n"}
CPU = {"date": "2026-11-23", "device_name": "AMD EPYC", "tests_passed": 9, "torch": "2.15.0+cu132"}
CUDA = {"date": "2026-11-24", "device_name": "NVIDIA H100 80GB HBM3", "tests_passed": 9, "torch": "2.11.0+cu130"}


def _snippets(tmp_path, modules: dict[str, dict]):
    """snippets/ with one module per name and verified.json giving each the devices named."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "__init__.py").write_text("")
    records = {}
    for name, devices in modules.items():
        code = f"{name} = 1\n"
        (tmp_path / f"{name}.py").write_text(code)
        records[name] = {"sha256": hashlib.sha256(code.encode()).hexdigest(), "devices": devices}
    (tmp_path / "verified.json").write_text(json.dumps(records))
    return tmp_path


def _intro(text: str) -> str:
    return text.split("## Verified code\n\n", 1)[1].split("\n", 1)[0]


def test_the_intro_names_the_devices_verified_json_has(tmp_path):
    both = _snippets(tmp_path / "a", {"moco": {"cpu": CPU, "cuda": CUDA}, "clip": {"cpu": CPU, "cuda": CUDA}})
    assert " on CPU and CUDA;" in _intro(summary(PAGES, both))
    mixed = _snippets(tmp_path / "b", {"moco": {"cpu": CPU, "cuda": CUDA}, "adam": {"cpu": CPU}, "gcn": {"cpu": CPU}})
    assert "on CPU and CUDA (1 module) and on CPU only (2 modules);" in _intro(summary(PAGES, mixed))
    cpu = _snippets(tmp_path / "c", {"adam": {"cpu": CPU}})
    intro = _intro(summary(PAGES, cpu))
    assert " on CPU;" in intro and "CUDA" not in intro
    assert "[what verified means](verified.md)" in intro


def test_the_table_shows_a_short_mark_and_the_record_as_its_title(tmp_path):
    snippets = _snippets(tmp_path, {"moco": {"cpu": CPU, "cuda": CUDA}})
    row = [line for line in summary(PAGES, snippets).splitlines() if line.startswith("| `snippets/moco.py`")][0]
    assert row == ('| `snippets/moco.py` | [✓ CPU · CUDA](verified.md#module-moco "verified on CPU (9 tests, '
                   'AMD EPYC, torch 2.15.0, 2026-11-23) and CUDA (9 tests, NVIDIA H100 80GB HBM3, torch 2.11.0, '
                   '2026-11-24)") |')
    assert mark(True, devices_of({"devices": {"cuda": CUDA, "cpu": CPU}})) == "✓ CPU · CUDA"
    assert mark(False, ["CPU"]) == "✗ not verified"


# -- in Chromium, on the built site ------------------------------------------------

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    if not find_chromium():
        pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}")
    with chromium("tests/test_reader_home.py") as browser:
        yield browser


@pytest.fixture(scope="module")
def server(site):
    with serve(site.path) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_module_names_are_not_broken_in_the_table(browser, server, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server)
    cells = page.eval_on_selector_all(
        ".papernotes-verified-table td:first-child code",
        """codes => codes.map(code => ({text: code.textContent, lines: code.getClientRects().length,
                                      height: code.getBoundingClientRect().height,
                                      line: parseFloat(getComputedStyle(code).lineHeight) ||
                                            1.4 * parseFloat(getComputedStyle(code).fontSize),
                                      space: getComputedStyle(code).whiteSpace}))""")
    page.close()
    assert cells, "no verified-code table on the home page"
    for cell in cells:
        assert cell["space"] == "nowrap", cell
        assert cell["lines"] == 1 and cell["height"] < 1.6 * cell["line"], cell


@pytest.mark.browser
def test_a_badge_is_short_with_its_record_on_hover_and_links_to_the_explanation(browser, server, site):
    noted = next(p for p in site.pages() if 'class="papernotes-badge' in (site.path / p).read_text(encoding="utf-8"))
    url = server + noted.as_posix().removesuffix("index.html")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    badges = page.eval_on_selector_all(".papernotes-badge", """bs => bs.map(b => ({text: b.innerText.trim(),
        title: b.getAttribute("title"), href: b.querySelector("a") && b.querySelector("a").href}))""")
    assert badges
    for badge in badges:
        assert len(badge["text"]) <= 20, badge
        assert re.fullmatch(r"✓ (CPU|CUDA)( · (CPU|CUDA))*|✗ not verified", badge["text"]), badge
        assert badge["title"].startswith(("verified on ", "not verified")), badge
    if not (site.path / "verified" / "index.html").exists():
        return  # a log without docs/verified.md: its badges link nowhere (badges.EXPLAINED)
    href = badges[0]["href"]
    assert "/verified/#module-" in href
    page.goto(href)
    anchor = href.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}']").count() == 1
    assert page.locator("h1").inner_text().startswith("Verified code")
    page.close()


def test_the_explaining_page_gives_each_modules_record_and_what_its_tests_check(tmp_path):
    from tools.site.hooks.verified_page import table

    _snippets(tmp_path / "snippets", {"moco": {"cpu": CPU, "cuda": CUDA}, "adam": {"cpu": CPU}})
    (tmp_path / "snippets" / "moco.py").write_text("# Generated from docs/papers/moco.md by tools/extract\nmoco = 1\n")
    (tmp_path / "docs" / "papers").mkdir(parents=True)
    (tmp_path / "docs" / "papers" / "moco.md").write_text("---\nbib: x\n---\n\n# MoCo\n")
    (tmp_path / "tests" / "notes").mkdir(parents=True)
    (tmp_path / "tests" / "notes" / "test_adam.py").write_text('"""snippets/adam.py against\ntorch.optim.Adam.\n\nMore."""\n')
    text = table(tmp_path, "verified.md")
    adam, moco = text.split("### ")[1:]
    assert adam.splitlines()[0] == "`snippets/adam.py` { #module-adam }"
    assert "- **Record**: ✓ CPU\n" in adam
    assert "- **CPU**: 9 tests passed on AMD EPYC, torch 2.15.0, 2026-11-23" in adam and "CUDA" not in adam
    assert "- **What the tests check** (`tests/notes/test_adam.py`): snippets/adam.py against torch.optim.Adam." in adam
    # moco.py was changed after its record: the record no longer counts.
    assert "- **Record**: ✗ not verified (not verified for this version)" in moco
    assert "- **From**: [MoCo](papers/moco.md)" in moco
    assert "- **CUDA** (an earlier version of the code): 9 tests passed on NVIDIA H100 80GB HBM3" in moco
