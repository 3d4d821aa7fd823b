/*
 * papernotes search worker.
 *
 * Speaks Material for MkDocs' search-worker protocol (SETUP, READY, QUERY,
 * RESULT) over the index in search/shards/ (tools/site/search_shards.py). It
 * loads the vocabulary once; for each query it fetches only the postings of
 * the terms the query can match and the text of the sections it shows.
 *
 * How it ranks (the README's "How search ranks" says the same):
 *
 * 1. The query is cut into words at spaces; "quoted words" are one word;
 *    -word leaves out the sections that hold it. Each word is cut into
 *    pieces on the search separator (F.dropout -> f, dropout), and its
 *    Chinese into the index's own words, scored with the jieba frequencies
 *    the index carries, as jieba cut the pages (cutHan).
 * 2. A piece matches a term that is the piece (weight 1), that begins with
 *    it (PREFIX), or, for Chinese, that holds it (INFIX). A word matches a
 *    section when every one of its pieces does; its score there is the sum
 *    of its pieces' best weights (BM25 per field, titles and aliases 10,
 *    prose 1, code 0.25, tags 3).
 * 3. Sections are ordered by: how many of the query's words they match;
 *    then whether every word is in the page's title or one of its aliases
 *    (2), or in the section's heading (1); then, among those, how much of
 *    that title the query covers; then the score, multiplied by PHRASE when
 *    each word, and by PHRASE again when the whole query, occurs in the
 *    section as typed (its pieces side by side).
 * 4. Results are grouped by page, in the order of each page's best section.
 */

const SETUP = 0
const READY = 1
const QUERY = 2
const RESULT = 3

const RESULT_TEXT_GROUPS = 20  // pages whose text is fetched: shown first, and checked for phrases
const PREFIX = 0.6
const INFIX = 0.4
const PREFIX_TERMS = 200  // at most, per piece: the shortest terms that begin with it
const INFIX_TERMS = 32  // at most, per Chinese piece: the shortest terms that hold it
const PHRASE = 2
const SECTIONS = 0.25  // what a page's other matching sections add to its best one's score
const MAX_WORD = 16  // the longest Chinese word the segmentation tries
const HERE = (self.document && self.document.currentScript && self.document.currentScript.src) || self.location.href
const SHARDS = new URL("../../../search/shards/", HERE)
const FROM_FILE = SHARDS.protocol === "file:"
const HAN = /\p{Script=Han}/u
// Where a title lists several things ("MoCo: Momentum ...", a Chinese title's
// topics between U+3001, or two joined by U+4E0E): a query that is one of
// them, or one of the page's aliases, names the page exactly. (Escaped: a
// script tag in a page of another encoding would misread the characters.)
const TITLE_PARTS = /[:\uff1a\u3001\uff0c,;\uff1b()\uff08\uff09[\]\u3010\u3011|/\u4e0e]|\s[-\u2013\u2014]\s/
const HAN_RUNS = /\p{Script=Han}+|[^\p{Script=Han}]+/gu
const ZERO_WIDTH = /[\u200b\u200c\u200d\u2060\ufeff]/g

/* ------------------------------------------------------------------------ */
/* Loading                                                                    */
/* ------------------------------------------------------------------------ */

const cache = new Map()

/*
 * search/shards/<path>.json, once per worker. index.json is asked for afresh
 * (revalidated) on every page load; the files it names sit in a folder named
 * by their content's hash, so cached copies of those are always right. From
 * file:// the offline build's files are scripts, loaded as scripts.
 */
function load(path, init = {}) {
  let pending = cache.get(path)
  if (pending === undefined) {
    pending = FROM_FILE ? loadScript(path) : fetch(new URL(`${path}.json`, SHARDS), init).then(response => {
      if (!response.ok)
        throw new Error(`search/shards/${path}.json: HTTP ${response.status}`)
      return response.json()
    })
    pending.catch(() => cache.delete(path))  // a later query may try again
    cache.set(path, pending)
  }
  return pending
}

async function loadScript(path) {
  await importScripts(new URL(`${path}.js`, SHARDS).href)  // a Promise in iframe-worker.js
  const data = (self.__papernotesSearch || {})[path]
  if (data === undefined)
    throw new Error(`search/shards/${path}.js: no data in it`)
  return data
}

