"""The built site, read as files: strict build, math, nothing remote, search index."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import yaml

from tools.site.build import ROOT, failed_strict_build
from tools.site.hooks.mathml import line_of, render_math, stray_dollars
from tools.site.hooks.nav import section_folder


class Resources(HTMLParser):
    """Collect every URL that a browser would load (not plain links)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and attrs.get("src"):
            self.loaded.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") in ("stylesheet", "preload", "preconnect", "icon", "modulepreload"):
            self.loaded.append(attrs["href"])
        if tag == "object" and attrs.get("data"):
            self.loaded.append(attrs["data"])


def remote(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme in ("http", "https")


def test_site_builds_strict_with_every_section(site):
    pages = {str(p) for p in site.pages()}
    for expected in ("index.html", "weekly/index.html", "papers/index.html", "courses/index.html", "tags/index.html"):
        assert expected in pages
    # The blog plugin makes an archive and category pages for the weekly reports.
    assert any(p.startswith("weekly/archive/") for p in pages), sorted(pages)
    assert any(p.startswith("weekly/category/") for p in pages), sorted(pages)


@pytest.mark.parametrize("variant", ["site", "offline_site"])
def test_no_page_loads_anything_remote(variant, request):
    build = request.getfixturevalue(variant)
    offenders = []
    for page in build.pages():
        parser = Resources()
        parser.feed((build.path / page).read_text(encoding="utf-8"))
        offenders += [f"{page}: {url}" for url in parser.loaded if remote(url)]
    assert offenders == []


def test_every_local_resource_a_page_loads_is_in_the_site(site):
    """Resolved from the page's own folder, never above the site's root: a browser
    forgives one ../ too many on a site served at /, not on one served under a path."""
    from posixpath import normpath

    offenders = []
    for page in site.pages():
        parser = Resources()
        parser.feed((site.path / page).read_text(encoding="utf-8"))
        folder = page.parent.as_posix()
        for url in parser.loaded:
            parts = urlsplit(url)
            if remote(url) or parts.scheme or not parts.path:
                continue
            if parts.path.startswith("/"):  # 404.html: Material writes it from site_url's root
                target = parts.path.lstrip("/")
            else:
                target = normpath(f"{folder}/{parts.path}")
            if target.startswith("../") or not (site.path / target).exists():
                offenders.append(f"{page}: {url}")
    assert offenders == []


def test_css_fetches_no_fonts_from_elsewhere(site):
    for css in site.path.rglob("*.css"):
        assert "fonts.googleapis" not in css.read_text(encoding="utf-8"), css


def test_every_formula_is_mathml(site):
    formulas = 0
    for page in site.pages():
        html = (site.path / page).read_text(encoding="utf-8")
        for match in re.finditer(r'<(span|div) class="arithmatex"[^>]*>(.{0,60})', html):
            formulas += 1
            assert match[2].startswith("<math"), f"{page}: raw TeX left: {match[2]!r}"
    assert formulas >= 10


def test_chinese_headings_keep_their_characters_in_anchors(site):
    ids = []
    for page in site.pages():
        ids += re.findall(r'<h[2-4] id="([^"]+)"', (site.path / page).read_text(encoding="utf-8"))
    assert any(re.search(r"[\u4e00-\u9fff]", i) for i in ids), ids[:20]


def test_offline_build_inlines_the_search_index_and_ships_the_worker_shim(offline_site):
    index_js = (offline_site.path / "search/search_index.js").read_text(encoding="utf-8")
    assert index_js.startswith("var __index = ")
    assert (offline_site.path / "assets/javascripts/iframe-worker.js").is_file()
    # Links must work without a server: no directory URLs.
    assert (offline_site.path / "papers/index.html").is_file()
    assert 'href="papers/index.html"' in (offline_site.path / "index.html").read_text(encoding="utf-8")


# -- the math hook, as plain functions -------------------------------------


def test_render_math_converts_inline_and_display():
    html = ('<p>a <span class="arithmatex">\\(x^2 &lt; y\\)</span></p>'
            '<div class="arithmatex">\\[\\frac{1}{2}\\]</div>')
    out, errors = render_math(html)
    assert errors == []
    assert 'display="inline"' in out and 'display="block"' in out
    assert "<mo>&#x0003C;</mo>" in out  # the escaped < came back as an operator
    assert "\\(" not in out and "\\[" not in out


@pytest.mark.parametrize("tex, reason", [
    ("\\frac{a}{", "cannot parse"),
    ("\\notacommand{x}", "unknown command \\notacommand"),
    ("\\text{a\\_b}", "unknown command \\_"),
])
def test_render_math_reports_what_it_cannot_render(tex, reason):
    out, errors = render_math(f'<span class="arithmatex">\\({tex}\\)</span>')
    assert [e.tex for e in errors] == [tex]
    assert errors[0].reason.startswith(reason)
    assert tex in out  # left as it was, for the build to fail on


def test_line_of_finds_the_formula():
    assert line_of("---\ntitle: x\n---\n\nText $\\alpha$ here.\n", "\\alpha") == 5
    assert line_of("nothing", "\\beta") is None


def _with_note(path: str, text: str):
    """A change for failed_strict_build: one more note, at docs/<path>."""
    return lambda project: (project / "docs" / path).write_text(text, encoding="utf-8")


def test_bad_tex_fails_the_strict_build_naming_file_and_line(tmp_path):
    result = failed_strict_build(tmp_path, _with_note(
        "papers/broken.md", "# Broken\n\nFine: $a + b$.\n\nBroken: $\\undefinedmacro{x}$.\n"))
    assert "docs/papers/broken.md:5: TeX unknown command \\undefinedmacro" in result.stderr


@pytest.mark.parametrize("html, near", [
    ("<li>step\n   $$\n   y = 1\n   $$</li>", ["y = 1"]),  # display math glued to a list item
    ('<p>see $<span class="arithmatex" data-tex="x^3">x</span>$ here</p>', ["x^3"]),  # $$x^3$$ mid-sentence
    ("<pre><code>echo $$ $HOME</code></pre><p>it costs $5, or $6</p>", []),  # shell code and prices
])
def test_stray_dollars_are_found_outside_code(html, near):
    assert stray_dollars(html) == near


def test_display_math_glued_to_a_list_item_fails_the_strict_build(tmp_path):
    result = failed_strict_build(tmp_path, _with_note(
        "papers/glued.md", "# Glued\n\n1. The update:\n   $$\n   m_t = \\beta m_{t-1}\n   $$\n"))
    assert "docs/papers/glued.md:5: $ left as text, not math, near 'm_t = \\beta m_{t-1}'" in result.stderr


def test_missing_image_fails_the_strict_build(tmp_path):
    result = failed_strict_build(tmp_path, _with_note("papers/noimage.md", "# No image\n\n![plot](missing.svg)\n"))
    assert "papers/noimage.md" in result.stderr and "missing.svg" in result.stderr


def test_new_notes_join_their_section_without_editing_mkdocs_yml(site):
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    listed = json.dumps(config["nav"])
    notes = [p for p in (ROOT / "docs/papers").glob("*.md") if p.name not in ("index.md", "bibliography.md", "reading-list.md")]
    assert notes, "no paper notes"
    papers_index = (site.path / "papers/index.html").read_text(encoding="utf-8")
    for note in notes:
        assert note.name not in listed  # not listed by hand ...
        assert f'href="{note.stem}/"' in papers_index, note  # ... and still in the navigation


def test_section_folder_needs_an_index_page_first():
    class File:
        def __init__(self, uri):
            self.src_uri = uri

    from mkdocs.structure.nav import Section
    from mkdocs.structure.pages import Page

    def page(uri):
        p = Page.__new__(Page)
        p.file = File(uri)
        return p

    assert section_folder(Section("Papers", [page("papers/index.md")])) == "papers"
    assert section_folder(Section("Misc", [page("papers/gpt.md")])) is None
    assert section_folder(Section("Empty", [])) is None


def test_no_formula_holds_a_control_character():
    """A tab or form feed in TeX is almost always an escape gone wrong: "\\text" written
    through a string that read "\\t" as a tab, "\\frac" as a form feed."""
    found = []
    for path in sorted((ROOT / "docs").rglob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for formula in re.findall(r"\$[^$]+\$", line):
                if re.search(r"[\x00-\x08\x0b-\x1f]|\t(?=[a-z])", formula):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {formula!r}")
    assert found == []
