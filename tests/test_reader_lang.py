"""Chinese as a reader sees it: a Chinese page says lang="zh-CN" (front matter or its
text), an English one stays "en", and Han characters are drawn in Simplified Chinese
forms on both (Noto Sans CJK SC where Chromium drew Noto Sans CJK JP).

A small log of its own (tests/small_log.py), built with this checkout's
mkdocs.yml, hooks and stylesheets, and looked at in Chromium."""

from __future__ import annotations

import pytest

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve
from tools.site.build import run_mkdocs
from tools.site.hooks.lang import chinese_share, language

from tests.small_log import build, make_log

CHINESE = """# 动量对比

MoCo 把对比学习看成查字典：query 和 key 的编码器不同，key 的编码器用动量更新。
队列里存着以前的 key，所以字典可以比 batch 大得多：参考文献；实验结果。
"""

ENGLISH = """# Momentum contrast

MoCo treats contrastive learning as looking up a dictionary: the key encoder is a
momentum-updated copy of the query encoder, and a queue of old keys makes the
dictionary much larger than a batch. Also called 动量对比.
"""

# English prose, declared Chinese; Chinese prose, declared English.
DECLARED = {"notes/declared-zh.md": "---\nlang: zh-TW\n---\n\n" + ENGLISH,
            "notes/declared-en.md": "---\nlang: en\n---\n\n" + CHINESE}


def test_a_page_is_chinese_when_han_characters_make_much_of_its_words():
    assert language("<p>动量对比把对比学习看成查字典，key 的编码器用动量更新。</p>", {}, "en") == "zh-CN"
    assert language("<p>MoCo treats contrastive learning as a dictionary. 动量对比</p>", {}, "en") == "en"
    # Code and formulas are not the page's language.
    code = "<pre><code>x = torch.randn(8, 128)  # 一个批次的特征</code></pre>"
    assert chinese_share("<p>一个批次</p>" + code) == 1.0
    assert chinese_share("<p>a batch of features</p><pre>一个批次的特征</pre>") == 0.0
    assert language("<p>English only.</p>", {"lang": "zh-CN"}, "en") == "zh-CN"
    assert language("<p>全是中文。</p>", {"lang": "en"}, "en") == "en"
    assert language("", {}, "en") == "en"


def test_a_lang_that_is_no_language_tag_fails_the_strict_build(tmp_path):
    project = make_log(tmp_path / "log", {"notes/bad.md": "---\nlang: [zh]\n---\n\n# Bad\n\n中文。\n"})
    result = run_mkdocs(tmp_path / "site", cwd=project, timeout=600)
    assert result.returncode != 0
    assert "docs/notes/bad.md:2: lang must be a language tag such as zh-CN or en, not ['zh']" in result.stderr


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    if not find_chromium():
        pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}")
    pages = {"notes/chinese.md": CHINESE, "notes/english.md": ENGLISH, **DECLARED}
    work = tmp_path_factory.mktemp("lang")
    site = build(make_log(work / "log", pages), work / "site")
    with serve(site) as base:
        yield base


@pytest.fixture(scope="module")
def browser(url):
    with chromium("tests/test_reader_lang.py") as browser:
        yield browser


def look(browser, url: str, selector: str) -> tuple[str, str, set[str]]:
    """The page's <html lang>, the computed font-family of the first element ``selector``
    matches, and the fonts Chromium drew that element's text with."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        page.evaluate("document.fonts.ready.then(() => true)")
        lang = page.evaluate("document.documentElement.lang")
        family = page.evaluate("s => getComputedStyle(document.querySelector(s)).fontFamily", selector)
        cdp = context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = {f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
        return lang, family, fonts
    finally:
        context.close()


def cjk_faces(family: str) -> list[str]:
    return [name.strip().strip('"') for name in family.split(",") if "CJK" in name or "Han" in name]


@pytest.mark.parametrize("path, lang", [
    ("notes/chinese/", "zh-CN"), ("notes/english/", "en"),
    ("notes/declared-zh/", "zh-TW"), ("notes/declared-en/", "en"),
])
def test_the_html_lang_is_the_pages_language(browser, url, path, lang):
    assert look(browser, url + path, "article p")[0] == lang


@pytest.mark.parametrize("path, selector", [
    ("notes/chinese/", "article p"),    # a Chinese page
    ("notes/english/", "article p"),    # Chinese words in an English page
    ("notes/chinese/", "article h1"),
])
def test_han_characters_are_drawn_in_simplified_chinese_forms(browser, url, path, selector):
    _, family, fonts = look(browser, url + path, selector)
    assert cjk_faces(family)[0] == "Noto Sans CJK SC", family
    assert "Noto Sans CJK SC" in fonts and not any("CJK JP" in font for font in fonts), fonts
