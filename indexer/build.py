"""Building `instance/index` from `content/`: full and incremental builds, built aside and swapped in atomically.

Layout of the instance folder:

    instance/index          -> a symlink to the generation being served, e.g. `index-000007`
    instance/index-000007/  a complete Whoosh index plus `kb-manifest.json` (path -> content hash, metadata)
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
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from whoosh import index as whoosh_index

from indexer.content import Problem, iter_section_files
from indexer.schema import build_schema

MANIFEST = "kb-manifest.json"
GENERATION_RE = re.compile(r"^index-(\d{6})$")
KEEP_GENERATIONS = 2  # the served one and the one before it (readers may still hold it open)


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

    @property
    def up_to_date(self) -> bool:
        return not (self.added or self.changed or self.deleted or self.full)


# ---------------------------------------------------------------------------------------------------------- the lock


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


def read_manifest(folder: Path) -> dict[str, Any]:
    with (folder / MANIFEST).open(encoding="utf-8") as handle:
        return json.load(handle)


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
        if item.name == MANIFEST or item.name.endswith(".lock") or not item.is_file():
            continue
        try:
            os.link(item, target / item.name)
        except OSError:
            shutil.copy2(item, target / item.name)


# ---------------------------------------------------------------------------------------------------------- scan


def indexed_files(content: Path) -> list[Path]:
    """The files whose documents are in the index: section documents and figures.yaml files."""
    return sorted([*iter_section_files(content), *content.glob("*/*/figures.yaml")])


def scan(content: Path) -> dict[str, str]:
    """Relative path -> sha256 of every indexed file under content/ (what decides what an incremental build does)."""
    hashes: dict[str, str] = {}
    for path in indexed_files(content):
        rel = path.relative_to(content).as_posix()
        try:
            hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            hashes[rel] = "unreadable"
    return hashes


# ------------------------------------------------------------------------------------------------------------ build


def build_index(
    content: Path, instance: Path, *, rebuild: bool = False, progress: Callable[[int], Any] | None = None
) -> BuildResult:
    """Bring the index up to date with content/; raises BuildError (index untouched) on invalid content or a lock."""
    from indexer.validate import validate_corpus

    started = time.perf_counter()
    if not content.is_dir():
        raise BuildError(f"{content}: no such content folder")
    with build_lock(instance):
        _sweep(instance, KEEP_GENERATIONS)
        served = served_generation(instance)
        old = read_manifest(served[1])["files"] if served and not rebuild else {}
        hashes = scan(content)
        added = sorted(set(hashes) - set(old))
        changed = sorted(p for p in hashes if p in old and old[p]["hash"] != hashes[p])
        deleted = sorted(set(old) - set(hashes))
        generation = (served[0] + 1) if served else 1
        result = BuildResult(generation, added, changed, deleted, len(hashes) - len(added) - len(changed))
        result.full = served is None or rebuild
        if served and result.up_to_date:
            result.generation, result.documents = served[0], _count_documents(served[1])
            return result
        documents, records, problems = validate_corpus(content, set(added) | set(changed), old, hashes)
        if problems:
            raise BuildError(f"{len(problems)} problem(s) in {content}; the index was not changed", problems)
        folder = _write_generation(instance, served if not result.full else None, generation, documents,
                                   set(changed) | set(deleted), progress)
        _write_manifest(folder, records)
        final = instance / f"index-{generation:06d}"
        os.replace(folder, final)
        _swap(instance, final)
        _sweep(instance, KEEP_GENERATIONS)
        result.documents = _count_documents(final)
        result.seconds = time.perf_counter() - started
        return result


def _write_generation(
    instance: Path,
    served: tuple[int, Path] | None,
    generation: int,
    documents: dict[str, list[dict[str, Any]]],
    remove: set[str],
    progress: Callable[[int], Any] | None,
) -> Path:
    folder = instance / f"index-{generation:06d}.building"
    if folder.exists():
        shutil.rmtree(folder)
    if served is None:
        folder.mkdir()
        index = whoosh_index.create_in(str(folder), build_schema())
    else:
        _hardlink_copy(served[1], folder)
        index = whoosh_index.open_dir(str(folder))
    writer = index.writer(limitmb=256)
    try:
        if served is not None:
            for rel in sorted(remove | set(documents)):
                writer.delete_by_term("path", rel)
        for _rel, docs in sorted(documents.items()):
            for doc in docs:
                writer.add_document(**doc)
            if progress:
                progress(1)
        writer.commit(optimize=served is None)
    except BaseException:
        writer.cancel()
        raise
    return folder


def _count_documents(folder: Path) -> int:
    index = whoosh_index.open_dir(str(folder))
    try:
        return index.doc_count()
    finally:
        index.close()


def _write_manifest(folder: Path, records: dict[str, dict[str, Any]]) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump({"version": 1, "files": records}, handle, ensure_ascii=False, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / MANIFEST)
    _fsync_dir(folder)


# -------------------------------------------------------------------------------------------------------------- CLI


def run_build(content: Path, instance: Path, *, rebuild: bool = False) -> int:
    """`kb index`: build, report on stdout, problems on stderr; exit 0, or 1 on invalid content, 3 when locked."""
    show_bar = sys.stderr.isatty()
    try:
        if show_bar:
            total = len(indexed_files(content)) if content.is_dir() else 0
            with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
                result = build_index(content, instance, rebuild=rebuild, progress=bar.update)
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
        click.echo(
            f"{kind}: generation {result.generation}, {result.documents} documents "
            f"({len(result.added)} added, {len(result.changed)} changed, {len(result.deleted)} deleted) "
            f"in {result.seconds:.2f} s."
        )
    return 0
