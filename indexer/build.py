"""Building `instance/index` from `content/`: full and incremental builds, built aside and swapped in atomically.

The stages, in order: scan `content/` against the served generation's manifest (what was added, changed, deleted);
check and tag the changed files (indexer.stages); write their documents through the engine's writer
(kb.engine.whoosh_writer); write the generation's word list, site data and manifest; swap it in. The layout of the
instance folder, the lock and the swap are the engine's (kb.engine.generations).

A build never touches the generation being served. An incremental build hard-links the served generation's files into
a new folder (Whoosh never rewrites a file once written, it only adds segments and a new table of contents), applies
the changes there, commits, renames the folder into place and then swaps the symlink with one `rename`. A build that
fails or is killed leaves a `.building` folder behind, which the next build removes; the served index is whole at
every moment. Readers notice the new symlink target and reopen, without a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kb.engine import checksums, generations  # light: no Whoosh, no YAML
from kb.engine.site import has_site

if TYPE_CHECKING:  # imported where used: a no-op build should not pay for Whoosh, Markdown and YAML
    from indexer.content import Problem
    from kb.engine.whoosh_writer import WhooshGenerationWriter
    from kb.figures_model import Figures

LANGUAGE_CACHE = "language-cache.json"  # see indexer.language: answers of language detection, by text hash
SHARD_ABOVE = 200  # files: a full build of more is checked and indexed by one worker per core, in segments
BASIS_FILES = ("themes.yaml", "operations.yaml")  # read by every file's check and tagging


class BuildError(Exception):
    """A build that could not be done; the served index is untouched. `problems` are content problems, if any."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class BuildLocked(BuildError):
    """Another build holds the lock."""


@contextmanager
def _locked(instance: Path) -> Iterator[None]:
    """The instance's build lock (kb.engine.generations.lock), a held lock reported as BuildLocked."""
    try:
        with generations.lock(instance):
            yield
    except generations.Locked as err:
        raise BuildLocked(str(err)) from None


@dataclass
class BuildResult:
    generation: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    documents: int = 0
    seconds: float = 0.0
    full: bool = False
    reason: str = ""  # why a build that could have been incremental was full

    @property
    def up_to_date(self) -> bool:
        return not (self.added or self.changed or self.deleted or self.full)


# ---------------------------------------------------------------------------------------------------------- the lock


def _die_with_parent() -> None:
    """In a forked helper (a checking worker, a Whoosh sub-writer): die when the builder dies.

    A builder killed with SIGKILL cannot stop its helpers; without this they would wait forever, holding the
    build lock they inherited. Linux only (prctl PR_SET_PDEATHSIG); elsewhere a no-op.
    """
    parent = _BUILDER_PID
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the builder died before the line above
        os._exit(1)


_BUILDER_PID = os.getpid()
_AT_FORK_SET = False


def _helpers_die_with_builder() -> None:
    global _AT_FORK_SET, _BUILDER_PID
    _BUILDER_PID = os.getpid()
    if not _AT_FORK_SET and sys.platform.startswith("linux"):
        os.register_at_fork(after_in_child=_die_with_parent)
        _AT_FORK_SET = True


# ---------------------------------------------------------------------------------------------------------- scan


def indexed_files(content: Path) -> list[Path]:
    """The files whose documents are in the index: section documents and figures.yaml files."""
    from indexer.content import iter_section_files

    return sorted([*iter_section_files(content), *content.glob("*/*/figures.yaml")])


