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
import yaml

from tools.site import search_shards
from tools.site.browser import chromium, find_chromium, mkdocs_serve, serve
from tools.site.build import ROOT, run_mkdocs
from tools.site.search_shards import (
    FIELDS, WEIGHTS, Tokenizer, build, counted, js_round3, js_separator, read_index, read_sections, shown, stop_words,
)

SEPARATOR = r'[\s\u200b\-_,.:;!?()\[\]{}"`/，。、；：？！（）《》“”]+'
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="needs Chromium (see the README)")
JUDGED = yaml.safe_load((ROOT / "tests" / "data" / "search-queries.yml").read_text(encoding="utf-8"))["queries"]


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


def test_the_index_holds_materials_sections_as_shown(site, material_site):
    ours = read_sections(site.path)
    theirs = read_sections(material_site)
    assert len(ours) == len(theirs) > 200
    assert [s["location"] for s in ours] == [s["location"] for s in theirs]
    assert [s["title"] for s in ours] == [shown(s["title"]) for s in theirs]
    assert [s["text"] for s in ours] == [shown(s["text"]) for s in theirs]


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


def test_notebook_code_is_indexed_once_and_as_code(site):
    index, folder, ext = read_index(site.path)
    sections = read_sections(site.path)
    notebook = [s for s in sections if s["location"].startswith("notebooks/hm-eda/")]
    text = " ".join(s["text"] for s in notebook)
    # N_CUSTOMERS is defined in one code cell; its hidden copy for the copy button is not indexed.
    assert text.count("N_CUSTOMERS, N_ARTICLES, N_WEEKS = 3000") == 1
    vocabulary = index["vocabulary"]
    term = vocabulary.index("n")  # N_CUSTOMERS -> n, customers
    starts = index["term_shards"]
    shard = max(k for k, start in enumerate(starts) if start <= term)
    lists = json.loads((folder / index["version"] / f"t{shard}.{ext}").read_text(encoding="utf-8"))["n"]
    numbers = {index["locations"].index(s["location"]) for s in notebook}
    code = set(lists[FIELDS.index("code")][::2])
    assert numbers & code  # in the notebook's code field


def test_aliases_are_in_the_index_as_the_notes_give_them(site):
    from tools.log.frontmatter import aliases_of, parse_front_matter

    sections = {s["location"]: s for s in read_sections(site.path)}
    checked = 0
    for path in sorted((ROOT / "docs").rglob("*.md")):
        front = parse_front_matter(path.read_text(encoding="utf-8"), path.name, lenient=True)
        names = aliases_of(front.data or {})
        if not names:
            continue
        relative = path.relative_to(ROOT / "docs").as_posix()[:-3]
        location = relative[: -len("index")] if relative.endswith("index") else relative + "/"
        assert sections[location].get("aliases") == names, location
        checked += 1
    assert checked >= 40


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


def occurs(word: str, text: str) -> bool:
    """Chinese anywhere; other words from the start of a word."""
    if re.match(r"[\u3400-\u9fff]", word):
        return word in text
    return re.search(rf"(?<![^\W_]){re.escape(word)}", text) is not None


def ranked(worker, queries: list[str]) -> list[dict]:
    return worker("async queries => { const out = []; for (const q of queries) out.push(await search(q)); "
                  "return out }", queries)


def pages_of(answer) -> list[str]:
    return [group[0]["location"] for group in answer["items"]]


def title_parts(title: str) -> list[str]:
    """What a title lists (the worker's TITLE_PARTS): "目标检测、语义分割与风格迁移" -> three parts."""
    return [part.strip() for part in re.split(r"[:：、，,;；()（）\[\]【】|/与]|\s[-–—]\s", plain(title))]


