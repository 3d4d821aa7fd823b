"""test_search.py's tests that name this log's own notes and pages (the rest of test_search.py holds for any log)."""

from __future__ import annotations

import json
import re
import pytest
from tools.site import search_shards
from tools.site.browser import chromium, mkdocs_serve, serve
from tools.site.build import ROOT
from tools.site.search_shards import FIELDS, read_index, read_sections, shown, stop_words
import yaml
from tests.test_search import (  # noqa: F401
    CHROMIUM,
    material_site,
    plain,
    worker,
)

JUDGED = yaml.safe_load((ROOT / "tests" / "data" / "search-queries.yml").read_text(encoding="utf-8"))["queries"]


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


SAME_EVERYWHERE = ["对比学习", "目标检测", "momentum encoder", "F.dropout", "丢弃法", "weight decay", "图卷积"]


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


needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="needs Chromium (see the README)")


def occurs(word: str, text: str) -> bool:
    """Chinese anywhere; other words from the start of a word."""
    if re.match(r"[\u3400-\u9fff]", word):
        return word in text
    return re.search(rf"(?<![^\W_]){re.escape(word)}", text) is not None


def page_of(location: str) -> str:
    """papers/moco.html#x (offline) and papers/moco/#x (served) -> papers/moco"""
    path = location.split("#")[0]
    path = re.sub(r"(?:index)?\.html$", "", path).rstrip("/")
    return path


def pages_of(answer) -> list[str]:
    return [group[0]["location"] for group in answer["items"]]


def ranked(worker, queries: list[str]) -> list[dict]:
    return worker("async queries => { const out = []; for (const q of queries) out.push(await search(q)); "
                  "return out }", queries)


def title_parts(title: str) -> list[str]:
    """What a title lists (the worker's TITLE_PARTS): "目标检测、语义分割与风格迁移" -> three parts."""
    return [part.strip() for part in re.split(r"[:：、，,;；()（）\[\]【】|/与]|\s[-–—]\s", plain(title))]


def test_the_index_holds_materials_sections_as_shown(site, material_site):
    ours = read_sections(site.path)
    theirs = read_sections(material_site)
    assert len(ours) == len(theirs) > 200
    assert [s["location"] for s in ours] == [s["location"] for s in theirs]
    assert [s["title"] for s in ours] == [shown(s["title"]) for s in theirs]
    assert [s["text"] for s in ours] == [shown(s["text"]) for s in theirs]


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
