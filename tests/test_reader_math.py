"""Formulas as a reader sees them: in the math font the site ships, online and from
file://, with TeX's spacing and sizes where MathML Core needs telling (a unary minus,
a prime), and the delimiters and large operators the font's MATH table sizes.

A small log of its own (tests/small_log.py) with one page of formulas, built
with this checkout's mkdocs.yml and hooks, and measured in Chromium."""

from __future__ import annotations

import re

import pytest

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve
from tools.site.hooks.mathml import to_mathml

from tests.small_log import build, make_log

MINUS = "&#x02212;"


def mathml(tex: str, display: bool = False) -> str:
    out, error = to_mathml(tex, display)
    assert error is None, error
    return out


def signs(tex: str) -> list[str]:
    """The form of each minus sign in the formula's MathML, in order ("" for none)."""
    return re.findall(r'<mo(?: form="(\w+)")?>' + MINUS + "</mo>", mathml(tex))


def test_a_sign_with_no_operand_before_it_is_unary():
    assert signs("[-1, 1]") == ["prefix"]
    assert signs("a = -b") == ["prefix"]
    assert signs("x^{-1}") == ["prefix"]
    assert signs("\\sum_{i} -x_i") == ["prefix"]
    assert signs("\\max -x") == ["prefix"]
    assert signs("\\left( -z \\right) - 1") == ["prefix", ""]
    assert signs("\\begin{cases} -1 & x < 0 \\end{cases}") == ["prefix"]
    # After an operand it stays binary: a closing fence, a bar that closes, a script, a space.
    assert signs("a - b") == [""]
    assert signs("(-1)^n - 1") == ["prefix", ""]
    assert signs("|x| - 1") == [""]
    assert signs("|-x|") == ["prefix"]
    assert signs("x_i - 1") == [""]
    assert signs("a \\, - b") == [""]
    assert signs("\\infty - 1") == [""]
    assert 'form="prefix">&#x0002B;</mo>' in mathml("[+1]")


def test_accents_are_accents():
    assert '<mover accent="true"><mrow><mi>x</mi></mrow><mo stretchy="false">\u02c6</mo></mover>' in mathml("\\hat{x}")
    assert '<mover accent="true"><mrow><mi>x</mi><mi>y</mi></mrow><mo>\u0302</mo></mover>' in mathml("\\widehat{xy}")
    for tex in ("\\bar{x}", "\\dot{x}", "\\ddot{x}", "\\check{x}"):
        assert '<mover accent="true">' in mathml(tex), tex
    assert "<mover><mrow><mi>x</mi></mrow><mo" in mathml("\\overbrace{x}")  # not an accent: stays


def test_a_prime_follows_its_base_at_its_size():
    assert "<mrow><mi>&#x003B8;</mi><mo>\u2032</mo></mrow>" in mathml("\\theta'")
    assert "<mrow><mi>f</mi><mo>\u2033</mo></mrow>" in mathml("f''(x)")
    assert "<mrow><mi>x</mi><mo>\u2032</mo></mrow>" in mathml("x^{\\prime}")
    assert "<msub><mrow><mi>&#x003B8;</mi><mo>\u2032</mo></mrow><mi>k</mi></msub>" in mathml("\\theta'_k")
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in mathml("x^2")  # other superscripts stay