def scan(content: Path, known: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Relative path -> {hash, mtime_ns, size} of every indexed file under content/.

    Like git, a file whose size and modification time are what the last build recorded is not read again.
    """
    known = known or {}
    found: dict[str, dict[str, Any]] = {}
    for path in indexed_files(content):
        rel = path.relative_to(content).as_posix()
        try:
            stat = path.stat()
        except OSError:
            found[rel] = {"hash": "unreadable", "mtime_ns": 0, "size": 0}
            continue
        before = known.get(rel)
        if before and before.get("mtime_ns") == stat.st_mtime_ns and before.get("size") == stat.st_size:
            found[rel] = {"hash": before["hash"], "mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
            continue
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = "unreadable"
        found[rel] = {"hash": digest, "mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
    return found


# ------------------------------------------------------------------------------------------------------------ build


@dataclass
class _Plan:
    """What a build has to do, decided from the scan and the served generation's manifest."""

    instance: Path
    served: tuple[int, Path] | None
    files: dict[str, dict[str, Any]]
    old: dict[str, dict[str, Any]]
    result: BuildResult
    basis: str = ""
    entered: dict[str, str] = field(default_factory=dict)  # path -> when it was first indexed (served manifest)

    @property
    def incremental(self) -> bool:
        return self.served is not None and not self.result.full


def basis(content: Path) -> str:
    """A fingerprint of what every document depends on besides its own file: the analysis and the shared YAML files.

    When it changes (a theme's triggers edited, a new analysis), every file must be checked and indexed again.
    """
    digest = hashlib.sha256(f"analysis {generations.ANALYSIS_VERSION}\n".encode())
    for name in BASIS_FILES:
        try:
            digest.update(name.encode() + b"\0" + (content / name).read_bytes() + b"\0")
        except OSError:
            digest.update(name.encode() + b"\0missing\0")
    return digest.hexdigest()


def _basis_changed(served: tuple[int, Path] | None, manifest: dict[str, Any], current: str) -> str:
    if served is None:
        return ""
    if manifest.get("analysis") != generations.ANALYSIS_VERSION:
        return "the index was built by another version of kb"
    if not has_site(served[1]):
        return "the index has no site data (kb-site.json)"
    if manifest.get("basis") == current:
        return ""
    return "themes.yaml or operations.yaml changed"


def _damage(served: tuple[int, Path] | None) -> str:
    """Why the served generation cannot be built on (its checksums fail, kb.engine.checksums), or ""."""
    if served is None:
        return ""
    problems = checksums.damage(served[1])
    return f"the served generation {served[1].name} is damaged: {checksums.summary(problems)}" if problems else ""


def _read_manifest(served: tuple[int, Path] | None, damaged: bool) -> dict[str, Any]:
    if served is None:
        return {}
    try:
        manifest = generations.read_manifest(served[1])
    except Exception:  # a damaged generation's manifest may be anything; it only lends its `entered` dates
        if not damaged:
            raise
        return {}
    if damaged:  # nothing else of it is trusted: every file is read and indexed again
        files = manifest.get("files") if isinstance(manifest, dict) else None
        files = files if isinstance(files, dict) else {}
        return {"files": {rel: {"entered": r["entered"]} for rel, r in files.items()
                          if isinstance(r, dict) and isinstance(r.get("entered"), str)}}
    return manifest


def _plan(content: Path, instance: Path, rebuild: bool) -> _Plan:
    served = generations.served(instance)
    damage = _damage(served)
    manifest = _read_manifest(served, bool(damage))
    current = basis(content)
    reason = damage or ("" if rebuild else _basis_changed(served, manifest, current))
    rebuild = rebuild or bool(reason)
    manifest = manifest.get("files", {})
    files = scan(content, manifest)
    old = {} if rebuild else manifest
    added = sorted(set(files) - set(old))
    changed = sorted(p for p in files if p in old and old[p]["hash"] != files[p]["hash"])
    deleted = sorted(set(old) - set(files))
    result = BuildResult(generations.next_number(instance, served), added, changed, deleted,
                         len(files) - len(added) - len(changed))
    result.full = served is None or rebuild
    result.reason = reason
    entered = {rel: record["entered"] for rel, record in manifest.items() if record.get("entered")}
    return _Plan(instance, served, files, old, result, current, entered)


def build_index(
    content: Path, instance: Path, *, rebuild: bool = False, progress: Callable[[int], Any] | None = None
) -> BuildResult:
    """Bring the index up to date with content/; raises BuildError (index untouched) on invalid content or a lock."""
    started = time.perf_counter()
    if not content.is_dir():
        raise BuildError(f"{content}: no such content folder")
    _helpers_die_with_builder()
    with _locked(instance):
        generations.sweep(instance)
        plan = _plan(content, instance, rebuild)
        result = plan.result
        if plan.served and result.up_to_date:
            result.generation = plan.served[0]
            result.documents = generations.read_manifest(plan.served[1]).get("documents", 0)
            return result
        folder = _write_generation(content, instance, plan, progress)
        final = instance / generations.folder_name(result.generation)
        os.replace(folder, final)
        generations.swap(instance, final)
        generations.sweep(instance)
        result.documents = generations.read_manifest(final).get("documents", 0)
        result.seconds = time.perf_counter() - started
        return result


def _write_generation(content: Path, instance: Path, plan: _Plan, progress: Callable[[int], Any] | None) -> Path:
    """Write the next generation aside; on any failure remove it and re-raise (the served one is untouched)."""
    folder = instance / f"{generations.folder_name(plan.result.generation)}.building"
    if folder.exists():
        shutil.rmtree(folder)
    try:
        if plan.incremental:
            generations.hardlink_copy(plan.served[1], folder)
        else:
            folder.mkdir()
        from kb.engine.whoosh_writer import WhooshGenerationWriter

        writer = WhooshGenerationWriter(folder, fresh=not plan.incremental)
        try:
            records, words, figures = _fill(content, plan, writer, progress)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        documents = writer.close()
        generations.write_json(folder / generations.WORDS, dict(sorted(words.items())))
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for rel, stat in plan.files.items():
            records[rel].update(mtime_ns=stat["mtime_ns"], size=stat["size"], entered=plan.entered.get(rel, now))
        _write_site(content, plan, folder, figures, {rel: records[rel]["entered"] for rel in sorted(records)})
        generations.write_pickle(folder / generations.MANIFEST, {"version": 3, "documents": documents, "files": records,
                                          "basis": plan.basis, "analysis": generations.ANALYSIS_VERSION})
        checksums.write(folder, plan.served[1] if plan.incremental else None)  # last: it covers every other file
        generations.fsync_dir(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _fill(content: Path, plan: _Plan, writer: WhooshGenerationWriter, progress: Callable[[int], Any] | None
          ) -> tuple[dict[str, dict[str, Any]], Counter, dict[str, Figures]]:
    """Check the changed files and write their documents; raise BuildError if the corpus has any problem.

    Returns the manifest records, the word counts and the figures files checked (relative path -> figures).
    """
    from indexer import language
    from indexer.stages import context_problems, cross_file_problems
    from indexer.workers import index_in_shards

    result = plan.result
    problems = context_problems(content)
    records = {rel: plan.old[rel] for rel in plan.files if rel in plan.old}
    words: Counter = Counter()
    figures: dict[str, Figures] = {}
    if plan.incremental:
        words.update(generations.read_json(plan.served[1] / generations.WORDS))
        for rel in sorted(set(result.changed) | set(result.deleted)):
            words.subtract(_old_words(writer, rel))
            records.pop(rel, None)
        writer.delete_documents(sorted(set(result.changed) | set(result.deleted)))
    todo = result.added + result.changed
    hashes = {rel: plan.files[rel]["hash"] for rel in todo}
    if progress is not None and hasattr(progress, "start"):
        progress.start(len(todo))
    cache = plan.instance / LANGUAGE_CACHE
    language.load_cache(cache)
    learned = False
    if plan.incremental or len(todo) < SHARD_ABOVE or (os.cpu_count() or 1) < 2:
        found_all: Iterable = _write_in_process(content, hashes, todo, writer, problems, progress)
    else:
        found_all, segments, shard_words = index_in_shards(content, hashes, todo, writer.folder, progress)
        writer.adopt_segments(segments)
        words.update(shard_words)
    for found in found_all:
        language.remember(found.languages)
        learned = learned or bool(found.languages)
        records[found.rel] = found.record
        problems.extend(found.problems)
        words.update(found.words)
        if found.figures is not None:
            figures[found.rel] = found.figures
    if learned:
        language.save_cache(cache)
    problems.extend(cross_file_problems(content, records))
    if problems:
        problems = sorted(set(problems))
        raise BuildError(f"{len(problems)} problem(s) in {content}; the index was not changed", problems)
    return records, +words, figures


def _write_site(content: Path, plan: _Plan, folder: Path, fresh: dict[str, Figures], entered: dict[str, str]) -> None:
    """The generation's site data (kb.engine.site), written whole: labels, operations, every operation's figures,
    when each indexed file entered kb."""
    from indexer.site import operation_figures, site_data
    from kb.engine.site import SiteMissing, read_site, write_site

    previous: dict[str, Any] = {}
    if plan.incremental:
        try:
            previous = read_site(plan.served[1]).get("figures") or {}
        except SiteMissing:
            previous = {}
    write_site(folder, site_data(content, operation_figures(content, plan.files, fresh, previous), entered))


def _write_in_process(content: Path, hashes: dict[str, str], todo: list[str], writer: WhooshGenerationWriter,
                      problems: list[Problem], progress: Callable[[int], Any] | None) -> Iterator[Any]:
    """Check files (in worker processes when many) and write their documents here, while no problem is found."""
    from indexer.workers import process_files

    for found in process_files(content, hashes, todo):
        problems.extend(found.problems)
        if not problems:
            writer.add_documents(found.documents)
        found.problems = []  # counted above
        if progress:
            progress(1)
        yield found


def _old_words(writer: WhooshGenerationWriter, rel: str) -> Counter:
    """Word counts of the documents a file had in the served generation (to take them out of the vocabulary)."""
    from indexer.stages import count_words

    if not rel.endswith(".md"):
        return Counter()
    return count_words(p[1] for doc in writer.stored(rel) for p in doc.get("paragraphs") or [])


# -------------------------------------------------------------------------------------------------------------- CLI


class _BarProgress:
    """Feeds a click progress bar: its length becomes the number of files the build has to check and index."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def start(self, total: int) -> None:
        self.bar.length = max(total, 1)

    def __call__(self, done: int) -> None:
        self.bar.update(done)


def run_build(content: Path, instance: Path, *, rebuild: bool = False) -> int:
    """`kb index`: build, report on stdout, problems on stderr; exit 0, or 1 on invalid content, 3 when locked."""
    show_bar = sys.stderr.isatty()
    try:
        if show_bar:
            with click.progressbar(length=1, label="Indexing", file=sys.stderr) as bar:
                result = build_index(content, instance, rebuild=rebuild, progress=_BarProgress(bar))
        else:
            result = build_index(content, instance, rebuild=rebuild)
    except BuildLocked as err:
        click.echo(f"kb index: {err}", err=True)
        return 3
    except BuildError as err:
        for problem in err.problems:
            click.echo(str(problem), err=True)
        click.echo(f"kb index: {err}", err=True)
        return 1
    except OSError as err:
        click.echo(f"kb index: {err.filename or instance}: {err.strerror}; the index was not changed", err=True)
        return 1
    if result.up_to_date:
        click.echo(f"Index is up to date (generation {result.generation}, {result.documents} documents).")
    else:
        kind = "Full build" if result.full else "Incremental build"
        if result.reason:
            kind += f" ({result.reason})"
        click.echo(
            f"{kind}: generation {result.generation}, {result.documents} documents "
            f"({len(result.added)} added, {len(result.changed)} changed, {len(result.deleted)} deleted) "
            f"in {result.seconds:.2f} s."
        )
    return 0
