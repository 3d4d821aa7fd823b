"""The home page's summary: the latest weekly reports, counts, and how much of
the notes' code is verified.

``<!-- papernotes:home -->`` in a page is replaced by that summary. The
weekly reports are read from their front matter (``date``) and first heading;
verification comes from snippets/verified.json, checked against each module's
current sha256 as the badges are.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.log.snippets import code_digest  # noqa: E402
from tools.site.hooks.badges import EXPLAINED, badge, devices_of, load_records, mark  # noqa: E402
from tools.site.hooks.papers import front_matter  # noqa: E402

MARK = "<!-- papernotes:home -->"
LATEST = 5
SECTIONS = {"papers": "paper notes", "courses": "course notes", "competitions": "competition notes",
            "tools": "tool notes", "notebooks": "notebooks"}
GENERATED_PAGES = {"index.md", "bibliography.md", "reading-list.md"}


@dataclass(frozen=True)
class Report:
    src_uri: str
    date: str
    title: str


def weekly_reports(pages: dict[str, str]) -> list[Report]:
    """Weekly reports (src_uri -> source), newest first."""
    reports = []
    for src_uri, source in pages.items():
        if not src_uri.startswith("weekly/posts/"):
            continue
        meta, _ = front_matter(src_uri, source)
        heading = re.search(r"^# (.+)$", source, re.MULTILINE)
        title = str(meta.get("title") or (heading[1].strip() if heading else src_uri))
        reports.append(Report(src_uri, str(meta.get("date", "")), title))
    return sorted(reports, key=lambda r: r.date, reverse=True)


def section_counts(pages: dict[str, str]) -> dict[str, int]:
    counts = {}
    for folder, noun in SECTIONS.items():
        counts[noun] = sum(
            1 for uri in pages
            if uri.startswith(folder + "/") and uri.rsplit("/", 1)[-1] not in GENERATED_PAGES
        )
    return counts


def verification(snippets: Path) -> list[tuple[str, str, bool]]:
    """(module, badge text, verified) for every generated module in snippets/."""
    records = load_records(snippets / "verified.json")
    rows = []
    for module in sorted(snippets.glob("*.py")):
        if module.name == "__init__.py":
            continue
        text, verified = badge(records.get(module.stem), code_digest(module.read_text(encoding="utf-8")))
        rows.append((module.stem, text, verified))
    return rows


def devices_sentence(groups: dict[tuple[str, ...], int]) -> str:
    """"on CPU and CUDA (14 modules) and on CPU only (2)" from {devices: how many modules}."""
    parts = []
    for devices, n in sorted(groups.items(), key=lambda item: (-len(item[0]), item[0])):
        named = " and ".join(devices) + (" only" if len(devices) == 1 and len(groups) > 1 else "")
        parts.append(f"on {named} ({n} module{'' if n == 1 else 's'})" if len(groups) > 1 else f"on {named}")
    return " and ".join(parts)


def summary(pages: dict[str, str], snippets: Path, here: str = "index.md") -> str:
    """The Markdown that replaces the marker on page ``here``."""
    prefix = "../" * here.count("/")
    reports = weekly_reports(pages)
    lines = ["## Latest weekly reports", ""]
    lines += [f"- [{r.title}]({prefix}{r.src_uri})" for r in reports[:LATEST]] or ["No report yet."]
    counts = section_counts(pages)
    rows = verification(snippets)
    records = load_records(snippets / "verified.json")
    verified = sum(1 for _, _, ok in rows if ok)
    lines += ["", "## In this log", "", "| what | how many |", "|---|---:|", f"| weekly reports | {len(reports)} |"]
    lines += [f"| {noun} | {n} |" for noun, n in counts.items() if n]
    lines += [f"| exported code modules | {len(rows)} |", f"| verified for their current version | {verified} of {len(rows)} |"]
    groups: dict[tuple[str, ...], int] = {}
    for name, _, ok in rows:
        if ok:
            key = tuple(devices_of(records.get(name)))
            groups[key] = groups.get(key, 0) + 1
    explained = prefix + EXPLAINED if EXPLAINED in pages else ""
    intro = "Each module below is generated from a note and tested against a reference"
    intro += f", {devices_sentence(groups)}" if groups else ""
    intro += "; the record is per version of the code"
    intro += f" ([what verified means]({explained}))." if explained else "."
    lines += ["", "## Verified code", "", intro, "",
              '<div class="papernotes-verified-table" markdown>', "",
              "| module | record |", "|---|---|"]
    for name, text, ok in rows:
        shown = mark(ok, devices_of(records.get(name)))
        if explained:  # a Markdown link with a title: MkDocs resolves it for the page's URL and checks it
            shown = f'[{shown}]({explained}#module-{name} "{text.replace(chr(34), chr(39))}")'
        else:
            shown = f'<span title="{html.escape(text)}">{html.escape(shown)}</span>'
        lines.append(f"| `snippets/{name}.py` | {shown} |")
    lines += ["", "</div>"]
    return "\n".join(lines) + "\n"


_pages: dict[str, str] = {}


def on_files(files, config, **kwargs):
    _pages.clear()
    _pages.update({f.src_uri: f.content_string for f in files.documentation_pages() if f.src_uri.endswith(".md")})
    return files


def on_page_markdown(markdown: str, page, config, **kwargs) -> str:
    if MARK not in markdown:
        return markdown
    snippets = Path(config.config_file_path).resolve().parent / "snippets"
    return markdown.replace(MARK, summary(_pages, snippets, page.file.src_uri))
