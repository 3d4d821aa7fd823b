"""tools/new_paper on small trees written here: notes from keys and from new entries, and every refusal."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tools.log import papers
from tools.log.bib import load
from tools.new_paper import main
from tools.log.cli import Refusal
from tools.log.files import replace_file
from tests.test_new_week import REFERENCES_BIB, files, make_tree, no_temp_files, refused_by, script_env, write

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)

VIT = """\
@inproceedings{dosovitskiy2021vit,
  author    = {Dosovitskiy, Alexey and Beyer, Lucas and Kolesnikov, Alexander},
  title     = {An Image is Worth 16x16 Words: {Transformers} for Image Recognition at Scale},
  booktitle = {ICLR},
  year      = {2021},
  eprint    = {2010.11929},
  archiveprefix = {arXiv}
}
"""

VIT_NOTE = """\
---
title: 'An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale'
tags: []
aliases: []
bib: dosovitskiy2021vit
status: queued
added: 2026-11-23
---

# An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale

<!-- The site shows the paper's box under the title: authors, venue, links, the BibTeX entry.
Write the note below this comment; a heading goes in together with the text under it, e.g.
  ## What it says    the claim in a paragraph; the formulas that matter, in the paper's symbols
  ## Code            a Python block runs in the tests; one titled snippets/NAME.py is exported
  ## Questions       what is not clear yet; what to check next
On starting or finishing the paper, set status: reading or read, with started: or finished:. -->
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    # One note (moco) exists; simclr and mae are in references.bib without notes.
    root = make_tree(tmp_path, last_week=False, papers=False)
    write(root / "docs/papers/moco.md", "---\nbib: he2020moco\nstatus: read\n---\n\n# MoCo\n")
    return root


def run(root: Path, argv: list[str], stdin: str | None = None) -> int:
    return main(argv, today=TODAY, root=root, stdin=io.StringIO(stdin) if stdin is not None else None)


# -- the happy paths ----------------------------------------------------------------------


def test_a_key_already_in_references_bib(tree: Path, capsys):
    before = (tree / "docs/references.bib").read_bytes()
    assert run(tree, ["he2022mae"]) == 0
    assert capsys.readouterr() == ("docs/papers/masked-autoencoders-are-scalable-vision.md\n", "")
    text = (tree / "docs/papers/masked-autoencoders-are-scalable-vision.md").read_text(encoding="utf-8")
    assert text.startswith(
        "---\ntitle: Masked Autoencoders Are Scalable Vision Learners\ntags: []\naliases: []\nbib: he2022mae\n"
        "status: queued\nadded: 2026-11-23\n---\n\n# Masked Autoencoders Are Scalable Vision Learners\n")
    assert (tree / "docs/references.bib").read_bytes() == before
    no_temp_files(tree)


def test_a_new_entry_from_a_file_is_appended_then_the_note_written(tree: Path, capsys, tmp_path: Path):
    entry = write(tmp_path / "incoming/vit.bib", "% from the arXiv page\n" + VIT)
    before = (tree / "docs/references.bib").read_text(encoding="utf-8")
    assert run(tree, ["--bib", str(entry), "--slug", "vit"]) == 0
    assert capsys.readouterr() == ("added 'dosovitskiy2021vit' to docs/references.bib\ndocs/papers/vit.md\n", "")
    after = (tree / "docs/references.bib").read_text(encoding="utf-8")
    assert after == before + "\n" + VIT  # the old text unchanged, one blank line, the entry as written
    assert list(load(tree / "docs/references.bib")) == ["he2020moco", "chen2020simclr", "he2022mae", "dosovitskiy2021vit"]
    assert (tree / "docs/papers/vit.md").read_text(encoding="utf-8") == VIT_NOTE
    no_temp_files(tree)


@pytest.mark.parametrize("argv", [["-"], ["--bib", "-"]])
def test_a_new_entry_on_standard_input(tree: Path, capsys, argv: list[str]):
    assert run(tree, argv, stdin=VIT) == 0
    assert capsys.readouterr().out == "added 'dosovitskiy2021vit' to docs/references.bib\ndocs/papers/an-image-is-worth-16x16.md\n"
    assert "dosovitskiy2021vit" in load(tree / "docs/references.bib")


def test_an_identical_entry_is_accepted_as_it_is(tree: Path, capsys):
    # The same fields, written with other spacing and quotes: nothing to append.
    same = '@article{chen2020simclr,\n  journal = "ICML", year = 2020,\n  title = {A Simple Framework for\n' \
           '    Contrastive Learning of Visual Representations},\n' \
           '  author = {Chen, Ting and Kornblith, Simon and Norouzi, Mohammad and Hinton, Geoffrey}\n}\n'
    before = (tree / "docs/references.bib").read_bytes()
    assert run(tree, ["-", "--slug", "simclr"], stdin=same) == 0
    assert capsys.readouterr() == ("docs/papers/simclr.md\n", "")
    assert (tree / "docs/references.bib").read_bytes() == before