/* The shard holding item `number`, given each shard's first item. */
function shardOf(starts, number) {
  let low = 0
  let high = starts.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (starts[middle] <= number)
      low = middle
    else
      high = middle - 1
  }
  return low
}

/* First position in the sorted vocabulary not before `term` (JS order). */
function lowerBound(vocabulary, term) {
  let low = 0
  let high = vocabulary.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (vocabulary[middle] < term)
      low = middle + 1
    else
      high = middle
  }
  return low
}

/* Lower case, no tags, entities read, no zero-width spaces: text to look for a phrase in. */
function plain(html) {
  return html.replace(/<[^>]*>/g, " ").replace(/&(lt|gt|amp|quot|#39);/g, (_, name) =>
    ({ lt: "<", gt: ">", amp: "&", quot: "\"", "#39": "'" })[name]).replace(ZERO_WIDTH, "").toLowerCase()
}

const escapeRegExp = value => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/* Whether `word` occurs in `text` (both plain): Chinese anywhere, other words from a word's start. */
function occurs(word, text) {
  if (HAN.test(word[0]))
    return text.includes(word)
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1))
    if (at === 0 || !/[\p{L}\p{N}]/u.test(text[at - 1]))
      return true
  return false
}

class Site {
  constructor(index) {
    if (index.format !== 3)
      throw new Error(`search/shards/index: format ${index.format}, this worker reads 3`)
    this.index = index
    this.vocabulary = index.vocabulary
    this.frequency = index.frequency
    this.unknown = index.unknown_frequency
    this.fields = index.fields
    this.separator = new RegExp(index.separator, "g")
    this.stop = new Set(index.stop_words)
    this.locations = index.locations
    this.titles = index.titles
    this.aliases = new Map(Object.entries(index.aliases).map(([n, names]) => [+n, names]))
    this.number = new Map()  // location -> section number
    this.article = new Int32Array(index.locations.length)  // section -> its page's first section
    const pages = new Map()
    index.locations.forEach((location, n) => {
      const path = location.split("#")[0]
      const first = pages.get(path)
      if (first === undefined) {
        pages.set(path, n)
        this.article[n] = n
      } else {
        this.article[n] = first
      }
      this.number.set(location, n)
    })
    this.hanTerms = undefined  // the Chinese terms, for INFIX, on demand
    this.tables = undefined  // han.json, with the first Chinese query
    this.plainTitles = new Map()
  }

  load(name) {
    return load(`${this.index.version}/${name}`)
  }

  termNumber(term) {
    const at = lowerBound(this.vocabulary, term)
    return this.vocabulary[at] === term ? at : -1
  }

  /* Terms a piece matches: [term number, factor]. */
  matches(piece) {
    const out = []
    let begin = []
    for (let n = lowerBound(this.vocabulary, piece); n < this.vocabulary.length; n++) {
      const term = this.vocabulary[n]
      if (!term.startsWith(piece))
        break
      if (term === piece)
        out.push([n, 1])
      else
        begin.push(n)
    }
    if (begin.length > PREFIX_TERMS)  // "a": the shortest words that begin so
      begin = begin.sort((a, b) => this.vocabulary[a].length - this.vocabulary[b].length || a - b)
        .slice(0, PREFIX_TERMS)
    for (const n of begin)
      out.push([n, PREFIX])
    if (HAN.test(piece) && piece.length > 1) {
      this.hanTerms ||= this.vocabulary.map((term, n) => [term, n]).filter(([term]) => HAN.test(term))
      const holding = this.hanTerms.filter(([term]) => term.length > piece.length && term.includes(piece)
        && !term.startsWith(piece))
      holding.sort((a, b) => a[0].length - b[0].length)
      for (const [, n] of holding.slice(0, INFIX_TERMS))
        out.push([n, INFIX])
    }
    return out
  }

  /*
   * The log-probability jieba gives a word of several Chinese characters,
   * or undefined where jieba would not propose it: not in its dictionaries,
   * or not in the index (no page holds it as a word).
   */
  wordFrequency(word) {
    const n = this.termNumber(word)
    return n >= 0 && this.frequency[n] ? this.frequency[n] : undefined
  }

  /* The log-probability jieba gives one Chinese character as a word. */
  charFrequency(char) {
    const at = this.tables && this.tables.at.get(char)
    return at === undefined ? this.unknown : this.tables.frequency[at]
  }

