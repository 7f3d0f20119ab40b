"""The Whoosh implementation of the backend seam (`kb.engine.backend.SearchBackend`), over `instance/index`.

Per index generation (the folder `instance/index` points at) it keeps, once: the opened index, a facet table
(per facet field, each document's value as a small integer; themes as a boolean matrix), the paragraph table
(kb.engine.paragraphs: every paragraph and the themes tagging it), its site data (figures and labels,
kb.engine.site), and per thread one long-lived searcher. A request then costs one parse, one pass over the matching
document numbers (and, for a query with words, over the paragraphs they stand in: themes are a paragraph's), a few
numpy counts for the facets, and scoring of the one page of hits asked for. When a build swaps the symlink, the next
request opens the new generation; nothing is restarted. What a search answers is stated in kb.engine.backend.

A generation is served only whole (kb.engine.checksums): its checksums are verified before it is opened, again every
`integrity_check_seconds` in a background thread, and at once (by size) when a request fails. Damaged posting sidecars
are left out (derived data: their segments are read from Whoosh's blocks, same answers); any other damaged file and the
generation is not served: the newest earlier generation kept in the instance that is whole takes its place, else every
request gets GenerationDamaged (the web answers 503 with the reason). Each is logged on the `kb.engine` logger.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser

from kb.engine import checksums, generations, query_syntax
from kb.engine.backend import N_, Hit, Query, QueryError, Result
from kb.engine.expansion import Expansion, expand
from kb.engine.glossary import Glossary, read_glossary
from kb.engine.lru import BytesLRU
from kb.engine.paragraphs import ParagraphEvaluator, ParagraphTable, monotone, names_a_theme
from kb.engine.postings import SUFFIX as SIDECAR
from kb.engine.postings import SidecarDamaged
from kb.engine.query_syntax import SEARCHABLE_FIELDS
from kb.engine.schema import BODY_FIELDS, FACET_FIELDS, TEXT_FIELDS, analyse, fold
from kb.engine.site import read_site
from kb.engine.spelling import Speller
from kb.engine.stored import outline
from kb.engine.vectors import Evaluator, Unsupported, Vectors
from kb.settings import DEFAULTS

MULTI_VALUED = frozenset({"theme"})
WARM_SECONDS = 5.0  # the longest kb serve spends reading the commonest words before it listens
WARM_WORDS = 400  # the commonest words of each text field the warmer may read
WARM_SHARE = 0.5  # of the term and paragraph caches' budgets, filled by the warmer (the rest: the queries' own words)
LEAF_PARSES = 4096  # leaves' parses (a word, a phrase) remembered per language and generation
SECTION_KEY = ("operation", "year", "section", "lang")  # a section's identity (its doc_id: operation/year/section/lang)
MAX_EXPANSIONS = 64  # a prefix or wildcard stands for at most this many terms
MIN_PREFIX = 2  # letters before a * or ?
RECHECK_SECONDS = 5.0  # a full verification on a request's path (refused generation, failed request) at most so often
log = logging.getLogger("kb.engine")


class IndexMissing(RuntimeError):
    """There is no built index yet."""


class GenerationDamaged(IndexMissing):
    """The served generation failed its checksums and no earlier generation kept is whole; the message says why."""


@dataclass
class FacetTable:
    """Each facet field's value per document number, read once per generation."""

    live: np.ndarray  # bool[n]
    values: dict[str, list[str]]  # field -> value list (code -> value)
    codes: dict[str, np.ndarray]  # single-valued field -> int32[n] codes, -1 when absent
    matrix: dict[str, np.ndarray]  # multi-valued field -> bool[n, k]
    year_of: np.ndarray  # int32[n] the document's year (0 when absent)

    masks: BytesLRU[np.ndarray] = dataclasses.field(init=False)  # (field, codes) -> read-only mask, recently asked for
    _directory: Any = dataclasses.field(init=False, default=None)  # see section()

    def __post_init__(self) -> None:
        self.masks = BytesLRU(DEFAULTS["mask_cache_mb"] << 20, lambda mask: mask.nbytes)

    def mask_for(self, field: str, wanted: Iterable[str]) -> np.ndarray:
        """The documents with any of the `wanted` values of `field` (read-only: shared between searches)."""
        lookup = {v: i for i, v in enumerate(self.values[field])}
        codes = tuple(sorted({lookup[v] for v in wanted if v in lookup}))
        key = (field, codes)
        mask = self.masks.get(key)
        if mask is None:
            mask = self._mask(field, list(codes))
            mask.flags.writeable = False
            self.masks.put(key, mask)
        return mask

    def _mask(self, field: str, codes: list[int]) -> np.ndarray:
        if field in self.matrix:
            if not codes:
                return np.zeros(len(self.live), dtype=bool)
            return self.matrix[field][:, codes].any(axis=1)
        wanted = np.zeros(len(self.values[field]) + 1, dtype=bool)  # the last entry stands for -1, absent
        wanted[codes] = True
        return wanted[self.codes[field]]

    def section(self, operation: str, year: str, section: str, lang: str) -> int | None:
        """The document number of the live section with these values, or None. A numpy directory built on first
        use answers by binary search, where a Whoosh term query on `doc_id` costs four times as much."""
        if self._directory is None:
            self._directory = self._sections()
        lookups, keys, docnums = self._directory
        codes = [lookups[f].get(v, -1) for f, v in zip(SECTION_KEY, (operation, year, section, lang), strict=True)]
        if min(codes) < 0:
            return None
        key = 0
        for code, field in zip(codes, SECTION_KEY, strict=True):
            key = key * (len(self.values[field]) + 1) + code
        at = int(keys.searchsorted(key))
        return int(docnums[at]) if at < len(keys) and keys[at] == key else None

    def _sections(self) -> tuple[dict[str, dict[str, int]], np.ndarray, np.ndarray]:
        lookups = {f: {v: i for i, v in enumerate(self.values[f])} for f in SECTION_KEY}
        kind = self.values["kind"].index("section") if "section" in self.values["kind"] else -2
        docnums = np.flatnonzero(self.live & (self.codes["kind"] == kind))
        keys = self._key(np.stack([self.codes[f][docnums].astype(np.int64) for f in SECTION_KEY]))
        order = np.argsort(keys, kind="stable")
        return lookups, keys[order], docnums[order]

    def _key(self, codes: np.ndarray) -> np.ndarray:
        """One int64 per column of `codes` (a row per field of SECTION_KEY): the fields' codes in mixed radix."""
        key = np.zeros(codes.shape[1], dtype=np.int64)
        for row, field in zip(codes, SECTION_KEY, strict=True):
            key = key * (len(self.values[field]) + 1) + row
        return key

    def count(self, field: str, mask: np.ndarray) -> dict[str, int]:
        if field in self.matrix:
            counts = self.matrix[field][mask].sum(axis=0)
        else:
            selected = self.codes[field][mask]
            counts = np.bincount(selected[selected >= 0], minlength=len(self.values[field]))
        return {v: int(c) for v, c in zip(self.values[field], counts, strict=True) if c}


