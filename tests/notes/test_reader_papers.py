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
