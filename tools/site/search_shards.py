"""A search index that the browser loads piece by piece.

Material's search worker builds its Lunr index in the browser from every
section of every page; at 2,000 notes that is 55 MB of JSON and about ten
seconds before the first result. This module computes the same index at
build time and splits it into files the browser fetches only when a query
needs them (``docs/assets/javascripts/workers/papernotes-search.js``):

``search/shards/index.json``
    the sorted vocabulary, each section's location and title, where each
    term's postings and each section's text are stored, and the version:
    the folder, named by a hash of the content, that holds the other files.
``search/shards/<version>/t<k>.json``
    the postings of a run of consecutive terms: per field, the sections that
    hold the term and the term's weight there.
``search/shards/<version>/d<k>.json``
    the text and tags of a run of whole pages' sections.

The weights are the ones Lunr 2.3.9 computes for Material's configuration
(BM25 with ``b = 0``, the field boosts, a section's boost, three decimals), so
the browser can score a query with Lunr itself over only the terms it names
and get Material's ranking. Tokens are cut the way Material's tokenizer cuts
them: text between HTML tags, split on the search separator, lower-cased,
English stop words left out.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

K1 = 1.2  # Lunr's default; Material sets b to 0
FORMAT = 2
TERM_SHARD_BYTES = 96 * 1024  # postings per file, about
DOC_SHARD_BYTES = 16 * 1024  # section text per file, at least (whole pages)
FIELDS = ("title", "text", "tags")
ENV = "PAPERNOTES_SEARCH_SHARDS"  # "0": Material's own search index and worker
WORKER = "assets/javascripts/workers/papernotes-search.js"

# JavaScript's \s, which the separator is written for; Python's differs in a
# few code points (\x1c-\x1f and \x85 are in it, \ufeff is not).
JS_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ANGLE = re.compile(r"[<>]")
_STOP_LIST = re.compile(r"lunr\.stopWordFilter\s*=\s*lunr\.generateStopWordFilter\(\[(.*?)\]\)", re.S)
_VERSION = re.compile(r'lunr\.version\s*=\s*"([^"]+)"')


class SearchIndexError(Exception):
    """Input the index cannot be built from."""


def lunr_js() -> Path:
    """Lunr 2.3.9 as shipped with MkDocs (its built-in search theme)."""
    import mkdocs.contrib.search

    return Path(mkdocs.contrib.search.__file__).parent / "templates" / "search" / "lunr.js"


@functools.cache
def lunr_source() -> str:
    return lunr_js().read_text(encoding="utf-8")


def search_plugin(config):
    """The site's search plugin, or None when it is absent or switched off."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    return plugin if plugin is not None and plugin.config.get("enabled", True) else None


def enabled(config, command: str | None) -> bool:
    """Whether this run writes the sharded index: ``mkdocs build`` (or
    ``gh-deploy``) of a site served over HTTP. ``mkdocs serve`` keeps
    Material's index, which it can update page by page; so does the offline
    build, whose worker runs from file:// and cannot fetch."""
    if os.environ.get(ENV, "1") == "0" or command not in ("build", "gh-deploy"):
        return False
    offline = config.plugins.get("material/offline") or config.plugins.get("offline")
    if offline is not None and offline.config.enabled:
        return False
    search = search_plugin(config)
    return search is None or unsupported(search.config) is None


def unsupported(search_config) -> str | None:
    """Why the sharded index cannot reproduce this search configuration, or
    None. Its tokens are Lunr's for English with at most the stop-word filter:
    other languages and the stemmer or trimmer would need Lunr's language
    plugins at build time."""
    lang = list(search_config.get("lang") or ["en"])
    extra = set(search_config.get("pipeline") or []) - {"stopWordFilter"}
    if lang != ["en"]:
        return f"search lang {lang} (the sharded index supports ['en'])"
    if extra:
        return f"search pipeline {sorted(extra)} (the sharded index supports stopWordFilter alone)"
    return None


