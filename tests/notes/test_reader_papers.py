"""This log's papers as a reader finds them: names in the bibliography LaTeX-decoded
(Łukasz Kaiser among Vaswani et al.), and the 2022-05-09 report's paper cards."""

from __future__ import annotations

import re


def page(site, url: str) -> str:
    return (site.path / url / "index.html").read_text(encoding="utf-8")


def test_bibliography_decodes_latex_in_names(site):
    text = page(site, "papers/bibliography/")
    item = re.search(r'<li><span id="vaswani2017attention"></span>(.*?)</li>', text, re.DOTALL)[1]
    assert "Aidan N. Gomez, \u0141ukasz Kaiser, Illia Polosukhin." in item
    # No LaTeX left anywhere in the list: accents, special letters and dashes all decoded.
    entries = re.findall(r'<li><span id="[^"]+"></span>(.*?)</li>', text, re.DOTALL)
    assert entries and not [e for e in entries if "\\" in e or "--" in re.sub(r"<[^>]+>", "", e)]
    assert "Learning Phrase Representations using RNN Encoder\u2013Decoder" in text
    assert "Bart van Merri\u00ebnboer" in text


def test_the_2022_05_09_report_shows_the_moco_card(site):
    text = page(site, "weekly/2022/05/09/")
    block = re.search(r'<div class="papernotes-cards">(.*?)</div>', text, re.DOTALL)[1]
    items = re.findall(r'data-status="(\w+)">[^<]*</span> <a class="papernotes-card__title" href="([^"]+)">(.*?)</a>',
                       block)
    assert ("read", "../../../../papers/moco/",
            "MoCo: Momentum Contrast for Unsupervised Visual Representation Learning") in items
    assert ("read", "../../../../papers/swin-transformer-v2/", "Swin Transformer V2: Scaling Up Capacity and Resolution") in items