@needs_chromium
class TestRanking:
    """The worker's ranking on the site built from this checkout (one browser for the class)."""

    def test_the_query_is_cut_as_jieba_cut_the_pages(self, worker, material_site):
        """Every run of Chinese characters in the site's titles and text, as
        Material's search plugin cut it with jieba (U+200B between words), and as
        the worker cuts it."""
        runs = {}
        titles = set()
        for entry in read_sections(material_site):
            for field in ("title", "text"):
                for match in re.finditer(r"[\u4e00-\u9fff]+(?:\u200b[\u4e00-\u9fff]+)*", entry[field]):
                    words = match.group().split("\u200b")
                    runs["".join(words)] = words
                    if field == "title":
                        titles.add("".join(words))
        cuts = worker("runs => Object.fromEntries(runs.map(run => [run, cutHan(run, site)]))", list(runs))
        same = {run for run, words in runs.items() if cuts[run] == words}
        assert len(runs) > 2000
        # jieba leaves a stretch of single characters as they are when the
        # stretch is a word of its dictionary; the browser knows only the
        # index's words (the README's "How search ranks").
        assert len(same) / len(runs) >= 0.99, sorted(set(runs) - same)[:20]
        assert len(same & titles) / len(titles) >= 0.99, sorted(titles - same)[:20]


    def test_every_piece_of_a_typed_word_is_required(self, worker, site):
        sections = {s["location"]: s for s in read_sections(site.path)}
        queries = ["对比学习", "目标检测", "图卷积", "自回归模型", "余弦注意力", "权重衰减", "F.dropout", "logit_scale"]
        pieces = worker("queries => queries.map(q => parseQuery(q, site).map(word => word.pieces))", queries)
        jieba = pytest.importorskip("jieba")
        jieba.load_userdict(str(ROOT / "tools/site/search/ml_terms.txt"))
        assert pieces[:6] == [[jieba.lcut(q)] for q in queries[:6]]  # as the pages were cut
        assert any(len(word) > 1 for (word,) in pieces[:6])
        assert pieces[6:] == [[["f", "dropout"]], [["logit", "scale"]]]  # as the separator cuts
        for query, answer, (word,) in zip(queries, ranked(worker, queries), pieces):
            assert answer["items"], query
            for group in answer["items"]:
                for item in group:
                    if not all(item["terms"].values()):
                        continue  # a page shown above its matching sections
                    section = sections[item["location"]]
                    text = plain(" ".join([section["title"], *section.get("aliases", []), section["text"],
                                           *section.get("tags", [])]))
                    missing = [piece for piece in word if piece not in text]
                    assert not missing, (query, item["location"], missing)


    def test_the_phrase_comes_before_its_pieces_apart(self, worker, site):
        sections = {s["location"]: s for s in read_sections(site.path)}
        for query in ("对比学习", "目标检测", "注意力机制", "位置编码", "学习率"):
            (answer,) = ranked(worker, [query])
            first = sections[answer["items"][0][0]["location"]]
            page = [s for location, s in sections.items() if location.split("#")[0] == first["location"].split("#")[0]]
            assert any(query in plain(" ".join([s["title"], *s.get("aliases", []), s["text"]])) for s in page), query


    def test_a_title_or_alias_that_names_one_page_puts_that_page_first(self, worker, site):
        sections = read_sections(site.path)
        pages = [s for s in sections if "#" not in s["location"]]
        names = {}  # a page's title parts and aliases -> the pages that have it
        for page in pages:
            for name in {*title_parts(page["title"]), *map(plain, page.get("aliases", []))}:
                if len(name) >= 2 and not re.fullmatch(r"[\W\d_]+", name):
                    names.setdefault(" ".join(name.split()), set()).add(page["location"])
        queries = sorted(name for name, owners in names.items() if len(owners) == 1)
        assert len(queries) > 100
        answers = ranked(worker, queries)
        wrong = {q: pages_of(a)[:3] for q, a in zip(queries, answers) if pages_of(a)[:1] != list(names[q])}
        assert wrong == {}


    def test_a_heading_no_title_holds_puts_its_page_first(self, worker, site):
        sections = read_sections(site.path)
        titles = [plain(" ".join([s["title"], *s.get("aliases", [])])) for s in sections if "#" not in s["location"]]
        headings = {}
        for s in sections:
            if "#" in s["location"]:
                headings.setdefault(" ".join(plain(s["title"]).split()), set()).add(s["location"].split("#")[0])
        queries = []
        stop = stop_words(search_shards.lunr_source())  # a query leaves them out, as the index does
        for heading, owners in headings.items():
            words = [word for word in heading.split() if word not in stop]
            if not words or len(owners) != 1 or len(heading) < 4 or re.search(r"[^\w\s\u3400-\u9fff]", heading):
                continue
            # no other heading, and no page title, holds all its words
            if any(all(occurs(w, t) for w in words) for t in titles):
                continue
            if any(all(occurs(w, other) for w in words) for other in headings if other != heading):
                continue
            queries.append(heading)
        assert len(queries) > 40
        answers = ranked(worker, queries)
        wrong = {q: pages_of(a)[:3] for q, a in zip(queries, answers)
                 if [p.split("#")[0] for p in pages_of(a)[:1]] != list(headings[q])}
        assert wrong == {}


    def test_a_word_after_a_minus_leaves_out_the_sections_that_hold_it(self, worker, site):
        sections = {s["location"]: s for s in read_sections(site.path)}
        with_queue, without = ranked(worker, ["momentum", "momentum -queue"])
        found = [item["location"] for group in without["items"] for item in group if all(item["terms"].values())]
        assert found and all(not occurs("queue", plain(sections[location]["text"])) for location in found)
        everything = [item["location"] for group in with_queue["items"] for item in group]
        assert any(occurs("queue", plain(sections[location]["text"])) for location in everything)


    def test_the_judged_queries_find_the_right_page_first(self, worker):
        from tools.bench.search_quality import page_url

        answers = ranked(worker, [item["q"] for item in JUDGED])
        first = {"zh": [], "en": [], "cross": []}
        for item, answer in zip(JUDGED, answers):
            want = {page_url(w).lstrip("/") for w in item["want"]}
            first[item["kind"]].append(pages_of(answer)[:1] and pages_of(answer)[0] in want)
        every = [hit for hits in first.values() for hit in hits]
        assert len(every) >= 60
        assert sum(every) / len(every) >= 0.9 and sum(first["zh"]) / len(first["zh"]) >= 0.85
        assert all(sum(hits) / len(hits) >= 0.85 for hits in first.values()), {k: sum(v) for k, v in first.items()}


    def test_results_show_clean_text_with_the_words_marked(self, worker):
        queries = ["learning rate", "动量", "eta", "weight decay", "批量归一化"]
        for query, answer in zip(queries, ranked(worker, queries)):
            assert answer["items"], query
            for group in answer["items"][:10]:
                for item in group:
                    for field in (item["title"], item["text"]):
                        assert not re.search("[\u200b\u200c\u200d\u2060\ufeff]", field), (query, item["location"])
                        assert "Copied!" not in field
            top = next(item for item in answer["items"][0] if all(item["terms"].values()))
            marked = re.findall(r"<mark>(.*?)</mark>", top["title"] + top["text"])
            assert marked and all(any(piece in m.lower() for piece in query.lower().split() + [query]) or
                                  re.search(r"[\u4e00-\u9fff]", m) for m in marked), (query, marked)


    def test_the_last_word_is_completed_from_the_first_titles_words(self, worker):
        mom, chinese, nothing = ranked(worker, ["mom", "动量", "qzxqvbnmzz"])
        assert nothing["items"] == []
        options = worker("async () => { options = { suggest: true }; const out = [await search('mom'), "
                         "await search('动量')]; options = { suggest: false }; return out }")
        assert options[0]["suggest"] == ["momentum"] and options[1]["suggest"] == []
        assert "suggest" not in mom