  /* han.json, once: what the query's Chinese is cut with. */
  async loadTables() {
    if (this.tables === undefined && this.index.han) {
      const tables = await this.load("han")
      tables.at = new Map([...tables.chars].map((char, i) => [char, i]))
      this.tables = tables
    }
  }

  /* A section's title and, for a page, its aliases: plain. */
  titleTexts(n) {
    let texts = this.plainTitles.get(n)
    if (texts === undefined) {
      texts = [plain(this.titles[n]), ...(this.aliases.get(n) || []).map(plain)]
      this.plainTitles.set(n, texts)
    }
    return texts
  }

  /* Postings of these terms: term number -> per field [section, weight, ...]. */
  async postings(numbers, current) {
    const starts = this.index.term_shards
    const wanted = [...new Set(numbers.map(n => shardOf(starts, n)))]
    const shards = new Map(await Promise.all(wanted.map(k => this.load(`t${k}`).then(data => [k, data]))))
    current()
    const out = new Map()
    for (const n of numbers)
      out.set(n, shards.get(shardOf(starts, n))[this.vocabulary[n]])
    return out
  }

  /* Text and tags of these sections: section number -> { title, text, tags }. */
  async sections(numbers) {
    const starts = this.index.doc_shards
    const wanted = [...new Set(numbers.map(n => shardOf(starts, n)))]
    const shards = new Map(await Promise.all(wanted.map(k => this.load(`d${k}`).then(data => [k, data]))))
    const out = new Map()
    for (const n of numbers) {
      const k = shardOf(starts, n)
      const [text, tags] = shards.get(k)[n - starts[k]]
      out.set(n, { title: this.titles[n], text, tags })
    }
    return out
  }
}

/* ------------------------------------------------------------------------ */
/* The query                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A run of Chinese characters cut into words as jieba cuts it (jieba.cut,
 * HMM on): the route through the run's words (the index's words that are in
 * jieba's dictionaries, and any single character) with the highest sum of
 * log-probabilities, a tie going to the longer word; then each stretch of
 * single characters that is not itself a dictionary word is cut again by
 * jieba's HMM (viterbi), which finds words the dictionaries miss.
 */
function cutHan(run, site) {
  const n = run.length
  const best = new Float64Array(n + 1)
  const next = new Int32Array(n + 1)
  for (let i = n - 1; i >= 0; i--) {
    best[i] = -Infinity
    for (let j = i + 1; j <= Math.min(n, i + MAX_WORD); j++) {
      const score = j === i + 1 ? site.charFrequency(run[i]) : site.wordFrequency(run.slice(i, j))
      if (score === undefined)
        continue
      if (score + best[j] >= best[i]) {  // a tie goes to the longer word, as in jieba
        best[i] = score + best[j]
        next[i] = j
      }
    }
  }
  const words = []
  let singles = ""
  const flush = () => {
    if (singles.length === 1)
      words.push(singles)
    else if (singles.length > 1 && (site.wordFrequency(singles) !== undefined || !site.tables))
      words.push(...singles)
    else if (singles.length > 1)  // a word the HMM finds that no page holds: jieba did not find it there
      for (const word of viterbi(singles, site.tables))
        words.push(...(word.length === 1 || site.termNumber(word) >= 0 ? [word] : word))
    singles = ""
  }
  for (let i = 0; i < n; i = next[i]) {
    if (next[i] === i + 1)
      singles += run[i]
    else {
      flush()
      words.push(run.slice(i, next[i]))
    }
  }
  flush()
  return words
}

const STATES = "BMES"
const BEFORE = { B: "ES", M: "MB", S: "SE", E: "BM" }  // jieba's PrevStatus
const NEVER = -3.14e100  // jieba's MIN_FLOAT

