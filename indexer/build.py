"""Building `instance/index` from `content/`: full and incremental builds, built aside and swapped in atomically.

Layout of the instance folder:

    instance/index          -> a symlink to the generation being served, e.g. `index-000007`
    instance/index-000007/  a complete Whoosh index, each segment with its posting sidecar (indexer.postings),
                            `kb-manifest.pickle` (path -> content hash, metadata, the basis it was built on)
                            and `kb-words.json` (word counts for spelling suggestions)
    instance/index.lock     held (flock) by the one build that may run at a time

A build never touches the generation being served. An incremental build hard-links the served generation's files into
a new folder (Whoosh never rewrites a file once written, it only adds segments and a new table of contents), applies
the changes there, commits, renames the folder into place and then swaps the symlink with one `rename`. A build that
fails or is killed leaves a `.building` folder behind, which the next build removes; the served index is whole at
every moment. Readers (kb.search) notice the new symlink target and reopen, without a restart.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import pickle
import re
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

from indexer import model  # light: no Whoosh, no YAML

if TYPE_CHECKING:  # imported where used: a no-op build should not pay for Whoosh, Markdown and YAML
    from indexer.content import Problem
    from indexer.whoosh_writer import WhooshGenerationWriter

MANIFEST = "kb-manifest.pickle"  # internal: a pickle loads 6x faster than JSON at 18,000 files
WORDS = "kb-words.json"  # word -> count, for spelling suggestions
LANGUAGE_CACHE = "language-cache.json"  # see indexer.language: answers of language detection, by text hash
GENERATION_RE = re.compile(r"^index-(\d{6})$")
SHARD_ABOVE = 200  # files: a full build of more is checked and indexed by one worker per core, in segments
KEEP_GENERATIONS = 2  # the served one and the one before it (readers may still hold it open)
BASIS_FILES = ("themes.yaml", "operations.yaml")  # read by every file's check and tagging


class BuildError(Exception):
    """A build that could not be done; the served index is untouched. `problems` are content problems, if any."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class BuildLocked(BuildError):
    """Another build holds the lock."""


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


