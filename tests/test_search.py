"""The sharded search index (tools/site/search_shards.py) and its worker
(docs/assets/javascripts/workers/papernotes-search.js).

The reference is Material's own search: its worker, given Material's own
index of this site (a build with PAPERNOTES_SEARCH_SHARDS=0), must answer
every query exactly as ours does, scores, order, highlighting and suggestions
included.
"""

from __future__ import annotations

import json
import math
import re
from types import SimpleNamespace

import pytest

from tools.site import search_shards
from tools.site.browser import CHROMIUM_ARGS, find_chromium, serve
from tools.site.search_shards import FIELDS, Tokenizer, build, js_round3, js_separator, read_sections, stop_words
from tools.site.build import run_mkdocs

SEPARATOR = r'[\s\u200b\-_,.:;!?()\[\]{}"`/，。、；：？！（）《》“”]+'
BOOSTS = {"title": 1000.0, "text": 1.0, "tags": 1e6}

# English words, prefixes, Chinese mid-sentence words and a Chinese phrase,
# code, several words, and each of Lunr's query operators.
QUERIES = [
    "momentum", "mom", "a", "2022", "F.dropout", "nn.Module", "Swin V2", "adam^3",
    "探索性数据分析", "动量编码器", "对比学习", "学习率 adam", "模型", "中", "Swin V2 注意力",
    "momentum encoder", '"momentum encoder"', "momentum -queue", "+adam +lr", "title:adam", "tags:theory",
    "momentun~1", "*coder", "mo*um", "the", "qzxqvbnmzz", "",
]


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer(js_separator(SEPARATOR), stop_words(search_shards.lunr_source()))


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
    shards = build(entries, [tokenizer.counts(e) for e in entries], BOOSTS, SEPARATOR)
    # UTF-16 code units: the emoji (a surrogate pair, 0xD83D...) sorts before
    # U+FF5A, though its code point is the larger.
    assert shards.index["vocabulary"] == ["c", "d", "\U0001f600", "\uff5a"]


def test_rare_terms_weigh_more_and_titles_weigh_1000_times_text(tokenizer):
    entries = [{"location": f"p{i}/", "title": f"page {i}", "text": "common" + (" rare" if i == 0 else "")}
               for i in range(5)]
    shards = build(entries, [tokenizer.counts(e) for e in entries], BOOSTS, SEPARATOR)
    postings = {term: lists for shard in shards.terms for term, lists in shard.items()}
    text = FIELDS.index("text")
    rare, common = postings["rare"][text][1], postings["common"][text][1]
    # BM25 with b = 0 and tf = 1: idf * 2.2 / 2.2, idf = ln(1 + (5 - n + 0.5) / (n + 0.5)).
    assert rare == js_round3(math.log(1 + 4.5 / 1.5)) and common == js_round3(math.log(1 + 0.5 / 5.5))
    assert rare > 10 * common
    title = postings["page"][FIELDS.index("title")]
    assert title[1] == js_round3(1000 * math.log(1 + 0.5 / 5.5))


def test_written_shards_read_back_as_the_entries(tokenizer, tmp_path, monkeypatch):
    monkeypatch.setattr(search_shards, "DOC_SHARD_BYTES", 10)
    monkeypatch.setattr(search_shards, "TERM_SHARD_BYTES", 10)
    entries = [{"location": "a/", "title": "A", "text": "<p>one two</p>", "tags": ["CV"]},
               {"location": "a/#s", "title": "S", "text": "three"},
               {"location": "b/", "title": "B", "text": "four five six"}]
    shards = build(entries, [tokenizer.counts(e) for e in entries], BOOSTS, SEPARATOR)
    assert len(shards.docs) > 1 and len(shards.terms) > 3
    shards.write(tmp_path / "search" / "shards")
    assert read_sections(tmp_path) == entries


def test_a_changed_section_gets_a_new_version_folder_and_the_old_one_goes(tokenizer, tmp_path):
    def write(text):
        entries = [{"location": "a/", "title": "A", "text": text}, {"location": "b/", "title": "B", "text": "two"}]
        build(entries, [tokenizer.counts(e) for e in entries], BOOSTS, SEPARATOR).write(tmp_path)
        return json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))["version"]

    first = write("one")
    assert write("one") == first  # the same content, the same name
    second = write("one more")
    assert second != first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["index.json", second])


