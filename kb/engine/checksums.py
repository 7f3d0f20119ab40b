"""The checksums of an index generation: written last by a build, verified before a generation is served.

    instance/index-000007/kb-checksums.json   {"version": 1, "algorithm": "sha256",
                                               "files": {"MAIN_x.seg": [size, "hex digest"], ...}}

Every file of the generation is listed — Whoosh's segments and table of contents, the posting sidecars and their
headers, kb-words.json, kb-site.json, kb-manifest.pickle — except Whoosh's empty lock file and the list itself.
`damage` says what is wrong with a generation, file by file (a listed file missing, of another size or with other
bytes; the list itself missing or unreadable); `quick_damage` only compares sizes, for a request that failed and wants
to know whether the files changed under it. Digests are streamed (1 MiB at a time): memory stays flat whatever the
generation's size. SHA-256, because the CPU's SHA extensions make it the fastest here (≈ 1 GB/s; BLAKE2b 3.6x slower;
see docs/reliability.md). Light on purpose (no Whoosh, no numpy): `kb index` verifies the served generation before it
decides that it is up to date.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from kb.engine.generations import CHECKSUMS, write_json

VERSION = 1
ALGORITHM = "sha256"
CHUNK = 1 << 20
MAX_NAMED = 5  # problems named in one message; the rest are counted


def digest(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    found = hashlib.new(ALGORITHM)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            found.update(chunk)
    return found.hexdigest()


def _listed(folder: Path) -> list[Path]:
    """The generation's files that are checksummed: every regular file but locks, leftovers and the list itself."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != CHECKSUMS
                  and not p.name.endswith(("LOCK", ".lock", ".tmp")))


def write(folder: Path, basis: Path | None = None) -> None:
    """Checksum every file of the generation in `folder`, durably; the last file a build writes.

    `basis`: the verified generation an incremental build hard-linked its unchanged files from; a file that is the
    same inode as the one listed there keeps that digest instead of being read again.
    """
    known = _reusable(folder, basis) if basis is not None else {}
    files = {}
    for path in _listed(folder):
        size = path.stat().st_size
        files[path.name] = known.get(path.name) or [size, digest(path)]
    write_json(folder / CHECKSUMS, {"version": VERSION, "algorithm": ALGORITHM, "files": files})


def _reusable(folder: Path, basis: Path) -> dict[str, list[Any]]:
    try:
        listed = read(basis)
    except ValueError:
        return {}
    found = {}
    for name, (size, hexdigest) in listed.items():
        try:
            if (folder / name).samefile(basis / name) and (folder / name).stat().st_size == size:
                found[name] = [size, hexdigest]
        except OSError:
            continue
    return found


def read(folder: Path) -> dict[str, tuple[int, str]]:
    """name -> (size, digest) of the generation's list; ValueError (saying why) when it is missing or unreadable."""
    path = folder / CHECKSUMS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{CHECKSUMS} missing (a generation built by an older kb, or damaged)") from None
    except OSError as err:
        raise ValueError(f"{CHECKSUMS} cannot be read ({err.strerror or type(err).__name__})") from None
    except ValueError:
        raise ValueError(f"{CHECKSUMS} is not valid JSON") from None
    try:
        if data["version"] != VERSION or data["algorithm"] != ALGORITHM:
            raise ValueError(f"{CHECKSUMS} is of another version")
        return {str(name): (int(size), str(hexdigest)) for name, (size, hexdigest) in data["files"].items()}
    except (KeyError, TypeError, AttributeError):
        raise ValueError(f"{CHECKSUMS} is not a checksum list") from None


def damage(folder: Path) -> dict[str, str]:
    """What is wrong with the generation in `folder`, file name -> what (empty: every listed file is there, whole and
    unchanged). A problem with the list itself is under the list's name."""
    return _check(folder, full=True)


def quick_damage(folder: Path) -> dict[str, str]:
    """Like `damage`, from the files' sizes alone (no file is read): cheap enough for a request's error path."""
    return _check(folder, full=False)


def _check(folder: Path, full: bool) -> dict[str, str]:
    try:
        listed = read(folder)
    except ValueError as err:
        return {CHECKSUMS: str(err).removeprefix(f"{CHECKSUMS} ")}
    problems = {}
    for name, (size, hexdigest) in listed.items():
        path = folder / name
        try:
            found = os.stat(path).st_size
            if found != size:
                problems[name] = f"{found:,} bytes, {size:,} when built"
            elif full and digest(path) != hexdigest:
                problems[name] = f"its bytes changed since the build ({ALGORITHM} differs)"
        except FileNotFoundError:
            problems[name] = "missing"
        except OSError as err:
            problems[name] = f"unreadable ({err.strerror})"
    return problems


def summary(problems: dict[str, str]) -> str:
    """The problems on one line: the first few named, the others counted."""
    named = "; ".join(f"{name}: {what}" for name, what in list(problems.items())[:MAX_NAMED])
    more = len(problems) - MAX_NAMED
    return f"{named}; and {more} more" if more > 0 else named
