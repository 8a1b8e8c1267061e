"""search() and autocomplete(): route a query to the code listings or the full-text engine."""

from __future__ import annotations

import html
import math
import re
import threading
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import tantivy

from medcodes.codes import canonical
from medcodes.models import SYSTEMS
from medcodes.search import Hit, SearchResult, intent, lay, storage, vocab
from medcodes.search.index import (
    ENDED,
    NO_END,
    Doc,
    Engine,
    date_int,
    engine_for,
    keep_newest,
    name_key,
    phrase_key,
)
from medcodes.search.query import ParsedQuery, parse
from medcodes.search.spell import Speller
from medcodes.store.db import Store

MAX_LIMIT = 100
MAX_OFFSET = 10_000
TITLE_BOOST = 2.0
# Added when the query names a code's title or inclusion term exactly (word order free).
EXACT_NAME_SCORE = 150.0
# Added when the query is a phrase of the project's vocabulary, for its target codes in the file's
# order: each step is far enough above the next that the static prior (at most x2) cannot swap them.
PHRASE_SCORES = (2000.0, 700.0, 250.0, 90.0)
# A vocabulary phrase inside a longer query ("x-ray, lower back, minimum four views"): its targets
# get this much times the share of the query's words the phrase covers, in the same steps.
SPAN_SCORE = 600.0
# A single word counts as a phrase inside a longer query from this many letters ("bmp blood test").
SPAN_MIN_LETTERS = 3
# Added to codes of the systems the query's intent prefers (a service -> CPT and HCPCS, then PCS;
# a condition -> ICD-10-CM): enough to lift them over other systems with the same words.
INTENT_SCORES = {
    "service": (("cpt", 14.0), ("hcpcs", 12.0), ("icd10pcs", 4.0)),
    "condition": (("icd10cm", 14.0),),
}
# Words that carry little meaning in a query: they may score, never filter.
SOFT_WORDS = frozenset(
    "a an and or not of the in on at to for with by from my is are be due my your his her its type"
    " during into via me i im our what whats code codes cpt get getting got have having had need needs"
    " do does done how much cost please".split()
)
_TITLE_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= offset <= MAX_OFFSET:
        raise ValueError(f"offset must be between 0 and {MAX_OFFSET}")


def _check_system(system: str | None) -> None:
    if system is not None and system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")


class _Context:
    """Per-store helpers that outlive a request: the engine, the speller and breadcrumb titles."""

    def __init__(self, store: Store, engine: Engine):
        self.store = store
        self.engine = engine
        self.speller = Speller(engine.vocab, protected=lay.lay_words() | vocab.words())
        self.headings = {
            (system, code): (title, parent) for system, code, title, parent in storage.headings(store)
        }
        self.crumbs: dict[tuple[str, str], list[str]] = {}
        self.ended = tuple(date_int(d, NO_END) for d in storage.termination_dates(store))
        # Vocabulary phrase key -> the intent of the files it comes from; a phrase both a service and a
        # condition ("mammogram": the test, and the reason for the visit) asks for the service.
        self.phrase_intent: dict[str, str] = {}
        for p in vocab.phrases():
            key = phrase_key(engine.stems(p.phrase))
            if key:
                seen = self.phrase_intent.get(key)
                self.phrase_intent[key] = p.intent if seen in (None, p.intent) else "service"

    def breadcrumb(self, system: str, parent: str | None) -> list[str]:
        """Titles from the root down to `parent`, from the headings held in memory: a hit's breadcrumb
        costs no query (read from SQLite, breadcrumbs took longer than the search itself)."""
        if not parent:
            return []
        key = (system, parent)
        titles = self.crumbs.get(key)
        if titles is None:
            node = self.headings.get(key)
            if node is None:  # not a heading of this build: ask the store
                return self.store.breadcrumb_titles(system, parent, include_self=True)
            title, up = node
            titles = [*self.breadcrumb(system, up), title] if up and up != parent else [title]
            self.crumbs[key] = titles
        return titles


_contexts: dict[tuple[str, str], _Context] = {}
_ctx_lock = threading.Lock()