def test_one_entry_of_a_file_that_holds_several(tree: Path, capsys, tmp_path: Path):
    entries = write(tmp_path / "two.bib", VIT + "\n" + VIT.replace("dosovitskiy2021vit", "other2021"))
    assert run(tree, ["--bib", str(entries), "other2021"]) == 0
    assert list(load(tree / "docs/references.bib"))[-1] == "other2021"


@pytest.mark.parametrize("status, dates", [
    ("reading", "added: 2026-11-20\nstarted: 2026-11-20\n"),
    ("read", "added: 2026-11-20\nfinished: 2026-11-20\n"),
])
def test_status_and_date(tree: Path, capsys, status: str, dates: str):
    assert run(tree, ["chen2020simclr", "--status", status, "--date", "2026-11-20"]) == 0
    text = (tree / "docs/papers/a-simple-framework-for-contrastive.md").read_text(encoding="utf-8")
    assert f"status: {status}\n{dates}---\n" in text


def test_dry_run_prints_and_writes_nothing(tree: Path, capsys):
    before = files(tree)
    assert run(tree, ["-", "--slug", "vit", "--dry-run"], stdin=VIT) == 0
    out, err = capsys.readouterr()
    assert out == ("would append 'dosovitskiy2021vit' to docs/references.bib:\n" + VIT
                   + "would write docs/papers/vit.md:\n" + VIT_NOTE)
    assert err == ""
    assert files(tree) == before


def test_slug_from_a_key_with_punctuation():
    assert papers.slug_of("Vaswani2017:Attention_Is-All") == "vaswani2017-attention-is-all"


# -- refusals: one line on stderr, a non-zero exit, nothing touched ------------------------


def refused(root: Path, argv: list[str], capsys, stdin: str | None = None, code: int = 1) -> str:
    return refused_by(lambda args: run(root, args, stdin), root, argv, capsys, code)


def test_refuses_a_known_key_with_different_fields(tree: Path, capsys):
    changed = "@inproceedings{he2022mae,\n  author = {He, Kaiming and Chen, Xinlei},\n" \
              "  title = {Masked Autoencoders},\n  booktitle = {CVPR},\n  year = {2022}\n}\n"
    assert refused(tree, ["-"], capsys, stdin=changed) == (
        "new_paper: docs/references.bib:17: 'he2022mae' is already there with a different entry type, "
        "booktitle, journal, title; edit it there or give the new entry another key")


def test_refuses_a_key_that_is_nowhere(tree: Path, capsys):
    assert refused(tree, ["vaswani2017"], capsys) == (
        "new_paper: docs/references.bib: no entry 'vaswani2017'; add it with --bib FILE or on standard input ('-')")


def test_refuses_a_malformed_entry(tree: Path, capsys):
    assert refused(tree, ["-"], capsys, stdin="\n@article{broken,\n  title = {No end\n") == (
        "new_paper: <stdin>:2: cannot parse entry: Unexpectedly reached end of file.")


def test_refuses_an_entry_without_a_year(tree: Path, capsys, tmp_path: Path):
    entry = write(tmp_path / "x.bib", "@misc{x2026,\n  title = {Untitled}\n}\n")
    assert refused(tree, ["--bib", str(entry)], capsys) == f"new_paper: {entry}:1: entry 'x2026' has no year"


def test_refuses_an_entry_that_needs_macros_of_its_file(tree: Path, capsys):
    entry = '@string{iclr = "ICLR"}\n\n@inproceedings{x2021,\n  title = {T}, booktitle = iclr, year = 2021\n}\n'
    assert refused(tree, ["-"], capsys, stdin=entry) == (
        "new_paper: <stdin>:3: 'x2021' would read differently in docs/references.bib (booktitle): "
        "write out the @string macros it uses")


def test_refuses_empty_input(tree: Path, capsys):
    assert refused(tree, ["-"], capsys, stdin="% nothing here\n") == "new_paper: <stdin>:1: no BibTeX entry found"


def test_refuses_several_entries_without_a_key(tree: Path, capsys, tmp_path: Path):
    entries = write(tmp_path / "two.bib", VIT + "\n" + VIT.replace("dosovitskiy2021vit", "other2021"))
    assert refused(tree, ["--bib", str(entries)], capsys) == (
        f"new_paper: {entries}:1: 2 entries (dosovitskiy2021vit, other2021); name the one to add after --bib FILE")


