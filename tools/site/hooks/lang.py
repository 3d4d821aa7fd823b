"""Each page's language on its ``<html lang>``: Chinese pages are ``zh-CN``.

Material writes the theme's one ``language`` (``en``) on every page, and a
browser picks the glyph forms of Han characters by that attribute: on an
``en`` page, Chromium on Linux draws Chinese with Noto Sans CJK JP, whose
：and ；sit in the middle of the line and some characters differ from the
Simplified Chinese ones.

A page's language is its front matter ``lang:`` when it has one (any BCP 47
tag: ``lang: zh-CN``, ``lang: en``); otherwise it is read from the page's
text, code and formulas left out: ``zh-CN`` when Han characters make at
least ``CHINESE_SHARE`` of its words (a Han character counts as one word, a
run of Latin letters as one). A Chinese note that names English terms and
papers is Chinese; an English note with a Chinese alias or two stays ``en``.
A ``lang`` that is not a plain tag is a warning naming the file and line, so
``mkdocs build --strict`` fails on it.

Which fonts draw the text is the stylesheet's part (lang.css): Simplified
Chinese faces before any other CJK face, on every page, so Chinese in an
English page is drawn with them too.
"""

from __future__ import annotations

import html
import logging
import os
import re

log = logging.getLogger("mkdocs.hooks.lang")

CHINESE = "zh-CN"
CHINESE_SHARE = 0.4

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
# What is not prose: code, formulas, scripts.
NOT_PROSE = re.compile(r"<(pre|code|script|style|math)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
HTML_LANG = re.compile(r'<html\b[^>]*?\blang="([^"]*)"')
BCP47 = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def chinese_share(page_html: str) -> float:
    """Han characters as a share of the words of the page's prose (0 for none)."""
    text = html.unescape(TAG.sub(" ", NOT_PROSE.sub(" ", page_html)))
    han = len(HAN.findall(text))
    words = han + len(LATIN_WORD.findall(text))
    return han / words if words else 0.0


def language(page_html: str, meta: dict, default: str) -> str:
    """The page's language: front matter ``lang``, else zh-CN for a Chinese text, else ``default``."""
    declared = meta.get("lang")
    if isinstance(declared, str) and BCP47.fullmatch(declared.strip()):
        return declared.strip()
    return CHINESE if chinese_share(page_html) >= CHINESE_SHARE else default


def with_language(output: str, lang: str) -> str:
    """The page with ``lang`` on its ``<html>`` element."""
    match = HTML_LANG.search(output)
    if match is None:
        return output
    return output[:match.start(1)] + html.escape(lang) + output[match.end(1):]


def on_post_page(output: str, page, config, **kwargs) -> str:
    declared = page.meta.get("lang")
    if declared is not None and not (isinstance(declared, str) and BCP47.fullmatch(declared.strip())):
        path = os.path.relpath(page.file.abs_src_path) if page.file.abs_src_path else page.file.src_uri
        source = page.file.content_string if page.file.abs_src_path else ""
        line = next((n for n, text in enumerate(source.splitlines(), 1) if text.startswith("lang:")), None)
        log.warning(f"{path}" + (f":{line}" if line else "") + f": lang must be a language tag such as zh-CN"
                    f" or en, not {declared!r}")
    default = config["theme"]["language"] or "en"
    return with_language(output, language(page.content or "", page.meta, default))
