/*
 * papernotes search worker.
 *
 * Speaks Material for MkDocs' search-worker protocol (SETUP, READY, QUERY,
 * RESULT) over the sharded index in search/shards/ (tools/site/search_shards.py).
 * Instead of building a Lunr index of every section in the browser, it loads
 * the vocabulary once, and for each query fetches only the postings of the
 * terms the query can match, builds a Lunr index of just those terms, and lets
 * Lunr score it. The weights in the postings are the ones Lunr computes for
 * the whole site, so results and their order are Material's; only the text of
 * the sections shown is fetched (the first RESULT_TEXT_GROUPS pages).
 */

/* global lunr */
importScripts("lunr.js")

const SETUP = 0
const READY = 1
const QUERY = 2
const RESULT = 3

const RESULT_TEXT_GROUPS = 40
const QUERY_FIELDS = ["title", "text", "tags"]  // the fields a query may name (title:adam)
const SHARDS = new URL("../../../search/shards/", self.location.href)

/* ------------------------------------------------------------------------ */
/* Loading                                                                    */
/* ------------------------------------------------------------------------ */

const cache = new Map()

/*
 * Fetches search/shards/<path>.json once per worker. index.json is asked for
 * afresh (revalidated) on every page load; the files it names sit in a folder
 * named by their content's hash, so cached copies of those are always right.
 */