# Runs our worker through Material's protocol, one query after another, in
# whatever page is open; returns the answers.
THROUGH_THE_PROTOCOL = """async ([url, queries]) => new Promise((resolve, reject) => {
  const worker = new Worker(url)
  const answers = []
  let next = 0
  worker.addEventListener("error", event => reject(new Error(`${url}: ${event.message}`)))
  worker.addEventListener("message", ({ data }) => {
    if (data.type === 3)
      answers.push(data.data.items.map(group => group[0].location))
    if (data.type === 1 || data.type === 3) {
      if (next < queries.length)
        worker.postMessage({ type: 2, data: queries[next++] })
      else {
        worker.terminate()
        resolve(answers)
      }
    }
  })
  worker.postMessage({ type: 0, data: { config: {}, docs: [], options: { suggest: false } } })
})"""

SAME_EVERYWHERE = ["对比学习", "目标检测", "momentum encoder", "F.dropout", "丢弃法", "weight decay", "图卷积"]


def page_of(location: str) -> str:
    """papers/moco.html#x (offline) and papers/moco/#x (served) -> papers/moco"""
    path = location.split("#")[0]
    path = re.sub(r"(?:index)?\.html$", "", path).rstrip("/")
    return path


@needs_chromium
def test_build_offline_copy_and_mkdocs_serve_search_the_same_way(site, offline_site):
    import time
    import urllib.request

    from tools import dev

    answers = {}
    with chromium("tests/test_search.py") as browser:
        page = browser.new_page()
        with serve(site.path) as base:
            page.goto(base)
            answers["build"] = page.evaluate(THROUGH_THE_PROTOCOL, [search_shards.WORKER, SAME_EVERYWHERE])
        page.goto((offline_site.path / "index.html").as_uri())  # Worker is iframe-worker.js's here
        answers["offline"] = page.evaluate(THROUGH_THE_PROTOCOL, [search_shards.WORKER, SAME_EVERYWHERE])
        with mkdocs_serve(ROOT, dev.SERVE_FLAGS) as base:
            deadline = time.monotonic() + 240
            while True:
                try:
                    with urllib.request.urlopen(base + "search/shards/index.json", timeout=5) as response:
                        json.load(response)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(1)
            page.goto(base)
            answers["serve"] = page.evaluate(THROUGH_THE_PROTOCOL, [search_shards.WORKER, SAME_EVERYWHERE])
    pages = {where: [[page_of(location) for location in answer] for answer in found]
             for where, found in answers.items()}
    assert all(pages["build"]) and len(pages["build"]) == len(SAME_EVERYWHERE)
    assert pages["offline"] == pages["build"]
    assert pages["serve"] == pages["build"]

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
    config = json.loads((site.path / "search/search_index.json").read_text(encoding="utf-8"))["config"]
    with serve(site.path) as base, chromium("tests/test_search.py") as browser:
        page = browser.new_page()
        page.goto(base)
        typed, alone = page.evaluate(PREFIXES_AT_ONCE, [config, "momentum"])
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