def tokenizer(search_config) -> "Tokenizer":
    """The tokenizer for the search plugin's configuration."""
    stop = frozenset()
    if "stopWordFilter" in (search_config.get("pipeline") or []):
        stop = stop_words(lunr_source())
    return Tokenizer(js_separator(search_config["separator"]), stop)


def lunr_version(source: str) -> str:
    found = _VERSION.search(source)
    if found is None:
        raise SearchIndexError(f"{lunr_js()}: no lunr.version in it")
    return found.group(1)


def stop_words(source: str) -> frozenset[str]:
    """The English stop words Lunr's default pipeline removes, read from lunr.js."""
    found = _STOP_LIST.search(source)
    if found is None:
        raise SearchIndexError(f"{lunr_js()}: no lunr.stopWordFilter word list in it")
    words = frozenset(re.findall(r"'([^']*)'", found.group(1)))
    if "the" not in words:
        raise SearchIndexError(f"{lunr_js()}: the stop word list does not hold 'the'")
    return words


def js_separator(pattern: str) -> re.Pattern:
    r"""Material's separator (a JavaScript regular expression) for Python's re."""
    return re.compile(pattern.replace(r"\s", JS_SPACE))


def text_runs(value: str):
    """The text between HTML tags, cut where Material's ``extract`` cuts it."""
    start = 0
    for mark in _ANGLE.finditer(value):
        end = mark.start()
        if mark.group() == "<":
            if end > start:
                yield value[start:end]
                start = end
        else:
            start = end + 1
    if len(value) > start:
        yield value[start:]


@dataclass
class Tokenizer:
    separator: re.Pattern
    stop: frozenset[str]

    def tokens(self, value) -> list[str]:
        """Index terms of a field's value (a string, or a list for tags), in order."""
        values = value if isinstance(value, list) else [value]
        out = []
        split, stop = self.separator.split, self.stop
        for item in values:
            for run in text_runs(item):
                for token in split(run):
                    if token:
                        token = token.lower()
                        if token not in stop:
                            out.append(token)
        return out

    def counts(self, entry: dict) -> list[dict[str, int]]:
        """Term frequencies per field (FIELDS order) of one search entry."""
        return [Counter(self.tokens(entry[name])) if entry.get(name) else {} for name in FIELDS]


def js_round3(score: float) -> float:
    """``Math.round(score * 1000) / 1000``: halves go up, as in JavaScript."""
    return math.floor(score * 1000 + 0.5) / 1000


def js_sort_key(term: str) -> bytes:
    """JavaScript compares strings by UTF-16 code units."""
    return term.encode("utf-16-be")


