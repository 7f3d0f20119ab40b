"""How a build runs its per-file stages (indexer.stages): in this process, in a pool, or in shards that each write
their own index segment.

Many files are processed by a pool of worker processes while the builder writes the index, so checking and writing
overlap on a multi-core machine; a full build of many files gives each worker a shard that it checks, tags and
writes into its own segment through the engine's `ShardWriter`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer import check, language
from indexer.stages import FileResult, process_file
from indexer.themes import Vocabulary, load_themes

POOL_ABOVE = 64  # files; below this, one process is faster than starting a pool
CHUNK = 16


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
            # without a themes.yaml at all, documents are indexed with no themes (kb check skips the themes check)
            cls.vocabulary = None if (content / "themes.yaml").exists() else Vocabulary(())

    @classmethod
    def run(cls, item: tuple[str, str]) -> FileResult:
        rel, digest = item
        result = process_file(cls.content, rel, digest, cls.context, cls.vocabulary)
        result.languages = language.take_new()
        return result


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
    from kb.engine.whoosh_writer import ShardWriter

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
