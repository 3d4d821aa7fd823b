"""Measurement-like numbers in the notes' prose, and where each comes from.

A number with a unit of measure (``420 images/s``, ``9.6 GB``, ``3.2x``,
``71.8 mIoU``, ``658M parameters``) in a note's prose is a claim. It must come
with its origin, in the same sentence (or table row, or the sentence that
introduces the table):

- a citation of a paper, ``[@key]``;
- a footnote whose text starts with ``Source:`` or ``来源：``, naming the
  source document whose author measured it;
- an executed Python block on the same page whose source holds that number
  (the block computes or asserts it).

Code, inline code, math and HTML comments are not prose. Pages that a tool
writes from committed data (docs/performance.md, from benchmarks/) are
checked by their own test and are left out. What remains is reported, unless
it is in ALLOWED with a reason.

    python -m tests.prose_numbers          # every number found, by kind, and those without an origin
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Written by a tool from committed data and checked against it by that tool's test.
GENERATED = {"docs/performance.md"}  # tools/bench/page.py from benchmarks/ (tests/notes/test_bench_page.py)

NUMBER = r"(?<![\w.])\d+(?:[.,]\d+)*"
# Each kind: a pattern for a number with its unit (the unit after the number, or a metric's name before it).
KINDS = {
    "throughput": rf"{NUMBER}\s?(?:images?|imgs?|examples?|ex|samples?|tokens?|it|items?|图片|张|个样本)\s?/\s?(?:s|sec|second|秒)(?!\w)",
    "time": rf"{NUMBER}\s?(?:ms|µs|us|ns|毫秒|秒|分钟|小时|(?:seconds?|minutes?|hours?|days?|sec|min)\b|s\b|h\b)",
    "memory": rf"{NUMBER}\s?(?:[KMGT]i?B\b|[KMGT]B/s|bytes?\b|字节)",
    "compute": rf"{NUMBER}\s?[GTP]?FLOPs\b",
    "percent": rf"{NUMBER}\s?(?:%|％|个百分点|percent\b)",
    # 3.2x, 4 倍, but not a shape: 224×224, 64 × 32
    "ratio": rf"{NUMBER}\s?(?:×|x(?![\w]))(?!\s?\d)|{NUMBER}\s?倍|{NUMBER} times (?:faster|slower|as|more|less)",
    "parameters": rf"{NUMBER}\s?(?:[KMB]|million|billion|万|亿)\s?(?:parameters|params|个?参数)",
    "metric": rf"(?:mIoU|mAP|box AP|mask AP|top-?[15](?: accuracy| error)?|BLEU|FID|accuracy|准确率|错误率|精度)"
              rf"\s?(?:of|=|:|：|为|是|达到|到了|reaches)?\s?{NUMBER}"
              rf"|{NUMBER}\s?(?:mIoU|mAP|box AP|mask AP|AP\b|BLEU|FID)",
}
PATTERN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in KINDS.items()), re.IGNORECASE)
# Not measurements: a decade (1990s), a hex literal, a version (v1.10s never), a year before "s".
NOT_A_MEASUREMENT = re.compile(r"^(?:1[89]|20)\d0s$|^0x")

CITATION = re.compile(r"\[@[^\]\s;]+")
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.*)$", re.MULTILINE)
SOURCED = re.compile(r"^(?:Source:|来源[：:])")
# A title or a quotation: "Training ImageNet in 1 Hour", 《...》 is not the note's own claim.
QUOTED = re.compile(r'"[^"\n]{12,}?"|“[^”\n]{6,}?”|《[^》\n]+》')
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+?\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z\[(*`])|(?<=[。！？；])")

# Reviewed exceptions: (page, the number as written) -> why it needs no origin.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Found:
    page: str
    line: int
    kind: str
    text: str  # the number with its unit, as written
    unit: str  # the sentence (or table row) it is in
    origin: str | None  # "citation", "source", "block" or None

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.kind} '{self.text}' has no origin: {self.unit.strip()[:160]}"


def parser():
    from tools.log.snippets import markdown_parser

    return markdown_parser().enable("table")


def _executed_code(tokens) -> dict[int, str]:
    """Section number -> the source of the section's executed Python fences (a section runs
    from one heading to the next)."""
    code: dict[int, list[str]] = {}
    section = 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            section += 1
        if token.type != "fence" or token.info.split()[:1] not in (["python"], ["py"], ["python3"]):
            continue
        before = tokens[i - 1] if i else None
        if before is not None and before.type == "html_block" and "pytest.mark.skip" in before.content:
            continue
        code.setdefault(section, []).append(token.content)
    return {number: "\n".join(parts) for number, parts in code.items()}


# A table column's unit, in its header cell: "images/s", "显存 (GB)", "mIoU", "时间（秒）".
HEADER_UNIT = re.compile(r"images?\s?/\s?s|imgs?/s|examples?/sec|examples?/s|ex/s|it/s|samples?/s|(?:图片|张)\s?/\s?秒|"
                         r"\b(?:ms|s|GB|MB|GiB|MiB|mIoU|mAP|AP|BLEU|FID)\b|top-?[15]|%|秒|毫秒|分钟", re.IGNORECASE)
BARE_NUMBER = re.compile(r"\s*[~≈约]?\s*\d+(?:[.,]\d+)*\s*")


def _units(tokens, sourced: set[str]):
    """(line, section, text, context) for each piece of prose: a paragraph, a list item's text, a
    table row. context is the sentence that introduces a table. A number alone in a table cell
    takes the unit its column's header names. The text of a footnote in sourced (one that
    starts with Source:) is an origin, not prose."""
    previous_paragraph = ""
    row: list[str] = []
    header: list[str] = []
    row_line = 0
    in_table = in_head = introduced = False
    skipping = False
    section = 0
    for i, token in enumerate(tokens):
        if token.type == "footnote_open":
            skipping = token.meta.get("label") in sourced
        elif token.type == "footnote_close":
            skipping = False
        elif skipping:
            continue
        elif token.type == "heading_open":
            section += 1
        elif token.type == "table_open":
            in_table, header = True, []
            introduced = tokens[i - 1].type == "paragraph_close"  # by the paragraph just above it
        elif token.type == "table_close":
            in_table = False
        elif token.type in ("thead_open", "thead_close"):
            in_head = token.type == "thead_open"
        elif token.type == "tr_open":
            row, row_line = [], (token.map[0] + 1 if token.map else 0)
        elif token.type == "tr_close":
            if in_head:
                header = row
            cells = []
            row_unit = HEADER_UNIT.search(row[0]) if row and not in_head else None  # a unit named by the row
            for column, cell in enumerate(row):
                unit = HEADER_UNIT.search(header[column]) if not in_head and column < len(header) else None
                unit = unit or (row_unit if column else None)
                cells.append(f"{cell.strip()} {unit[0]}" if unit and BARE_NUMBER.fullmatch(cell) else cell)
            yield row_line, section, " | ".join(cells), _last_sentence(previous_paragraph) if introduced else ""
        elif token.type == "inline":
            text = _prose(token)
            line = token.map[0] + 1 if token.map else 0
            if in_table:
                row.append(text)
            else:
                yield line, section, text, ""
                if tokens[i - 1].type == "paragraph_open":
                    previous_paragraph = text


def _prose(inline) -> str:
    """An inline token's text without its code spans, HTML and math."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "softbreak", "hardbreak"):
            parts.append(child.content if child.type == "text" else " ")
        elif child.type == "footnote_ref":
            parts.append(f"[^{child.meta['label']}]")
    text = "".join(parts)
    return QUOTED.sub(" ", MATH.sub(" ", text))