@contextmanager
def build_lock(instance: Path) -> Iterator[None]:
    """Hold `instance/index.lock` for the duration of a build; a second build gets BuildLocked at once."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "index.lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildLocked(f"the index is being built by {holder}; try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


# ----------------------------------------------------------------------------------------------------- generations


def served_generation(instance: Path) -> tuple[int, Path] | None:
    """The generation `instance/index` points at, or None when there is no usable index."""
    link = instance / "index"
    try:
        target = os.readlink(link)
    except OSError:
        return None
    match = GENERATION_RE.match(Path(target).name)
    folder = instance / Path(target).name
    if not match or not (folder / MANIFEST).is_file():
        return None
    return int(match.group(1)), folder


def _next_generation(instance: Path, served: tuple[int, Path] | None) -> int:
    """One more than any generation folder present (a folder left unusable must never be reused)."""
    numbers = [int(m.group(1)) for p in instance.iterdir() if (m := GENERATION_RE.match(p.name.split(".")[0]))]
    return max([served[0] if served else 0, *numbers]) + 1


def read_manifest(folder: Path) -> dict[str, Any]:
    with (folder / MANIFEST).open("rb") as handle:
        return pickle.load(handle)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap(instance: Path, folder: Path) -> None:
    """Point `instance/index` at `folder` with one atomic rename."""
    tmp = instance / f"index.swap-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(folder.name, tmp)
    os.replace(tmp, instance / "index")
    _fsync_dir(instance)


def _sweep(instance: Path, keep: int) -> None:
    """Remove builds left by killed runs and generations older than the last `keep`."""
    for stale in instance.glob("index-*.building"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in instance.glob("index.swap-*"):
        stale.unlink(missing_ok=True)
    generations = sorted(p for p in instance.iterdir() if GENERATION_RE.match(p.name) and p.is_dir())
    for old in generations[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _hardlink_copy(source: Path, target: Path) -> None:
    target.mkdir()
    for item in source.iterdir():
        if item.name in (MANIFEST, WORDS) or item.name.endswith(".lock") or not item.is_file():
            continue
        try:
            os.link(item, target / item.name)
        except OSError:
            shutil.copy2(item, target / item.name)


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

    @property
    def incremental(self) -> bool:
        return self.served is not None and not self.result.full


def basis(content: Path) -> str:
    """A fingerprint of what every document depends on besides its own file: the analysis and the shared YAML files.

    When it changes (a theme's triggers edited, a new analysis), every file must be checked and indexed again.
    """
    digest = hashlib.sha256(f"analysis {model.ANALYSIS_VERSION}\n".encode())
    for name in BASIS_FILES:
        try:
            digest.update(name.encode() + b"\0" + (content / name).read_bytes() + b"\0")
        except OSError:
            digest.update(name.encode() + b"\0missing\0")
    return digest.hexdigest()


def _basis_changed(served: tuple[int, Path] | None, manifest: dict[str, Any], current: str) -> str:
    if served is None or manifest.get("basis") == current:
        return ""
    if manifest.get("analysis") != model.ANALYSIS_VERSION:
        return "the index was built by another version of kb"
    return "themes.yaml or operations.yaml changed"


def _plan(content: Path, instance: Path, rebuild: bool) -> _Plan:
    served = served_generation(instance)
    manifest = read_manifest(served[1]) if served else {}
    current = basis(content)
    reason = "" if rebuild else _basis_changed(served, manifest, current)
    rebuild = rebuild or bool(reason)
    manifest = manifest.get("files", {})
    files = scan(content, manifest)
    old = {} if rebuild else manifest
    added = sorted(set(files) - set(old))
    changed = sorted(p for p in files if p in old and old[p]["hash"] != files[p]["hash"])
    deleted = sorted(set(old) - set(files))
    result = BuildResult(_next_generation(instance, served), added, changed, deleted,
                         len(files) - len(added) - len(changed))
    result.full = served is None or rebuild
    result.reason = reason
    return _Plan(instance, served, files, old, result, current)


def build_index(
    content: Path, instance: Path, *, rebuild: bool = False, progress: Callable[[int], Any] | None = None
) -> BuildResult:
    """Bring the index up to date with content/; raises BuildError (index untouched) on invalid content or a lock."""
    started = time.perf_counter()
    if not content.is_dir():
        raise BuildError(f"{content}: no such content folder")
    _helpers_die_with_builder()
    with build_lock(instance):
        _sweep(instance, KEEP_GENERATIONS)
        plan = _plan(content, instance, rebuild)
        result = plan.result
        if plan.served and result.up_to_date:
            result.generation = plan.served[0]
            result.documents = read_manifest(plan.served[1]).get("documents", 0)
            return result
        folder = _write_generation(content, instance, plan, progress)
        final = instance / f"index-{result.generation:06d}"
        os.replace(folder, final)
        _swap(instance, final)
        _sweep(instance, KEEP_GENERATIONS)
        result.documents = read_manifest(final).get("documents", 0)
        result.seconds = time.perf_counter() - started
        return result


def _write_generation(content: Path, instance: Path, plan: _Plan, progress: Callable[[int], Any] | None) -> Path:
    """Write the next generation aside; on any failure remove it and re-raise (the served one is untouched)."""
    folder = instance / f"index-{plan.result.generation:06d}.building"
    if folder.exists():
        shutil.rmtree(folder)
    try:
        if plan.incremental:
            _hardlink_copy(plan.served[1], folder)
        else:
            folder.mkdir()
        from indexer.whoosh_writer import WhooshGenerationWriter

        writer = WhooshGenerationWriter(folder, fresh=not plan.incremental)
        try:
            records, words = _fill(content, plan, writer, progress)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        documents = writer.close()
        _write_json(folder / WORDS, dict(sorted(words.items())))
        for rel, stat in plan.files.items():
            records[rel].update(mtime_ns=stat["mtime_ns"], size=stat["size"])
        _write_pickle(folder / MANIFEST, {"version": 3, "documents": documents, "files": records,
                                          "basis": plan.basis, "analysis": model.ANALYSIS_VERSION})
        _fsync_dir(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _fill(content: Path, plan: _Plan, writer: WhooshGenerationWriter, progress: Callable[[int], Any] | None
          ) -> tuple[dict[str, dict[str, Any]], Counter]:
    """Check the changed files and write their documents; raise BuildError if the corpus has any problem."""
    from indexer import language
    from indexer.validate import context_problems, cross_file_problems, index_in_shards

    result = plan.result
    problems = context_problems(content)
    records = {rel: plan.old[rel] for rel in plan.files if rel in plan.old}
    words: Counter = Counter()
    if plan.incremental:
        words.update(_read_json(plan.served[1] / WORDS))
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
    if learned:
        language.save_cache(cache)
    problems.extend(cross_file_problems(content, records))
    if problems:
        problems = sorted(set(problems))
        raise BuildError(f"{len(problems)} problem(s) in {content}; the index was not changed", problems)
    return records, +words


def _write_in_process(content: Path, hashes: dict[str, str], todo: list[str], writer: WhooshGenerationWriter,
                      problems: list[Problem], progress: Callable[[int], Any] | None) -> Iterator[Any]:
    """Check files (in worker processes when many) and write their documents here, while no problem is found."""
    from indexer.validate import process_files

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
    from indexer.validate import count_words

    if not rel.endswith(".md"):
        return Counter()
    return count_words(p[1] for doc in writer.stored(rel) for p in doc.get("paragraphs") or [])


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _write_pickle(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


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