def test_counts_and_entries_must_agree(tokenizer):
    with pytest.raises(ValueError, match="2 entries but 1 term counts"):
        build([{"location": "", "title": "", "text": ""}] * 2, [[{}, {}, {}]], BOOSTS, SEPARATOR)


def test_a_theme_that_no_longer_loads_its_worker_by_that_path_stops_the_build(monkeypatch):
    from mkdocs.exceptions import PluginError

    from tools.site.hooks import sharded_search

    monkeypatch.setattr(sharded_search, "_active", True)
    monkeypatch.setattr(sharded_search, "_replaced", 0)
    with pytest.raises(PluginError, match="no page asked for Material's search worker.*PAPERNOTES_SEARCH_SHARDS=0"):
        sharded_search.on_post_build(config=None)


def test_serve_and_the_offline_build_keep_materials_search(monkeypatch):
    online = SimpleNamespace(plugins={"material/offline": SimpleNamespace(config=SimpleNamespace(enabled=False))})
    offline = SimpleNamespace(plugins={"material/offline": SimpleNamespace(config=SimpleNamespace(enabled=True))})
    assert search_shards.enabled(online, "build") and search_shards.enabled(online, "gh-deploy")
    assert not search_shards.enabled(online, "serve")
    assert not search_shards.enabled(offline, "build")
    monkeypatch.setenv(search_shards.ENV, "0")
    assert not search_shards.enabled(online, "build")


@pytest.mark.parametrize("search_config, reason", [
    ({"lang": ["en"], "pipeline": ["stopWordFilter"]}, None),
    ({"lang": ["en"], "pipeline": []}, None),
    ({"lang": ["en", "zh"], "pipeline": ["stopWordFilter"]}, "search lang ['en', 'zh']"),
    ({"lang": ["de"], "pipeline": []}, "search lang ['de']"),
    ({"lang": ["en"], "pipeline": ["stemmer", "stopWordFilter"]}, "search pipeline ['stemmer']"),
])
def test_configurations_the_shards_cannot_reproduce_keep_materials_search(search_config, reason):
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