def test_refuses_a_missing_bib_file(tree: Path, capsys, tmp_path: Path):
    assert refused(tree, ["--bib", str(tmp_path / "nope.bib")], capsys) == (
        f"new_paper: {tmp_path / 'nope.bib'}: no such file")


def test_refuses_to_overwrite_a_note(tree: Path, capsys):
    write(tree / "docs/papers/mae.md", "my own words\n")
    assert refused(tree, ["he2022mae", "--slug", "mae"], capsys) == (
        "new_paper: docs/papers/mae.md: already exists; not overwriting it")


def test_refuses_a_second_note_for_a_key(tree: Path, capsys):
    assert refused(tree, ["he2020moco", "--slug", "moco-again"], capsys) == (
        "new_paper: docs/papers/moco.md:2: already the note for 'he2020moco'; one note per paper")


def test_refuses_when_references_bib_is_broken(tree: Path, capsys):
    (tree / "docs/references.bib").write_text(REFERENCES_BIB + "\n@article{he2020moco,\n  title={x}, year={2020}\n}\n")
    assert refused(tree, ["he2022mae"], capsys) == "new_paper: docs/references.bib:24: duplicate key 'he2020moco'"


@pytest.mark.parametrize("argv, message", [
    (["he2022mae", "--slug", "../mae"], "new_paper: error: invalid slug '../mae': use lowercase letters, digits and hyphens"),
    (["he2022mae", "--slug", "MAE"], "new_paper: error: invalid slug 'MAE': use lowercase letters, digits and hyphens"),
    (["he2022mae", "--status", "done"], "new_paper: error: invalid status 'done': use one of queued, reading, read"),
    (["he2022mae", "--date", "2026-02-30"], "new_paper: error: invalid date '2026-02-30': day is out of range for month"),
    (["he2022mae", "--date", "tomorrow"], "new_paper: error: invalid date 'tomorrow': write it as YYYY-MM-DD"),
    ([], "new_paper: error: name a BibTeX key, or give the entry with --bib FILE or '-' for standard input"),
    (["-", "--bib", "x.bib"], "new_paper: error: give the entry either with --bib or as '-', not both"),
])
def test_refuses_bad_arguments(tree: Path, capsys, argv: list[str], message: str):
    assert refused(tree, argv, capsys, stdin="", code=2) == message


def test_refuses_an_unknown_option(tree: Path, capsys):
    before = files(tree)
    with pytest.raises(SystemExit) as exit_:
        run(tree, ["he2022mae", "--overwrite"])
    assert exit_.value.code == 2
    assert capsys.readouterr() == ("", "new_paper: error: unrecognized arguments: --overwrite (see new_paper --help)\n")
    assert files(tree) == before


def test_the_note_is_removed_when_references_bib_cannot_be_written(tree: Path, capsys, monkeypatch):
    """references.bib changed by someone else during the run: nothing of this run stays."""
    plan = papers.plan_paper
    theirs = (tree / "docs/references.bib").read_text(encoding="utf-8") + "\n% someone else's edit\n"

    def racing_plan(*args, **kwargs):
        planned = plan(*args, **kwargs)
        (tree / "docs/references.bib").write_text(theirs, encoding="utf-8")
        return planned

    monkeypatch.setattr(papers, "plan_paper", racing_plan)
    assert run(tree, ["-"], stdin=VIT) == 1
    assert capsys.readouterr() == ("", "new_paper: docs/references.bib: changed while this command ran; run it again\n")
    assert (tree / "docs/references.bib").read_text(encoding="utf-8") == theirs
    assert not (tree / "docs/papers/an-image-is-worth-16x16.md").exists()
    no_temp_files(tree)


def test_replace_file_refuses_a_file_changed_since_it_was_read(tmp_path: Path):
    path = write(tmp_path / "references.bib", "theirs\n")
    with pytest.raises(Refusal, match="changed while this command ran"):
        replace_file(path, "mine\n", "mine\nand more\n", tmp_path)
    assert path.read_text() == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["references.bib"]


# -- the commands as a user runs them ----------------------------------------------------------


def test_the_script_reads_standard_input_from_another_folder(tmp_path: Path):
    result = subprocess.run([str(ROOT / "tools/new_paper"), "-", "--dry-run", "--slug", "zz-test-only"],
                            input=VIT.replace("dosovitskiy2021vit", "zzz2099test"),
                            cwd=tmp_path, capture_output=True, text=True, env=script_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("would append 'zzz2099test' to docs/references.bib:\n@inproceedings{zzz2099test,\n")
    assert "would write docs/papers/zz-test-only.md:\n" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "tools.new_paper", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("usage: new_paper")