def _context(store: Store) -> _Context:
    engine = engine_for(store)
    key = (str(store.path), store.build_id)
    ctx = _contexts.get(key)
    if ctx is None or ctx.engine is not engine:
        with _ctx_lock:
            ctx = _contexts.get(key)
            if ctx is None or ctx.engine is not engine:
                ctx = _Context(store, engine)
                _contexts[key] = ctx
                keep_newest(_contexts, key[0])
    return ctx


@lru_cache(maxsize=50_000)
def _stem_of(analyzer_id: int, word: str) -> str:
    stems = _ANALYZERS[analyzer_id].analyze(word)
    return stems[0] if stems else ""


_ANALYZERS: dict[int, tantivy.TextAnalyzer] = {}


def highlight(engine: Engine, title: str, stems: set[str]) -> str:
    """HTML-escaped title with the words whose stem the query shares wrapped in <mark>."""
    if not stems:
        return html.escape(title)
    aid = id(engine)
    _ANALYZERS.setdefault(aid, engine._analyzer)
    # Only marked words split the title: the text between them is escaped in one piece (a lab
    # descriptor can run to 10,000 characters, and escaping word by word cost a millisecond).
    out, last = [], 0
    for m in _candidates(title, stems).finditer(title):
        word = m.group(0)
        if _stem_of(aid, word) in stems:
            out.append(html.escape(title[last : m.start()]))
            out.append(f"<mark>{html.escape(word)}</mark>")
            last = m.end()
    out.append(html.escape(title[last:]))
    return "".join(out)


@lru_cache(maxsize=4096)
def _candidate_words(stems: frozenset[str]) -> re.Pattern[str]:
    """Words that may stem to one of `stems`: an English stem is the word's start, save a final
    "i" for "y" ("artery" -> "arteri"), so words not beginning with a stem less its last letter
    cannot match and the regex engine skips them without a Python call. ("lying" -> "lie" is the
    one other shape the stemmer makes.)"""
    heads = {s[:-1] if len(s) > 1 else s for s in stems if s} | {
        s[:-2] + "y" for s in stems if s.endswith("ie")
    }
    starts = "|".join(sorted((re.escape(h) for h in heads), key=len, reverse=True))
    return re.compile(r"(?<![^\W_])(?:" + starts + r")[^\W_]*", re.IGNORECASE)


def _candidates(title: str, stems: set[str]) -> re.Pattern[str]:
    # Accented letters fold to ASCII before stemming, which the prefix test cannot see.
    return _candidate_words(frozenset(stems)) if title.isascii() else _TITLE_WORD


def _hit_from_row(ctx: _Context, row: tuple, score: float, stems: set[str]) -> Hit:
    system, code, disp, kind, title, billable, parent, _depth = row
    return Hit(
        system=system,
        code=code,
        display=disp,
        title=title,
        kind=kind,
        billable=bool(billable),
        breadcrumb=ctx.breadcrumb(system, parent),
        score=score,
        highlight=highlight(ctx.engine, title, stems),
    )


def _hit_from_doc(ctx: _Context, d: Doc, score: float, stems: set[str]) -> Hit:
    return Hit(
        system=d.system,
        code=d.code,
        display=d.display,
        title=d.title,
        kind=d.kind,
        billable=d.billable,
        breadcrumb=ctx.breadcrumb(d.system, d.parent),
        score=round(score, 4),
        highlight=highlight(ctx.engine, d.title, stems),
    )


# -- text queries ----------------------------------------------------------------------------


def _word_query(engine: Engine, stem: str) -> tantivy.Query:
    schema = engine.schema
    return tantivy.Query.boolean_query(
        [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, "title", stem), TITLE_BOOST),
            ),
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, "alt", stem)),
        ]
    )


@dataclass(slots=True)
class _Reading:
    """One reading of the query as tantivy queries: its words alone; its words with the bonuses for
    an exact name or a vocabulary phrase; and the terms that earn a bonus."""

    words: tantivy.Query
    full: tantivy.Query
    bonus_terms: list[tantivy.Query]