/* jieba's HMM word finder (finalseg): the likeliest B/M/E/S tags, as words. */
function viterbi(text, tables) {
  const emit = (state, char) => {
    const at = tables.at.get(char)
    const value = at === undefined ? null : tables.emit[at][STATES.indexOf(state)]
    return value === null ? NEVER : value
  }
  const or = value => value === null || value === undefined ? NEVER : value
  let score = {}
  let path = {}
  for (const state of STATES) {
    score[state] = or(tables.start[state]) + emit(state, text[0])
    path[state] = state
  }
  for (let t = 1; t < text.length; t++) {
    const nextScore = {}
    const nextPath = {}
    for (const state of STATES) {
      const e = emit(state, text[t])
      let top = -Infinity
      let from
      for (const before of BEFORE[state]) {  // Python's max over (score, state): a tie goes to the later letter
        const value = score[before] + or(tables.trans[before][state]) + e
        if (value > top || (value === top && before > from)) {
          top = value
          from = before
        }
      }
      nextScore[state] = top
      nextPath[state] = path[from] + state
    }
    score = nextScore
    path = nextPath
  }
  const tags = score.S >= score.E ? path.S : path.E
  const words = []
  let begin = 0
  let after = 0
  for (let i = 0; i < text.length; i++) {
    if (tags[i] === "B")
      begin = i
    else if (tags[i] === "E") {
      words.push(text.slice(begin, i + 1))
      after = i + 1
    } else if (tags[i] === "S") {
      words.push(text[i])
      after = i + 1
    }
  }
  if (after < text.length)
    words.push(text.slice(after))
  return words
}

/* Splits `value` on the separator (a global RegExp): the non-empty pieces. */
function split(value, pattern) {
  const out = []
  pattern.lastIndex = 0
  let from = 0
  for (;;) {
    const match = pattern.exec(value)
    const until = match ? match.index : value.length
    if (from < until)
      out.push(value.slice(from, until))
    if (!match)
      return out
    from = match.index + match[0].length
    if (match[0].length === 0)
      pattern.lastIndex = match.index + 1
  }
}

/*
 * The query's words: { text, pieces, exclude }. Lunr's operators that
 * Material's search took (+word, word^2, word~1, title:word, wildcards) are
 * read as the plain word.
 */
function parseQuery(value, site) {
  const words = []
  for (const [, minus, quoted, bare] of value.normalize("NFKC").matchAll(/(-?)(?:"([^"]*)"?|(\S+))/g)) {
    let text = (quoted !== undefined ? quoted : bare).toLowerCase().replace(ZERO_WIDTH, "")
    if (quoted === undefined)
      text = text.replace(/^\+/, "").replace(/^(?:title|text|tags):/, "").replace(/[~^]\d*$/, "").replace(/\*/g, "")
    text = text.trim()
    const pieces = []
    for (const part of split(text, site.separator))
      for (const [run] of part.matchAll(HAN_RUNS))
        pieces.push(...(HAN.test(run) ? cutHan(run, site) : [run]))
    const kept = pieces.filter(piece => !site.stop.has(piece))  // the index has no stop words
    if (!pieces.length)
      continue
    words.push({ text: text.replace(/\s+/g, " "), pieces: kept, stop: !kept.length,
      exclude: minus === "-" && (quoted !== undefined || !!bare) })
  }
  return words
}

/* ------------------------------------------------------------------------ */
/* Highlighting                                                              */
/* ------------------------------------------------------------------------ */

/* Marks the query's words in HTML; `needles` are plain, longest first. */
function marker(needles) {
  if (!needles.length)
    return html => ({ html, marked: false })
  const han = needles.filter(needle => HAN.test(needle[0])).map(escapeRegExp)
  const other = needles.filter(needle => !HAN.test(needle[0])).map(escapeRegExp)
  const parts = [...han]
  if (other.length)  // a word that begins with a piece, marked whole
    parts.push(`(?<![\\p{L}\\p{N}])(?:${other.join("|")})[\\p{L}\\p{N}]*`)
  const pattern = new RegExp(parts.join("|"), "giu")
  return html => {
    let marked = false
    const out = html.split(/(<[^>]*>)/).map((part, i) => i % 2 ? part : part.replace(pattern, hit => {
      marked = true
      return `<mark>${hit}</mark>`
    }))
    return { html: out.join(""), marked }
  }
}

/* A section's text as Material's result shows it: the first two blocks that hold a match, prose first. */
function excerpt(html, mark) {
  const blocks = html.match(/<(pre|p|ul|ol|li|table)>[\s\S]*?<\/\1>|[^<]+|<[^>]*>/g) || []
  const marked = blocks.map(mark).filter(block => block.marked && block.html.trim())
  if (!marked.length)
    return html
  const prose = marked.filter(block => !block.html.startsWith("<pre>"))
  return (prose.length ? prose : marked).slice(0, 2).map(block => block.html).join(" ")
}

/* ------------------------------------------------------------------------ */
/* Search                                                                     */
/* ------------------------------------------------------------------------ */

let site
let options = { suggest: false }

