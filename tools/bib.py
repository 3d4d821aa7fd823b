"""The reading log's one list of papers: docs/references.bib, read with bibtexparser 2.

    papers = load(Path("docs/references.bib"))     # {key: Paper}, in file order
    papers["he2020moco"].title, .authors, .venue, .year, .links(), .bibtex

A malformed entry, a duplicate key or an entry without a title or year raises
BibError, whose message is one line naming the file and line:
``docs/references.bib:42: duplicate key 'he2020moco'``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from bibtexparser.model import DuplicateBlockKeyBlock

REQUIRED = ("title", "year")
# \"o, {\o} and friends are rare in our entries; the few that matter are here.
LATEX_ACCENTS = {r"\"o": "ö", r"\"u": "ü", r"\"a": "ä", r"\'e": "é", r"\`e": "è", r"\'a": "á", r"\c{c}": "ç", r"\&": "&"}


class BibError(ValueError):
    """A problem in the .bib file; str() is ``path:line: message``."""


def plain(value: str) -> str:
    """BibTeX field text as a reader sees it: no protecting braces, accents decoded."""
    for tex, char in LATEX_ACCENTS.items():
        value = value.replace(tex, char)
    value = re.sub(r"\{\\[\"'`^~]\{?(\w)\}?\}", r"\1", value)
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


@dataclass(frozen=True)
class Paper:
    key: str
    kind: str  # the entry type: article, inproceedings, misc, ...
    fields: dict[str, str]
    authors: tuple[str, ...]  # "First Last"
    line: int  # 1-based line of the entry in the .bib file
    bibtex: str = field(repr=False)  # the entry as written, to copy

    @property
    def title(self) -> str:
        return plain(self.fields["title"])

    @property
    def year(self) -> str:
        return plain(self.fields["year"])

    @property
    def venue(self) -> str:
        for name in ("booktitle", "journal", "institution", "publisher", "howpublished"):
            if name in self.fields:
                return plain(self.fields[name])
        if self.arxiv:
            return "arXiv preprint"
        return ""

    @property
    def arxiv(self) -> str | None:
        if self.fields.get("archiveprefix", "").lower() == "arxiv" and "eprint" in self.fields:
            return plain(self.fields["eprint"])
        match = re.search(r"arxiv\.org/abs/([\w.\-/]+)", self.fields.get("url", ""))
        return match[1] if match else None

    def short_authors(self) -> str:
        """'He et al.', 'Kingma and Ba', 'Hochreiter'."""
        surnames = [name.split()[-1] for name in self.authors]
        if len(surnames) > 2:
            return f"{surnames[0]} et al."
        return " and ".join(surnames)

    def links(self) -> dict[str, str]:
        """Name -> URL for what the entry points to: DOI, arXiv, PDF/URL, code."""
        found: dict[str, str] = {}
        if "doi" in self.fields:
            found["DOI"] = f"https://doi.org/{plain(self.fields['doi'])}"
        if self.arxiv:
            found["arXiv"] = f"https://arxiv.org/abs/{self.arxiv}"
        if "url" in self.fields and "arxiv.org" not in self.fields["url"]:
            found["URL"] = plain(self.fields["url"])
        if "code" in self.fields:
            found["Code"] = plain(self.fields["code"])
        return found


def _authors(entry) -> tuple[str, ...]:
    names = entry.fields_dict.get("author")
    if names is None:
        return ()
    return tuple(
        plain(" ".join([*parts.first, *parts.von, *parts.last, *parts.jr])) for parts in names.value
    )


def parse(text: str, path: str = "docs/references.bib") -> dict[str, Paper]:
    """Parse BibTeX text; raise BibError for the first problem found."""
    # bibtexparser also logs each failed block; the BibError below says it in one line.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            raise BibError(f"{path}:{line}: duplicate key '{block.key}'")
        reason = getattr(block.error, "abort_reason", None) or str(block.error) or "malformed entry"
        raise BibError(f"{path}:{line}: cannot parse entry: {reason.strip()}")
    papers: dict[str, Paper] = {}
    lines = text.splitlines()
    for entry in library.entries:
        line = entry.start_line + 1
        if not re.fullmatch(r"[A-Za-z0-9_:\-.+]+", entry.key):
            raise BibError(f"{path}:{line}: bad key '{entry.key}'")
        fields = {name.lower(): f.value for name, f in entry.fields_dict.items() if name.lower() != "author"}
        missing = [name for name in REQUIRED if not fields.get(name, "").strip()]
        if missing:
            raise BibError(f"{path}:{line}: entry '{entry.key}' has no {' or '.join(missing)}")
        raw = "\n".join(lines[entry.start_line: entry.start_line + entry.raw.count("\n") + 1])
        papers[entry.key] = Paper(entry.key, entry.entry_type.lower(), fields, _authors(entry), line, raw)
    return papers


def load(path: Path, name: str | None = None) -> dict[str, Paper]:
    """Read a .bib file; errors call it ``name`` (default: the path as given)."""
    name = name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BibError(f"{name}: not UTF-8 (byte {exc.start})") from None
    return parse(text, name)