def _last_sentence(paragraph: str) -> str:
    pieces = [piece for piece in SENTENCE_END.split(paragraph) if piece.strip()]
    return pieces[-1] if pieces else ""


def sentences(text: str) -> list[str]:
    return [piece for piece in SENTENCE_END.split(text) if piece.strip()] or [text]


def scan(page: str, source: str) -> list[Found]:
    """Every measurement-like number in the page's prose, each with its origin (or None)."""
    tokens = parser().parse(source)
    code = _executed_code(tokens)
    sourced = {label for label, text in FOOTNOTE_DEF.findall(source) if SOURCED.match(text.strip())}
    cited_source = re.compile(r"\[\^(?:" + "|".join(map(re.escape, sorted(sourced))) + r")\]") if sourced else None
    found = []
    for line, section, text, context in _units(tokens, sourced):
        for sentence in sentences(text):
            for match in PATTERN.finditer(sentence):
                written = match.group(0).strip()
                if NOT_A_MEASUREMENT.match(written):
                    continue
                where = sentence + " " + context
                if CITATION.search(where):
                    origin = "citation"
                elif cited_source is not None and cited_source.search(where):
                    origin = "source"
                elif checked(written, match.lastgroup, code.get(section, "")):
                    origin = "block"
                else:
                    origin = None
                found.append(Found(page, line, match.lastgroup, written, sentence, origin))
    return found


def checked(written: str, kind: str, code: str) -> bool:
    """Whether an executed block of the sentence's section holds the number: written as it is
    in the prose (a number of two or more significant digits), as a fraction for a percentage
    (32% -> 0.32), or with its unit ('3 GB' in a comment or an assert message)."""
    if not code:
        return False
    if written in code:
        return True
    number = re.search(r"\d+(?:[.,]\d+)*", written)[0].replace(",", "")
    forms = []
    if len(number.replace(".", "").strip("0")) >= 2:
        forms.append(number)
    if kind == "percent":
        fraction = f"{float(number) / 100:.6f}".rstrip("0").rstrip(".")
        forms += [fraction, fraction.lstrip("0")] if "." in fraction else []
    return any(re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", code) for form in forms)


def pages(docs: Path = DOCS) -> list[Path]:
    root = docs.parent
    return [path for path in sorted(docs.rglob("*.md")) if path.relative_to(root).as_posix() not in GENERATED]


def scan_log(docs: Path = DOCS) -> list[Found]:
    root = docs.parent
    found = []
    for path in pages(docs):
        page = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        found += scan(page, source)
    return found


def unsourced(found: list[Found]) -> list[Found]:
    return [f for f in found if f.origin is None and (f.page, f.text) not in ALLOWED]


def main() -> int:
    found = scan_log()
    kinds: dict[str, list[int]] = {}
    for f in found:
        counts = kinds.setdefault(f.kind, [0, 0])
        counts[0] += 1
        counts[1] += f.origin is None and (f.page, f.text) not in ALLOWED
    print("kind         found  without origin")
    for kind in KINDS:
        total, missing = kinds.get(kind, [0, 0])
        print(f"{kind:12} {total:5}  {missing:5}")
    for f in unsourced(found):
        print(f)
    return 1 if unsourced(found) else 0


if __name__ == "__main__":
    sys.exit(main())
