"""The per-file stages of a build, named for what they do: check a file, tag its paragraphs, make its documents.

`kb check` reads every file. A build must be faster: it fully checks the files that were added or changed (front
matter, paragraphs, language, themes; figures.yaml schema) and runs the cross-file checks (translation pairs,
duplicates) over the manifest records of the unchanged files plus the fresh records of the changed ones.

Each file becomes, in one call of `process_file`, a `FileResult`: its problems, its manifest record, its index
documents (tagged with themes), the counts of its words (for spelling suggestions) and, for a figures.yaml, its
parsed figures (merged into the generation's site data by indexer.site). How many files run at once,
and in which processes, is indexer.workers' job; what goes into a document is indexer.documents'.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer import check
from indexer.content import Problem, display_path
from indexer.documents import figure_documents, section_document
from indexer.figures import load_figures
from indexer.themes import Vocabulary, tag, tag_section
from kb.figures_model import Figures
from kb.model import Section

FIGURES_FILE = "figures.yaml"
WORD_RE = re.compile(r"[^\W\d_]{3,}")


@dataclass
class FileResult:
    rel: str
    record: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    words: Counter = field(default_factory=Counter)
    languages: dict[str, str] = field(default_factory=dict)  # new language-detection answers (see language.py)
    figures: Figures | None = None  # a valid figures.yaml, for the generation's site data (indexer.site)


def check_stage(content: Path, rel: str, digest: str, context: check.CheckContext
                ) -> tuple[Section | Figures | None, FileResult]:
    """Check one file on its own: the parsed section or figures (None when unreadable) and its result so far."""
    path = content / rel
    if rel.endswith(FIGURES_FILE):
        figures, problems = load_figures(path, display_path(path), *_folder(rel))
        return figures, FileResult(rel, {"hash": digest, "figures": True}, problems, figures=figures)
    section, problems = check.check_file(path, content, context)
    if section is None:
        return None, FileResult(rel, {"hash": digest, "broken": True, "translation_key": rel, "lang": "?"}, problems)
    return section, FileResult(rel, {**check.record_of(section), "hash": digest}, problems)


def tag_and_write_stage(parsed: Section | Figures, result: FileResult, context: check.CheckContext,
                        vocabulary: Vocabulary) -> None:
    """Tag a valid file's paragraphs with themes and turn it into index documents (and spelling words)."""
    if isinstance(parsed, Figures):
        countries = sorted((context.operations or {}).get(parsed.operation, set()))
        result.documents = figure_documents(parsed, result.rel, countries, lambda t, lang: tag(t, lang, vocabulary))
        return
    if parsed.draft:
        return
    tag_section(parsed, vocabulary)
    result.documents = [section_document(parsed, result.rel)]
    result.words = count_words(p.text for p in parsed.paragraphs)


def process_file(content: Path, rel: str, digest: str, context: check.CheckContext,
                 vocabulary: Vocabulary | None) -> FileResult:
    """Check one file and, when it is valid (and the theme vocabulary loaded), tag it and build its documents."""
    parsed, result = check_stage(content, rel, digest, context)
    if parsed is not None and not result.problems and vocabulary is not None:
        tag_and_write_stage(parsed, result, context, vocabulary)
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


def context_problems(content: Path) -> list[Problem]:
    """Problems of operations.yaml and themes.yaml themselves."""
    return list(check.load_context(content).problems)


def cross_file_problems(content: Path, records: dict[str, dict[str, Any]]) -> list[Problem]:
    """Duplicates and translation pairs, over the records of every section document."""
    return check.check_records(content, {rel: r for rel, r in records.items() if not r.get("figures")})
