"""Editor's notes: what the kb team says about a paragraph without changing its text (a doubt about the source, a
translator's choice), written in the `notes` field of a section document's front matter:

    notes:
    - paragraph: 1
      text: Le texte anglais dit « Nigerians » ; il s'agit probablement de Nigériens.

`parse_notes` is the one reading of that field: `kb check` reports what it finds wrong, and the builder keeps the
notes with the section's stored document (`notes`), from which the section page shows them under their paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