def read_facet_table(reader: Any, schema: Any) -> FacetTable:
    size = reader.doc_count_all()
    live = np.zeros(size, dtype=bool)
    live[list(reader.all_doc_ids())] = True
    values: dict[str, list[str]] = {}
    codes: dict[str, np.ndarray] = {}
    matrix: dict[str, np.ndarray] = {}
    for field in FACET_FIELDS + ("kind",):
        terms = list(schema[field].sortable_terms(reader, field))
        values[field] = [str(schema[field].from_bytes(t)) for t in terms]
        if field in MULTI_VALUED:
            grid = np.zeros((size, len(terms)), dtype=bool)
            for i, term in enumerate(terms):
                grid[list(reader.postings(field, term).all_ids()), i] = True
            matrix[field] = grid
        else:
            column = np.full(size, -1, dtype=np.int32)
            for i, term in enumerate(terms):
                column[list(reader.postings(field, term).all_ids())] = i
            codes[field] = column
    years = np.array([int(v) for v in values["year"]] + [0], dtype=np.int32)
    return FacetTable(live, values, codes, matrix, years[codes["year"]])


class _Generation:
    """One opened generation of the index: shared, read-only, plus a searcher per thread."""

    def __init__(self, folder: Path, left_out: frozenset[str] = frozenset()) -> None:
        self.folder = folder
        self.name = folder.name
        self.left_out = left_out  # damaged sidecar files (names) not opened: their segments are read from Whoosh
        # Plain reads, not mmap: each thread's searcher maps the segment files again, and RSS counts every mapping
        # (1.6 GB for a 100 MB index under 8 threads); the pages stay shared in the OS cache either way.
        self.index = FileStorage(str(folder), supports_mmap=False).open_index()
        self.schema = self.index.schema
        self._local = threading.local()
        self.phrase_cache: OrderedDict[Any, np.ndarray] = OrderedDict()
        searcher = self.searcher()
        self.table = read_facet_table(searcher.reader(), self.schema)
        self.vectors = Vectors(searcher.reader(), self.schema, TEXT_FIELDS, len(self.table.live), folder,
                               skip=frozenset(name.split(".")[0] for name in left_out))
        self.paragraphs = ParagraphTable.read(self.vectors, searcher.reader(), len(self.table.live))
        self.parsers = {lang: _parser(lang, self.schema) for lang in ("en", "fr")}
        self.parses = Parses(self.parsers, lambda: self.searcher().reader())
        self.speller = Speller.load(folder / generations.WORDS)
        self.cache: OrderedDict[Any, Result] = OrderedDict()
        self.matches: BytesLRU[_Match] = BytesLRU(DEFAULTS["match_cache_mb"] << 20, _Match.nbytes)
        self.documents: BytesLRU[dict[str, Any]] = BytesLRU(DEFAULTS["stored_cache_mb"] << 20, stored_size)
        self.cache_lock = threading.Lock()
        self._site: dict[str, Any] | None = None
        self.glossary: Glossary = read_glossary(folder)
        self.damage: str | None = None  # set when found damaged after opening: it is no longer served
        self.verified = time.monotonic()  # when its checksums last held (the backend verified them before opening)

    def warm(self, seconds: float) -> int:
        """See WhooshBackend.warm."""
        deadline = time.monotonic() + seconds
        reader = self.searcher().reader()
        return warm_words(common_words(reader), self.vectors, self.paragraphs, reader, deadline)

    def absent(self, word: str, lang: str) -> bool:
        """No title or body of language `lang` has (one of the terms of) `word`: for kb.engine.expansion."""
        return absent_from(self.searcher().reader(), word, lang)

    def site(self) -> dict[str, Any]:
        """The generation's site data (kb-site.json), read once; SiteMissing when it has none."""
        if self._site is None:
            with self.cache_lock:
                if self._site is None:
                    self._site = read_site(self.folder)
        return self._site

    def stored(self, docnum: int) -> dict[str, Any]:
        """A document's stored fields (shared: not to be changed), the recently read ones kept (stored_cache_mb):
        the hits of one search are often those of the last, and a page reads its hits' twins too."""
        found = self.documents.get(docnum)
        if found is None:
            found = self.documents.put(docnum, self.searcher().stored_fields(docnum))
        return found

    def searcher(self) -> Any:
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
        return searcher

    def evaluator(self) -> Evaluator:
        return Evaluator(self.vectors, self.searcher().reader(), self.field_mask, self.phrase_docs)

    def field_mask(self, field: str, value: str) -> np.ndarray | None:
        if field == "__year_of__":
            return self.table.year_of
        return self.table.mask_for(field, [value]) if field in self.table.values else None

    def phrase_docs(self, node: wq.Phrase, candidates: np.ndarray) -> np.ndarray:
        """Documents among `candidates` where the phrase's words stand in order (Whoosh checks positions)."""
        key = (node.fieldname, tuple(node.words), node.slop)
        found = self.phrase_cache.get(key)
        if found is None:
            found = np.zeros(len(candidates), dtype=bool)
            matcher = node.matcher(self.searcher())
            for docnum in np.nonzero(candidates)[0].tolist():
                if not matcher.is_active():
                    break
                matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[docnum] = True
            self.phrase_cache[key] = found
            while len(self.phrase_cache) > 256:
                self.phrase_cache.popitem(last=False)
        return found


