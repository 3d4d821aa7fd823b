"""tools/new_paper's note as a reader finds it once built: no empty headings, a file named
after the paper (not its BibTeX key), the title as the log writes titles (LaTeX decoded,
braces removed)."""

from __future__ import annotations

import datetime as dt
import re

from tests.small_log import build, make_log
from tools.new_paper import main

BIB = r"""@inproceedings{vaswani2017attention,
  author    = {Vaswani, Ashish and Kaiser, {\L}ukasz and Polosukhin, Illia},
  title     = {Attention is All you Need},
  booktitle = {NIPS},
  year      = {2017}
}

@inproceedings{vinker2022clipasso,
  author    = {Vinker, Yael and Pajouheshgar, Ehsan},
  title     = {{CLIPasso}: Semantically-Aware Object Sketching},
  booktitle = {ACM Transactions on Graphics ({SIGGRAPH})},
  year      = {2022}
}

@article{godel2024encoder,
  author    = {G{\"o}del, Kurt},
  title     = {Learning {RNN} Encoder--Decoder Proofs for G{\"o}del's {\L}ukasiewicz Logic},
  journal   = {Journal},
  year      = {2024}
}
"""
# A page that already has the name the CLIPasso note would take.
TAKEN = {"papers/clipasso.md": "# CLIPasso, the demo\n\nNot a paper note.\n"}


def article(html: str) -> str:
    """The page's content, without HTML comments."""
    inner = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', html, re.DOTALL)[1]
    return re.sub(r"<!--.*?-->", "", inner, flags=re.DOTALL)


def empty_headings(content: str) -> list[str]:
    """Headings with nothing under them before the next heading of their level or above (or the end)."""
    found = list(re.finditer(r"<h([1-6])\b[^>]*>(.*?)</h\1>", content, re.DOTALL))
    empty = []
    for i, heading in enumerate(found):
        level = int(heading[1])
        end = next((h.start() for h in found[i + 1:] if int(h[1]) <= level), len(content))
        after = content[heading.end():end]
        if not re.sub(r"<[^>]+>|\s", "", after):
            empty.append(re.sub(r"<[^>]+>|&para;|¶", "", heading[2]).strip())
    return empty


def test_a_new_note_publishes_no_empty_heading_and_is_named_after_its_paper(tmp_path, capsys):
    project = make_log(tmp_path / "made", TAKEN, bib=BIB)
    day = dt.date(2026, 11, 23)
    for key in ("vaswani2017attention", "vinker2022clipasso", "godel2024encoder"):
        assert main([key, "--status", "reading"], today=day, root=project) == 0
    assert capsys.readouterr().out.splitlines() == [
        "docs/papers/attention-is-all-you-need.md",
        "docs/papers/clipasso-2.md",  # clipasso.md is taken
        "docs/papers/learning-rnn-encoder-decoder-proofs.md",
    ]
    notes = {name: (project / "docs/papers" / f"{name}.md").read_text(encoding="utf-8")
             for name in ("attention-is-all-you-need", "clipasso-2", "learning-rnn-encoder-decoder-proofs")}
    titles = {name: re.search(r"^# (.*)$", text, re.MULTILINE)[1] for name, text in notes.items()}
    assert titles == {
        "attention-is-all-you-need": "Attention is All you Need",
        "clipasso-2": "CLIPasso: Semantically-Aware Object Sketching",
        "learning-rnn-encoder-decoder-proofs": "Learning RNN Encoder\u2013Decoder Proofs for G\u00f6del's \u0141ukasiewicz Logic",
    }
    assert "title: 'CLIPasso: Semantically-Aware Object Sketching'\n" in notes["clipasso-2"]

    pages = {f"papers/{name}.md": text for name, text in notes.items()} | TAKEN
    built = make_log(tmp_path / "built" / "log", pages, bib=BIB)
    site = build(built, tmp_path / "built" / "site")
    for name, title in titles.items():
        content = article((site / "papers" / name / "index.html").read_text(encoding="utf-8"))
        headings = [re.sub(r"<[^>]+>|&para;|¶", "", h).strip() for h in re.findall(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]>", content, re.DOTALL)]
        assert headings == [title], headings  # the title only: no "What it says", "Code", "Questions"
        assert empty_headings(content) == []
        assert "What it says" not in content and "Questions" not in content
