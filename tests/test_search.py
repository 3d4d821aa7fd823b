"""The search index (tools/site/search_shards.py) and the worker that ranks
with it (docs/assets/javascripts/workers/papernotes-search.js), against the
ranking the README documents ("How search ranks"): every piece of a typed word
required, the query's Chinese cut as jieba cut the pages, titles and aliases
first, phrases before scattered pieces, words left out with -word.

The worker runs in headless Chromium, as on the site; the properties are
checked on the site built from this checkout and on small indexes made here.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from types import SimpleNamespace

import pytest

from tools.site import search_shards
from tools.site.browser import chromium, find_chromium, serve
from tools.site.build import run_mkdocs
from tools.site.search_shards import (
    FIELDS, WEIGHTS, Tokenizer, build, counted, js_round3, js_separator, read_sections, shown, stop_words,
)

SEPARATOR = r'[\s\u200b\-_,.:;!?()\[\]{}"`/，。、；：？！（）《》“”]+'
CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer(js_separator(SEPARATOR), stop_words(search_shards.lunr_source()))


def postings_of(shards) -> dict:
    return {term: lists for shard in shards.terms for term, lists in shard.items()}


# --------------------------------------------------------------------------
# Build side
# --------------------------------------------------------------------------

def test_tokens_are_cut_like_materials_tokenizer(tokenizer):
    html = '<p>The <code>F.dropout(x, p=0.5)</code> 动量\u200b编码器\u200b的 queue.</p><a href="x">Link</a>'
    # Tags and attributes are not text; "the" is a stop word; case is folded.
    assert tokenizer.tokens(html) == ["f", "dropout", "x", "p=0", "5", "动量", "编码器", "的", "queue", "link"]
    assert tokenizer.tokens(["Contrastive learning", "CV"]) == ["contrastive", "learning", "cv"]


def test_the_separator_is_read_as_javascript_reads_it():
    separator = js_separator(SEPARATOR)
    assert separator.split("a\ufeffb") == ["a", "b"]  # in JavaScript's \s, not in Python's
    assert separator.split("a\x1cb") == ["a\x1cb"]  # in Python's \s, not in JavaScript's


def test_weights_are_rounded_as_javascript_rounds():
    assert js_round3(1.0625) == 1.063  # Python's round() would give 1.062
    assert js_round3(-1.0625) == -1.062
    assert js_round3(2.0) == 2.0


def test_the_vocabulary_is_in_javascript_string_order(tokenizer):
    entries = [{"location": "", "title": "\uff5a \U0001f600 d c", "text": ""}]
    shards = build(entries, [tokenizer.counts(e) for e in entries], SEPARATOR)
    # UTF-16 code units: the emoji (a surrogate pair, 0xD83D...) sorts before
    # U+FF5A, though its code point is the larger.
    assert shards.index["vocabulary"] == ["c", "d", "\U0001f600", "\uff5a"]


def test_rare_terms_weigh_more_and_each_field_has_its_weight(tokenizer):
    entries = [{"location": f"p{i}/", "title": f"page {i}", "text": "common" + (" rare" if i == 0 else "")}
               for i in range(5)]
    entries.append({"location": "q/", "title": "Q", "text": "<pre>coded</pre> <p>prose</p>", "tags": ["tagged"]})
    shards = build(entries, [tokenizer.counts(e) for e in entries], SEPARATOR)
    postings = postings_of(shards)
    text = FIELDS.index("text")
    rare, common = postings["rare"][text][1], postings["common"][text][1]
    # BM25 with b = 0 and tf = 1: idf * 2.2 / 2.2, idf = ln(1 + (6 - n + 0.5) / (n + 0.5)).
    assert rare == js_round3(math.log(1 + 5.5 / 1.5)) and common == js_round3(math.log(1 + 1.5 / 5.5))
    assert rare > 4 * common
    once = math.log(1 + 5.5 / 1.5)  # a term in one section of six
    assert postings["coded"][FIELDS.index("code")] == [5, js_round3(WEIGHTS["code"] * once)]
    assert postings["coded"][text] == []  # a code block is not prose
    assert postings["prose"][text] == [5, js_round3(once)]
    assert postings["tagged"][FIELDS.index("tags")] == [5, js_round3(WEIGHTS["tags"] * once)]
    assert postings["q"][FIELDS.index("title")] == [5, js_round3(WEIGHTS["title"] * once)]
    # tf saturates: twice in a field is (k1 + 1) * 2 / (k1 + 2) times once, not twice.
    twice = build([{"location": "a/", "title": "", "text": "x x"}, {"location": "b/", "title": "", "text": "y"}],
                  [tokenizer.counts({"text": "x x"}), tokenizer.counts({"text": "y"})], SEPARATOR)
    idf = math.log(1 + 1.5 / 1.5)
    assert postings_of(twice)["x"][text] == [0, js_round3(idf * 2.2 * 2 / 3.2)]


def test_a_pages_search_boost_multiplies_its_weights(tokenizer):
    entries = [{"location": "a/", "title": "", "text": "word", "boost": 0.3},
               {"location": "b/", "title": "", "text": "word"}]
    shards = build(entries, [tokenizer.counts(e) for e in entries], SEPARATOR)
    a, weight_a, b, weight_b = postings_of(shards)["word"][FIELDS.index("text")]
    assert (a, b) == (0, 1) and weight_a == js_round3(0.3 * math.log(1 + 0.5 / 2.5))
    assert weight_b == js_round3(math.log(1 + 0.5 / 2.5))


def test_formulas_lose_their_delimiters_and_code_keeps_them(tokenizer):
    text = (r"<p>The query \(f_q\) and \[ \eta = 0.1 \times \frac{b}{256} \] in "
            r"<code>re.compile(r'\(x\)')</code></p> <pre><code>m = \(1\)</code></pre> $$a$$")
    assert shown(text) == (r"<p>The query f_q and  \eta = 0.1 \times \frac{b}{256}  in "
                           r"<code>re.compile(r'\(x\)')</code></p> <pre><code>m = \(1\)</code></pre> a")
    prose = tokenizer.counts({"title": r"Choosing \(K\)", "text": text})
    assert prose[FIELDS.index("title")] == Counter({"choosing": 1, "k": 1})
    assert "\\(1\\)" not in prose[FIELDS.index("text")] and prose[FIELDS.index("code")]["m"] == 1


def test_shown_text_has_no_zero_width_spaces():
    assert shown("动量\u200b编码器\u200b的 F\u200c.\u2060drop\ufeffout") == "动量编码器的 F.dropout"


def test_written_shards_read_back_as_the_sections_shown(tokenizer, tmp_path, monkeypatch):
    monkeypatch.setattr(search_shards, "DOC_SHARD_BYTES", 10)
    monkeypatch.setattr(search_shards, "TERM_SHARD_BYTES", 10)
    entries = [{"location": "a/", "title": "A \\(x\\)", "text": "<p>one\u200btwo</p>", "tags": ["CV"]},
               {"location": "a/#s", "title": "S", "text": "three"},
               {"location": "b/", "title": "B", "text": "four five six"}]
    shards = build(entries, [tokenizer.counts(e) for e in entries], SEPARATOR, {2: ["Bee", "蜂"]})
    assert len(shards.docs) > 1 and len(shards.terms) > 3
    shards.write(tmp_path / "search" / "shards")
    assert read_sections(tmp_path) == [
        {"location": "a/", "title": "A x", "text": "<p>onetwo</p>", "tags": ["CV"]},
        {"location": "a/#s", "title": "S", "text": "three"},
        {"location": "b/", "title": "B", "text": "four five six", "aliases": ["Bee", "蜂"]}]


def test_the_offline_build_writes_each_file_as_a_script(tokenizer, tmp_path):
    entries = [{"location": "a/", "title": "A", "text": "one"}, {"location": "b/", "title": "B", "text": "two"}]
    shards = build(entries, [tokenizer.counts(e) for e in entries], SEPARATOR)
    folder = tmp_path / "search" / "shards"
    shards.write(folder, scripts=True)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files and all(name.endswith(".js") for name in files)
    script = (folder / "index.js").read_text(encoding="utf-8")
    assert script.startswith('(self.__papernotesSearch = self.__papernotesSearch || {})["index"] = {')
    assert [s["title"] for s in read_sections(tmp_path)] == ["A", "B"]


def test_a_changed_section_gets_a_new_version_folder_and_the_old_one_goes(tokenizer, tmp_path):
    def write(text):
        entries = [{"location": "a/", "title": "A", "text": text}, {"location": "b/", "title": "B", "text": "two"}]
        build(entries, [tokenizer.counts(e) for e in entries], SEPARATOR).write(tmp_path)
        return json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))["version"]

    first = write("one")
    assert write("one") == first  # the same content, the same name
    second = write("one more")
    assert second != first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["index.json", second])


def test_counts_and_entries_must_agree(tokenizer):
    with pytest.raises(ValueError, match="2 entries but 1 term counts"):
        build([{"location": "", "title": "", "text": ""}] * 2, [[{}, {}, {}, {}]], SEPARATOR)


def test_a_rebuild_tokenizes_only_the_sections_that_changed(tokenizer, monkeypatch):
    monkeypatch.setattr(search_shards, "_COUNTED", {})
    calls = []
    counting = SimpleNamespace(counts=lambda entry: calls.append(entry["text"]) or tokenizer.counts(entry))
    first = [{"location": "a/", "title": "A", "text": "one"}, {"location": "b/", "title": "B", "text": "two"}]
    before = counted(first, [None, None], counting)
    assert calls == ["one", "two"]
    second = [first[0], {"location": "b/", "title": "B", "text": "two more"}]
    after = counted(second, [None, None], counting)
    assert calls == ["one", "two", "two more"] and after[0] is before[0]
    assert after[1][FIELDS.index("text")] == Counter({"two": 1, "more": 1})


def test_the_serve_writer_runs_the_last_job_and_never_blocks_the_rebuild():
    import threading
    import time

    writer = search_shards.LatestWriter()
    started, release, ran = threading.Event(), threading.Event(), []

    def slow():
        started.set()
        release.wait(10)
        ran.append("first")

    writer.submit(slow)
    assert started.wait(10)
    begin = time.perf_counter()
    writer.submit(lambda: ran.append("second"))  # replaced before it begins
    writer.submit(lambda: ran.append("third"))
    assert time.perf_counter() - begin < 0.5  # submitting does not wait for the write under way
    assert not writer.wait(timeout=0.1)
    release.set()
    assert writer.wait(timeout=10)
    assert ran == ["first", "third"]


def test_chinese_words_carry_jiebas_log_frequency(tokenizer):
    jieba = pytest.importorskip("jieba")
    jieba.dt.check_initialized()
    made_up = "测测测测"  # a word no dictionary holds
    assert not jieba.dt.FREQ.get(made_up)
    entries = [{"location": "a/", "title": "", "text": f"目标\u200b检测\u200b{made_up} adam"}]
    shards = build(entries, [tokenizer.counts(e) for e in entries], SEPARATOR,
                   log_frequency=search_shards.jieba_log_frequency())
    frequency = dict(zip(shards.index["vocabulary"], shards.index["frequency"]))
    total = math.log(jieba.dt.total)
    assert frequency["目标"] == round(math.log(jieba.dt.FREQ["目标"]) - total, 2)
    assert frequency[made_up] == 0 and frequency["adam"] == 0
    assert shards.index["unknown_frequency"] == round(-total, 1)
    han = shards.han
    assert set(han["chars"]) == set("目标检测") and shards.index["han"] is True
    from jieba import finalseg

    at = han["chars"].index("检")
    assert han["emit"][at] == [round(finalseg.emit_P[s]["检"], 4) for s in "BMES"]
    assert han["start"]["E"] is None and han["start"]["B"] == round(finalseg.start_P["B"], 4)


def test_a_theme_that_no_longer_loads_its_worker_by_that_path_stops_the_build(monkeypatch):
    from mkdocs.exceptions import PluginError
    from tools.site.hooks import sharded_search

    monkeypatch.setattr(sharded_search, "_active", True)
    monkeypatch.setattr(sharded_search, "_replaced", 0)
    monkeypatch.setattr(sharded_search, "_rendered", 3)
    with pytest.raises(PluginError, match="no page asked for Material's search worker.*PAPERNOTES_SEARCH_SHARDS=0"):
        sharded_search.on_post_build(config=None)


def test_build_serve_and_the_offline_build_all_use_the_sharded_index(monkeypatch):
    online = SimpleNamespace(plugins={"material/offline": SimpleNamespace(config=SimpleNamespace(enabled=False))})
    offline = SimpleNamespace(plugins={"material/offline": SimpleNamespace(config=SimpleNamespace(enabled=True))})
    for command in ("build", "gh-deploy", "serve"):
        assert search_shards.enabled(online, command) and search_shards.enabled(offline, command)
    assert search_shards.offline(offline) and not search_shards.offline(online)
    monkeypatch.setenv(search_shards.ENV, "0")
    assert not search_shards.enabled(online, "build") and not search_shards.enabled(online, "serve")


@pytest.mark.parametrize("search_config, reason", [
    ({"lang": ["en"], "pipeline": ["stopWordFilter"]}, None),
    ({"lang": ["en"], "pipeline": []}, None),
    ({"lang": ["en", "zh"], "pipeline": ["stopWordFilter"]}, "search lang ['en', 'zh']"),
    ({"lang": ["de"], "pipeline": []}, "search lang ['de']"),
    ({"lang": ["en"], "pipeline": ["stemmer", "stopWordFilter"]}, "search pipeline ['stemmer']"),
])
def test_configurations_the_index_cannot_hold_keep_materials_search(search_config, reason):
    why = search_shards.unsupported(search_config)
    assert (why is None) if reason is None else why.startswith(reason)
    config = SimpleNamespace(plugins={"material/search": SimpleNamespace(config=search_config)})
    assert search_shards.enabled(config, "build") == (reason is None)


def test_stop_words_are_kept_when_the_pipeline_has_no_filter():
    with_filter = search_shards.tokenizer({"separator": SEPARATOR, "pipeline": ["stopWordFilter"]})
    without = search_shards.tokenizer({"separator": SEPARATOR, "pipeline": []})
    assert with_filter.tokens("the queue") == ["queue"]
    assert without.tokens("the queue") == ["the", "queue"]


# --------------------------------------------------------------------------
# The built site
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def material_site(tmp_path_factory):
    """The same site with Material's own search index and worker."""
    path = tmp_path_factory.mktemp("site-material-search")
    result = run_mkdocs(path, env={search_shards.ENV: "0"})
    assert result.returncode == 0, result.stderr[-3000:]
    return path


