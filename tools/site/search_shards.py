r"""The site's search index, computed at build time and cut into small files.

Material's search worker builds a Lunr index in the browser from every section
of every page; at 2,000 notes that is 55 MB of JSON and about ten seconds
before the first result, and Lunr ranks a Chinese query by any of its pieces.
This module computes the index once, at build time, with its own weights, and
splits it into files the browser fetches only when a query needs them; the
worker (``docs/assets/javascripts/workers/papernotes-search.js``) ranks with
them as the README's "How search ranks" says.

``search/shards/index.json``
    the sorted vocabulary, each Chinese word's jieba log-frequency (so the
    browser cuts a query as jieba cut the pages), each section's location,
    title and the page's aliases, where each term's postings and each
    section's text are stored, and the version: the folder, named by a hash
    of the content, that holds the other files.
``search/shards/<version>/t<k>.json``
    the postings of a run of consecutive terms: per field (title, text, code,
    tags), the sections that hold the term and the term's weight there.
``search/shards/<version>/d<k>.json``
    the text and tags of a run of whole pages' sections, as shown in results.
``search/shards/<version>/han.json``
    for the Chinese characters of the index, what jieba knows of each (its
    frequency as a word, its HMM emission probabilities): fetched with the
    first query that holds Chinese.

The offline build writes each file as a script (``.js``) instead, which the
worker loads from file:// where it cannot fetch.

Sections are Material's (its search plugin parses the pages and cuts Chinese
text into words with jieba, marking the cuts with U+200B). Before indexing,
a section's text is split into prose and code (``<pre>`` blocks), TeX
delimiters are taken off formulas, and for display the zero-width spaces go.
Tokens are cut on the search separator, lower-cased and stripped of a TeX
command's backslash (``\eta`` is found as ``eta``), English stop words left out. A term's weight in a field is BM25's with ``b = 0``
(``idf * (k1 + 1) tf / (k1 + tf)``) times the field's weight (WEIGHTS) and
the page's ``search: boost``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

K1 = 1.2
FORMAT = 3
TERM_SHARD_BYTES = 96 * 1024  # postings per file, about
DOC_SHARD_BYTES = 16 * 1024  # section text per file, at least (whole pages)
FIELDS = ("title", "text", "code", "tags")
# What a term weighs in each field, against the same term in prose. The title
# is a page's title and aliases, or a section's heading.
WEIGHTS = {"title": 10.0, "text": 1.0, "code": 0.25, "tags": 3.0}
ENV = "PAPERNOTES_SEARCH_SHARDS"  # "0": Material's own search index and worker
WORKER = "assets/javascripts/workers/papernotes-search.js"
SCRIPT_KEY = "__papernotesSearch"  # offline build: each file's script files its data under this global

# JavaScript's \s, which the separator is written for; Python's differs in a
# few code points (\x1c-\x1f and \x85 are in it, \ufeff is not).
JS_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ANGLE = re.compile(r"[<>]")
_STOP_LIST = re.compile(r"lunr\.stopWordFilter\s*=\s*lunr\.generateStopWordFilter\(\[(.*?)\]\)", re.S)
_VERSION = re.compile(r'lunr\.version\s*=\s*"([^"]+)"')
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Code blocks (prose's inline <code> stays prose), and, outside them, the
# delimiters pymdownx.arithmatex leaves around TeX: \( \) \[ \] and $$.
_PRE = re.compile(r"<pre>.*?</pre>", re.S)
_CODE_OR_PRE = re.compile(r"(<pre>.*?</pre>|<code>.*?</code>)", re.S)
_TEX_DELIMITER = re.compile(r"\\[()\[\]]|\$\$")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


class SearchIndexError(Exception):
    """Input the index cannot be built from."""


def lunr_js() -> Path:
    """Lunr 2.3.9 as shipped with MkDocs (its built-in search theme): the
    source of the English stop word list Material's search uses."""
    import mkdocs.contrib.search

    return Path(mkdocs.contrib.search.__file__).parent / "templates" / "search" / "lunr.js"


@functools.cache
def lunr_source() -> str:
    return lunr_js().read_text(encoding="utf-8")


