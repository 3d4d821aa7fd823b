"""The reading log's one list of papers: docs/references.bib, read with bibtexparser 2.

    papers = load(Path("docs/references.bib"))     # {key: Paper}, in file order
    papers["he2020moco"].title, .authors, .venue, .year, .links(), .bibtex

Every problem raises BibError, whose message is one line naming the file and
line (``docs/references.bib:42: duplicate key 'he2020moco'``): a malformed
entry; a duplicate key, or one that differs from another only in case
(``He2020MoCo`` next to ``he2020moco``: BibTeX takes them for one); an entry
without a type, a title or a year; a value that names an @string macro the
file does not define (``journal = jmlr``; the months jan ... dec are BibTeX's
own) or joins values with ``#``; an entry over 64 KiB (ENTRY_LIMIT; real ones
take a few KiB, the longest author lists under 2); a control character; text
that is not UTF-8.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, Field

from tools.log import files

REQUIRED = ("title", "year")
ENTRY_LIMIT = 64 * 1024  # bytes of one entry, as written and with its macros expanded
MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
# Fields that are addresses, not text: shown as written, never LaTeX-decoded.
VERBATIM = {"url", "doi", "eprint", "code", "archiveprefix", "file"}


class BibError(ValueError):
    """A problem in the .bib file; str() is ``path:line: message``; .line is that line (0: none)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


def plain(value: str) -> str:
    """A BibTeX value without its protecting braces, spacing made single (no decoding:
    for addresses, and for text that the decoder already read)."""
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


def _decoder() -> LatexDecodingMiddleware:
    # Braced groups are kept while decoding so that SeparateCoAuthors still sees a
    # protected "{Barack and Michelle}"; plain() removes them afterwards.
    return LatexDecodingMiddleware(allow_inplace_modification=True, keep_braced_groups=True)


@dataclass(frozen=True)
class Paper:
    key: str
    kind: str  # the entry type: article, inproceedings, misc, ...
    fields: dict[str, str]
    authors: tuple[str, ...]  # "First Last"
    line: int  # 1-based line of the entry in the .bib file
    bibtex: str = field(repr=False)  # the entry as written, to copy
    macros: tuple[str, ...] = field(default=(), repr=False)  # fields whose value came from an @string macro
    shown: dict[str, str] = field(default_factory=dict, repr=False)  # fields LaTeX-decoded, braces removed
    names: tuple[str, ...] = field(default=(), repr=False)  # the authors as written ("{\\L}ukasz Kaiser")

    def text(self, name: str) -> str:
        """Field ``name`` as a reader sees it (decoded), or "" when the entry has none."""
        if name in self.shown:
            return self.shown[name]
        return plain(self.fields.get(name, ""))

    @property
    def title(self) -> str:
        return self.text("title")

    @property
    def year(self) -> str:
        return self.text("year")

    @property
    def venue(self) -> str:
        for name in ("booktitle", "journal", "institution", "publisher", "howpublished"):
            if name in self.fields:
                return self.text(name)
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
    names = entry.fields_dict.get("author") if entry is not None else None
    if names is None:
        return ()
    return tuple(
        plain(" ".join([*parts.first, *parts.von, *parts.last, *parts.jr])) for parts in names.value
    )


# What the decoder changes: a macro, a tie, a dash, TeX quotes, math, an escaped character.
# A value with none of them reads the same decoded (plain() removes its braces): it is not
# given to pylatexenc, which takes about a millisecond a value.
LATEX = re.compile(r"[\\~$%&#`']|--")