def test_pages_load_our_worker_online_and_offline_and_material_keeps_its_own(site, offline_site, material_site):
    worker = re.compile(r'"search": "[./]*(assets/javascripts/workers/[^"]+)"')
    for ours in (site.path, offline_site.path):
        assert worker.search((ours / "index.html").read_text(encoding="utf-8")).group(1) == search_shards.WORKER
        # What the page script still fetches (or, offline, loads) is the configuration alone.
        assert json.loads((ours / "search/search_index.json").read_text(encoding="utf-8"))["docs"] == []
    assert (offline_site.path / "search/search_index.js").read_text(encoding="utf-8").startswith("var __index = {")
    assert (offline_site.path / "search/shards/index.js").is_file()
    assert not (offline_site.path / "search/shards/index.json").exists()
    found = worker.search((material_site / "index.html").read_text(encoding="utf-8")).group(1)
    assert re.fullmatch(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js", found), found
    assert not (material_site / "search" / "shards").exists()


def test_shown_text_is_clean(site):
    sections = read_sections(site.path)
    tex = re.compile(r"\\[()\[\]]|\$\$")
    offenders = {}
    for section in sections:
        prose = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", section["text"], flags=re.S)
        problems = [what for what, bad in (
            ("TeX delimiters", tex.search(prose) or tex.search(section["title"])),
            ("zero-width space", re.search("[\u200b\u200c\u200d\u2060\ufeff]", section["text"] + section["title"])),
            ("Copied!", "Copied!" in section["text"]),
            ("In [n]:", re.search(r"\b(?:In|Out)\s*\[\d*\]:", section["text"])),
        ) if bad]
        if problems:
            offenders[section["location"]] = problems
    assert offenders == {}
    # Formulas are there, as their TeX source.
    assert any("\\frac" in s["text"] for s in sections)


# --------------------------------------------------------------------------
# The worker, in Chromium
# --------------------------------------------------------------------------

BLANK = "__search-test__.html"  # a blank page of the served site, the worker loaded as a script


@pytest.fixture(scope="class")
def worker(site):
    """The worker's functions in a blank page of the served site: ``worker(js, arg)``
    evaluates ``js`` (an async function of ``arg``) there, with ``site`` (its index) loaded."""
    with serve(site.path) as base, chromium("tests/test_search.py") as browser:
        page = browser.new_page()
        page.route(base + BLANK, lambda route: route.fulfill(body='<!doctype html><meta charset="utf-8"><title>t</title>',
                                                            content_type="text/html"))
        page.goto(base + BLANK)
        page.add_script_tag(url=base + search_shards.WORKER)
        page.evaluate("async () => { await ready; await site.loadTables() }")
        yield lambda js, arg=None: page.evaluate(js, arg)


def plain(html: str) -> str:
    """Lower case, no tags, entities read (the text a phrase is looked for in)."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]*>", " ", html)).lower()
