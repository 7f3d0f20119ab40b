"""One-language variant of a content folder: each section kept in English or in French only, never both.

    python bench/one_language.py SOURCE TARGET

Copies SOURCE (a `content/` folder) to TARGET (which must not exist). Every other file (operations.yaml,
themes.yaml, figures.yaml, a glossary) is copied as it is. Of each section that exists in both languages, one file
is kept: the sections' translation keys (`<operation>/<year>/<section>`) are sorted and taken in turn, English
first, so the split is deterministic, half and half (to one section), and alternates within every operation and
year. The bundled Mali 2020 page keeps `flexible-funding`, `key-priorities` (civil documentation, statelessness),
`population-trends` (IDPs) and `working-environment` in English, and `key-achievements`, `operational-context` and
`unmet-needs` (birth certificates, voluntary repatriation) in French. A kept file that was a translation loses its
`translated_from` line: alone, it is an original (docs/content-format.md). Sections that already exist in one
language are kept as they are.

Used by bench/search_quality.py and tests/test_search_quality.py: on such a corpus an English query can answer
only from the French-only sections through cross-language search, and back.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

LANGS = ("en", "fr")  # the order in which keys take turns
SECTION_FILE = re.compile(r"^(?P<slug>[^.]+)\.(?P<lang>en|fr)\.md$")
TRANSLATED_FROM = re.compile(r"^translated_from: .*\n", re.M)


def section_files(root: Path) -> dict[str, dict[str, Path]]:
    """Translation key -> {language: file} of every section document under `root`."""
    found: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted(root.rglob("*.md")):
        match = SECTION_FILE.match(path.name)
        if match and len(path.relative_to(root).parts) == 3:  # <operation>/<year>/<section>.<lang>.md
            key = f"{path.parent.relative_to(root).as_posix()}/{match['slug']}"
            found[key][match["lang"]] = path
    return dict(found)


def kept_languages(keys: Sequence[str]) -> dict[str, str]:
    """The language kept for each key: sorted keys take turns, English first."""
    return {key: LANGS[i % len(LANGS)] for i, key in enumerate(sorted(keys))}


def as_original(text: str) -> str:
    """A section file's text without `translated_from` in its front matter (the body is left alone)."""
    _, front, body = text.split("---\n", 2)
    return f"---\n{TRANSLATED_FROM.sub('', front)}---\n{body}"


def one_language_copy(source: Path, target: Path) -> dict[str, str]:
    """Copy `source` to `target` keeping each bilingual section in one language; returns key -> kept language
    (for every section of the copy, bilingual or not in `source`)."""
    sections = section_files(source)
    pairs = [key for key, files in sections.items() if len(files) == len(LANGS)]
    kept = {key: next(iter(files)) for key, files in sections.items()} | kept_languages(pairs)
    dropped = {sections[key][lang] for key in pairs for lang in LANGS if lang != kept[key]}
    originals = {sections[key][kept[key]] for key in pairs}
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path in dropped:
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path in originals:
            out.write_bytes(as_original(path.read_text(encoding="utf-8")).encode("utf-8"))
        else:
            shutil.copyfile(path, out)
    return kept


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    source, target = Path(args[0]), Path(args[1])
    if not source.is_dir():
        print(f"{source}: no such folder", file=sys.stderr)
        return 2
    if target.exists():
        print(f"{target}: already exists", file=sys.stderr)
        return 2
    kept = one_language_copy(source, target)
    french = sum(lang == "fr" for lang in kept.values())
    print(f"{len(kept)} sections copied to {target}: {len(kept) - french} in English only, {french} in French only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