# One formula per span, found by its id; each display formula in a div of its own.
PAGE = """# Formulas

<span id="interval">$[-1, 1]$</span> <span id="difference">$a - b$</span>
<span id="prime">$\\theta'$</span> <span id="inline-sum">$\\sum_{i=1}^n x_i$</span>
<span id="big">$\\Big\\| x \\Big\\|$</span> <span id="plain">$\\| x \\|$</span>
<span id="accents">$\\hat{x} \\bar{x} \\dot{x} \\hat{\\theta} \\widehat{xy}$</span>

<div id="sum" markdown>

$$
\\sum_{i=1}^n x_i
$$

</div>

<div id="paren" markdown>

$$
\\left( \\frac{a}{b} \\right) + \\left\\| \\frac{a}{b} \\right\\| + \\left| \\frac{a}{b} \\right|
$$

</div>

<div id="cases" markdown>

$$
f(x) = \\begin{cases} -1 & x < 0 \\\\ 0 & x = 0 \\\\ 1 & x > 0 \\end{cases}
$$

</div>
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    if not find_chromium():
        pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}")
    work = tmp_path_factory.mktemp("math")
    pages = {"notes/formulas.md": PAGE}
    project = make_log(work / "log", pages)
    return build(project, work / "site"), build(project, work / "site-offline", offline=True)


@pytest.fixture(scope="module")
def browser(sites):
    with chromium("tests/test_reader_math.py") as browser:
        yield browser


@pytest.fixture(scope="module")
def online(sites):
    with serve(sites[0]) as url:
        yield url + "notes/formulas/"


def open_page(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page


def used_fonts(context, page, selector: str) -> set[str]:
    """The fonts Chromium drew the text of the elements ``selector`` matches with."""
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    fonts = set()
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        fonts |= {f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
    return fonts


@pytest.mark.parametrize("where", ["served", "file"])
def test_formulas_are_set_in_the_shipped_math_font(browser, sites, online, where):
    url = online if where == "served" else (sites[1] / "notes/formulas.html").as_uri()
    context, page = open_page(browser, url)
    try:
        families = page.evaluate("[...document.querySelectorAll('math')].map(m => getComputedStyle(m).fontFamily)")
        assert len(families) == 10
        assert all(family.startswith('"Papernotes STIX Math"') for family in families), families
        faces = page.evaluate("Object.fromEntries([...document.fonts].map(f => [f.family, f.status]))")
        assert faces["Papernotes STIX Math"] == faces["Papernotes Termes Math"] == "loaded", faces
        # Drawn with the shipped file (a web font), not a system serif such as Liberation Serif.
        assert used_fonts(context, page, "math mi, math mo:not(.pn-bar), math mn") == {"STIX Math"}
        assert used_fonts(context, page, "math mo.pn-bar") == {"TeX Gyre Termes Math"}
    finally:
        context.close()


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate(
        "s => [...document.querySelectorAll(s)].map(e => { const b = e.getBoundingClientRect();"
        " return {left: b.left, right: b.right, height: b.height, text: e.textContent,"
        " size: parseFloat(getComputedStyle(e).fontSize)} })", selector)


def test_a_unary_minus_has_no_space_and_a_binary_one_has(browser, online):
    context, page = open_page(browser, online)
    try:
        bracket, minus, *_ = boxes(page, "#interval mo")
        assert minus["text"] == "\u2212"
        assert minus["left"] - bracket["right"] < 0.5, minus["left"] - bracket["right"]  # "[−1", as TeX sets it
        a, = boxes(page, "#difference mi")[:1]
        minus = boxes(page, "#difference mo")[0]
        assert minus["left"] - a["right"] > 0.15 * minus["size"]  # a − b: a medium space
    finally:
        context.close()


def test_a_prime_is_drawn_at_its_bases_size(browser, online):
    context, page = open_page(browser, online)
    try:
        theta, = boxes(page, "#prime mi")
        prime, = boxes(page, "#prime mo")
        assert prime["text"] == "\u2032" and prime["size"] == theta["size"]
    finally:
        context.close()


def test_the_math_font_sizes_delimiters_and_sums(browser, online):
    context, page = open_page(browser, online)
    try:
        fraction = boxes(page, "#paren mfrac")[0]
        paren, _, bar, _, line, _ = boxes(page, "#paren mrow > mo[fence]")
        assert paren["text"] == "(" and paren["height"] >= fraction["height"]
        # STIX Math grows no | or ‖ in Chromium (17 px beside a 31 px fraction); they are
        # set in TeX Gyre Termes Math.
        assert bar["text"] == "‖" and bar["height"] >= fraction["height"]
        assert line["text"] == "|" and line["height"] >= fraction["height"]
        big, plain = boxes(page, "#big mo")[0], boxes(page, "#plain mo")[0]
        assert big["text"] == plain["text"] == "‖" and big["height"] > 1.4 * plain["height"]
        table, = boxes(page, "#cases mtable")
        brace = boxes(page, "#cases mo[fence]")[0]
        assert brace["text"] == "{" and brace["height"] >= 0.9 * table["height"]
        display, = [b for b in boxes(page, "#sum mo") if b["text"] == "\u2211"]
        inline, = [b for b in boxes(page, "#inline-sum mo") if b["text"] == "\u2211"]
        assert display["height"] > 1.3 * inline["height"]
    finally:
        context.close()


def test_accents_sit_on_their_letter(browser, online):
    """\\hat's ASCII caret stood a quarter of an em too high, and \\bar's and \\dot's
    marks a gap above their letter (the 16 px page: a mover of 29 px over a 15 px x
    where it is 23 px now, at 32 px a font)."""
    context, page = open_page(browser, online)
    try:
        found = page.evaluate(
            "[...document.querySelectorAll('#accents mover')].map(m => { const [base, mark] = m.children;"
            " const b = base.getBoundingClientRect(), a = mark.getBoundingClientRect(), all = m.getBoundingClientRect();"
            " return {mark: mark.textContent, gap: b.top - a.bottom, height: all.height, base: b.height,"
            " centre: (a.left + a.right - b.left - b.right) / 2, width: b.width} })")
        assert [f["mark"] for f in found] == ["\u02c6", "\u00af", "\u02d9", "\u02c6", "\u0302"]
        for accent in found:
            assert accent["gap"] <= 0.5, accent
            assert abs(accent["centre"]) <= 0.1 * accent["width"], accent
        for accent in found[:3]:  # on an x
            assert accent["height"] < 1.7 * accent["base"], accent
    finally:
        context.close()
