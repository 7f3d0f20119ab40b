"""The property of permalinks: whatever sequence of edits a section goes through — paragraphs inserted, deleted,
reworded, reordered, the page re-imported — every permalink made earlier, in either language, lands on the paragraph
it was made for (in its current words), or, once that paragraph is gone, on the section with a notice; and an
identifier never names two paragraphs.

The section lives as an editor and a translator keep it: the source page (English) changes, the translator follows
in the French file by hand (a new paragraph is written without an identifier), and `kb import --force` then `kb ids`
bring the English file (and the French identifiers) up to date. Between imports the English file is the previous
import. Each step checks every link through the stored document the builder makes and the lookup the permalink route
uses; at the end of each run the section is built into an index and every link is followed over HTTP.

A rewording changes one word; a paragraph is reworded at most `MAX_REWORDS` times between two imports (rewritten
beyond that, it is another paragraph, which `indexer.id_matching` rightly treats as new). No two paragraphs have the
same words. `KB_PERMALINK_EXAMPLES`
sets the number of runs (default 25).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from indexer.content import section_from, split_front_matter
from indexer.documents import section_document
from indexer.ids_command import run_ids
from indexer.importer import run_import
from indexer.language import detect
from kb import create_app
from kb.engine.stored import StoredDocument, decode
from tests.conftest import ContentBuilder
from tests.support import CONTENT, build, landing

EXAMPLES = int(os.environ.get("KB_PERMALINK_EXAMPLES", "25"))
MAX_REWORDS = 3
SECTION = "mali/2020/unmet-needs"
LANGS = ("en", "fr")


def vocabulary(lang: str) -> set[str]:
    """Words of the corpus in one language."""
    text = " ".join(path.read_text(encoding="utf-8").split("---", 2)[2] for path in CONTENT.glob(f"*/*/*.{lang}.md"))
    return {w for w in re.findall(r"[^\W\d_]{4,}", re.sub(r"\{#\w+\}", "", text.lower()))}


# Words of one language only, so that a paragraph reads as its language (kb check judges it before a build).
WORDS = {lang: sorted(vocabulary(lang) - vocabulary(other)) for lang, other in (("en", "fr"), ("fr", "en"))}


def readable(make: Callable[[], str], lang: str) -> str:
    """The first text `make` gives that does not read as the other language."""
    while detect(text := make()) not in (lang, None):
        pass
    return text


def sentence(rng: random.Random, lang: str) -> str:
    return readable(lambda: " ".join(rng.choice(WORDS[lang]) for _ in range(rng.randint(12, 18))).capitalize()
                    + ".", lang)


def reworded(text: str, rng: random.Random, lang: str) -> str:
    words = text.rstrip(".").split(" ")

    def once() -> str:
        changed = list(words)
        changed[rng.randrange(len(changed))] = rng.choice(WORDS[lang])
        return " ".join(changed) + "."
    return readable(once, lang)


@dataclass
class Para:
    serial: int  # who the paragraph is, whatever its words or place
    en: str  # in the source page
    fr: str  # in the French file
    rewords: int = 0  # English rewordings since the last import


class Section(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="kb-permalinks-"))
        self.content = self.root / "content"
        ContentBuilder(self.content).operations()
        shutil.copy(CONTENT / "themes.yaml", self.content / "themes.yaml")  # without it nothing is indexed
        self.serials = iter(range(1, 10**6))
        self.model = [self.new_para(random.Random(n)) for n in range(3)]
        self.imported: list[tuple[int, str]] = []  # (serial, English text) as of the last import
        self.links: dict[tuple[str, str], int] = {}  # (lang, identifier) -> the serial it was made for
        self.write_french([f"- {p.fr}" for p in self.model])
        self.reimport()

    def new_para(self, rng: random.Random) -> Para:
        """A paragraph whose words no other has: two with the same words, moved among themselves, could not be told
        apart (paragraphs with the same words keep their order: tests/test_paragraph_ids.py)."""
        serial = next(self.serials)
        rng.seed(f"{rng.random()}/{serial}")
        return Para(serial, sentence(rng, "en"), sentence(rng, "fr"))

    # ------------------------------------------------------------------------------------------ the files

    def path(self, lang: str) -> Path:
        return self.content / f"{SECTION}.{lang}.md"

    def french_lines(self) -> list[str]:
        return self.path("fr").read_text(encoding="utf-8").split("---\n\n", 1)[1].rstrip("\n").split("\n")

    def write_french(self, lines: list[str]) -> None:
        builder = ContentBuilder(self.content)
        meta = builder.front_matter("mali", 2020, "unmet-needs", "fr", source="page.txt")
        builder.write(f"{SECTION}.fr.md", builder.document_text(meta, lines))

    def stored(self, lang: str) -> StoredDocument:
        """The document the builder would store for the file, decoded as the web decodes it."""
        raw, body, line = split_front_matter(self.path(lang).read_text(encoding="utf-8"))
        section = section_from(self.path(lang), yaml.safe_load(raw or ""), body, line, "")
        return decode(section_document(section, f"{SECTION}.{lang}.md"))

    def reimport(self) -> None:
        page = self.root / "page.txt"
        page.write_text("Operation: Mali\n\nUnmet needs\n\n" + "".join(f"  • {p.en}\n" for p in self.model),
                        encoding="utf-8")
        assert run_import(page, self.content, operation="mali", year=2020, force=True) == 0
        assert run_ids(self.content) == 0  # the translator's new paragraphs get the English identifiers
        self.imported = [(p.serial, p.en) for p in self.model]
        for p in self.model:
            p.rewords = 0
        documents = {lang: self.stored(lang) for lang in LANGS}
        assert [p.id for p in documents["en"].paragraphs] == [p.id for p in documents["fr"].paragraphs]
        for lang, document in documents.items():
            assert [p.text for p in document.paragraphs] == [getattr(p, lang) for p in self.model]
            for para, serial in zip(document.paragraphs, (p.serial for p in self.model), strict=True):
                assert para.id and self.links.setdefault((lang, para.id), serial) == serial, "an identifier reused"
        owners = {(identifier, serial) for (_lang, identifier), serial in self.links.items()}
        assert len({identifier for identifier, _ in owners}) == len(owners), "an identifier names two paragraphs"

    # ------------------------------------------------------------------------------------------ the edits

    @rule(seed=st.integers(0, 2**32), where=st.integers(0, 50))
    def insert(self, seed: int, where: int) -> None:
        k = where % (len(self.model) + 1)
        para = self.new_para(random.Random(f"{seed}/{len(self.model)}/{k}"))
        self.model.insert(k, para)
        lines = self.french_lines()
        lines.insert(k, f"- {para.fr}")  # written without an identifier: kb ids gives it the English one
        self.write_french(lines)

    @precondition(lambda self: len(self.model) > 1)
    @rule(where=st.integers(0, 50))
    def delete(self, where: int) -> None:
        k = where % len(self.model)
        self.model.pop(k)
        lines = self.french_lines()
        lines.pop(k)
        self.write_french(lines)

    @rule(where=st.integers(0, 50), seed=st.integers(0, 2**32), lang=st.sampled_from(LANGS))
    def reword(self, where: int, seed: int, lang: str) -> None:
        rng = random.Random(seed)
        if lang == "en":  # in the source page
            candidates = [p for p in self.model if p.rewords < MAX_REWORDS]
            if candidates:
                para = candidates[where % len(candidates)]
                para.en, para.rewords = reworded(para.en, rng, "en"), para.rewords + 1
            return
        k = where % len(self.model)  # in the French file, by hand: the identifier stays at the end of the line
        lines = self.french_lines()
        old = self.model[k].fr
        self.model[k].fr = reworded(old, rng, "fr")
        lines[k] = lines[k].replace(f"- {old}", f"- {self.model[k].fr}", 1)
        self.write_french(lines)

    @rule(moved=st.integers(0, 50), to=st.integers(0, 50))
    def reorder(self, moved: int, to: int) -> None:
        i, j = moved % len(self.model), to % len(self.model)
        self.model.insert(j, self.model.pop(i))
        lines = self.french_lines()
        lines.insert(j, lines.pop(i))  # the whole line moves, its identifier with it
        self.write_french(lines)

    @rule()
    def reimport_the_page(self) -> None:
        self.reimport()

    # ------------------------------------------------------------------------------------------ the property

    def expected(self, lang: str) -> dict[int, str]:
        """Serial -> text of the paragraphs the file has now (English: as of the last import)."""
        return dict(self.imported) if lang == "en" else {p.serial: p.fr for p in self.model}

    @invariant()
    def every_earlier_link_lands(self) -> None:
        for lang in LANGS:
            document, now = self.stored(lang), self.expected(lang)
            for (link_lang, identifier), serial in self.links.items():
                if link_lang != lang:
                    continue
                found = document.find(identifier)
                if serial in now:
                    assert found is not None and found.text == now[serial], (lang, identifier, serial)
                else:
                    assert found is None, (lang, identifier, "a removed paragraph's identifier was given again")
                    assert lang == "fr" or identifier in document.retired_ids  # a re-import retires it

    def teardown(self) -> None:
        try:
            self.reimport()  # the translation is up to date: the section must build
            build(self.content, self.root / "instance")
            client = create_app({"TESTING": True}, instance_path=self.root / "instance").test_client()
            for (lang, identifier), serial in self.links.items():
                text, notice = landing(client, f"/{lang}/{SECTION}/p/{identifier}")
                now = self.expected(lang)
                assert (text, notice == "") == ((now[serial], True) if serial in now else (None, False))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


Section.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=12, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
test_every_earlier_permalink_lands = Section.TestCase
