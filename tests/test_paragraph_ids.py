"""Paragraph identifiers in content files: `kb check` says what is wrong with them, `kb ids` adds the missing ones
(the same in a document and its translation), `kb import` keeps them across a re-import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result

from indexer.content import split_front_matter, split_paragraphs
from indexer.id_matching import match_ids
from indexer.importer import checksum_state
from indexer.paragraph_ids import fresh_id
from kb.cli import main
from kb.model import is_paragraph_id
from tests.support import SEED, copy_content

if TYPE_CHECKING:
    from tests.conftest import ContentBuilder

EN = ["First paragraph about refugees in the north. {#ab2cd}", "Second paragraph about schools. {#ef3gh}"]
FR = ["Premier paragraphe sur les réfugiés du nord. {#ab2cd}", "Deuxième paragraphe sur les écoles. {#ef3gh}"]


def kb(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def ids_of(path: Path) -> list[str | None]:
    _raw, body, _line = split_front_matter(path.read_text(encoding="utf-8"))
    return [p.id for p in split_paragraphs(body)]


def problems(content: Path) -> list[str]:
    result = kb("check", "--content", str(content))
    return [line for line in result.output.splitlines() if not line.startswith("kb check:")]


def test_the_identifier_is_read_off_the_paragraph() -> None:
    paragraphs = split_paragraphs("Some text. {#ab2cd}\n\n- item {#ef3gh}\n- Not one \\{#ab2cd}\n")
    assert [(p.text, p.id) for p in paragraphs] == [
        ("Some text.", "ab2cd"), ("item", "ef3gh"), ("Not one \\{#ab2cd}", None)]
    assert [p.anchor for p in paragraphs] == ["ab2cd", "ef3gh", "p3"]


def test_what_an_identifier_looks_like() -> None:
    assert is_paragraph_id("k3f9a") and is_paragraph_id("a2345")
    for wrong in ("K3F9A", "3kf9a", "abcde", "k3f9", "k3f9ab", "p1234", "k3-9a"):
        assert not is_paragraph_id(wrong), wrong
    fresh = fresh_id("mali/2020/unmet-needs\nSome text", set())
    assert is_paragraph_id(fresh) and fresh == fresh_id("mali/2020/unmet-needs\nSome text", set())  # reproducible
    assert fresh_id("mali/2020/unmet-needs\nSome text", {fresh}) != fresh  # never a taken one


def test_kb_check_reports_each_wrong_identifier(valid_content: Path, content_builder: ContentBuilder) -> None:
    b = content_builder
    en = b.section("mali", 2001, "unmet-needs", "en", [EN[0], "Second paragraph about schools. {#ab2cd}"])
    fr = b.section("mali", 2001, "unmet-needs", "fr", FR)
    bad = b.section("mali", 2002, "unmet-needs", "en", ["First paragraph about refugees in the north. {#AB}",
                                                        "Second paragraph about schools."], retired_ids=["xx"])
    b.section("mali", 2002, "unmet-needs", "fr", ["Premier paragraphe sur les réfugiés du nord.",
                                                  "Deuxième paragraphe sur les écoles."])
    fr2 = b.root / "mali/2002/unmet-needs.fr.md"
    assert problems(b.root) == [
        f"{en}:15: ¶2 has the identifier ab2cd of ¶1: an identifier names one paragraph (delete this one's and run "
        "kb ids)",
        f"{fr}:1: ¶2 is {{#ef3gh}} here but {{#ab2cd}} in its twin {en}: a paragraph and its translation share their "
        "identifier",
        f"{bad}:11: retired_ids: 'xx' is not a paragraph identifier (five lower-case letters and digits, a letter "
        "first and at least one digit, like k3f9a)",
        f"{bad}:15: ¶1: {{#AB}} is not a paragraph identifier (five lower-case letters and digits, a letter first and "
        "at least one digit, like k3f9a); delete it and run kb ids",
        f"{bad}:17: ¶2 has no identifier while the other paragraphs have one: run kb ids",
        f"{fr2}:1: no paragraph identifiers here, but the other language has them: run kb ids",
    ]


def test_kb_check_wants_twins_to_agree(valid_content: Path, content_builder: ContentBuilder) -> None:
    b = content_builder
    b.section("mali", 2001, "unmet-needs", "en", EN, retired_ids=["zz9zz"])
    fr = b.section("mali", 2001, "unmet-needs", "fr", [FR[0], "Deuxième paragraphe sur les écoles. {#zz9zz}"])
    en2 = b.section("mali", 2002, "unmet-needs", "en", EN)
    fr2 = b.section("mali", 2002, "unmet-needs", "fr", [re.sub(r" \{#.*", "", text) for text in FR])
    assert problems(b.root) == [
        f"{fr}:1: ¶2 is {{#zz9zz}} here but {{#ef3gh}} in its twin {b.root / 'mali/2001/unmet-needs.en.md'}: a "
        "paragraph and its translation share their identifier",
        f"{fr}:1: ¶2's identifier zz9zz is retired in its twin {b.root / 'mali/2001/unmet-needs.en.md'} (its "
        "paragraph was removed there): remove this paragraph too",
        f"{fr2}:1: no paragraph identifiers here, but the other language has them: run kb ids",
    ]
    assert en2.exists()


def test_files_without_identifiers_still_pass(valid_content: Path) -> None:
    assert problems(valid_content) == []


def test_kb_ids_adds_the_same_identifiers_to_both_languages(valid_content: Path) -> None:
    en, fr = valid_content / "mali/2020/unmet-needs.en.md", valid_content / "mali/2020/unmet-needs.fr.md"
    before = en.read_text(encoding="utf-8")
    result = kb("ids", "--content", str(valid_content))
    assert result.exit_code == 0 and "kb ids: 4 files written, 0 skipped" in result.output
    assert all(ids_of(en)) and ids_of(en) == ids_of(fr)
    assert re.sub(r" \{#[a-z0-9]{5}\}", "", en.read_text(encoding="utf-8")) == before  # nothing else changed
    assert problems(valid_content) == []
    again = kb("ids", "--content", str(valid_content))
    assert "kb ids: 0 files written, 0 skipped" in again.output  # nothing to do twice


def test_kb_ids_copies_the_original_identifier_to_a_new_translated_paragraph(
        valid_content: Path, content_builder: ContentBuilder) -> None:
    b = content_builder
    en = b.section("mali", 2001, "unmet-needs", "en", EN + ["A third paragraph, imported, on drinking water. {#gh4jk}"])
    fr = b.section("mali", 2001, "unmet-needs", "fr", FR + ["Un troisième paragraphe, traduit, sur l'eau potable."])
    both = b.section("mali", 2002, "unmet-needs", "en", [EN[0], "Added by hand above the second paragraph.", EN[1]])
    b.section("mali", 2002, "unmet-needs", "fr", [FR[0], "Ajouté à la main au-dessus du deuxième paragraphe.", FR[1]])
    assert kb("ids", "--content", str(b.root)).exit_code == 0
    assert ids_of(fr) == ids_of(en) == ["ab2cd", "ef3gh", "gh4jk"]
    assert ids_of(both) == ids_of(b.root / "mali/2002/unmet-needs.fr.md")
    assert ids_of(both)[0::2] == ["ab2cd", "ef3gh"] and is_paragraph_id(ids_of(both)[1] or "")
    assert problems(b.root) == []


def test_kb_ids_leaves_twins_of_different_lengths_alone(valid_content: Path, content_builder: ContentBuilder) -> None:
    b = content_builder
    en = b.section("mali", 2001, "unmet-needs", "en", EN + ["Third paragraph, added by hand about water."])
    fr = b.section("mali", 2001, "unmet-needs", "fr", FR)
    result = kb("ids", "--content", str(b.root))
    assert result.exit_code == 1
    assert f"{en}: skipped: 3 paragraphs here but 2 in {fr}: bring the translation up to date" in result.output
    assert ids_of(en)[2] is None


def test_kb_ids_keeps_an_imported_file_untouched_for_the_importer(tmp_path: Path) -> None:
    content = tmp_path / "content"
    copy_content(content)
    path = content / "mali/2020/unmet-needs.en.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r" \{#[a-z0-9]{5}\}", "", text), encoding="utf-8")  # as imported before identifiers
    kb("ids", "--content", str(content))
    assert checksum_state(path.read_bytes()) == "valid" and path.read_text(encoding="utf-8") == text
    result = kb("import", str(SEED), "--content", str(content))
    assert result.exit_code == 0 and "0 written" in result.output  # importing again changes nothing


def test_match_ids_follows_rewording_and_reordering() -> None:
    old = [("aa2aa", "UNHCR registered 17,041 refugees in the Menaka region during the year."),
           ("bb2bb", "School infrastructure needs remained unmet in refugee-hosting areas."),
           ("cc2cc", "Durable shelter solutions were constrained by funding."),
           ("dd2dd", "Same text."), ("ee2ee", "Same text.")]
    new = ["Durable shelter solutions were severely constrained by a lack of funding.",
           "A new paragraph on statelessness and birth registration campaigns.",
           "UNHCR registered 17,041 refugees in the Menaka and Gao regions during the year.",
           "Same text.", "Same text."]
    assert match_ids(old, new) == ["cc2cc", None, "aa2aa", "dd2dd", "ee2ee"]  # bb2bb was removed
    twins = [("aa2aa", "First."), ("dd2dd", "Same text."), ("ee2ee", "Same text."), ("ff2ff", "Last.")]
    assert match_ids(twins, ["Same text.", "Same text.", "Last."]) == ["dd2dd", "ee2ee", "ff2ff"]  # order kept
    assert match_ids(twins, ["First.", "Same text.", "New.", "Same text."]) == ["aa2aa", "dd2dd", None, "ee2ee"]


def test_a_reimport_keeps_identifiers_and_retires_the_removed_ones(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    path = content / "mali/2020/unmet-needs.en.md"
    before = ids_of(path)
    text = SEED.read_text(encoding="utf-8")
    page = tmp_path / SEED.name
    removed = "  • School infrastructure needs remained unmet in some refugee-hosting areas, despite major achievements"
    reworded = "Child documentation remained a critical issue."
    page.write_text(text.replace(removed + ".\xa0\n", "").replace(reworded, reworded.replace("a ", "a very ")),
                    encoding="utf-8")
    assert page.read_text(encoding="utf-8") != text
    result = kb("import", str(page), "--content", str(content))
    assert result.exit_code == 0, result.output
    assert ids_of(path) == [before[0], *before[2:]]
    assert f"retired_ids:\n- {before[1]}\n" in path.read_text(encoding="utf-8")
