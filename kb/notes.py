"""Editor's notes: what the kb team says about a paragraph without changing its text (a doubt about the source, a
translator's choice), written in the `notes` field of a section document's front matter:

    notes:
    - paragraph: 1
      text: Le texte anglais dit « Nigerians » ; il s'agit probablement de Nigériens.

`parse_notes` is the one reading of that field: `kb check` reports what it finds wrong, and the section page shows
the notes under their paragraphs, read from the document in content/ (`section_notes`; the index does not keep them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from indexer.content import split_front_matter
from kb.model import section_path

FIELD = "notes"
KEYS = ("paragraph", "text")


@dataclass(frozen=True)
class EditorNote:
    paragraph: int  # the ¶n it is about
    text: str  # in the document's language


def parse_notes(value: Any, n_paragraphs: int | None = None) -> tuple[list[EditorNote], list[str]]:
    """The notes of a `notes` field, and what is wrong with it (one message per problem, naming the note); with
    `n_paragraphs`, a note must be about one of them."""
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [f"{FIELD} must be a list of {{paragraph: N, text: ...}}"]
    notes: list[EditorNote] = []
    problems: list[str] = []
    for i, item in enumerate(value, 1):
        where = f"{FIELD}[{i}]"
        if not isinstance(item, dict) or set(item) != set(KEYS):
            problems.append(f"{where} must have exactly the keys paragraph and text")
            continue
        n, text = item["paragraph"], item["text"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1 or (n_paragraphs is not None and n > n_paragraphs):
            problems.append(f"{where}: paragraph must be the number of a paragraph of the document "
                            f"(1 to {n_paragraphs or 'N'}), not {n!r}")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: text must be a non-empty string")
        else:
            notes.append(EditorNote(n, " ".join(text.split())))
    return notes, problems


_CACHE: dict[Path, tuple[tuple[int, int], dict[int, list[str]]]] = {}
_LOCK = threading.Lock()


def section_notes(content: Path, lang: str, operation: str, year: int, section: str) -> dict[int, list[str]]:
    """¶n -> the editor's notes on it, from the section document in `content` (re-read only when it changed);
    nothing when the file is missing, unreadable or its notes are wrong (`kb check` says why)."""
    path = section_path(content, operation, year, section, lang)
    try:
        info = path.stat()
    except OSError:
        return {}
    stamp = (info.st_mtime_ns, info.st_size)
    with _LOCK:
        cached = _CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    found: dict[int, list[str]] = {}
    meta = _front_matter(path)
    notes, problems = parse_notes(meta.get(FIELD))
    if not problems:
        for note in notes:
            found.setdefault(note.paragraph, []).append(note.text)
    with _LOCK:
        _CACHE[path] = (stamp, found)
    return found


def _front_matter(path: Path) -> dict[str, Any]:
    try:
        raw, _body, _line = split_front_matter(path.read_text(encoding="utf-8-sig"))
        meta = yaml.safe_load(raw) if raw else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return meta if isinstance(meta, dict) else {}
