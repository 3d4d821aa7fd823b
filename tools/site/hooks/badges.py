"""Verification badges: every exported block says whether its code passed its tests.

An exported fence (```` ```python title="snippets/moco.py" ````) is shown by
Material with its title as a file name. This hook adds the module's record
from snippets/verified.json to that title as a short mark, the devices it
passed on, with the details on hover and a link to the page that explains
what was tested (docs/verified.md, tools/site/hooks/verified_page.py):

    snippets/moco.py  ✓ CPU · CUDA
    (title: verified on CPU (12 tests, AMD EPYC 7763, torch 2.13.0, 2026-11-23) and CUDA (...))

A record counts only when its sha256 is that of the module the page's fences
make now (tools/extract renders it from the page's source; its block-line
comments are left out of the hash, see tools.extract.code_digest); otherwise the
badge says "✗ not verified" (details: "not verified for this version", or
"not verified" when the module has never passed). An exported block whose
title cannot be found in the page's HTML is a warning, which ``mkdocs build
--strict`` makes an error.
"""

from __future__ import annotations

import html
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.utils import get_relative_url  # noqa: E402

from tools.log.snippets import NoteError, code_digest, modules_in_note  # noqa: E402

log = logging.getLogger("mkdocs.hooks.badges")
DEVICE_NAMES = {"cpu": "CPU", "cuda": "CUDA"}
EXPLAINED = "verified.md"  # the page that says what verified means, per module


def load_records(path: Path) -> dict:
    """snippets/verified.json, or {} when there is none yet."""
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def badge(entry: dict | None, sha256: str) -> tuple[str, bool]:
    """(text, verified) for a module whose current code hashes to sha256."""
    if not entry or not entry.get("devices"):
        return "not verified", False
    if entry.get("sha256") != sha256:
        return "not verified for this version", False
    parts = []
    for device, record in sorted(entry["devices"].items(), key=lambda item: list(DEVICE_NAMES).index(item[0])):
        torch = record["torch"].split("+")[0]
        tests = f"{record['tests_passed']} test{'' if record['tests_passed'] == 1 else 's'}"
        parts.append(f"{DEVICE_NAMES[device]} ({tests}, {record['device_name']}, torch {torch}, {record['date']})")
    return "verified on " + " and ".join(parts), True


def devices_of(entry: dict | None) -> list[str]:
    """The names of the devices a module's record lists, CPU first."""
    devices = (entry or {}).get("devices") or {}
    return [DEVICE_NAMES.get(d, d) for d in sorted(devices, key=lambda d: list(DEVICE_NAMES).index(d)
                                                     if d in DEVICE_NAMES else len(DEVICE_NAMES))]


def mark(verified: bool, devices: list[str]) -> str:
    """What the badge shows: "✓ CPU · CUDA", or "✗ not verified"."""
    return "✓ " + " · ".join(devices) if verified else "✗ not verified"


def page_badges(source: str, path: str, records: dict) -> dict[str, tuple[str, bool, str]]:
    """Title (snippets/<name>.py) -> (details, verified, mark), for the modules a note exports."""
    found = {}
    for name, text in modules_in_note(source, path).items():
        details, verified = badge(records.get(name), code_digest(text))
        found[f"snippets/{name}.py"] = (details, verified, mark(verified, devices_of(records.get(name))))
    return found


def add_badges(page_html: str, badges: dict[str, tuple[str, bool, str]], explained: str = "") -> tuple[str, list[str]]:
    """The page with a badge in each exported block's title; the titles not found.
    ``explained``: the URL (relative to the page) of the page that explains the records."""
    missing = []
    for title, (text, verified, shown) in badges.items():
        span = f'<span class="filename">{html.escape(title)}</span>'
        if span not in page_html:
            missing.append(title)
            continue
        state = "verified" if verified else "unverified"
        module = title.removeprefix("snippets/").removesuffix(".py")
        label = html.escape(shown)
        if explained:
            label = f'<a href="{html.escape(explained)}#module-{html.escape(module)}">{label}</a>'
        tagged = (
            f'<span class="filename">{html.escape(title)} '
            f'<span class="papernotes-badge papernotes-{state}" title="{html.escape(text)}">'
            f"{label}</span></span>"
        )
        page_html = page_html.replace(span, tagged)
    return page_html, missing


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    root = Path(config.config_file_path).resolve().parent
    source = Path(page.file.abs_src_path or "").resolve()
    if not source.is_relative_to(root) or "snippets/" not in page.file.content_string:
        return html  # a page a plugin made (blog archives), or one that exports nothing
    path = source.relative_to(root).as_posix()
    try:
        badges = page_badges(page.file.content_string, path, load_records(root / "snippets" / "verified.json"))
    except NoteError as error:
        log.warning(str(error))
        return html
    explained = files.get_file_from_path(EXPLAINED)
    href = get_relative_url(explained.url, page.url) if explained is not None else ""
    html, missing = add_badges(html, badges, href)
    for title in missing:
        log.warning(f"{path}: the exported block {title} has no title on the page; it shows no badge")
    return html