function load(path, init = {}) {
  let pending = cache.get(path)
  if (pending === undefined) {
    pending = fetch(new URL(`${path}.json`, SHARDS), init).then(response => {
      if (!response.ok)
        throw new Error(`search/shards/${path}.json: HTTP ${response.status}`)
      return response.json()
    })
    pending.catch(() => cache.delete(path))  // a later query may try again
    cache.set(path, pending)
  }
  return pending
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

class Site {
  constructor(index) {
    if (index.format !== 2)
      throw new Error(`search/shards/index.json: format ${index.format}, this worker reads 2`)
    this.index = index
    this.vocabulary = index.vocabulary
    this.words = new Set(index.vocabulary)
    this.fields = index.fields
    this.separator = new RegExp(index.separator, "g")  // for pieces()
    this.locations = index.locations
    this.number = new Map()  // location -> section number, as Material's document map
    this.article = new Int32Array(index.locations.length)  // section -> its page's first section
    const pages = new Map()
    index.locations.forEach((location, n) => {
      const path = location.split("#")[0]
      const first = pages.get(path)
      if (first === undefined) {
        pages.set(path, n)
        this.number.set(path, n)
        this.article[n] = n
      } else {
        this.number.set(location, n)
        this.article[n] = first
      }
    })
    this.everything = undefined  // Lunr's token set of the whole vocabulary, built on demand
  }

  load(name) {
    return load(`${this.index.version}/${name}`)
  }

  termNumber(term) {
    const at = lowerBound(this.vocabulary, term)
    return this.vocabulary[at] === term ? at : -1
  }

  /* Vocabulary terms a clause can expand to (a superset is fine). */
  expand(clause, into) {
    const term = clause.term
    const stars = (term.match(/\*/g) || []).length
    const fuzzy = clause.editDistance > 0
    if (!fuzzy && stars === 0) {
      const n = this.termNumber(term)
      if (n >= 0)
        into.add(n)
    } else if (!fuzzy && stars === 1 && term.endsWith("*")) {
      this.prefix(term.slice(0, -1), into)
    } else {
      this.everything ||= lunr.TokenSet.fromArray(this.vocabulary)
      for (const word of this.everything.intersect(lunr.TokenSet.fromClause(clause)).toArray())
        into.add(this.termNumber(word))
    }
  }

  prefix(start, into) {
    for (let n = lowerBound(this.vocabulary, start); n < this.vocabulary.length; n++) {
      if (!this.vocabulary[n].startsWith(start))
        break
      into.add(n)
    }
  }

  /* A Lunr index of just these terms, with the whole site's weights. */
  async miniIndex(numbers, current = () => {}) {
    const sorted = [...numbers].sort((a, b) => a - b)
    const starts = this.index.term_shards
    const shards = await Promise.all(
      [...new Set(sorted.map(n => shardOf(starts, n)))].map(k => this.load(`t${k}`).then(data => [k, data])))
    current()
    const byShard = new Map(shards)
    const invertedIndex = Object.create(null)
    const vectors = new Map()
    for (const n of sorted) {
      const term = this.vocabulary[n]
      const lists = byShard.get(shardOf(starts, n))[term]
      const posting = Object.create(null)
      posting._index = n
      this.fields.forEach((field, f) => {
        const documents = Object.create(null)
        const pairs = lists[f]
        for (let i = 0; i < pairs.length; i += 2) {
          const ref = this.locations[pairs[i]]
          documents[ref] = Object.create(null)
          const key = `${field}/${ref}`
          let elements = vectors.get(key)
          if (elements === undefined)
            vectors.set(key, elements = [])
          elements.push(n, pairs[i + 1])
        }
        posting[field] = documents
      })
      invertedIndex[term] = posting
    }
    const fieldVectors = Object.create(null)
    for (const [key, elements] of vectors)
      fieldVectors[key] = new lunr.Vector(elements)
    return new lunr.Index({
      invertedIndex,
      fieldVectors,
      tokenSet: lunr.TokenSet.fromArray(sorted.map(n => this.vocabulary[n])),
      fields: this.fields,
      pipeline: new lunr.Pipeline()
    })
  }

  /* Title, text and tags of these sections: section number -> { title, text, tags }. */
  async sections(numbers) {
    const starts = this.index.doc_shards
    const wanted = [...new Set(numbers.map(n => shardOf(starts, n)))]
    const shards = new Map(await Promise.all(wanted.map(k => this.load(`d${k}`).then(data => [k, data]))))
    const out = new Map()
    for (const n of numbers) {
      const k = shardOf(starts, n)
      const [text, tags] = shards.get(k)[n - starts[k]]
      out.set(n, { title: this.index.titles[n], text, tags })
    }
    return out
  }
}

/* ------------------------------------------------------------------------ */
/* Query text, as Material's search prepares it                              */
/* ------------------------------------------------------------------------ */

/*
 * Cuts a run of Chinese characters into words of the vocabulary, greedily:
 * at each position the longest word that starts there, plus the shorter
 * words that let a longer one start inside it. Material's search cuts
 * queries this way, and the results depend on it, so the cuts are the same,
 * including that a word may not end at the run's last character.
 */
function cutHan(run, words) {
  const longest = new Uint16Array(run.length)
  for (let i = 0; i < run.length; i++)
    for (let j = i + 1; j < run.length; j++)
      if (words.has(run.slice(i, j)))
        longest[i] = j - i
  const found = new Set()
  const todo = [0]
  while (todo.length) {
    const at = todo.pop()
    for (let k = 1; k < longest[at]; k++)
      if (longest[at + k] > longest[at] - k) {
        found.add(run.slice(at, at + k))
        todo.push(at + k)
      }
    const next = at + longest[at]
    if (longest[next] && next < run.length - 1)
      todo.push(next)
    found.add(run.slice(at, next))
  }
  return found.has("") ? [run] : [...found]
}

/* Splits `value` on the separator (a global RegExp): the non-empty pieces, with offsets. */
function pieces(value, pattern) {
  const out = []
  pattern.lastIndex = 0
  let from = 0
  for (;;) {
    const match = pattern.exec(value)
    const until = match ? match.index : value.length
    if (from < until)
      out.push([from, until])
    if (!match)
      return out
    from = match.index + match[0].length
    if (match[0].length === 0)
      pattern.lastIndex = match.index + 1
  }
}

/*
 * The query Lunr runs: quoted words required, stray operators dropped, each
 * word cut on the separator, and a trailing wildcard on every term that has
 * no modifier, so that results grow as the user types.
 */
function prepareQuery(value, site) {
  value = value.replace(/\p{sc=Han}+/gu, run => cutHan(run, site.words).join("* "))
  const quoted = value.trim().split(/"([^"]+)"/g)
    .map((part, i) => i % 2 ? part.replace(/^\b|^(?![^\x00-\x7F]|$)|\s+/g, " +") : part)
    .join("")
    .replace(/"|(?:^|\s+)[*+\-:^~]+(?=\s+|$)/g, "")
  const terms = []
  for (let part of quoted.split(/\s+/g)) {
    const lexer = new lunr.QueryLexer(part)
    lexer.run()
    for (const { type, str, start, end } of lexer.lexemes) {
      if (type === lunr.QueryLexer.FIELD) {
        if (!QUERY_FIELDS.includes(str))
          part = part.slice(0, end) + " " + part.slice(end + 1)  // not a field: the colon goes
      } else if (type === lunr.QueryLexer.TERM) {
        for (const [from, until] of pieces(str, site.separator))
          terms.push(part.slice(0, start) + str.slice(from, until) + part.slice(end))
      }
    }
  }
  return terms
    .map(term => /[~^]$/.test(term) ? `${term}1` : term)
    .map(term => /(^[+-]|[~^]\d+$)/.test(term) ? term : `${term}*`)
    .join(" ")
}

/* The query's clauses as Lunr parses them, wildcards taken off the terms. */
function clausesOf(query) {
  const parsed = new lunr.Query(QUERY_FIELDS)
  new lunr.QueryParser(query, parsed).parse()
  return parsed.clauses
}

function analysed(clauses) {
  return clauses.map(clause => {
    let term = clause.term
    if (term.startsWith("*"))
      term = term.slice(1)
    if (term.endsWith("*"))
      term = term.slice(0, -1)
    return { ...clause, term }
  })
}

/* Which query words a section matched (true) or missed (false). */
function queryTerms(clauses, matched) {
  const open = new Set(clauses)
  const terms = {}
  for (const word of matched)
    for (const clause of open)
      if (word.startsWith(clause.term)) {
        terms[clause.term] = true
        open.delete(clause)
      }
  for (const clause of open)
    if (lunr.stopWordFilter(clause.term))
      terms[clause.term] = false
  return terms
}

/* ------------------------------------------------------------------------ */
/* Highlighting                                                              */
/* ------------------------------------------------------------------------ */

/*
 * The top-level blocks of a field's HTML, cut where Material's tokenizer cuts
 * them: a block runs from its first word or opening tag to its last word or
 * closing tag, and text between two top-level elements joins the next block.
 * Each block lists the offsets of its words.
 */
function blocks(value, separator) {
  const out = []
  let block = { first: -1, last: -1, words: [] }
  const note = (from, to) => {
    if (block.first < 0)
      block.first = from
    block.last = to
  }
  const text = (from, to) => {
    for (const [a, b] of pieces(value.slice(from, to), separator)) {
      note(from + a, from + b)
      block.words.push([from + a, from + b])
    }
  }
  let depth = 0
  let start = 0
  for (let at = 0; at < value.length; at++) {
    const char = value[at]
    if (char === "<" && at > start) {
      text(start, at)
      start = at
    } else if (char === ">") {
      if (value[start + 1] === "/") {
        if (--depth === 0) {
          note(start, at + 1)
          out.push(block)
          block = { first: -1, last: -1, words: [] }
        }
      } else if (value[at - 1] !== "/") {
        if (depth++ === 0)
          note(start, at + 1)
      }
      start = at + 1
    }
  }
  if (value.length > start)
    text(start, value.length)
  if (block.first >= 0)
    out.push(block)
  return out
}

/*
 * Marks the matched words in the first two blocks that hold one. A title or
 * tag comes back whole around them; a section's text is cut to those blocks.
 * A field with no match comes back as it is. (Material's highlighting.)
 */
function highlight(value, words, separator, whole) {
  if (!words.size)
    return value
  const slices = []
  let cursor = 0
  for (const block of blocks(value, separator)) {
    const hits = block.words.filter(([a, b]) => words.has(value.slice(a, b).toLowerCase()))
    if (!hits.length)
      continue
    if (whole && block.first > cursor)
      slices.push(value.slice(cursor, block.first))
    let slice = ""
    let at = block.first
    for (const [a, b] of hits) {
      slice += `${value.slice(at, a)}<mark>${value.slice(a, b)}</mark>`
      at = b
    }
    slices.push(slice + value.slice(at, block.last))
    cursor = block.last
    if (slices.length === 2)
      break
  }
  if (!slices.length)
    return value
  if (whole && cursor < value.length)
    slices.push(value.slice(cursor))
  return slices.join("")
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
 * postings or text were loading stops there instead of building an index and
 * highlighting results nobody will see. (What it fetched stays cached.)
 */
async function search(value, current = () => {}) {
  const query = prepareQuery(value, site)
  if (!query)
    return { items: [] }

  const parsed = clausesOf(query)
  const clauses = analysed(parsed)
    .filter(clause => clause.presence !== lunr.Query.presence.PROHIBITED)
  const numbers = new Set()
  for (const clause of parsed)
    site.expand(clause, numbers)
  for (const clause of clauses)  // what the suggestion query looks up
    site.prefix(clause.term, numbers)
  const index = await site.miniIndex(numbers, current)
  current()

  /* Lunr's scores, boosted for pages and for sections that match every word */
  const scored = []
  for (const { ref, score, matchData } of index.search(query)) {
    const n = site.number.get(ref)
    if (n === undefined)
      continue
    const terms = queryTerms(clauses, Object.keys(matchData.metadata))
    const matchedWords = Object.values(terms).filter(Boolean).length
    const boost = +(site.article[n] === n) + matchedWords / Object.keys(terms).length
    scored.push({ n, score: score * (1 + boost ** 2), terms, metadata: matchData.metadata })
  }
  scored.sort((a, b) => b.score - a.score)

  /* One group per page, its page first if the page matched, else added */
  const groups = new Map()
  for (const item of scored) {
    const page = site.article[item.n]
    let group = groups.get(page)
    if (group === undefined)
      groups.set(page, group = [])
    group.push(item)
  }
  for (const [page, group] of groups)
    if (!group.some(item => item.n === page))
      group.push({ n: page, score: 0, terms: {}, metadata: {} })

  /* Title and text, highlighted, for the pages a reader sees first */
  const all = [...groups.values()]
  const shown = all.slice(0, RESULT_TEXT_GROUPS).flat().map(item => item.n)
  const sections = await site.sections(shown)
  current()
  const items = all.map(group => group.map(item => {
    const section = sections.get(item.n) || { title: site.index.titles[item.n], text: "" }
    const words = field => new Set(Object.keys(item.metadata).filter(word => field in item.metadata[word]))
    const out = {
      location: site.locations[item.n],
      title: highlight(section.title, words("title"), site.separator, true),
      text: highlight(section.text, words("text"), site.separator, false),
      score: item.score,
      terms: item.terms
    }
    if (section.tags)
      out.tags = section.tags.map(tag => highlight(tag, words("tags"), site.separator, true))
    return out
  }))

  /* The best title that holds every word, for completing the last one */
  let suggest
  if (options.suggest) {
    const titles = index.query(builder => {
      for (const clause of clauses)
        builder.term(clause.term, {
          fields: ["title"],
          presence: lunr.Query.presence.REQUIRED,
          wildcard: lunr.Query.wildcard.TRAILING
        })
    })
    suggest = titles.length ? Object.keys(titles[0].matchData.metadata) : []
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
