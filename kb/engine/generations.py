"""The layout of an instance folder's index generations: names, manifest, the build lock, the atomic swap.

    instance/index          -> a symlink to the generation being served, e.g. `index-000007`
    instance/index-000007/  one complete generation: the backend's files (for Whoosh: the segments, each with its
                            posting sidecar), `kb-manifest.pickle` (path -> content hash, metadata, the basis it was
                            built on), `kb-words.json` (word counts for spelling suggestions) and `kb-site.json`
                            (everything else the site shows: figures, labels; see kb.engine.site) and, written
                            last, `kb-checksums.json` (every other file's size and SHA-256; see kb.engine.checksums)
    instance/index.lock     held (flock) by the one build that may run at a time

Builders (indexer.build) write a generation aside in `index-NNNNNN.building`, rename it into place and `swap` the
symlink with one `rename`; readers (kb.engine.whoosh_backend) follow the symlink and reopen when it moves. Light on
purpose: no Whoosh here, so a no-op build and `kb check` stay fast.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pickle
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Raise whenever kb.engine.schema or indexer.documents change the terms or fields a file is indexed under, or a
# generation's files change shape: a build over an index made under another version is a full build.
# 3: posting sidecars (kb.engine.postings). 4: every generation carries its site data (kb-site.json, kb.engine.site):
# a generation built before it has none, so the next build is a full one (the web answers 503 until then).
# 5: paragraph positions and paragraph themes (kb.engine.paragraphs); editor's notes stored with sections.
# 6: the original source (source_url, source_retrieved) stored with sections and in the site data.
# 7: each manifest record keeps `entered` (when its file was first indexed, kept across builds, full ones too) and
# the site data maps every indexed file to it (`entered`), for the feeds' dates.
# 8: paragraph identifiers stored with paragraphs (and retired ones with sections).
ANALYSIS_VERSION = "8"

LINK = "index"
LOCK = "index.lock"
MANIFEST = "kb-manifest.pickle"  # internal: a pickle loads 6x faster than JSON at 18,000 files
WORDS = "kb-words.json"  # word -> count, for spelling suggestions
SITE = "kb-site.json"  # what the web shows besides documents (kb.engine.site)
CHECKSUMS = "kb-checksums.json"  # size and digest of every other file (kb.engine.checksums)
GENERATION_RE = re.compile(r"^index-(\d{6})$")
KEEP_GENERATIONS = 2  # the served one and the one before it (readers may still hold it open)


class Locked(RuntimeError):
    """Another build holds the instance's lock; the message names its holder."""


@contextmanager
def lock(instance: Path) -> Iterator[None]:
    """Hold `instance/index.lock` for the duration of a build; a second build gets `Locked` at once."""
    instance.mkdir(parents=True, exist_ok=True)
    handle = (instance / LOCK).open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise Locked(f"the index is being built by {holder}; try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def served(instance: Path) -> tuple[int, Path] | None:
    """The generation `instance/index` points at, or None when there is no usable index."""
    try:
        target = os.readlink(instance / LINK)
    except OSError:
        return None
    match = GENERATION_RE.match(Path(target).name)
    folder = instance / Path(target).name
    if not match or not (folder / MANIFEST).is_file():
        return None
    return int(match.group(1)), folder


def next_number(instance: Path, current: tuple[int, Path] | None) -> int:
    """One more than any generation folder present (a folder left unusable must never be reused)."""
    numbers = [int(m.group(1)) for p in instance.iterdir() if (m := GENERATION_RE.match(p.name.split(".")[0]))]
    return max([current[0] if current else 0, *numbers]) + 1


def kept(instance: Path) -> list[Path]:
    """The complete generation folders in `instance`, newest first (the served one and those kept before it)."""
    found = [p for p in instance.iterdir() if GENERATION_RE.match(p.name) and (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def folder_name(number: int) -> str:
    return f"index-{number:06d}"


def read_manifest(folder: Path) -> dict[str, Any]:
    with (folder / MANIFEST).open("rb") as handle:
        return pickle.load(handle)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap(instance: Path, folder: Path) -> None:
    """Point `instance/index` at `folder` with one atomic rename."""
    tmp = instance / f"index.swap-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(folder.name, tmp)
    os.replace(tmp, instance / LINK)
    fsync_dir(instance)


def sweep(instance: Path, keep: int = KEEP_GENERATIONS) -> None:
    """Remove builds left by killed runs and generations older than the last `keep`."""
    for stale in instance.glob("index-*.building"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in instance.glob("index.swap-*"):
        stale.unlink(missing_ok=True)
    generations = sorted(p for p in instance.iterdir() if GENERATION_RE.match(p.name) and p.is_dir())
    for old in generations[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def hardlink_copy(source: Path, target: Path) -> None:
    """A new generation folder sharing the served one's immutable files (the kb-*.json/pickle files are rewritten)."""
    target.mkdir()
    for item in source.iterdir():
        if item.name in (MANIFEST, WORDS, SITE, CHECKSUMS) or item.name.endswith(".lock") or not item.is_file():
            continue
        try:
            os.link(item, target / item.name)
        except OSError:
            shutil.copy2(item, target / item.name)


def write_json(path: Path, data: Any) -> None:
    """Write JSON durably: to a temporary name, fsync, rename."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_pickle(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)
