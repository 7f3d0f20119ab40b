"""Validation for the index builder: check only what changed, yet judge the corpus as a whole.

`kb check` reads every file. A build must be faster: it fully checks the files that were added or changed (front
matter, paragraphs, language, themes; figures.yaml schema) and runs the cross-file checks (translation pairs,
duplicates) over the manifest records of the unchanged files plus the fresh records of the changed ones.

Each file is turned, in one step, into a `FileResult`: its problems, its manifest record, its index documents
(tagged with themes) and the counts of its words (for spelling suggestions). Many files are processed by a pool of
worker processes while the builder writes the index, so checking and writing overlap on a multi-core machine.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer import check, language
from indexer.content import Problem, display_path
from indexer.documents import figure_documents, section_document
from indexer.figures import load_figures
from indexer.themes import Vocabulary, load_themes, tag, tag_section

FIGURES_FILE = "figures.yaml"
POOL_ABOVE = 64  # files; below this, one process is faster than starting a pool
CHUNK = 16
WORD_RE = re.compile(r"[^\W\d_]{3,}")


@dataclass
class FileResult:
    rel: str
    record: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    words: Counter = field(default_factory=Counter)
    languages: dict[str, str] = field(default_factory=dict)  # new language-detection answers (see language.py)


class _Worker:
    """What processing a file needs, loaded once per process."""

    content: Path
    context: check.CheckContext
    vocabulary: Vocabulary | None

    @classmethod
    def setup(cls, content: Path) -> None:
        cls.content = content
        cls.context = check.load_context(content)
        try:
            cls.vocabulary = load_themes(content)
        except Exception:  # reported by the checker as a themes.yaml problem; tagging is then skipped
            cls.vocabulary = None

    @classmethod
    def run(cls, item: tuple[str, str]) -> FileResult:
        rel, digest = item
        result = process_file(cls.content, rel, digest, cls.context, cls.vocabulary)
        result.languages = language.take_new()
        return result


def process_file(content: Path, rel: str, digest: str, context: check.CheckContext,
                 vocabulary: Vocabulary | None) -> FileResult:
    """Check one file and, when it is valid, build its index documents."""
    path = content / rel
    if rel.endswith(FIGURES_FILE):
        figures, problems = load_figures(path, display_path(path), *_folder(rel))
        result = FileResult(rel, {"hash": digest, "figures": True}, problems)
        if figures is not None and not problems and vocabulary is not None:
            countries = sorted((context.operations or {}).get(figures.operation, set()))
            result.documents = figure_documents(figures, rel, countries, lambda t, lang: tag(t, lang, vocabulary))
        return result
    section, problems = check.check_file(path, content, context)
    if section is None:
        return FileResult(rel, {"hash": digest, "broken": True, "translation_key": rel, "lang": "?"}, problems)
    result = FileResult(rel, {**check.record_of(section), "hash": digest}, problems)
    if not problems and not section.draft and vocabulary is not None:
        tag_section(section, vocabulary)
        result.documents = [section_document(section, rel)]
        result.words = count_words(p.text for p in section.paragraphs)
    return result


def count_words(texts: Iterable[str]) -> Counter:
    """Lower-cased words of three letters or more: the vocabulary spelling suggestions draw from."""
    words: Counter = Counter()
    for text in texts:
        words.update(WORD_RE.findall(text.lower()))
    return words


def _folder(rel: str) -> tuple[str | None, int | None]:
    parts = rel.split("/")
    if len(parts) == 3 and parts[1].isdigit():
        return parts[0], int(parts[1])
    return None, None


def process_files(content: Path, hashes: dict[str, str], rels: list[str], jobs: int | None = None
                  ) -> Iterator[FileResult]:
    """FileResults of `rels`, in order; in worker processes when there are many."""
    items = [(rel, hashes[rel]) for rel in rels]
    jobs = jobs or os.cpu_count() or 1
    if len(items) < POOL_ABOVE or jobs < 2:
        _Worker.setup(content)
        yield from map(_Worker.run, items)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_Worker.setup, initargs=(content,)) as pool:
        yield from pool.imap(_Worker.run, items, chunksize=CHUNK)


@dataclass
class ShardResult:
    """What a worker sends back after checking and indexing its shard: results without documents, its segment."""

    results: list[FileResult]
    segment: Any  # a Whoosh segment written into the generation folder, or None
    words: Counter  # the shard's word counts (spelling suggestions), summed


def _index_shard(job: tuple[Path, list[tuple[str, str]]]) -> ShardResult:
    """In a worker: check each file of the shard and write the valid ones' documents into one new segment."""
    from indexer.whoosh_writer import ShardWriter

    folder, items = job
    writer = ShardWriter(folder)
    results = []
    words: Counter = Counter()
    try:
        for item in items:
            result = _Worker.run(item)
            if not result.problems:
                writer.add_documents(result.documents)
            words.update(result.words)
            result.documents, result.words = [], Counter()  # a shard's words travel back once, summed
            results.append(result)
            with _Worker.done.get_lock():
                _Worker.done.value += 1
        return ShardResult(results, writer.finish(), words)
    except BaseException:
        writer.cancel()
        raise


def index_in_shards(content: Path, hashes: dict[str, str], rels: list[str], folder: Path,
                    progress: Any = None, jobs: int | None = None) -> tuple[list[FileResult], list[Any], Counter]:
    """A full build's heavy part, in parallel: each worker checks, tags and indexes a shard of the files.

    Returns every file's result (in `rels` order) and the segments written; the caller commits them (or, on any
    problem, throws the folder away).
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    items = [(rel, hashes[rel]) for rel in rels]
    shards = [items[i::jobs] for i in range(jobs)]
    ctx = multiprocessing.get_context("fork")
    done = ctx.Value("i", 0)
    with ctx.Pool(jobs, initializer=_setup_shard_worker, initargs=(content, done)) as pool:
        pending = pool.map_async(_index_shard, [(folder, shard) for shard in shards if shard])
        reported = 0
        while not pending.ready():
            pending.wait(0.25)
            if progress and done.value > reported:
                progress(done.value - reported)
                reported = done.value
        shard_results = pending.get()
    if progress and len(items) > reported:
        progress(len(items) - reported)
    order = {rel: i for i, rel in enumerate(rels)}
    results = sorted((r for shard in shard_results for r in shard.results), key=lambda r: order[r.rel])
    words = sum((shard.words for shard in shard_results), Counter())
    return results, [shard.segment for shard in shard_results if shard.segment is not None], words


def _setup_shard_worker(content: Path, done: Any) -> None:
    _Worker.setup(content)
    _Worker.done = done


def context_problems(content: Path) -> list[Problem]:
    """Problems of operations.yaml and themes.yaml themselves."""
    return list(check.load_context(content).problems)


def cross_file_problems(content: Path, records: dict[str, dict[str, Any]]) -> list[Problem]:
    """Duplicates and translation pairs, over the records of every section document."""
    return check.check_records(content, {rel: r for rel, r in records.items() if not r.get("figures")})