# leaves Parses reads without Whoosh's parser: a word or a phrase without slop, with or without a boost
_PLAIN_LEAF = re.compile(r'(?:(?P<word>\w+)|"(?P<phrase>[^"]*)")(?:\^(?P<boost>\d+(?:\.\d+)?))?')
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO"})


class Parses:
    """Whoosh's parse of a query that kb's syntax module reads (kb.engine.query_syntax), put together from the
    parses of its leaves (words, phrases, prefixes, ranges, each with its field and boost), which are remembered (the
    last LEAF_PARSES per language): Whoosh's parser costs about 0.4 ms a query and more for the glossary's longer
    expansions, and leaves recur far more than whole queries. The groups become Whoosh's And, Or, Not, AndNot and
    AndMaybe, normalised as Whoosh normalises its parse (tests/test_engine_caches.py compares the two on random
    queries). A leaf Whoosh cannot parse leaves the whole query to Whoosh's parser, so its errors stay its own."""

    def __init__(self, parsers: dict[str, MultifieldParser], reader: Callable[[], Any]) -> None:
        self.parsers, self.reader = parsers, reader
        self._seen: BytesLRU[wq.Query] = BytesLRU(LEAF_PARSES, lambda _: 1)  # counted in leaves, not bytes

    def compose(self, lang: str, tree: query_syntax.Node) -> wq.Query | None:
        """Whoosh's query for `tree` in language `lang`, or None: parse its text with Whoosh instead."""
        try:
            return self._node(lang, tree)
        except _Unparsed:
            return None

    def _node(self, lang: str, node: query_syntax.Node) -> wq.Query:
        """The normalised query of `node` (its leaves' parses are normalised; groups are normalised bottom up)."""
        if isinstance(node, query_syntax.LEAVES):
            return self._leaf(lang, query_syntax.to_text(node))
        if isinstance(node, (query_syntax.And, query_syntax.Or)):
            group = wq.And if isinstance(node, query_syntax.And) else wq.Or
            return _normal_group(group, [self._node(lang, child) for child in node.children])
        if isinstance(node, query_syntax.Not):
            return wq.Not(self._node(lang, node.child)).normalize()
        group = wq.AndNot if isinstance(node, query_syntax.AndNot) else wq.AndMaybe
        return group(self._node(lang, node.a), self._node(lang, node.b)).normalize()

    def _leaf(self, lang: str, text: str) -> wq.Query:
        found = self._seen.get((lang, text))
        if found is not None:
            return found
        if (plain := _PLAIN_LEAF.fullmatch(text)) and plain["word"] not in _OPERATORS:
            found = self._word(lang, plain["word"]) if plain["word"] else self._phrase(lang, plain["phrase"])
            return self._seen.put((lang, text), _boosted(found, float(plain["boost"] or 1)))
        try:
            parsed = self.parsers[lang].parse(text)
        except Exception:  # left to Whoosh's parser on the whole text, which says what it says
            raise _Unparsed from None
        found = _cap_expansions(parsed, self.reader())  # a QueryError (refug?, '*' alone) is raised, not kept
        return self._seen.put((lang, text), found)


    def _word(self, lang: str, text: str) -> wq.Query:
        """What Whoosh's parser makes of a plain word (letters and digits), made directly: in each of the language's
        fields, the word's one term, its terms ANDed (`covid_19`), or nothing (a stop word); ORed, normalised."""
        schema, fields = self.parsers[lang].schema, (f"title_{lang}", f"body_{lang}")
        parts = []
        for name in fields:
            texts = list(schema[name].process_text(text, mode="query"))
            parts.append(wq.Term(name, texts[0]) if len(texts) == 1
                         else wq.And([wq.Term(name, t) for t in texts]) if texts else wq.NullQuery)
        return _normal_group(wq.Or, [p.normalize() for p in parts])

    def _phrase(self, lang: str, text: str) -> wq.Query:
        """What Whoosh's parser makes of a phrase without slop ("birth certificate"), made directly: in each of the
        language's fields, the phrase of the words' terms (one term: the term; none: nothing); ORed, normalised."""
        schema, parts = self.parsers[lang].schema, []
        for name in (f"title_{lang}", f"body_{lang}"):
            words = [token.text for token in schema[name].tokenize(text, mode="query", chars=True)]
            parts.append(wq.Phrase(name, words, slop=1).normalize())
        return _normal_group(wq.Or, parts)


def _boosted(parsed: wq.Query, boost: float) -> wq.Query:
    """A leaf's parse with its boost, where Whoosh's parser puts it: on the group of the leaf's fields."""
    if boost == 1 or parsed is wq.NullQuery:
        return parsed
    if isinstance(parsed, wq.Or):
        return wq.Or(parsed.subqueries, boost=boost)
    return parsed.with_boost(parsed.boost * boost)