def _alternative(
    engine: Engine,
    words: list[str],
    strict: bool,
    soft: set[str] = frozenset(),  # type: ignore[assignment]
    phrases: dict[str, str] | None = None,
) -> tuple[_Reading | None, set[str]]:
    clauses, stems = [], set()
    hard = [w for w in words if w not in SOFT_WORDS and w not in soft] or words
    for w in words:
        for stem in engine.stems(w):
            stems.add(stem)
            occur = tantivy.Occur.Must if strict and w in hard else tantivy.Occur.Should
            clauses.append((occur, _word_query(engine, stem)))
    if not clauses:
        return None, stems
    bonus, terms = [], []
    all_stems = [st for w in words for st in engine.stems(w)]
    key = name_key(all_stems)
    if key:
        exact = tantivy.Query.term_query(engine.schema, "exact", key)
        bonus.append((tantivy.Occur.Should, tantivy.Query.const_score_query(exact, EXACT_NAME_SCORE)))
        terms.append(exact)
    pkeys = {phrase_key(all_stems)}
    if soft:  # "Diabetes mellitus (DM)" is the phrase "diabetes mellitus"
        pkeys.add(phrase_key([st for w in words if w not in soft for st in engine.stems(w)]))
    # The whole query as a phrase, and service phrases inside it, match on their own: "cataract
    # surgery left eye" finds the surgery codes, whose names lack "left eye". A condition phrase
    # inside a longer query only adds to codes with every word ("type 2 diabetes with kidney
    # disease" wants the combination code, not the general diabetes code).
    alone = {k: 1.0 for k in pkeys if k}
    joined: dict[str, float] = {}
    if phrases and len(words) > 1:
        for key, share in _spans(engine, words, phrases):
            weight = SPAN_SCORE / PHRASE_SCORES[0] * share
            (alone if phrases[key] == "service" else joined).setdefault(key, weight)
    bonus += _phrase_clauses(engine, joined, terms)
    text = tantivy.Query.boolean_query(clauses)
    full = tantivy.Query.boolean_query(clauses + bonus) if bonus else text
    if alone:
        full = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, full), *_phrase_clauses(engine, alone, terms)]
        )
    return _Reading(text, full, terms), stems


def _phrase_clauses(engine: Engine, weights: dict[str, float], terms: list[tantivy.Query]) -> list[tuple]:
    """Bonus clauses for the targets of vocabulary phrases; their terms are added to `terms`."""
    out = []
    for pkey, weight in weights.items():
        for i, score in enumerate(PHRASE_SCORES):
            term = tantivy.Query.term_query(engine.schema, "vkey", vocab.target_term(pkey, i))
            out.append((tantivy.Occur.Should, tantivy.Query.const_score_query(term, score * weight)))
            terms.append(term)
    return out


def _spans(engine: Engine, words: list[str], phrases: dict[str, str]) -> list[tuple[str, float]]:
    """Vocabulary phrases inside the query, with the share of its words they cover: phrases of two
    or more words, and single long words that name a service, drug or device ("remicade infusion")."""
    stems = [engine.stems(w) for w in words]
    # A word's weight is how rare it is in the index: in "remicade infusion" the brand, which no
    # descriptor uses, counts for more than "infusion", which hundreds do.
    weights = [_rarity(engine, w) for w in words]
    total = sum(weights) or 1.0
    out = []
    n = len(words)
    for i in range(n):
        for j in range(i + 1, min(n, i + 6) + 1):
            if j - i == n:
                continue
            key = phrase_key([st for s in stems[i:j] for st in s])
            if not key or key not in phrases:
                continue
            if j - i == 1 and (len(words[i]) < SPAN_MIN_LETTERS or phrases[key] != "service"):
                continue
            out.append((key, sum(weights[i:j]) / total))
    return out


def _rarity(engine: Engine, word: str) -> float:
    """1 for a word neither the index nor the vocabulary uses much, down to ~0.2 for the commonest
    (log scale): the more common of its counts in descriptors and in vocabulary phrases decides, so
    a lay word such as "shot", rare in descriptors, weighs no more than "injection"."""
    w = word.lower()
    count = max(engine.vocab.get(w, 0), 40 * vocab.word_counts().get(w, 0))
    return 1.0 / (1.0 + math.log1p(count) / 3.0)


