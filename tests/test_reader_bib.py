"""BibTeX as a reader sees it: LaTeX accents, special letters and dashes decoded
(bibtexparser's LatexDecodingMiddleware), the values as written kept for matching."""

from __future__ import annotations

import re

from tests.small_log import build, make_log
from tools.log.bib import parse
from tools.log.papers import differences

BIB = r"""@inproceedings{kaiser2020codes,
  author    = {Kaiser, {\L}ukasz and Hj{\o}rth, Mads and Stra{\ss}er, Anna and {\aa}berg, Sven and Debreu, G{\'{e}}rard},
  title     = {Learning {RNN} Encoder--Decoder Codes},
  booktitle = {Proceedings of {ICML}},
  year      = {2020},
  url       = {https://example.org/a%20paper_b}
}
"""


def test_bibliography_shows_decoded_names_and_dashes(tmp_path):
    site = build(make_log(tmp_path / "log", {}, bib=BIB), tmp_path / "site")
    page = (site / "papers/bibliography/index.html").read_text(encoding="utf-8")
    item = re.search(r'<li><span id="kaiser2020codes"></span>(.*?)</li>', page, re.DOTALL)[1]
    text = re.sub(r"<[^>]+>", "", item)
    assert text.startswith("Learning RNN Encoder\u2013Decoder Codes. "
                           "\u0141ukasz Kaiser, Mads Hj\u00f8rth, Anna Stra\u00dfer, Sven \u00e5berg, G\u00e9rard Debreu. "
                           "Proceedings of ICML, 2020."), text
    assert "\\" not in text and "--" not in text and "{" not in text


def test_fields_keep_what_was_written_for_matching_and_links():
    paper = parse(BIB)["kaiser2020codes"]
    assert paper.fields["title"] == "Learning {RNN} Encoder--Decoder Codes"
    assert paper.names[0] == "\\Lukasz Kaiser"  # as written, less the braces
    assert paper.authors[0] == "\u0141ukasz Kaiser" and paper.short_authors() == "Kaiser et al."
    assert paper.links() == {"URL": "https://example.org/a%20paper_b"}  # a % in a URL is no comment
    # The same entry written with the letter itself is another way of writing it: a difference.
    other = parse(BIB.replace(r"{\L}ukasz", "\u0141ukasz"))["kaiser2020codes"]
    assert other.authors == paper.authors and differences(paper, other) == ["author"]
    assert differences(paper, parse(BIB)["kaiser2020codes"]) == []