@dataclass
class Shards:
    """The index's files, as JSON-ready objects."""

    index: dict
    terms: list[dict] = field(default_factory=list)
    docs: list[list] = field(default_factory=list)

    def write(self, folder: Path) -> int:
        """Write the index into ``folder`` (emptied first); return the bytes written.

        The postings and text files go into a subfolder named by a hash of
        their content and the index's, which ``index.json`` names
        (``version``). Those files never change under one name, so a
        browser's cached copy of one is always right; the worker asks for
        ``index.json`` itself afresh (``cache: "no-cache"``), so after a new
        build it reads the new files, never a mix of two builds.
        """
        texts = {f"t{k}": _json(shard) for k, shard in enumerate(self.terms)}
        texts.update({f"d{k}": _json(shard) for k, shard in enumerate(self.docs)})
        digest = hashlib.sha256(_json(self.index).encode("utf-8"))
        for name, text in texts.items():
            digest.update(f"\0{name}\0".encode("utf-8"))
            digest.update(text.encode("utf-8"))
        version = digest.hexdigest()[:16]
        if folder.exists():
            shutil.rmtree(folder)
        (folder / version).mkdir(parents=True)
        index = _json({**self.index, "version": version})
        (folder / "index.json").write_text(index, encoding="utf-8")
        total = len(index.encode("utf-8"))
        for name, text in texts.items():
            (folder / version / f"{name}.json").write_text(text, encoding="utf-8")
            total += len(text.encode("utf-8"))
        return total


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def build(entries: list[dict], counts: list[list[dict[str, int]]], boosts: dict[str, float],
          separator: str) -> Shards:
    """The sharded index of Material's search entries.

    ``counts[i]`` are ``entries[i]``'s term frequencies per field
    (``Tokenizer.counts``); ``boosts`` are the search plugin's field boosts.
    """
    if len(entries) != len(counts):
        raise ValueError(f"{len(entries)} entries but {len(counts)} term counts")
    documents = len(entries)
    postings: dict[str, list[list]] = {}
    for doc, per_field in enumerate(counts):
        for f, name in enumerate(FIELDS):
            if name not in boosts:
                continue
            for term, tf in per_field[f].items():
                lists = postings.get(term)
                if lists is None:
                    lists = postings[term] = [[] for _ in FIELDS]
                lists[f].append(doc)
                lists[f].append(tf)

    vocabulary = sorted(postings, key=js_sort_key)
    doc_boost = [float(entry.get("boost", 1) or 1) for entry in entries]
    term_shards, term_starts, shard, size = [], [], {}, 0
    for number, term in enumerate(vocabulary):
        lists = postings[term]
        with_term = sum(len(pairs) // 2 for pairs in lists)  # Lunr's idf counts a section once per field
        x = (documents - with_term + 0.5) / (with_term + 0.5)
        idf = math.log(1 + abs(x))
        weighted = []
        for f, name in enumerate(FIELDS):
            pairs = lists[f]
            boost = boosts.get(name, 1) or 1
            out = []
            for i in range(0, len(pairs), 2):
                doc, tf = pairs[i], pairs[i + 1]
                score = idf * ((K1 + 1) * tf) / (K1 + tf)  # b = 0: the field's length does not count
                score *= boost
                score *= doc_boost[doc]
                out.append(doc)
                out.append(js_round3(score))
            weighted.append(out)
        if not shard:
            term_starts.append(number)
        shard[term] = weighted
        size += len(term) + 8 * sum(len(w) for w in weighted)
        if size >= TERM_SHARD_BYTES:
            term_shards.append(shard)
            shard, size = {}, 0
    if shard:
        term_shards.append(shard)

    # Section text in runs of whole pages: the results of a query are grouped
    # by page, and a page's sections are fetched together.
    doc_shards, doc_starts, chunk, size = [], [], [], 0
    for number, entry in enumerate(entries):
        if chunk and size >= DOC_SHARD_BYTES and "#" not in entry["location"]:
            doc_shards.append(chunk)
            chunk, size = [], 0
        if not chunk:
            doc_starts.append(number)
        row = [entry.get("text", "")]
        if entry.get("tags"):
            row.append(entry["tags"])
        chunk.append(row)
        size += len(row[0].encode("utf-8"))
    if chunk:
        doc_shards.append(chunk)

    index = {
        "format": FORMAT,
        "lunr": lunr_version(lunr_source()),
        "separator": separator,
        "fields": list(FIELDS),  # the order of each term's per-field postings
        "vocabulary": vocabulary,
        "term_shards": term_starts,
        "locations": [entry["location"] for entry in entries],
        "titles": [entry.get("title", "") for entry in entries],
        "doc_shards": doc_starts,
    }
    return Shards(index, term_shards, doc_shards)


def read_sections(site: Path) -> list[dict]:
    """Every search section of a built site, as Material's entries: from the
    sharded index when the build wrote one, else from search_index.json."""
    folder = site / "search" / "shards"
    if not (folder / "index.json").is_file():
        return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    rows = []
    for k in range(len(index["doc_shards"])):
        rows += json.loads((folder / index["version"] / f"d{k}.json").read_text(encoding="utf-8"))
    if len(rows) != len(index["locations"]):
        raise SearchIndexError(f"{folder}: {len(rows)} sections stored for {len(index['locations'])} locations")
    sections = []
    for location, title, row in zip(index["locations"], index["titles"], rows):
        entry = {"location": location, "title": title, "text": row[0]}
        if len(row) > 1:
            entry["tags"] = row[1]
        sections.append(entry)
    return sections