def _normal_group(group: type[wq.CompoundQuery], children: list[wq.Query]) -> wq.Query:
    """`group(children).normalize()` for normalised children, as Whoosh computes it (CompoundQuery.normalize: nested
    groups of the same kind merged, nulls and duplicates dropped, one child alone returned) without copying every
    merged child (Whoosh's `with_boost` deep-copies it, even with its boost unchanged); Whoosh's own for ranges and
    Every, which it merges."""
    subs: list[wq.Query] = []
    for child in children:
        if isinstance(child, group):
            subs += [s if child.boost == 1.0 else s.with_boost(s.boost * child.boost) for s in child.subqueries]
        else:
            subs.append(child)
    if any(isinstance(s, (wq.TermRange, wq.NumericRange, wq.Every)) for s in subs):
        return group(subs).normalize()
    seen: set[wq.Query] = set()
    kept = []
    for sub in subs:
        if sub is not wq.NullQuery and sub not in seen:
            seen.add(sub)
            kept.append(sub)
    if not kept:
        return wq.NullQuery
    return kept[0] if len(kept) == 1 else group(kept)


class _Unparsed(Exception):
    """A leaf Whoosh's parser does not read alone."""


def _parser(lang: str, schema: Any) -> MultifieldParser:
    parser = MultifieldParser([f"title_{lang}", f"body_{lang}"], schema, group=AndGroup)
    parser.add_plugin(
        FieldAliasPlugin({f"title_{lang}": ["title"], f"body_{lang}": ["body", "text"], "theme": ["themes"]})
    )
    return parser


