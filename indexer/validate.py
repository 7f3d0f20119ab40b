"""Validation for the index builder: check only what changed, yet judge the corpus as a whole.

`kb check` reads every file. A build must be faster: it fully checks the files that were added or changed (front
matter, paragraphs, language, themes; figures.yaml schema) and runs the cross-file checks (translation pairs,
duplicates) over the manifest records of the unchanged files plus the fresh records of the changed ones. It returns
the index documents of the changed files, tagged with themes, ready to write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer import check
from indexer.content import Problem, display_path
from indexer.documents import figure_documents, section_document
from indexer.figures import load_figures
from indexer.themes import load_themes, tag, tag_section

FIGURES_FILE = "figures.yaml"


def validate_corpus(
    content: Path, to_check: set[str], old: dict[str, dict[str, Any]], hashes: dict[str, str]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]], list[Problem]]:
    """(documents by file, manifest records of every file, problems) — documents only when there is no problem."""
    context = check.load_context(content)
    problems: list[Problem] = list(context.problems)
    sections, figures, records = {}, {}, {}
    for rel in sorted(to_check):
        path = content / rel
        if rel.endswith(FIGURES_FILE):
            found, more = load_figures(path, display_path(path), *_folder(rel))
            figures[rel] = found
            records[rel] = {"hash": hashes[rel], "figures": True}
        else:
            found, more = check.check_file(path, content, context)
            if found is not None:
                sections[rel] = found
                records[rel] = {**check.record_of(found), "hash": hashes[rel]}
            else:
                records[rel] = {"hash": hashes[rel], "broken": True, "translation_key": rel, "lang": "?"}
        problems.extend(more)
    records.update({rel: old[rel] for rel in hashes if rel not in to_check and rel in old})
    problems.extend(check.check_records(content, {r: v for r, v in records.items() if not v.get("figures")}))
    if problems:
        return {}, records, sorted(set(problems))
    return _documents(content, sections, figures, context), records, []


def _folder(rel: str) -> tuple[str | None, int | None]:
    parts = rel.split("/")
    if len(parts) == 3 and parts[1].isdigit():
        return parts[0], int(parts[1])
    return None, None


def _documents(content: Path, sections: dict, figures: dict, context: Any) -> dict[str, list[dict[str, Any]]]:
    vocabulary = load_themes(content)
    docs: dict[str, list[dict[str, Any]]] = {}
    for rel, section in sections.items():
        if section.draft:
            docs[rel] = []
            continue
        tag_section(section, vocabulary)
        docs[rel] = [section_document(section, rel)]
    operations = context.operations or {}
    for rel, found in figures.items():
        countries = sorted(operations.get(found.operation, set())) if found else []
        docs[rel] = figure_documents(found, rel, countries, lambda text, lang: tag(text, lang, vocabulary)) \
            if found else []
    return docs
