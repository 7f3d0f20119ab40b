"""Paragraph identifiers in content files: how one is written (`{#k3f9a}` at the end of its paragraph), read back,
made fresh, and shared by a document and its translation.

The identifier is a trailing attribute in the syntax of Pandoc, kramdown and markdown-it-attrs: it sits on the
paragraph's own line, so it travels with the paragraph when an editor moves, rewords or copies it, and a diff shows
it next to the text it names. `indexer.content.split_paragraphs` takes it off the text before anything else (index,
themes, language, rendering) sees the paragraph. The rules an identifier follows are `kb.model.is_paragraph_id`'s;
keeping identifiers across a re-import is `indexer.id_matching`'s job; adding missing ones is `kb ids`
(`indexer.ids_command`).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence

from kb.model import is_paragraph_id

# `{#…}` at the very end of a paragraph, after a space: what is read as its identifier (and checked by kb check).
ATTRIBUTE_RE = re.compile(r"(?<=\s)\{#([^\s{}]*)\}$")
# In imported text, something that would be read as an attribute is escaped (`\{#…}` is Markdown for `{#…}`).
_LOOKALIKE_RE = re.compile(r"(\s)\{(#[^\s{}]*\})$")

LETTERS = "abcdefghijkmnpqrstuvwxyz"  # no l or o: identifiers are read aloud and copied from paper
DIGITS = "23456789"  # no 0 or 1, likewise
LENGTH = 5


def split_id(text: str) -> tuple[str, str | None]:
    """A paragraph's text without its trailing `{#…}`, and what the attribute says (None when there is none).

    The value comes back as written, valid or not: `kb check` reports one that is not an identifier."""
    match = ATTRIBUTE_RE.search(text)
    if match is None:
        return text, None
    return text[: match.start()].rstrip(), match.group(1)


def with_id(line: str, identifier: str) -> str:
    """A paragraph's last line with its identifier written at the end."""
    return f"{line.rstrip()} {{#{identifier}}}"


def escape_lookalike(text: str) -> str:
    """Imported text that ends like an identifier attribute keeps it as text."""
    return _LOOKALIKE_RE.sub(r"\1\\{\2", text)


def fresh_id(seed: str, taken: Iterable[str]) -> str:
    """A new identifier, none of `taken` (the section's live and retired identifiers, in both languages).

    It is derived from `seed` (the section's translation key and the paragraph's text: `seed_of`), so that importing
    the same page into an empty folder, or running kb ids on the same files, gives the same identifiers; when the
    derived one is taken, the next derivation is tried."""
    taken = set(taken)
    for attempt in itertools.count():
        digest = hashlib.sha256(f"{seed}\n{attempt}".encode()).digest()
        candidate = LETTERS[digest[0] % len(LETTERS)] + "".join(
            (LETTERS + DIGITS)[byte % len(LETTERS + DIGITS)] for byte in digest[1:LENGTH])
        if any(c in DIGITS for c in candidate) and is_paragraph_id(candidate) and candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def seed_of(translation_key: str, text: str) -> str:
    """What a fresh identifier is derived from: the section, and the paragraph's text in the original language."""
    return f"{translation_key}\n{text}"


def complete_pair(ids: Sequence[str | None], twin: Sequence[str | None] | None, taken: Iterable[str],
                  seeds: Sequence[str]) -> tuple[list[str], list[str] | None]:
    """Fill the missing identifiers of a document and of its translation (`twin`, same number of paragraphs).

    At each position, an identifier one side has and the other lacks is copied across (¶n of one language is ¶n of
    the other); a position neither has gets one fresh identifier for both. Without a twin, every missing one is
    fresh (derived from `seeds[k]`, see `fresh_id`). `taken` are identifiers never to give (retired ones)."""
    if twin is not None and len(twin) != len(ids):
        raise ValueError("a document and its translation must have the same number of paragraphs")
    mine, theirs = list(ids), list(twin) if twin is not None else None
    used = set(taken) | {i for i in mine if i} | {i for i in theirs or () if i}
    for k, current in enumerate(mine):
        other = theirs[k] if theirs is not None else None
        if current is None and other is not None and other not in mine:
            mine[k] = other
        elif current is not None and theirs is not None and other is None and current not in theirs:
            theirs[k] = current
        elif current is None:
            mine[k] = fresh_id(seeds[k], used)
            used.add(mine[k])
            if theirs is not None and other is None:
                theirs[k] = mine[k]
    for k, other in enumerate(theirs or ()):
        if other is None:  # the identifier it would have copied is used elsewhere in it
            theirs[k] = fresh_id(seeds[k] + "\ntranslation", used)  # type: ignore[index]
            used.add(theirs[k])  # type: ignore[index]
    return [i for i in mine if i], [i for i in theirs if i] if theirs is not None else None


# ------------------------------------------------------------------------------------------------- what kb check says

RULE = "five lower-case letters and digits, a letter first and at least one digit, like k3f9a"


def document_problems(ids: Sequence[str | None], retired: Sequence[object]) -> list[tuple[int, str]]:
    """What is wrong with one document's identifiers, as (¶n or 0 for the front matter, message)."""
    found: list[tuple[int, str]] = []
    first: dict[str, int] = {}
    for n, identifier in enumerate(ids, 1):
        if identifier is None:
            continue
        if not is_paragraph_id(identifier):
            found.append((n, f"¶{n}: {{#{identifier}}} is not a paragraph identifier ({RULE}); delete it and run "
                             "kb ids"))
        elif identifier in first:
            found.append((n, f"¶{n} has the identifier {identifier} of ¶{first[identifier]}: an identifier names one "
                             "paragraph (delete this one's and run kb ids)"))
        else:
            first[identifier] = n
    missing = [n for n, identifier in enumerate(ids, 1) if identifier is None]
    if missing and len(missing) < len(ids):
        shown = ", ".join(f"¶{n}" for n in missing[:5]) + (", …" if len(missing) > 5 else "")
        found.append((missing[0], f"{shown} {'has' if len(missing) == 1 else 'have'} no identifier while the other "
                                  "paragraphs have one: run kb ids"))
    for value in retired:
        if not isinstance(value, str) or not is_paragraph_id(value):
            found.append((0, f"retired_ids: {value!r} is not a paragraph identifier ({RULE})"))
        elif value in first:
            found.append((0, f"retired_ids: {value} is the identifier of ¶{first[value]}; a retired identifier is "
                             "never given again"))
    return found


def pair_problems(mine: Sequence[str | None], theirs: Sequence[str | None], twin: str) -> list[str]:
    """A translation and its original share their identifiers, ¶n for ¶n (same number of paragraphs assumed)."""
    if not any(mine) and not any(theirs):
        return []
    if not any(mine) or not any(theirs):
        where = "here" if not any(mine) else f"in its twin {twin}"
        return [f"no paragraph identifiers {where}, but the other language has them: run kb ids"]
    return [f"¶{n} is {{#{a}}} here but {{#{b}}} in its twin {twin}: a paragraph and its translation share their "
            "identifier" for n, (a, b) in enumerate(zip(mine, theirs, strict=True), 1) if a and b and a != b][:1]


def retired_in_twin(mine: Sequence[str | None], their_retired: Sequence[object], twin: str) -> list[str]:
    """A paragraph whose identifier its translation (or original) retired: it was removed there."""
    retired = {value for value in their_retired if isinstance(value, str)}
    return [f"¶{n}'s identifier {a} is retired in its twin {twin} (its paragraph was removed there): remove this "
            "paragraph too" for n, a in enumerate(mine, 1) if a in retired][:1]