class WhooshBackend:
    """kb's search backend over the Whoosh index at `index_link` (a symlink to the served generation)."""

    def __init__(self, index_link: Path, cache_size: int = DEFAULTS["result_cache_entries"],
                 time_limit: float = DEFAULTS["search_time_limit_ms"] / 1000,
                 verify_interval: float = DEFAULTS["integrity_check_seconds"]) -> None:
        self.index_link = Path(index_link)
        self.cache_size = cache_size
        self.time_limit = time_limit  # seconds of Whoosh's own scoring before a search returns what it has
        self.verify_interval = verify_interval  # seconds between background verifications; 0: only when opened
        self._lock = threading.Lock()
        self._current: _Generation | None = None
        self._chosen_for = ""  # the symlink target `_current` was chosen for (itself, or an earlier one in its place)
        self._refused: tuple[str, float, str] | None = None  # (target, when, why): no whole generation to serve
        self._watcher: threading.Thread | None = None

    # ---------------------------------------------------------------- generations
    def _generation(self) -> _Generation:
        try:
            target = os.readlink(self.index_link)
        except OSError:
            target = str(self.index_link) if self.index_link.is_dir() else ""
        if not target:
            raise IndexMissing(f"no index at {self.index_link}; run `kb index`")
        name = os.path.basename(target.rstrip("/"))
        current = self._current
        if current is not None and self._chosen_for == name and current.damage is None:
            return current
        with self._lock:
            current = self._current
            if current is not None and self._chosen_for == name and current.damage is None:
                return current
            refused = self._refused
            if refused and refused[0] == name and time.monotonic() - refused[1] < RECHECK_SECONDS:
                raise GenerationDamaged(refused[2])
            folder = self.index_link.parent / name if os.path.islink(self.index_link) else Path(target)
            self._current, self._chosen_for, self._refused = self._open_whole(folder), name, None
            self._watch()
            return self._current

    def _open_whole(self, folder: Path) -> _Generation:
        """The generation in `folder` if its checksums hold, else the newest earlier one kept that is whole.

        Damaged posting sidecars alone do not stop a generation: they are derived data, and their segments are read
        from Whoosh's blocks (verified whole) instead."""
        problems = checksums.damage(folder)
        if _sidecars_only(problems):
            return self._open_without(folder, problems)
        log.error("index generation %s is damaged and is not served: %s", folder.name, checksums.summary(problems))
        if os.path.islink(self.index_link):
            for earlier in generations.kept(folder.parent):
                if earlier.name >= folder.name:
                    continue
                damaged = checksums.damage(earlier)
                if _sidecars_only(damaged):
                    log.warning("serving the earlier generation %s in place of %s until `kb index` rebuilds it",
                                earlier.name, folder.name)
                    return self._open_without(earlier, damaged)
                log.error("index generation %s is damaged too: %s", earlier.name, checksums.summary(damaged))
        why = (f"the index generation {folder.name} is damaged ({checksums.summary(problems)}) and no earlier one "
               "is whole; run `kb index` to rebuild it")
        self._refused = (folder.name, time.monotonic(), why)
        raise GenerationDamaged(why)

    @staticmethod
    def _open_without(folder: Path, problems: dict[str, str]) -> _Generation:
        """Open a generation, leaving out the sidecars named in `problems` (their segments: from Whoosh's blocks)."""
        if problems:
            log.warning("index generation %s: damaged posting sidecars, their segments are read from Whoosh's blocks "
                        "until `kb index` rebuilds it: %s", folder.name, checksums.summary(problems))
        return _Generation(folder, frozenset(problems))

    def _watch(self) -> None:
        """Start the background verification (once per backend), if an interval is set."""
        if self._watcher is None and self.verify_interval > 0:
            self._watcher = threading.Thread(target=_verify_every, args=(weakref.ref(self), self.verify_interval),
                                             name="kb-verify", daemon=True)
            self._watcher.start()

    def verify(self) -> dict[str, str]:
        """Verify the generation being served against its checksums now; a damaged one stops being served as it was
        (the next request chooses again). Returns what is newly wrong (empty: nothing more than it already left out)."""
        gen = self._current
        if gen is None or gen.damage is not None:
            return {}
        problems = {k: v for k, v in checksums.damage(gen.folder).items() if k not in gen.left_out}
        if problems:
            self._condemn(gen, problems)
        else:
            gen.verified = time.monotonic()
        return problems

    @staticmethod
    def _condemn(gen: _Generation, problems: dict[str, str]) -> None:
        gen.damage = checksums.summary(problems)
        log.error("index generation %s is damaged and is no longer served as it was: %s", gen.name, gen.damage)

    def _answer(self, call: Callable[[_Generation], Any]) -> Any:
        """`call` on the served generation; when it fails because the generation's files changed under it (a
        sidecar cut short, a file of another size), that generation is dropped and `call` runs once more on what
        takes its place (the same generation without the damaged sidecar, an earlier one, or GenerationDamaged)."""
        gen = self._generation()
        try:
            return call(gen)
        except QueryError:
            raise
        except Exception as err:  # re-raised below unless the files changed
            problems = {err.path.name: err.what} if isinstance(err, SidecarDamaged) else self._recheck(gen)
            if not problems:
                raise
            self._condemn(gen, problems)
        return call(self._generation())

    def _recheck(self, gen: _Generation) -> dict[str, str]:
        """After a request failed: the files' sizes, and (at most every RECHECK_SECONDS seconds) their digests."""
        problems = {k: v for k, v in checksums.quick_damage(gen.folder).items() if k not in gen.left_out}
        if problems or time.monotonic() - gen.verified < RECHECK_SECONDS:
            return problems
        gen.verified = time.monotonic()
        return {k: v for k, v in checksums.damage(gen.folder).items() if k not in gen.left_out}

    def generation(self) -> str:
        return self._generation().name

    def warm(self, seconds: float = WARM_SECONDS) -> int:
        """Read the commonest words' scores and paragraphs into the served generation's caches (at most
        WARM_SHARE of each budget, for at most `seconds`), so that the first searches after `kb serve` starts do not
        each pay for reading them; how many words. A search engine's warmer: `kb serve` calls it before it listens."""
        return self._generation().warm(seconds)

    def site(self) -> dict[str, Any]:
        """The site data of the generation being served (kb.engine.site): the same object until the next swap."""
        return self._generation().site()

    def outlines(self) -> Iterator[tuple[str, str, str, tuple[str | None, ...]]]:
        """Every section of the served generation as (doc_id, lang, title, paragraph identifiers), in document order,
        read from its stored fields without keeping them: what kb.twins' warmer fills its table with."""
        gen = self._generation()
        searcher = gen.searcher()
        for docnum in np.flatnonzero(gen.table.live & gen.table.mask_for("kind", ["section"])):
            fields = searcher.stored_fields(int(docnum))
            found = outline(fields)
            if found is not None:
                yield fields["doc_id"], fields.get("lang") or "en", found[0], found[1]

    # ---------------------------------------------------------------- reading
    def get(self, doc_id: str) -> dict[str, Any] | None:
        fields = self._answer(lambda gen: _stored_by_id(gen, doc_id))
        return dict(fields) if fields else None

    def documents(self, **terms: str) -> list[dict[str, Any]]:
        """All stored documents whose ID fields equal the given values (e.g. operation='mali', section=...)."""
        if not terms:
            return []
        q = wq.And([wq.Term(k, v) for k, v in terms.items()])
        return self._answer(lambda gen: [dict(gen.searcher().stored_fields(d))
                                         for d in gen.searcher().docs_for_query(q)])

    def search(self, query: Query) -> Result:
        return self._answer(lambda gen: self._cached(gen, query))

    def _cached(self, gen: _Generation, query: Query) -> Result:
        key = (query.text, tuple(sorted((k, tuple(sorted(v))) for k, v in query.filters.items())), query.year_from,
               query.year_to, query.sort, query.offset, query.limit, tuple(query.facets), tuple(query.langs_for_text),
               query.xlang, query.trend)
        with gen.cache_lock:
            cached = gen.cache.get(key)
            if cached is not None:
                gen.cache.move_to_end(key)
                return cached
        result = self._search(gen, query)
        if not result.timed_out:
            with gen.cache_lock:
                gen.cache[key] = result
                while len(gen.cache) > self.cache_size:
                    gen.cache.popitem(last=False)
        return result

    def _search(self, gen: _Generation, query: Query) -> Result:
        table, paragraphs = gen.table, gen.paragraphs
        found = self._documents_matching(gen, query.text, query.langs_for_text, query.xlang)
        parsed = found.parsed
        chosen = query.filters.get("theme")
        by_paragraph = bool(chosen) or (parsed is not None and names_a_theme(parsed))
        kinds = table.live & (table.codes["kind"] >= 0)  # every document, within the year range
        if query.year_from is not None or query.year_to is not None:
            kinds &= (table.year_of >= (query.year_from or 0)) & (table.year_of <= (query.year_to or 9999))
        masks = {f: table.mask_for(f, v) for f, v in query.filters.items() if f in table.values and f != "theme"}
        scope = _all(kinds, masks.values())  # the documents every filter but the themes selects
        match = self._match(gen, found, _reach(kinds, masks, scope, by_paragraph, "theme" in query.facets))
        units = match.units  # where the query holds, and with themes chosen, only their paragraphs
        if chosen:
            units = paragraphs.tagged(chosen) if units is None else units & paragraphs.tagged(chosen)
        if by_paragraph:
            results = kinds & paragraphs.docs(units)
        else:
            results = kinds if match.docs is None else kinds & match.docs
        final = _all(results, masks.values())
        hits, docnums, timed_out = self._page(gen, found, final, query)
        if units is not None:
            for hit, docnum in zip(hits, docnums, strict=True):
                self._paragraphs_of(gen, hit, docnum, units)
        per_year = self._per_year(table, final, scope) if query.trend else {}
        return Result(total=int(final.sum()), hits=hits, facets=self._facets(gen, query, results, masks, scope, match),
                      generation=gen.name, timed_out=timed_out, per_year=per_year, expansion=found.expansion)

    @staticmethod
    def _facets(gen: _Generation, query: Query, results: np.ndarray, masks: dict[str, np.ndarray],
                scope: np.ndarray, match: _Match) -> dict[str, dict[str, int]]:
        """Each facet's counts among the results under every filter but its own (disjunctive counts)."""
        facets = {}
        for field in query.facets:
            if field == "theme":  # per paragraph where the query holds, in what the other filters select
                facets[field] = (gen.table.count(field, scope) if match.units is None
                                 else gen.paragraphs.count_themes(match.units, scope))
            else:
                facets[field] = gen.table.count(field, _all(results, (m for f, m in masks.items() if f != field)))
        return facets

    def _documents_matching(self, gen: _Generation, text: str, langs: Sequence[str], xlang: bool = True) -> _Match:
        """The parsed query (expanded with the glossary when `xlang`) and the documents where it holds, with their
        scores; kept for the next searches of the same words (the next page, another filter, the key figures beside
        the sections) within `match_cache_mb`."""
        key = (text.strip(), tuple(langs), xlang)
        found = gen.matches.get(key)
        if found is not None:
            return found
        parsed, expansion = self.parse_expanded(gen, text, langs, xlang)
        if parsed is None:
            return _Match()
        try:
            docs, scores = gen.evaluator().run(parsed)
        except Unsupported:
            docs, scores = self._docs(gen.searcher(), parsed, len(gen.table.live)), None
        for array in (docs, scores):
            if array is not None:
                array.flags.writeable = False
        return gen.matches.put(key, _Match(docs, scores, parsed=parsed, expansion=expansion,
                                           terms=_terms_by_lang(parsed)))

    def _match(self, gen: _Generation, found: _Match, reach: np.ndarray | None) -> _Match:
        """Where the query holds: in documents (with scores) and, given a `reach` (documents), in the paragraphs of
        those documents (none outside it). None: everywhere (no query)."""
        parsed = found.parsed
        if parsed is None or reach is None:
            return found
        evaluator = gen.evaluator()
        candidates = reach & found.docs if monotone(parsed) else reach  # where the query can hold in a paragraph
        try:
            units = ParagraphEvaluator(gen.paragraphs, evaluator, candidates).evaluate(parsed)
        except Unsupported:  # Whoosh evaluates this query per document: it holds in all their paragraphs
            units = gen.paragraphs.of_docs(found.docs & candidates)
        return dataclasses.replace(found, units=units)

    @staticmethod
    def _paragraphs_of(gen: _Generation, hit: Hit, docnum: int, units: np.ndarray) -> None:
        """Give `hit` the numbers and themes of its paragraphs among `units`."""
        indexes, hit.themes = gen.paragraphs.in_document(docnum, units)
        stored = hit.fields.get("paragraphs") or []
        hit.paragraphs = [stored[i][0] for i in indexes if i < len(stored)]

    @staticmethod
    def _per_year(table: FacetTable, final: np.ndarray, selected: np.ndarray) -> dict[int, tuple[int, int]]:
        """Per year: the results that are sections, and the sections every filter but the query and themes selects."""
        sections = table.mask_for("kind", ["section"])
        years = table.year_of
        size = years.max(initial=0) + 1
        found = np.bincount(years[final & sections], minlength=size)
        totals = np.bincount(years[selected & sections], minlength=size)
        return {int(y): (int(found[y]), int(totals[y])) for y in np.nonzero(totals)[0] if y}

    # ---------------------------------------------------------------- internals
    def parse(self, gen: _Generation, text: str, langs: Sequence[str], xlang: bool = True) -> wq.Query | None:
        """The query Whoosh runs for `text` (see parse_expanded)."""
        return self.parse_expanded(gen, text, langs, xlang)[0]

    def parse_expanded(self, gen: _Generation, text: str, langs: Sequence[str], xlang: bool = True
                       ) -> tuple[wq.Query | None, Expansion]:
        """Parse the query once per language and OR the parses, so each language keeps its own analysis.

        Each parse holds only in documents of its language (a weightless `lang:` term): "NOT radios" parsed as
        English must not find every French document, and a language filter then gives what its count said. Each
        language parses the query with the glossary's equivalents in that language added (kb.engine.expansion)
        when `xlang` and the glossary matched; otherwise the text as typed, so errors and speed are as before.
        """
        text = text.strip()
        if not text:
            return None, Expansion()
        _check_syntax(text)
        _check_fields(text, gen.schema)
        texts, trees, expansion = _expanded(text, langs, gen.glossary, xlang, gen.absent)
        reader = gen.searcher().reader()
        parts = []
        for lang in langs:
            tree = trees.get(lang)
            part = gen.parses.compose(lang, tree) if tree is not None else None
            if part is None:
                try:
                    parsed = gen.parsers[lang].parse(texts[lang])
                except Exception:  # Whoosh's parser fails on some operator sequences ("NOT NOT a")
                    raise QueryError(N_("the query could not be read: check the order of AND, OR, NOT, ANDNOT and "
                                        "ANDMAYBE (each stands between two words)")) from None
                part = _cap_expansions(parsed, reader)
            if part is not wq.NullQuery:
                parts.append(wq.And([part, wq.Term("lang", lang, boost=0.0)]))
        if not parts:
            raise QueryError(N_("the query has only common words (such as 'the' or 'de'); add a more specific word"))
        return (parts[0] if len(parts) == 1 else wq.Or(parts)), expansion

    @staticmethod
    def _docs(searcher: Any, parsed: wq.Query, size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        ids = np.fromiter(searcher.docs_for_query(parsed), dtype=np.int64)
        mask[ids] = True
        return mask

    def _page(self, gen: _Generation, found: _Match, final: np.ndarray, query: Query
              ) -> tuple[list[Hit], list[int], bool]:
        parsed, scores = found.parsed, found.scores
        searcher = gen.searcher()
        end = query.offset + query.limit
        terms = found.terms if parsed is not None else {}
        if parsed is not None and query.sort == "relevance" and scores is not None:
            chosen, timed_out = _top(final, scores, query.offset, end), False
        elif parsed is None or query.sort != "relevance":
            docnums = np.nonzero(final)[0]
            years = gen.table.year_of[docnums]
            order = np.lexsort((docnums, years if query.sort == "oldest" else -years))
            chosen = [(int(d), 0.0) for d in docnums[order][query.offset : end]]
            timed_out = False
        else:
            chosen, timed_out = self._scored(searcher, parsed, final, end)
            chosen = chosen[query.offset : end]
        stored = self._stored(gen, [d for d, _ in chosen])
        hits = [Hit(fields, score, terms) for fields, (_, score) in zip(stored, chosen, strict=True)]
        return hits, [d for d, _ in chosen], timed_out

    @staticmethod
    def _stored(gen: _Generation, docnums: list[int]) -> list[dict[str, Any]]:
        """The stored fields of these documents, in order."""
        return [dict(gen.stored(d)) for d in docnums]

    def _scored(self, searcher: Any, parsed: wq.Query, final: np.ndarray, end: int
                ) -> tuple[list[tuple[int, float]], bool]:
        """Whoosh's own scoring, for the rare query the vector evaluator does not handle (time-limited)."""
        if end <= 0 or not final.any():
            return [], False
        timed = TimeLimitCollector(searcher.collector(limit=None), timelimit=self.time_limit, use_alarm=False)
        timed_out = False
        try:
            searcher.search_with_collector(parsed, timed)
        except TimeLimit:
            timed_out = True
        hits = [(hit.docnum, float(hit.score or 0.0)) for hit in timed.results() if final[hit.docnum]]
        hits.sort(key=lambda item: (-item[1], item[0]))
        return hits[:end], timed_out

    def suggest(self, text: str) -> str | None:
        """A close spelling of the query's words that the corpus uses more often, or None."""
        gen = self._generation()
        words = text.lower().split()
        if not words or len(words) > 6 or any(not w.isalpha() for w in words):
            return None
        fixed = [gen.speller.best(word) or word for word in words]
        suggestion = " ".join(fixed)
        return suggestion if suggestion != text.lower() else None


def stored_size(fields: dict[str, Any]) -> int:
    """About the memory a document's stored fields take: its paragraphs' text, and the rest."""
    return 1024 + sum(len(p[1]) + 200 for p in fields.get("paragraphs") or ())


def common_words(reader: Any, per_field: int = WARM_WORDS) -> list[tuple[str, str]]:
    """(field, word) of the index's commonest words, the commonest first: `per_field` of each text field."""
    found = sorted(((reader.doc_frequency(field, text), field, text.decode("utf-8") if isinstance(text, bytes)
                     else text) for field in TEXT_FIELDS for _, text in reader.most_frequent_terms(field, per_field)),
                   reverse=True)
    return [(field, text) for _, field, text in found]


def warm_words(common: Sequence[tuple[str, str]], vectors: Vectors, paragraphs: ParagraphTable, reader: Any,
               deadline: float) -> int:
    """Put the scores and paragraphs of `common` words, in order, into the caches until `deadline` or until they
    fill WARM_SHARE of their budgets; how many words (a generation's warm())."""
    scored, units, done = vectors.scored, paragraphs.terms, 0
    for field, text in common:
        if time.monotonic() > deadline or scored.nbytes > WARM_SHARE * scored.budget:
            break
        vectors.term_scores(field, text, reader)
        if field in BODY_FIELDS and units.nbytes < WARM_SHARE * units.budget and units.get((field, text)) is None:
            units.put((field, text), paragraphs.holding(vectors.positions(field, text, reader)))
        done += 1
    return done


def _stored_by_id(gen: _Generation, doc_id: str) -> Any:
    """The stored fields of the document `doc_id` (a section's: from the facet table's directory), or None."""
    parts = doc_id.split("/")
    docnum = gen.table.section(*parts) if len(parts) == 4 else None
    if docnum is not None:
        fields = gen.stored(docnum)
        if fields.get("doc_id") == doc_id:
            return fields
    return gen.searcher().document(doc_id=doc_id)


def _sidecars_only(problems: dict[str, str]) -> bool:
    """Whether every damaged file (if any) is a posting sidecar or its header: derived data the search can do
    without."""
    return all(name.endswith((SIDECAR, SIDECAR + ".json")) for name in problems)


def _verify_every(backend_ref: weakref.ref, interval: float) -> None:
    """The background verification: every `interval` seconds, while the backend lives."""
    while True:
        time.sleep(interval)
        backend = backend_ref()
        if backend is None:
            return
        try:
            backend.verify()
        except Exception:  # the thread outlives any one failure; logged
            log.exception("verifying the index generation failed")
        del backend


@dataclass
class _Match:
    """Where a query holds; None: everywhere (no query)."""

    docs: np.ndarray | None = None  # bool[documents]
    scores: np.ndarray | None = None  # float32[documents], or None when Whoosh scores (the fallback)
    units: np.ndarray | None = None  # bool[paragraph units], when asked for
    parsed: wq.Query | None = None  # the query, as the backend parsed it
    terms: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # its analysed terms per language (hits)
    expansion: Expansion = dataclasses.field(default_factory=Expansion)  # what the glossary added to it

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.docs, self.scores, self.units) if a is not None) + 1024