def test_pages_load_our_worker_and_the_offline_build_keeps_materials(site, offline_site, material_site):
    worker = re.compile(r'"search": "[./]*(assets/javascripts/workers/[^"]+)"')
    assert worker.search((site.path / "index.html").read_text(encoding="utf-8")).group(1) == search_shards.WORKER
    for other in (offline_site.path, material_site):
        found = worker.search((other / "index.html").read_text(encoding="utf-8")).group(1)
        assert re.fullmatch(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js", found), found
        assert not (other / "search" / "shards").exists()
    # What the page script still fetches is the configuration alone.
    assert json.loads((site.path / "search/search_index.json").read_text(encoding="utf-8"))["docs"] == []


def test_the_shards_hold_exactly_materials_sections(site, material_site):
    ours = read_sections(site.path)
    theirs = [{k: v for k, v in entry.items() if k in ("location", "title", "text", "tags")}
              for entry in read_sections(material_site)]
    assert len(ours) == len(theirs) > 200
    assert ours == theirs


CHROMIUM = find_chromium()

# Runs Material's worker on its full index and ours on the shards, one query
# after another, in the page; returns both lists of answers.
BOTH_WORKERS = """async ([material, index, queries]) => {
  const run = (url, docs) => new Promise((resolve, reject) => {
    const worker = new Worker(url)
    const answers = []
    let next = 0
    worker.onerror = event => reject(new Error(`${url}: ${event.message}`))
    worker.onmessage = ({ data }) => {
      if (data.type === 3)
        answers.push(data.data)
      if (data.type === 1 || data.type === 3) {
        if (next < queries.length)
          worker.postMessage({ type: 2, data: queries[next++] })
        else {
          worker.terminate()
          resolve(answers)
        }
      }
    }
    worker.postMessage({ type: 0, data: { config: index.config, docs, options: { suggest: true } } })
  })
  return [await run(material, index.docs), await run("assets/javascripts/workers/papernotes-search.js", [])]
}"""


@pytest.mark.skipif(not CHROMIUM, reason="needs Chromium (see the README)")
def test_our_worker_answers_every_query_as_materials_does(site, material_site):
    from playwright.sync_api import sync_playwright

    index = json.loads((material_site / "search/search_index.json").read_text(encoding="utf-8"))
    # The theme's worker ships with every build; ours just does not load it.
    material = next((site.path / "assets/javascripts/workers").glob("search.*.min.js"))
    with serve(site.path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base)
            theirs, ours = page.evaluate(BOTH_WORKERS, [f"assets/javascripts/workers/{material.name}", index, QUERIES])
        finally:
            browser.close()
    assert len(theirs) == len(ours) == len(QUERIES)
    found = 0
    for query, a, b in zip(QUERIES, theirs, ours):
        assert a.get("suggest") == b.get("suggest"), query
        assert len(a["items"]) == len(b["items"]), query
        for rank, (group_a, group_b) in enumerate(zip(a["items"], b["items"])):
            assert [d["location"] for d in group_a] == [d["location"] for d in group_b], (query, rank)
            for doc_a, doc_b in zip(group_a, group_b):
                where = (query, doc_a["location"])
                assert doc_b["score"] == pytest.approx(doc_a["score"], rel=1e-12, abs=1e-12), where
                assert doc_a["terms"] == doc_b["terms"], where
                assert doc_a["title"] == doc_b["title"], where
                assert doc_a.get("tags") == doc_b.get("tags") or rank >= 40, where
                # Past the first pages only titles are fetched.
                assert doc_b["text"] == (doc_a["text"] if rank < 40 else ""), where
        found += len(a["items"])
    assert found > 300  # the queries do find things


# Sends our worker every prefix of a word at once, as fast typing does, then
# the word alone to a fresh worker; returns what came back each time.
PREFIXES_AT_ONCE = """async ([config, word]) => {
  const run = queries => new Promise((resolve, reject) => {
    const worker = new Worker("assets/javascripts/workers/papernotes-search.js")
    const answers = []
    worker.onerror = event => reject(new Error(event.message))
    worker.onmessage = ({ data }) => {
      if (data.type === 1)
        for (const query of queries)
          worker.postMessage({ type: 2, data: query })
      if (data.type === 3) {
        answers.push(data.data)
        if (data.data.query === queries[queries.length - 1])
          setTimeout(() => { worker.terminate(); resolve(answers) }, 300)  // and nothing after it
      }
    }
    worker.postMessage({ type: 0, data: { config, docs: [], options: { suggest: true } } })
  })
  const prefixes = [...word].map((_, i) => word.slice(0, i + 1))
  return [await run(prefixes), await run([word])]
}"""


@pytest.mark.skipif(not CHROMIUM, reason="needs Chromium (see the README)")
def test_a_query_typed_past_gets_no_answer_and_the_last_gets_its_own(site):
    """Queries overtaken by a newer one stop where they are and send nothing; the last one's
    answer is the one it gets when asked alone."""
    from playwright.sync_api import sync_playwright

    config = json.loads((site.path / "search/search_index.json").read_text(encoding="utf-8"))["config"]
    with serve(site.path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base)
            typed, alone = page.evaluate(PREFIXES_AT_ONCE, [config, "momentum"])
        finally:
            browser.close()
    assert [answer["query"] for answer in typed] == ["momentum"]
    assert typed == alone and len(alone[0]["items"]) > 3


@pytest.mark.skipif(not CHROMIUM, reason="needs Chromium (see the README)")
def test_bench_typing_times_the_whole_word_and_puts_the_worker_back(site, tmp_path):
    from tools.bench import search_typing as bench_typing

    worker = site.path / bench_typing.WORKER
    before = worker.read_bytes()
    other = tmp_path / "other.js"
    other.write_bytes(before)
    out = tmp_path / "typing.json"
    assert bench_typing.main(["--site", str(site.path), "--words", "momentum", "--rounds", "1", "--delay", "10",
                              "--workers", str(other), str(worker), "--labels", "a", "b", "--json", str(out)]) == 0
    assert worker.read_bytes() == before
    record = json.loads(out.read_text(encoding="utf-8"))
    assert set(record["last_key_to_answer_s"]) == {"a", "b"}
    for seconds in record["last_key_to_answer_s"].values():
        assert 0 < seconds["momentum"] < 10  # the answer came after the last key, and came
    assert bench_typing.main(["--site", str(tmp_path), "--json", str(out)]) == 2  # no worker there