/* Thrown by a query the user has typed past: its answer would be dropped. */
class Overtaken extends Error {}

/*
 * The answer to one query. `current()` throws Overtaken once a newer query
 * has come; it is called after each wait, so that a query overtaken while its
 * postings or text were loading stops there. (What it fetched stays cached.)
 */
async function search(value, current = () => {}) {
  if (HAN.test(value)) {
    await site.loadTables()
    current()
  }
  const words = parseQuery(value, site)
  const wanted = words.filter(word => !word.exclude && !word.stop)
  if (!wanted.length)
    return { items: [] }
  // the query as typed, its stop words in: what a title part or alias may equal
  const typed = words.filter(word => !word.exclude).map(word => word.text).join(" ")

  /* Every piece's terms, and their postings */
  const pieceTerms = words.map(word => word.pieces.map(piece => site.matches(piece)))
  const numbers = [...new Set(pieceTerms.flat(2).map(([n]) => n))]
  const postings = await site.postings(numbers, current)

  /* Per word: section -> score, when every piece matched there; and the terms it matched */
  const perWord = words.map((word, w) => {
    let scores
    for (const terms of pieceTerms[w]) {
      const best = new Map()
      for (const [n, factor] of terms) {
        const section = new Map()
        for (const pairs of postings.get(n))
          for (let i = 0; i < pairs.length; i += 2)
            section.set(pairs[i], (section.get(pairs[i]) || 0) + pairs[i + 1])
        for (const [s, weight] of section) {
          const entry = best.get(s)
          const score = weight * factor
          if (entry === undefined)
            best.set(s, { score, terms: new Set([n]) })
          else {
            entry.terms.add(n)
            entry.score = Math.max(entry.score, score)
          }
        }
      }
      // fields of one term add up; of several terms, the best counts
      if (scores === undefined)
        scores = best
      else {
        for (const [s, entry] of scores) {
          const other = best.get(s)
          if (other === undefined)
            scores.delete(s)
          else {
            entry.score += other.score
            for (const n of other.terms)
              entry.terms.add(n)
          }
        }
      }
    }
    return scores || new Map()
  })

  /* Sections: how many words they match, and their score */
  const excluded = new Set()
  words.forEach((word, w) => {
    if (word.exclude)
      for (const s of perWord[w].keys())
        excluded.add(s)
  })
  const candidates = new Map()
  words.forEach((word, w) => {
    if (word.exclude || word.stop)
      return
    for (const [s, { score, terms }] of perWord[w]) {
      if (excluded.has(s))
        continue
      let item = candidates.get(s)
      if (item === undefined)
        candidates.set(s, item = { n: s, matched: new Set(), score: 0, terms: new Set(), phrase: 1 })
      item.matched.add(w)
      item.score += score
      for (const n of terms)
        item.terms.add(n)
    }
  })
  for (const item of candidates.values()) {
    item.tier = 0
    item.exact = 0
    if (item.matched.size === wanted.length) {
      const texts = site.titleTexts(item.n)
      if (texts.some(text => wanted.every(word => occurs(word.text, text)))) {
        item.tier = site.article[item.n] === item.n ? 2 : 1
        item.exact = +texts.some(text => text.split(TITLE_PARTS).some(part => part.trim() === typed))
      }
    }
  }
  const order = (a, b) => b.matched.size - a.matched.size || b.tier - a.tier || b.exact - a.exact
    || b.score * b.phrase - a.score * a.phrase || a.n - b.n
  let ranked = [...candidates.values()].sort(order)

  /* The text of the first pages' sections: phrases, and what is shown */
  const firstPages = []
  for (const item of ranked) {
    const page = site.article[item.n]
    if (!firstPages.includes(page))
      firstPages.push(page)
    if (firstPages.length === RESULT_TEXT_GROUPS)
      break
  }
  const pageSet = new Set(firstPages)
  const shown = []
  for (let n = 0; n < site.locations.length; n++)
    if (pageSet.has(site.article[n]) && (candidates.has(n) || site.article[n] === n))
      shown.push(n)
  const sections = await site.sections(shown)
  current()
  for (const item of ranked) {
    const section = sections.get(item.n)
    if (section === undefined)
      continue
    const text = `${site.titleTexts(item.n).join(" ")} ${plain(section.text)}`
    for (const word of wanted)
      if (word.pieces.length > 1 && item.matched.size === wanted.length && occurs(word.text, text))
        item.phrase *= PHRASE
    if (typed.includes(" ") && occurs(typed, text))
      item.phrase *= PHRASE
  }
  ranked = ranked.sort(order)

  /*
   * One group per page, its page first. Pages are ordered by their best
   * section's words, tier and exactness, then by the page's score: its best
   * section's, and a quarter of the others' (a page about the query beats
   * one that mentions it once).
   */
  let groups = new Map()
  for (const item of ranked) {
    const page = site.article[item.n]
    let group = groups.get(page)
    if (group === undefined)
      groups.set(page, group = [])
    group.push(item)
  }
  const pageScore = group => group.reduce((sum, item, i) => sum + item.score * item.phrase * (i ? SECTIONS : 1), 0)
  groups = new Map([...groups].map(([page, group]) => [page, Object.assign(group, { total: pageScore(group) })])
    .sort(([, a], [, b]) => b[0].matched.size - a[0].matched.size || b[0].tier - a[0].tier
      || b[0].exact - a[0].exact || b.total - a.total))
  for (const [page, group] of groups) {
    const at = group.findIndex(item => item.n === page)
    if (at > 0)
      group.unshift(...group.splice(at, 1))
    else if (at < 0)
      group.unshift({ n: page, matched: new Set(), score: 0, phrase: 1, terms: new Set() })
  }

  /* Title and text, highlighted */
  const items = [...groups.values()].map(group => group.map(item => {
    const section = sections.get(item.n) || { title: site.titles[item.n], text: "" }
    // the words as typed, their pieces, and the Chinese words that hold a piece
    const needles = [...new Set([...wanted.map(word => word.text), ...wanted.flatMap(word => word.pieces),
      ...[...item.terms].map(n => site.vocabulary[n]).filter(term => HAN.test(term))])]
      .sort((a, b) => b.length - a.length)
    const terms = {}
    for (const word of wanted)
      terms[word.text] = item.matched.has(words.indexOf(word))
    const mark = marker(needles)
    let title = mark(section.title)
    if (!title.marked)  // found by an alias: the alias is shown after the title
      for (const alias of site.aliases.get(item.n) || []) {
        const shown = mark(alias.replace(/&/g, "&amp;").replace(/</g, "&lt;"))
        if (shown.marked) {
          title = { html: `${title.html} \u00b7 ${shown.html}` }
          break
        }
      }
    const out = {
      location: site.locations[item.n],
      title: title.html,
      text: excerpt(section.text, mark),
      score: item.score * item.phrase,
      terms
    }
    if (section.tags)
      out.tags = section.tags.map(tag => mark(tag).html)
    return out
  }))

  /* A completion of the last word, from the first result's title */
  let suggest
  if (options.suggest) {
    suggest = []
    const last = words[words.length - 1]
    if (!last.exclude && items.length && !HAN.test(last.text)) {
      const title = plain(site.titles[site.number.get(items[0][0].location)])
      const completion = split(title, site.separator).find(token => token.startsWith(last.text))
      if (completion)
        suggest = [completion]
    }
  }
  return suggest === undefined ? { items } : { items, suggest }
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                   */
/* ------------------------------------------------------------------------ */

let ready
let latest = 0

addEventListener("message", async ({ data: message }) => {
  switch (message.type) {
    case SETUP:
      options = message.data.options || options
      try {
        await ready
      } catch (error) {
        console.error(`papernotes search: ${error.message}`)
      }
      postMessage({ type: READY })
      break

    case QUERY: {
      const mine = ++latest
      const current = () => {
        if (mine !== latest)
          throw new Overtaken()
      }
      let data
      try {
        await ready
        current()
        data = await search(message.data, current)
      } catch (error) {
        if (error instanceof Overtaken)
          break
        console.warn(`papernotes search: query ${JSON.stringify(message.data)}: ${error.message}`)
        data = { items: [] }
      }
      // An answer to a query the user has since changed is dropped. The
      // query goes back with its answer (Material's page ignores it).
      if (mine === latest)
        postMessage({ type: RESULT, data: { ...data, query: message.data } })
      break
    }

    default:
      throw new TypeError(`papernotes search: message type ${message.type}`)
  }
})

/* The vocabulary starts loading with the page, before Material sends SETUP. */
ready = load("index", { cache: "no-cache" }).then(index => { site = new Site(index) })