def _reach(kinds: np.ndarray, masks: dict[str, np.ndarray], scope: np.ndarray, by_paragraph: bool,
           theme_facet: bool) -> np.ndarray | None:
    """The documents whose paragraphs a search needs (None: none). With results by paragraph, every facet's counts
    need the documents that fail at most one filter; otherwise only the theme facet needs paragraphs, in `scope`."""
    if by_paragraph:
        return kinds & (sum((~m).astype(np.int8) for m in masks.values()) <= 1) if masks else kinds
    return scope if theme_facet else None


def _all(first: np.ndarray, masks: Iterable[np.ndarray]) -> np.ndarray:
    """`first` AND every mask (a new array)."""
    out = first.copy()
    for mask in masks:
        out &= mask
    return out


def _top(final: np.ndarray, scores: np.ndarray, offset: int, end: int) -> list[tuple[int, float]]:
    """The hits ranked offset..end by score (ties: lower document number first)."""
    docnums = np.nonzero(final)[0]
    if not len(docnums) or offset >= len(docnums):
        return []
    found = scores[docnums]
    if end < len(docnums):
        keep = np.argpartition(-found, end - 1)[:end]
        docnums, found = docnums[keep], found[keep]
    order = np.lexsort((docnums, -found))[offset:end]
    return [(int(docnums[i]), float(found[i])) for i in order]