def _intent_clauses(engine: Engine, boosts: tuple[tuple[str, float], ...]) -> list[tuple]:
    out = []
    for system, score in boosts:
        term = tantivy.Query.term_query(engine.schema, "sys", system)
        out.append((tantivy.Occur.Should, tantivy.Query.const_score_query(term, score)))
    return out


def _filters(
    engine: Engine,
    f: storage.Filters,
    prefix: str | None,
    ended: tuple[int, ...] = (),
) -> list[tuple]:
    schema = engine.schema
    out = []
    if f.system:
        out.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "sys", f.system)))
    if f.billable is not None:
        out.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "billable", int(f.billable))))
    if f.active_on is not None:
        d = int(f.active_on.strftime("%Y%m%d"))
        out.append(
            (tantivy.Occur.Must, tantivy.Query.range_query(schema, "eff", tantivy.FieldType.Integer, None, d))
        )
        out.append(
            (
                tantivy.Occur.Must,
                tantivy.Query.range_query(
                    schema, "term", tantivy.FieldType.Integer, d, NO_END, include_lower=False
                ),
            )
        )
    if f.current_on is not None and ended:
        # The few dozen termination dates before the day, as terms: excluding their short posting
        # lists costs a tenth of a range filter over every document's date.
        gone = _ended_before(engine, ended, int(f.current_on.strftime("%Y%m%d")))
        if gone is not None:
            out.append((tantivy.Occur.MustNot, gone))
    if prefix:
        out.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "pfx", prefix)))
    return out


def _memo(engine: Engine, name: str, size: int) -> dict:
    """A cache kept on the engine itself, so that it goes with the engine when a rebuild replaces it
    (a module-level cache keyed by the engine would keep old builds' indexes alive). Emptied when full."""
    memo = engine.__dict__.setdefault(f"_memo_{name}", {})
    if len(memo) >= size:
        memo.clear()
    return memo


def _ended_before(engine: Engine, ended: tuple[int, ...], day: int) -> tantivy.Query | None:
    memo = _memo(engine, "ended", 16)  # `ended` is the engine's build's: the day is the key
    if day not in memo:
        memo[day] = _ended_query(engine, ended, day)
    return memo[day]


def _ended_query(engine: Engine, ended: tuple[int, ...], day: int) -> tantivy.Query | None:
    """Documents of codes terminated before `day`: those the build already marked as ended, and
    those whose date fell between the build and `day`, by their date as a term."""
    schema, should = engine.schema, tantivy.Occur.Should
    after_build = [e for e in ended if engine.built_on <= e < day]
    gone = [(should, tantivy.Query.term_query(schema, "term", e)) for e in after_build]
    if engine.built_on and day >= engine.built_on:
        gone.append((should, tantivy.Query.term_query(schema, "state", ENDED)))
    else:
        gone = [(should, tantivy.Query.term_query(schema, "term", e)) for e in ended if e < day]
    if not gone:
        return None
    return gone[0][1] if len(gone) == 1 else tantivy.Query.boolean_query(gone)


def _run(
    engine: Engine,
    alternatives: list[list[str]],
    filters: list[tuple],
    limit,
    offset,
    strict: bool,
    soft: set[str] = frozenset(),  # type: ignore[assignment]
    kind: str | None = None,
    phrases: dict[str, str] | None = None,
):
    readings, stems = [], set()
    for words in alternatives:
        r, s = _alternative(engine, words, strict, soft, phrases)
        stems |= s
        if r is not None:
            readings.append(r)
    if not readings:
        return 0, [], stems
    full = _either([r.full for r in readings])
    bonus_terms = [t for r in readings for t in r.bonus_terms]
    boosts = INTENT_SCORES.get(kind or "", ())
    if not bonus_terms or _matches_at_most(engine, alternatives, strict, soft) < SPLIT_ABOVE:
        query = _with(full, [*filters, *_intent_clauses(engine, boosts)])
        res = engine.searcher.search(query, limit=limit, offset=offset, count=True, weight_by_field="w")
        return res.count, res.hits, stems  # type: ignore[attr-defined]  # tantivy stubs lack `count`
    by_words = _either([r.words for r in readings])
    total, hits = _split_search(engine, full, by_words, bonus_terms, filters, boosts, limit, offset)
    return total, hits, stems


