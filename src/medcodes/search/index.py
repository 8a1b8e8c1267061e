"""The full-text index: a tantivy index built beside the database, and the engine that opens it.

tantivy was chosen over SQLite FTS5 by measurement (bench/search_speed.py): on the full data its
p99 stays under a millisecond where FTS5's bm25() sort over common words takes tens of ms.
The index is a derived artefact: a build writes it into the build's artefact folder, so a
rebuild swaps it together with the database.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy

from medcodes.search import storage, vocab
from medcodes.store.context import SEARCH_DIR, BuildContext

if TYPE_CHECKING:
    from medcodes.store.db import Store

INDEX_DIR = SEARCH_DIR
VOCAB_FILE = "vocab.tsv"
# The day the index was built: documents of codes terminated before it carry ENDED in "state".
BUILT_FILE = "built_on.txt"
ENDED = "ended"
ANALYZER = "med"
NO_END = 99999999

# Note types whose text names the code itself (not what to code instead).
INDEXED_NOTES = ("inclusion", "includes")

# Origins of extra terms that name the code itself; drug-table and external-cause lines name a
# circumstance shared by hundreds of codes, so they only feed the ranked text field.
KEY_ORIGINS = frozenset(
    {"inclusion", "pcs_index", "clfs_long", "term", "synonym", "index", "hcpcs_index", "hcpcs_drugs"}
)
# Words left out of an exact-name key, so that "calculus of kidney" and "kidney calculus" meet.
KEY_STOP_WORDS = (
    "a an and or of the in on at to for by from nos unspecified type site"
    # How people frame a question around the name: "what is the code for getting my stitches out".
    " during into via my me i im your our what whats is are code codes cpt get getting got have having had"
    " need needs do does done how much cost please"
)
_UNSPECIFIED_TAIL = re.compile(
    r",[^,]*\b(?:unspecified|not specified|not elsewhere classified)\b.*$", re.IGNORECASE
)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z][a-z0-9']*[a-z0-9]|[a-z]")


def analyzer() -> tantivy.TextAnalyzer:
    """Same analysis at index and query time: split on non-alphanumerics, lower case, fold accents, stem."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("sys", stored=True, tokenizer_name="raw")
    sb.add_text_field("code", stored=True, tokenizer_name="raw")
    sb.add_text_field("display", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("kind", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("parent", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    sb.add_text_field("alt", stored=False, tokenizer_name=ANALYZER)
    sb.add_text_field("pfx", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("exact", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("vkey", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("state", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("billable", stored=True, indexed=True, fast=True)
    sb.add_integer_field("eff", stored=False, indexed=True, fast=True)
    sb.add_integer_field("term", stored=False, indexed=True, fast=True)
    sb.add_float_field("w", stored=False, indexed=False, fast=True)
    return sb.build()


def date_int(iso: str | None, default: int) -> int:
    if not iso:
        return default
    digits = iso.replace("-", "")[:8]
    return int(digits) if digits.isdigit() and len(digits) == 8 else default


def prior(system: str, kind: str, title: str, billable: bool, terminated: bool) -> float:
    """A static weight folded into the score (tantivy multiplies by log2(2 + w)).

    Billable codes beat headers with the same words; the unspecified code beats its rare
    siblings; later-encounter and sequela variants of injury codes sink below the initial one.
    """
    w = 1.0
    low = title.lower()
    if billable:
        w += 0.6
    elif kind in ("chapter", "section") or (system == "icd10pcs" and kind != "code"):
        # Headings (and PCS tables, which no one bills) rank below codes with the same words.
        w -= 1.0
    if "unspecified" in low or "not otherwise specified" in low:
        w += 0.5
    if "subsequent encounter" in low or low.endswith("sequela"):
        w -= 0.8
    if "other specified" in low:
        w -= 0.2
    if system == "cpt" and low.startswith("anesth"):
        # Anesthesia codes repeat the procedure's words; someone searching a procedure wants the procedure.
        w -= 0.6
    if terminated:
        w -= 0.8
    return max(w, 0.0)


_KEY_STOP: frozenset[str] | None = None


def key_stop() -> frozenset[str]:
    """The key's stop words as stems (the stemmer turns "unspecified" into "unspecifi")."""
    global _KEY_STOP
    if _KEY_STOP is None:
        an = analyzer()
        _KEY_STOP = frozenset(st for w in KEY_STOP_WORDS.split() for st in an.analyze(w)) | frozenset(
            KEY_STOP_WORDS.split()
        )
    return _KEY_STOP


def name_variants(name: str) -> list[str]:
    """A name and, for "Pneumonia, unspecified organism", the general name before the comma."""
    plain = _PARENS.sub(" ", name)
    head = _UNSPECIFIED_TAIL.sub("", plain)
    return [plain, head] if head != plain else [plain]


def name_key(stems: list[str]) -> str | None:
    """An order-free key of a name's meaningful stems: equal keys mean the same name."""
    stop = key_stop()
    kept = sorted({s for s in stems if s not in stop})
    if not kept or len(kept) > 6:
        return None
    return " ".join(kept)


def phrase_key(stems: list[str]) -> str | None:
    """name_key without the length cap: a vocabulary phrase is matched whole, however long."""
    stop = key_stop()
    kept = sorted({s for s in stems if s not in stop})
    return " ".join(kept) or None


def vocab_terms(an: tantivy.TextAnalyzer) -> tuple[dict[tuple[str, str], list[str]], dict]:
    """(system, code) -> the vocabulary phrases naming it, and -> its target terms (vkey)."""
    phrases: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    # Service files first: a phrase that is also a condition row ("mammogram" -> the screening
    # encounter) ranks its service codes before the diagnosis.
    for p in sorted(vocab.phrases(), key=lambda p: p.intent != "service"):
        key = phrase_key(an.analyze(p.phrase))
        for target in p.targets:
            phrases[target].append(p.phrase)
            if key and target not in by_key[key]:
                by_key[key].append(target)
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, targets in by_key.items():
        for i, target in enumerate(targets):
            keys[target].add(vocab.target_term(key, i))
    return phrases, keys


def _common_names(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """The project's plain names, stored beside the titles when the build imported the codes."""
    return storage.common_names(conn)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def build_index(ctx: BuildContext) -> None:
    """Post-build step: index every node with its descriptors, inclusion terms and index terms."""
    build_into(ctx.conn, ctx.paths.search)


def build_into(conn: sqlite3.Connection, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    extra: dict[tuple[str, str], list[str]] = defaultdict(list)
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for system, code, text in storage.notes_of_types(conn, INDEXED_NOTES):
        extra[(system, code)].append(text)
        names[(system, code)].append(text)
    for system, code, term, origin in storage.all_terms(conn):
        extra[(system, code)].append(term)
        if origin in KEY_ORIGINS:
            names[(system, code)].append(term)
    an = analyzer()
    for (system, code), name in _common_names(conn).items():
        extra[(system, code)].append(name)
        names[(system, code)].append(name)
    # Vocabulary phrases are alt text but stay out of the speller's word list, so the misspellings
    # a vocabulary lists on purpose ("colonscopy") are still corrected into the words codes use.
    vocab_phrases, vkeys = vocab_terms(an)
    key_cache: dict[str, str] = {}

    index = tantivy.Index(schema(), path=str(folder))
    index.register_tokenizer(ANALYZER, analyzer())
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    vocab: Counter[str] = Counter()
    texts: list[str] = []
    today = int(date.today().strftime("%Y%m%d"))
    n = 0
    rows = storage.index_rows(conn)
    for system, code, disp, kind, title, short, billable, parent, eff, term in rows:
        alt_parts = extra.get((system, code), [])
        if short and short != title:
            alt_parts = [short, *alt_parts]
        alt = "\n".join(alt_parts)
        phrases = vocab_phrases.get((system, code))
        term_i = date_int(term, NO_END)
        w = prior(system, kind, title, bool(billable), term_i <= today)
        keys = set()
        # A full PCS code's title is a 7-axis sentence nobody types whole; its index terms still count.
        own = () if system == "icd10pcs" and kind == "code" else (title, short if short != title else None)
        for name in (*own, *names.get((system, code), [])):
            if not name or name.count(" ") > 14:
                continue
            for variant in name_variants(name):
                k = key_cache.get(variant)
                if k is None:
                    k = key_cache[variant] = name_key(an.analyze(variant)) or ""
                if k:
                    keys.add(k)
        doc = tantivy.Document(
            sys=system,
            code=code,
            display=disp,
            kind=kind,
            parent=parent or "",
            title=title,
            alt=alt + "\n" + "\n".join(phrases) if phrases else alt,
            pfx=[code[:i] for i in range(1, len(code) + 1)] if "-" not in code else [code],
            exact=sorted(keys),
            vkey=sorted(vkeys.get((system, code), ())),
            billable=int(billable),
            eff=date_int(eff, 0),
            term=term_i,
            w=float(w),
        )
        if term_i < today:
            doc.add_text("state", ENDED)
        writer.add_document(doc)
        texts.append(title)
        texts.append(alt)
        n += 1
        if len(texts) > 20_000:
            vocab.update(words("\n".join(texts)))
            texts.clear()
    vocab.update(words("\n".join(texts)))
    writer.commit()
    writer.wait_merging_threads()
    with open(folder / VOCAB_FILE, "w", encoding="utf-8") as fh:
        for word, freq in vocab.most_common():
            fh.write(f"{word}\t{freq}\n")
    (folder / BUILT_FILE).write_text(f"{today}\n", encoding="utf-8")
    return n


def _open_searcher(folder: Path) -> tuple[tantivy.Index, tantivy.Searcher]:
    """Open an index for searching only. A build never changes an index in place (each build writes a
    folder of its own), so the reader never reloads.

    tantivy takes a lock file in the index folder while it loads the segments, which a read-only
    folder (a read-only mount, an image layer) refuses. There the index is opened through a private
    folder of symbolic links to its files, where the lock can be written; the links are removed once
    the segments are loaded (their files stay mapped)."""
    if os.access(folder, os.W_OK):
        try:
            return _open_in(folder)
        except ValueError as exc:
            if "Lockfile" not in str(exc):
                raise
    view = Path(tempfile.mkdtemp(prefix="medcodes-index-"))
    try:
        for item in folder.iterdir():
            if item.is_file() and not item.name.endswith(".lock"):
                (view / item.name).symlink_to(item.resolve())
        return _open_in(view)
    finally:
        shutil.rmtree(view, ignore_errors=True)


def _open_in(folder: Path) -> tuple[tantivy.Index, tantivy.Searcher]:
    index = tantivy.Index.open(str(folder))
    index.register_tokenizer(ANALYZER, analyzer())
    index.config_reader(reload_policy="Manual")
    return index, index.searcher()


@dataclass(slots=True)
class Doc:
    system: str
    code: str
    display: str
    kind: str
    parent: str | None
    title: str
    billable: bool


class Engine:
    """An opened index: searcher, schema, analyzer and vocabulary. One per database build."""

    def __init__(self, folder: Path):
        if not (folder / "meta.json").exists():
            raise FileNotFoundError(
                f"no search index in {folder}; rebuild the database with `medcodes build`"
            )
        self.index, self.searcher = _open_searcher(folder)
        self.schema = self.index.schema
        self._analyzer = analyzer()
        self.vocab: dict[str, int] = {}
        with open(folder / VOCAB_FILE, encoding="utf-8") as fh:
            for line in fh:
                word, _, freq = line.rstrip("\n").partition("\t")
                self.vocab[word] = int(freq)
        self.sorted_vocab = sorted(self.vocab)
        built = folder / BUILT_FILE
        # An index from before the flag existed counts as built on day 0: every date is then a term.
        self.built_on = int(built.read_text().strip()) if built.exists() else 0

    def stems(self, text: str) -> list[str]:
        return self._analyzer.analyze(text)

    def doc(self, address) -> Doc:
        d = self.searcher.doc(address)
        return Doc(
            system=d.get_first("sys") or "",
            code=d.get_first("code") or "",
            display=d.get_first("display") or "",
            kind=d.get_first("kind") or "",
            parent=d.get_first("parent") or None,
            title=d.get_first("title") or "",
            billable=bool(d.get_first("billable")),
        )


_engines: dict[tuple[str, str], Engine] = {}
_lock = threading.Lock()


def engine_for(store: Store) -> Engine:
    """The engine of a store's build, opened once and shared by every request."""
    key = (str(store.path.resolve()), store.build_id)
    engine = _engines.get(key)
    if engine is None:
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = Engine(store.artefacts / INDEX_DIR)
                _engines[key] = engine
                keep_newest(_engines, key[0])
    return engine


def keep_newest(cache: dict, path: str, n: int = 2) -> None:
    """Forget all but the `n` builds of `path` opened last: the newest, and the one requests that began
    before a rebuild may still be finishing on (see store/live.py)."""
    of_path = [k for k in cache if k[0] == path]
    for old in of_path[:-n]:
        del cache[old]