FIELD_RE = re.compile(r"(?<![\w:])(\w+):")


def absent_from(reader: Any, word: str, lang: str) -> bool:
    """No title or body of language `lang` that `reader` reads has (one of the terms of) `word`."""
    return any(reader.doc_frequency(f"title_{lang}", term) == 0 and reader.doc_frequency(f"body_{lang}", term) == 0
               for term in analyse(word, lang))


def _expanded(text: str, langs: Sequence[str], glossary: Glossary, xlang: bool,
              absent: Callable[[str, str], bool] | None = None
              ) -> tuple[dict[str, str], dict[str, query_syntax.Node], Expansion]:
    """Per language, the text to parse: `text` with the glossary's equivalents in that language, when any (and
    `xlang`), and its tree (kb.engine.query_syntax); and what the glossary matched. A query kb's syntax module does not
    read whole is left as typed, with no tree."""
    texts = {lang: text for lang in langs}
    try:
        tree = query_syntax.parse(text, SEARCHABLE_FIELDS)
    except query_syntax.Unreadable:
        return texts, {}, Expansion()
    trees = {lang: tree for lang in langs}
    if not glossary:
        return texts, trees, Expansion()
    matches = []
    for lang in langs:
        expanded, found = expand(tree, glossary, lang, absent)
        matches += found
        if xlang and any(match.equivalents for match in found) and expanded is not None:
            texts[lang], trees[lang] = query_syntax.to_text(expanded), expanded
    applied = xlang and any(match.equivalents for match in matches)
    return texts, trees, Expansion(tuple(matches), applied)