# A query whose words may match more documents than this is run in parts (see _split_search).
SPLIT_ABOVE = 4000


def _either(queries: list[tantivy.Query]) -> tantivy.Query:
    return (
        queries[0]
        if len(queries) == 1
        else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])
    )


def _with(text: tantivy.Query, clauses: list[tuple]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *clauses]) if clauses else text


def _split_search(
    engine: Engine,
    full: tantivy.Query,
    words: tantivy.Query,
    bonus_terms: list[tantivy.Query],
    filters: list[tuple],
    boosts: tuple[tuple[str, float], ...],
    limit: int,
    offset: int,
) -> tuple[int, list]:
    """The same hits and total as searching `full`, in less time when the words match tens of
    thousands of documents: every extra clause of a boolean query costs a step at each document
    the words match, and the bonus clauses (exact name, vocabulary phrase) match a handful.

    The words alone are ranked over all their documents; the few documents with a bonus term are
    scored in full apart; the two lists merge. A document in the true top n either has a bonus
    (it is in the second list, with its full score) or scores the same on its words alone, and
    then fewer than n documents outscore it there either, so it is in the first list.

    The intent boosts are optional clauses over whole code systems; beside the handful of bonus
    documents they would be walked to each of them, so there each boosted system is searched
    on its own, its boost a required clause (the same sum), and the other systems once more."""
    n = offset + limit
    searcher, must = engine.searcher, tantivy.Occur.Must
    bonus = (must, tantivy.Query.const_score_query(_either(bonus_terms), 0.0))
    by_words = searcher.search(
        _with(words, [*filters, *_intent_clauses(engine, boosts)]), limit=n, count=True, weight_by_field="w"
    )
    merged = {(a.segment_ord, a.doc): (score, a) for score, a in by_words.hits}
    schema = engine.schema
    per_system = [
        [(must, tantivy.Query.const_score_query(tantivy.Query.term_query(schema, "sys", system), score))]
        for system, score in boosts
    ]
    if boosts:
        others = [
            (tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "sys", system)) for system, _ in boosts
        ]
        per_system.append(others)
    for part in per_system or [[]]:
        found = searcher.search(
            _with(full, [*filters, bonus, *part]), limit=n, count=False, weight_by_field="w"
        )
        merged.update({(a.segment_ord, a.doc): (score, a) for score, a in found.hits})
    bonus_only = searcher.search(
        _with(full, [*filters, bonus, (tantivy.Occur.MustNot, words)]), limit=1, count=True
    )
    # Ties in the order tantivy gives them: the lower document address first.
    ranked = [merged[k] for k in sorted(merged, key=lambda k: (-merged[k][0], k))]
    total = by_words.count + bonus_only.count  # type: ignore[attr-defined]
    return total, ranked[offset:n]


def _matches_at_most(engine: Engine, alternatives: list[list[str]], strict: bool, soft: set[str]) -> int:
    """An upper bound on the documents the words of the readings match, from their terms' counts."""
    bound = 0
    for words in alternatives:
        hard = [w for w in words if w not in SOFT_WORDS and w not in soft] or words
        counts = [_doc_freq(engine, st) for w in (hard if strict else words) for st in engine.stems(w)]
        if counts:
            bound += min(counts) if strict else sum(counts)
    return bound


def _doc_freq(engine: Engine, stem: str) -> int:
    memo = _memo(engine, "doc_freq", 50_000)
    if stem not in memo:
        memo[stem] = engine.searcher.doc_freq("title", stem) + engine.searcher.doc_freq("alt", stem)
    return memo[stem]


def _correct(ctx: _Context, words: list[str]) -> tuple[list[str], bool]:
    out, changed = [], False
    for w in words:
        fixed = ctx.speller.correct(w) or _listed_misspelling(ctx, w)
        if fixed and fixed != w:
            out.append(fixed)
            changed = True
        else:
            out.append(w)
    return out, changed