def _decoded_entries(library) -> dict[str, object]:
    """Key -> an entry that holds, LaTeX-decoded, those of the entry's fields (authors split)
    that the decoder changes; ``library`` stays as written. An entry the decoder cannot read
    is left out: its fields are then shown as written."""
    copies = []
    for entry in library.entries:
        fields = [Field(f.key, f.value) for f in entry.fields
                  if isinstance(f.value, str) and f.key.lower() not in VERBATIM and LATEX.search(f.value)]
        if fields:
            copies.append(Entry(entry.entry_type, entry.key, fields))
    if not copies:
        return {}
    middlewares = [_decoder(), SeparateCoAuthors(allow_inplace_modification=True),
                   SplitNameParts(allow_inplace_modification=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            decoded_library = bibtexparser.Library(copies)
            for middleware in middlewares:
                decoded_library = middleware.transform(decoded_library)
        except Exception:  # pylatexenc's own failure: show the text as written
            return {}
    return {entry.key: entry for entry in decoded_library.entries}


def _control(text: str, path: str) -> None:
    found = files.control_at(text)
    if found is not None:
        line, column, character = found
        raise BibError(f"{path}:{line}:{column}: control character U+{ord(character):04X}; remove it", line)


def _check_values(entry, path: str) -> None:
    """Refuse a value that is still a macro name or a '#' join once @string macros are expanded."""
    for item in entry.fields:
        if getattr(item, "enclosing", None) != "no-enclosing":
            continue  # braced, quoted, a number, or a macro that was expanded
        value = item.value.strip()
        if value.lower() in MONTHS:
            continue
        line = (item.start_line if item.start_line is not None else entry.start_line) + 1
        if "#" in value:
            raise BibError(f"{path}:{line}: entry '{entry.key}': {item.key} = {value[:60]} joins values with '#'; "
                           "write the value out in braces", line)
        raise BibError(f"{path}:{line}: entry '{entry.key}': {item.key} = {value[:60]} names an @string macro "
                       f"that is not defined; define it with @string{{{value[:40]} = {{...}}}} or write "
                       "the value in braces", line)


def parse(text: str, path: str = "docs/references.bib") -> dict[str, Paper]:
    """Parse BibTeX text; raise BibError for the first problem found."""
    _control(text, path)
    # bibtexparser also logs each failed block; the BibError below says it in one line.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            library = bibtexparser.parse_string(text)
            shown = _decoded_entries(library)
            for middleware in (SeparateCoAuthors(), SplitNameParts()):
                library = middleware.transform(library)
    except RecursionError:
        raise BibError(f"{path}:1: cannot parse: braces nested too deeply", 1) from None
    except Exception as exc:  # bibtexparser's own failure: still one line, naming the file
        raise BibError(f"{path}:1: cannot parse ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                       1) from None
    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            raise BibError(f"{path}:{line}: duplicate key '{block.key}'", line)
        reason = getattr(block.error, "abort_reason", None) or str(block.error) or "malformed entry"
        raise BibError(f"{path}:{line}: cannot parse entry: {reason.strip().splitlines()[0]}", line)
    papers: dict[str, Paper] = {}
    folded: dict[str, Paper] = {}
    lines = text.splitlines()
    for entry in library.entries:
        line = entry.start_line + 1
        if not entry.entry_type.strip():
            raise BibError(f"{path}:{line}: entry '{entry.key}' has no type (write @article{{...}}, @misc{{...}}, ...)",
                           line)
        if not re.fullmatch(r"[A-Za-z0-9_:\-.+]+", entry.key):
            raise BibError(f"{path}:{line}: bad key '{entry.key}'", line)
        other = folded.get(entry.key.lower())
        if other is not None:
            raise BibError(f"{path}:{line}: key '{entry.key}' differs only in case from '{other.key}' "
                           f"(line {other.line}); BibTeX takes them for one paper", line)
        raw = "\n".join(lines[entry.start_line: entry.start_line + entry.raw.count("\n") + 1])
        size = max(len(raw.encode("utf-8")), sum(len(f.value.encode("utf-8")) for f in entry.fields if isinstance(f.value, str)))
        if size > ENTRY_LIMIT:
            raise BibError(f"{path}:{line}: entry '{entry.key}' takes {size // 1024} KiB; the limit is "
                           f"{ENTRY_LIMIT // 1024} KiB an entry (an abstract or a PDF pasted in?)", line)
        _check_values(entry, path)
        fields = {name.lower(): f.value for name, f in entry.fields_dict.items() if name.lower() != "author"}
        missing = [name for name in REQUIRED if not plain(fields.get(name, ""))]
        if missing:
            raise BibError(f"{path}:{line}: entry '{entry.key}' has no {' or '.join(missing)}", line)
        reader = shown.get(entry.key)
        text_fields = {} if reader is None else {
            name.lower(): plain(f.value) for name, f in reader.fields_dict.items()
            if name.lower() not in VERBATIM and name.lower() != "author" and isinstance(f.value, str)}
        papers[entry.key] = Paper(entry.key, entry.entry_type.lower(), fields,
                                  _authors(reader if reader is not None and "author" in reader.fields_dict else entry),
                                  line, raw,
                                  tuple(entry.parser_metadata.get("ResolveStringReferences") or ()),
                                  text_fields, _authors(entry))
        folded[entry.key.lower()] = papers[entry.key]
    return papers


def load(path: Path, name: str | None = None) -> dict[str, Paper]:
    """Read a .bib file; errors call it ``name`` (default: the path as given)."""
    name = name or str(path)
    data = files.read_bytes(path, name, BibError, "a .bib file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BibError(f"{name}: not UTF-8 (byte {exc.start})") from None
    return parse(text, name)