def search_plugin(config):
    """The site's search plugin, or None when it is absent or switched off."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    return plugin if plugin is not None and plugin.config.get("enabled", True) else None


def offline(config) -> bool:
    """Whether this is the offline build (Material's offline plugin enabled)."""
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return plugin is not None and bool(plugin.config.enabled)


def enabled(config, command: str | None) -> bool:
    """Whether this run writes the sharded index and points the pages at its
    worker: every build, serve and offline copy, unless ``PAPERNOTES_SEARCH_SHARDS=0``
    or the search configuration is one it cannot index (``unsupported``)."""
    if os.environ.get(ENV, "1") == "0":
        return False
    search = search_plugin(config)
    return search is None or unsupported(search.config) is None


def unsupported(search_config) -> str | None:
    """Why the sharded index cannot index this search configuration, or None.
    Its tokens are English words and jieba's Chinese words, with at most the
    English stop-word filter: other languages and the stemmer or trimmer
    would need Lunr's language plugins at build time."""
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


def without_tex_delimiters(html: str) -> str:
    r"""``\(f_q\)`` -> ``f_q``, ``\[ x \]`` -> `` x ``: a formula's TeX source,
    readable in a result; code (``<code>``, ``<pre>``) is left as written."""
    parts = _CODE_OR_PRE.split(html)
    for i in range(0, len(parts), 2):
        parts[i] = _TEX_DELIMITER.sub("", parts[i])
    return "".join(parts)


def shown(html: str) -> str:
    """A title or text as the results show it: no TeX delimiters, no zero-width spaces."""
    return _ZERO_WIDTH.sub("", without_tex_delimiters(html))


def prose_and_code(text: str) -> tuple[str, str]:
    """A section's text split into its prose and its code blocks (TeX delimiters off the prose)."""
    code = " ".join(_PRE.findall(text))
    return without_tex_delimiters(_PRE.sub(" ", text)), code


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
                    token = token.lstrip("\\").lower()  # a formula's \eta is found as eta
                    if token and token not in stop:
                        out.append(token)
        return out

    def counts(self, entry: dict) -> list[Counter]:
        """Term frequencies per field (FIELDS order) of one search entry."""
        prose, code = prose_and_code(entry.get("text") or "")
        title = without_tex_delimiters(entry.get("title") or "")
        fields = {"title": title, "text": prose, "code": code, "tags": entry.get("tags") or []}
        return [Counter(self.tokens(fields[name])) for name in FIELDS]


ALIASES: dict[str, list[str]] = {}  # page URL -> its aliases, across `mkdocs serve`'s rebuilds
_COUNTED: dict[tuple, list] = {}  # a section -> its counts, across `mkdocs serve`'s rebuilds


class LatestWriter:
    """A thread that runs the last job handed to it: under ``mkdocs serve`` the
    index is written while the edited page is served, and a rebuild that comes
    before the last write is done replaces the write still waiting, without
    waiting itself."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._job = None
        self._busy = False
        self._thread: threading.Thread | None = None

    def submit(self, job) -> None:
        with self._ready:
            self._job = job
            self._ready.notify()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="papernotes-search-index", daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether every job handed in has been run (within ``timeout`` seconds)."""
        with self._ready:
            return self._ready.wait_for(lambda: self._job is None and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._job is not None)
                job, self._job, self._busy = self._job, None, True
            try:
                job()
            finally:
                with self._ready:
                    self._busy = False
                    self._ready.notify_all()


WRITER = LatestWriter()  # one per process, across `mkdocs serve`'s rebuilds (this module is not reloaded)


def counted(entries: list[dict], counts: list, tokenizer: Tokenizer) -> list:
    """``counts`` with the missing ones (None) filled in: from the last build's
    where the section is unchanged, else tokenized now."""
    global _COUNTED
    kept = {}
    out = []
    for entry, count in zip(entries, counts):
        key = (entry["location"], entry.get("title", ""), entry.get("text", ""), tuple(entry.get("tags") or ()))
        if count is None:
            count = _COUNTED.get(key) or tokenizer.counts(entry)
        kept[key] = count
        out.append(count)
    _COUNTED = kept
    return out


def segmented(text: str) -> str:
    """Chinese runs of ``text`` cut into words with jieba, U+200B between them,
    as Material's search plugin cuts titles and text."""
    try:
        import jieba
    except ImportError:
        return text
    return re.sub(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+",
                  lambda m: "\u200b" + "\u200b".join(jieba.cut(m.group())) + "\u200b", text).strip("\u200b")


def jieba_log_frequency():
    """word -> jieba's log-probability of it (``log(freq) - log(total)``), or
    None for a word its dictionaries do not hold (which jieba's segmentation
    never proposes as a word), and the value it gives a single character it
    does not know. None without jieba."""
    try:
        import jieba
    except ImportError:
        return None
    jieba.dt.check_initialized()
    total = math.log(jieba.dt.total)
    freq = jieba.dt.FREQ
    return (lambda word: math.log(freq[word]) - total if freq.get(word) else None), -total


def jieba_tables(vocabulary: list[str]) -> dict | None:
    """What the browser needs to cut Chinese as jieba does, for the characters
    of the index's words: each character's log-probability as a word of its
    own, and jieba's HMM (the B/M/E/S start, transition and emission
    log-probabilities, None where jieba has none) that finds the words its
    dictionaries miss. None without jieba."""
    try:
        import jieba
        from jieba import finalseg
    except ImportError:
        return None
    jieba.dt.check_initialized()
    total = math.log(jieba.dt.total)
    chars = sorted({char for term in vocabulary for char in term if _HAN.match(char)})

    def value(number, digits=4):
        return None if number <= finalseg.MIN_FLOAT else round(number, digits)

    return {
        "chars": "".join(chars),
        "frequency": [round(math.log(jieba.dt.FREQ.get(char) or 1) - total, 2) for char in chars],
        "start": {state: value(finalseg.start_P[state]) for state in "BMES"},
        "trans": {state: {to: value(p) for to, p in finalseg.trans_P[state].items()} for state in "BMES"},
        "emit": [[value(finalseg.emit_P[state].get(char, finalseg.MIN_FLOAT)) for state in "BMES"]
                 for char in chars],
    }


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
    han: dict | None = None  # jieba_tables(), or None

    def write(self, folder: Path, scripts: bool = False) -> int:
        """Write the index into ``folder`` (emptied first); return the bytes written.

        The postings and text files go into a subfolder named by a hash of
        their content and the index's, which ``index.json`` names
        (``version``). Those files never change under one name, so a
        browser's cached copy of one is always right; the worker asks for
        ``index.json`` itself afresh (``cache: "no-cache"``), so after a new
        build it reads the new files, never a mix of two builds.

        With ``scripts`` (the offline build) each file is written as a
        script instead, ``<name>.js``, that files its data under
        ``self.__papernotesSearch["<name>"]``: a page opened from file://
        cannot fetch, but it can load a script.
        """
        texts = {f"t{k}": _json(shard) for k, shard in enumerate(self.terms)}
        texts.update({f"d{k}": _json(shard) for k, shard in enumerate(self.docs)})
        if self.han is not None:
            texts["han"] = _json(self.han)
        digest = hashlib.sha256(_json(self.index).encode("utf-8"))
        for name, text in texts.items():
            digest.update(f"\0{name}\0".encode("utf-8"))
            digest.update(text.encode("utf-8"))
        version = digest.hexdigest()[:16]
        ext = "js" if scripts else "json"

        def encoded(name: str, text: str) -> bytes:
            if scripts:
                text = f"(self.{SCRIPT_KEY} = self.{SCRIPT_KEY} || {{}})[{json.dumps(name)}] = {text}\n"
            return text.encode("utf-8")

        # The new version's files first, in a folder of their own; then the
        # index that names them, replaced in one step; then what the old
        # index named. A page that searches meanwhile reads one build or the
        # other, never a mix (mkdocs serve writes while the page is open).
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f".{version}.partial"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        total = 0
        for name, text in texts.items():
            data = encoded(f"{version}/{name}", text)
            (staging / f"{name}.{ext}").write_bytes(data)
            total += len(data)
        if (folder / version).exists():
            shutil.rmtree(folder / version)
        staging.rename(folder / version)
        data = encoded("index", _json({**self.index, "version": version}))
        (folder / ".index.partial").write_bytes(data)
        os.replace(folder / ".index.partial", folder / f"index.{ext}")
        total += len(data)
        for old in folder.iterdir():
            if old.name not in (version, f"index.{ext}"):
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        return total


class _Saturation(dict):
    """BM25's term-frequency factor, (k1 + 1) tf / (k1 + tf), computed once per tf."""

    def __missing__(self, tf: int) -> float:
        value = self[tf] = (K1 + 1) * tf / (K1 + tf)
        return value


@functools.lru_cache(maxsize=1 << 16)
def _shown_text(text: str) -> str:
    """shown(), remembered: a rebuild under ``mkdocs serve`` shows the same texts again."""
    return shown(text)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def build(entries: list[dict], counts: list[list[dict[str, int]]], separator: str,
          aliases: dict[int, list[str]] | None = None, log_frequency=None,
          stop: frozenset[str] = frozenset()) -> Shards:
    """The sharded index of Material's search entries.

    ``counts[i]`` are ``entries[i]``'s term frequencies per field
    (``Tokenizer.counts``); ``aliases`` maps a page's first entry to the
    page's aliases (as shown), ``log_frequency`` is ``jieba_log_frequency()``,
    ``stop`` the stop words the tokenizer left out (a query leaves them out too).
    """
    if len(entries) != len(counts):
        raise ValueError(f"{len(entries)} entries but {len(counts)} term counts")
    aliases = aliases or {}
    documents = len(entries)
    postings: dict[str, list[list]] = {}
    empty = [[] for _ in FIELDS]
    for doc, per_field in enumerate(counts):
        for f, terms in enumerate(per_field):
            for term, tf in terms.items():
                lists = postings.get(term)
                if lists is None:
                    lists = postings[term] = [list(x) for x in empty]
                lists[f] += (doc, tf)

    vocabulary = sorted(postings, key=js_sort_key)
    boosted = {doc: float(entry["boost"]) for doc, entry in enumerate(entries)
               if (entry.get("boost", 1) or 1) != 1}
    saturation = _Saturation()  # tf -> (k1 + 1) tf / (k1 + tf)
    weights = [WEIGHTS[name] for name in FIELDS]
    floor = math.floor
    term_shards, term_starts, shard, size = [], [], {}, 0
    for number, term in enumerate(vocabulary):
        lists = postings[term]
        filled = [pairs for pairs in lists if pairs]
        with_term = len(filled[0]) // 2 if len(filled) == 1 else len({d for pairs in filled for d in pairs[::2]})
        idf = math.log(1 + (documents - with_term + 0.5) / (with_term + 0.5))
        weighted = []
        for f, pairs in enumerate(lists):
            out = pairs[:]  # section, weight, section, weight, ...
            if pairs:
                weight = weights[f]
                scores = [idf * saturation[tf] * weight for tf in pairs[1::2]]
                if boosted and not boosted.keys().isdisjoint(pairs[::2]):
                    scores = [score * boosted.get(doc, 1.0) for score, doc in zip(scores, pairs[::2])]
                out[1::2] = [floor(score * 1000 + 0.5) / 1000 for score in scores]  # js_round3
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
        row = [_shown_text(entry.get("text", ""))]
        if entry.get("tags"):
            row.append(entry["tags"])
        chunk.append(row)
        size += len(row[0].encode("utf-8"))
    if chunk:
        doc_shards.append(chunk)

    # Each Chinese word's jieba log-probability (two decimals); 0 for other
    # terms and for words jieba's dictionaries do not hold: the browser cuts
    # a query's Chinese with these as jieba would.
    frequency = [0] * len(vocabulary)
    floor = 0.0
    if log_frequency is not None:
        score, floor = log_frequency
        for n, term in enumerate(vocabulary):
            if _HAN.search(term) and (value := score(term)) is not None:
                frequency[n] = round(value, 2)
    index = {
        "format": FORMAT,
        "separator": separator,
        "stop_words": sorted(stop),
        "fields": list(FIELDS),  # the order of each term's per-field postings
        "weights": WEIGHTS,
        "vocabulary": vocabulary,
        "frequency": frequency,
        "unknown_frequency": round(floor, 1),
        "term_shards": term_starts,
        "locations": [entry["location"] for entry in entries],
        "titles": [shown(entry.get("title", "")) for entry in entries],
        "aliases": {str(n): names for n, names in sorted(aliases.items()) if names},
        "doc_shards": doc_starts,
    }
    han = jieba_tables(vocabulary) if log_frequency is not None else None
    index["han"] = han is not None  # whether <version>/han.json is there
    return Shards(index, term_shards, doc_shards, han)


def read_index(site: Path) -> tuple[dict, Path, str]:
    """A built site's index.json, its folder and the files' extension."""
    folder = site / "search" / "shards"
    for ext in ("json", "js"):
        path = folder / f"index.{ext}"
        if path.is_file():
            return _load(path), folder, ext
    raise FileNotFoundError(folder / "index.json")


def _load(path: Path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".js":
        text = text[text.index("] = ") + 4:]
    return json.loads(text)


def read_sections(site: Path) -> list[dict]:
    """Every search section of a built site, as shown in results: from the
    sharded index when the build wrote one, else from Material's search_index.json."""
    try:
        index, folder, ext = read_index(site)
    except FileNotFoundError:
        return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    rows = []
    for k in range(len(index["doc_shards"])):
        rows += _load(folder / index["version"] / f"d{k}.{ext}")
    if len(rows) != len(index["locations"]):
        raise SearchIndexError(f"{folder}: {len(rows)} sections stored for {len(index['locations'])} locations")
    sections = []
    for n, (location, title, row) in enumerate(zip(index["locations"], index["titles"], rows)):
        entry = {"location": location, "title": title, "text": row[0]}
        if len(row) > 1:
            entry["tags"] = row[1]
        if str(n) in index["aliases"]:
            entry["aliases"] = index["aliases"][str(n)]
        sections.append(entry)
    return sections