def _text_search(ctx: _Context, pq: ParsedQuery, f, limit, offset, complete_last: bool = False):
    words = pq.words
    if not words:
        return 0, [], None
    words, changed = _correct(ctx, words[:-1] if complete_last else words)
    if complete_last:
        words = words + [pq.words[-1]]
    alternatives = lay.expand(words)
    for spelt in intent.spellings(words, ctx.engine.vocab):
        alternatives += [a for a in lay.expand(spelt) if a not in alternatives]
    for side in pq.sides if not complete_last else []:
        # "BMP/CMP": each side is a reading of its own, as well as the words together.
        if any(w not in SOFT_WORDS for w in side):
            alternatives += [a for a in lay.expand(_correct(ctx, side)[0]) if a not in alternatives]
    if complete_last:
        alternatives = [*alternatives, *_completions(ctx.engine, alternatives[-1])]
    alternatives = list(map(list, dict.fromkeys(map(tuple, alternatives))))  # each reading once
    kind = _intent(ctx, alternatives)
    args = (ctx.engine, alternatives, _filters(ctx.engine, f, pq.prefix, ctx.ended), limit, offset)
    total, hits, stems = _run(*args, strict=True, soft=pq.soft, kind=kind, phrases=ctx.phrase_intent)
    if total == 0 and len(words) > 1:
        total, hits, stems = _run(*args, strict=False, soft=pq.soft, kind=kind, phrases=ctx.phrase_intent)
    results = [_hit_from_doc(ctx, ctx.engine.doc(addr), score, stems) for score, addr in hits]
    corrected = " ".join(([pq.prefix] if pq.prefix else []) + words) if changed else None
    return total, results, corrected


@lru_cache(maxsize=20_000)
def _misspelling_fix(speller: Speller, word: str) -> str | None:
    targets = vocab.word_targets().get(word)
    if not targets or word in speller.vocab:
        return None
    fixed = speller.correct(word, protect=False)
    return fixed if fixed and targets & vocab.word_targets().get(fixed, frozenset()) else None


def _listed_misspelling(ctx: _Context, word: str) -> str | None:
    """The correction of a misspelling the vocabulary lists on purpose ("diabetis", "colonscopy")."""
    return _misspelling_fix(ctx.speller, word)


def _intent(ctx: _Context, alternatives: list[list[str]]) -> str | None:
    """What the query is after: the vocabulary's word when a reading is one of its phrases, else
    the shape of its words (procedure words and endings vs. condition words and endings)."""
    for words in alternatives:
        key = phrase_key([st for w in words for st in ctx.engine.stems(w)])
        found = ctx.phrase_intent.get(key) if key else None
        if found:
            return found
    return intent.of_words(alternatives[-1])


def _completions(engine: Engine, words: list[str], n: int = 3) -> list[list[str]]:
    """The last word read as the start of the commonest vocabulary words it begins."""
    last = words[-1].lower() if words else ""
    if len(last) < 2 or last in engine.vocab and len(last) > 3:
        return []
    vocab = engine.sorted_vocab
    i = bisect_left(vocab, last)
    found: list = []
    while i < len(vocab) and vocab[i].startswith(last) and len(found) < 400:
        found.append(vocab[i])
        i += 1
    found.sort(key=lambda w: -engine.vocab[w])
    return [[*words[:-1], w] for w in found[:n] if w != last]


# -- public entry points -----------------------------------------------------------------------


def search(
    store: Store,
    q: str,
    *,
    system: str | None = None,
    billable: bool | None = None,
    active_on: date | None = None,
    limit: int = 20,
    offset: int = 0,
    include_deleted: bool = False,
) -> SearchResult:
    """Search every code system. Raises QueryTooLong for over-long queries and ValueError for bad
    paging or an unknown system. Codes terminated before today are left out unless
    `include_deleted` (or `active_on`, which asks about another day) is given, or the code is
    typed exactly."""
    return _search(
        store,
        q,
        system,
        billable,
        active_on,
        limit,
        offset,
        complete_last=False,
        include_deleted=include_deleted,
    )