def _check_fields(text: str, schema: Any) -> None:
    """A `name:` that names a field of the schema that cannot be searched (stored only, internal) is refused."""
    for name in FIELD_RE.findall(text):
        if name in schema.names() and name not in SEARCHABLE_FIELDS:
            raise QueryError(N_("'%(field)s:' cannot be searched; search in title:, year:, theme:, section:, "
                                "operation:, lang: or report:"), field=name)


def _check_syntax(text: str) -> None:
    if text.count('"') % 2:
        raise QueryError(N_('a quotation mark is not closed: phrases need a " at each end'))
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            raise QueryError(N_("a closing parenthesis ')' has no opening one"))
    if depth:
        raise QueryError(N_("a parenthesis '(' is not closed"))


def _cap_expansions(parsed: wq.Query, reader: Any) -> wq.Query:
    """Replace each prefix, wildcard or term range with at most MAX_EXPANSIONS real terms, so no query can blow up."""

    def visit(node: wq.Query) -> wq.Query:
        if isinstance(node, (wq.Prefix, wq.Wildcard)):
            text = fold(node.text)  # both languages are indexed accent-folded
            stem = text.split("*")[0].split("?")[0]
            if len(stem) < MIN_PREFIX:
                raise QueryError(N_("'%(text)s': put at least %(n)d letters before * or ?"), text=node.text,
                                 n=MIN_PREFIX)
            node = type(node)(node.fieldname, text)
            expanded = []
            for term in node._btexts(reader):
                expanded.append(wq.Term(node.fieldname, term.decode("utf-8") if isinstance(term, bytes) else term))
                if len(expanded) >= MAX_EXPANSIONS:
                    break
            return wq.Or(expanded) if expanded else wq.NullQuery
        if isinstance(node, wq.TermRange):  # `body:[a TO zzzz]` would stand for the whole vocabulary
            expanded = [wq.Term(node.fieldname, term.decode("utf-8") if isinstance(term, bytes) else term)
                        for term in islice(node._btexts(reader), MAX_EXPANSIONS)]
            return wq.Or(expanded) if expanded else wq.NullQuery
        if isinstance(node, wq.Every):
            raise QueryError(N_("'*' alone matches everything: put at least %(n)d letters before it, or leave the "
                                "query empty and use the filters to browse"), n=MIN_PREFIX)
        if isinstance(node, (wq.FuzzyTerm, wq.Regex)):
            raise QueryError(N_("fuzzy and regular-expression queries are not supported; use a prefix like refug*"))
        if node.is_leaf():
            return node
        return node.apply(visit)

    return visit(parsed).normalize()


def _terms_by_lang(parsed: wq.Query) -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {"en": set(), "fr": set()}
    for field, text in parsed.iter_all_terms(phrases=True):
        if field.endswith(("_en", "_fr")):
            value = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            terms[field[-2:]].add(value)
    return terms