def autocomplete(store: Store, q: str, limit: int = 8) -> list[Hit]:
    """Top suggestions while typing: codes by prefix; for words, the full search of the likeliest
    completions of what was typed ("heart att" -> "heart attack", "diab" -> "diabetes"), so the
    box suggests what the results page would rank first."""
    pq = parse(q)
    if not pq.text or pq.range or pq.code or not pq.words:
        return _search(store, q, None, None, None, limit, 0, complete_last=True).results
    seen: set[tuple[str, str]] = set()
    out: list[Hit] = []
    for n, text in enumerate(_completed_queries(_context(store), pq.text)):
        # The likeliest reading fills most of the list; the others add what it lacks.
        room = limit - len(out) if n == 0 else max(1, (limit - len(out)) // 2)
        for hit in search(store, text, limit=limit).results:
            if (hit.system, hit.code) not in seen and room > 0:
                seen.add((hit.system, hit.code))
                out.append(hit)
                room -= 1
        if len(out) >= limit:
            break
    return out


def _completed_queries(ctx: _Context, text: str, n: int = 3) -> list[str]:
    """Whole queries the typed text may be the start of, likeliest first: lay phrases it begins
    ("heart att" -> "heart attack"), then the commonest words its last word begins. The text as
    typed comes before those words when its last word is itself common enough ("factor vii" is
    not "factor viii"), after them when it is a rare abbreviation ("diab")."""
    text = text.lower()
    head, _, last = text.rpartition(" ")
    head = f"{head} " if head else ""
    typed = lay.key(text)
    phrases = (
        [" ".join(p) for p in _lay_phrases_after(typed[:-1]) if p[-1].startswith(typed[-1])] if typed else []
    )
    longer, best = _commonest_starting(ctx.engine, last, n)
    completions = [f"{head}{w}" for w in longer]
    # 5%: "vii" (factor VII) stays itself beside the twelve-times commoner "viii".
    as_typed_first = ctx.engine.vocab.get(last, 0) >= 0.05 * best and len(last) >= 2
    ordered = phrases + ([text] if as_typed_first else []) + completions + [text]
    return list(dict.fromkeys(ordered))[:n]


@lru_cache(maxsize=1)
def _lay_by_head() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Lay phrases by all their words but the last: the phrases a typed text may be completing."""
    out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for p in lay.vocabulary():
        out.setdefault(p[:-1], []).append(p)
    return out


def _lay_phrases_after(head: tuple[str, ...]) -> list[tuple[str, ...]]:
    return _lay_by_head().get(head, [])


def _commonest_starting(engine: Engine, start: str, n: int) -> tuple[list[str], int]:
    """The `n` commonest index words that begin with `start` (not `start` itself) among the first
    400 in order, and the count of the commonest: people type the same beginnings again and again."""
    memo = _memo(engine, "starting", 20_000)
    if (start, n) not in memo:
        memo[(start, n)] = _commonest(engine, start, n)
    return memo[(start, n)]


def _commonest(engine: Engine, start: str, n: int) -> tuple[list[str], int]:
    vocab, words = engine.vocab, engine.sorted_vocab
    i = bisect_left(words, start)
    longer: list[str] = []
    while i < len(words) and words[i].startswith(start) and len(longer) < 400:
        if words[i] != start:
            longer.append(words[i])
        i += 1
    longer.sort(key=lambda w: -vocab[w])
    return longer[:n], (vocab[longer[0]] if longer else 0)


# Which system a dot-less code found in several systems is read as, when its neighbours do not say.
PASTE_PREFERENCE = ("cpt", "hcpcs", "icd10cm", "icd10pcs")
# Neighbours vote by what a code is on a bill: CPT and HCPCS codes are both services.
PASTE_FAMILY = {"cpt": "service", "hcpcs": "service", "icd10cm": "diagnosis", "icd10pcs": "inpatient"}


def _pasted(
    ctx: _Context, tokens: list[str], system: str | None, modifiers: dict[str, list[str]] | None = None
) -> tuple[list[Hit], list[str]]:
    """Pasted codes, each once, in the order given, each in its system, each followed by the
    modifiers typed with it that HCPCS lists ("27447-RT"); and the unknown codes as typed.

    A code that exists in two systems (G0439 is a HCPCS code and, dot-less, ICD-10-CM G04.39) is
    read as ICD-10-CM when typed with a dot, else as what most of the other codes are (services,
    diagnoses or inpatient procedures)."""
    f = storage.Filters(system=system)
    found: list[list[tuple]] = []
    for tok in tokens:
        rows = storage.exact(ctx.store, canonical(tok), f)
        if "." in tok:
            rows = [r for r in rows if r[0] == "icd10cm"] or rows
        found.append(rows)
    votes = Counter(PASTE_FAMILY[rows[0][0]] for rows in found if len(rows) == 1)
    out: list[Hit] = []
    unknown: list[str] = []
    seen: set[tuple[str, str]] = set()

    def add(row: tuple) -> None:
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            out.append(_hit_from_row(ctx, row, 1.0, set()))

    for tok, rows in zip(tokens, found, strict=True):
        if not rows:
            if tok not in unknown:
                unknown.append(tok)
            continue
        add(min(rows, key=lambda r: (-votes[PASTE_FAMILY[r[0]]], PASTE_PREFERENCE.index(r[0]))))
        for mod in (modifiers or {}).get(tok, []):
            # CPT's own modifiers (25, 59) are AMA data this build may not have: left out, not unknown.
            for row in storage.exact(ctx.store, mod, storage.Filters(system="hcpcs")):
                if row[3] == "modifier":
                    add(row)
    return out, unknown


def _search(
    store: Store, q, system, billable, active_on, limit, offset, complete_last, include_deleted=False
) -> SearchResult:
    _check_paging(limit, offset)
    _check_system(system)
    pq = parse(q)
    result = SearchResult(query=pq.text, total=0, results=[])
    if not pq.text:
        return result
    ctx = _context(store)
    f = storage.Filters(system=system, billable=billable, active_on=active_on)
    if not include_deleted and active_on is None:
        f.current_on = date.today()

    if pq.pasted:
        found, unknown = _pasted(ctx, pq.pasted, system, pq.modifiers)
        if found:
            if len(pq.pasted) == len(found) == 1:  # one code typed with a modifier we do not list
                result.exact = found[0]
            result.total = len(found)
            result.results = found[offset : offset + limit]
            result.unknown = unknown
            return result
        pq = parse(" ".join(pq.pasted).replace(";", " "))  # nothing known: read them as words
        pq.words = pq.words or [t.lower() for t in pq.text.split()]
        result.unknown = unknown

    if pq.range:
        lo, hi, systems = pq.range
        if system:
            systems = [s for s in systems if s == system]
        systems = storage.systems_with(store, lo, hi, systems)
        if systems:
            total, rows = storage.in_range(store, lo, hi, systems, f, limit, offset)
            result.total = total
            result.results = [_hit_from_row(ctx, r, 1.0, set()) for r in rows]
            return result

    if pq.code:
        # A code typed exactly is shown even when deleted (its page says so).
        exact = storage.exact(store, pq.code, replace(f, current_on=None))
        if exact or store.has_prefix(pq.code, system):
            hits = [_hit_from_row(ctx, r, 1.0, set()) for r in exact]
            if len(hits) == 1:
                result.exact = hits[0]
            n_exact = len(hits)
            rest_offset = max(0, offset - n_exact)
            total, rows = storage.under_prefix(
                store, pq.code, f, limit, rest_offset, skip=pq.code, first=[h.system for h in hits]
            )
            shown = hits[offset : offset + limit]
            shown += [_hit_from_row(ctx, r, 0.5, set()) for r in rows][: limit - len(shown)]
            result.total = n_exact + total
            result.results = shown
            if result.total:
                return result

    if pq.prefix and not store.has_prefix(pq.prefix, system):
        pq.words = [pq.prefix.lower(), *pq.words]
        pq.prefix = None
    total, hits, corrected = _text_search(ctx, pq, f, limit, offset, complete_last)
    if total == 0 and pq.prefix:
        # The code part matched nothing together with the words: read it as a word too ("hla b27").
        pq.words = [pq.prefix.lower(), *pq.words]
        pq.prefix = None
        total, hits, corrected = _text_search(ctx, pq, f, limit, offset, complete_last)
    result.total, result.results, result.corrected_query = total, hits, corrected
    return result
