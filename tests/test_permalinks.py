"""Permalinks that survive edits, followed over HTTP as a browser would: a paragraph inserted above (in both
languages), a paragraph reworded, the page re-imported with --force — every permalink made before still lands on its
paragraph, in both languages; a removed paragraph's permalink lands on the section with a notice; `#pN` and the
positional `/p/N` keep working; malformed paragraph addresses are 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from indexer.content import split_front_matter, split_paragraphs
from kb.cli import main
from tests.support import SEED, Site, build, clone_site, edit, landing, make_app

SECTION = "mali/2020/unmet-needs"
INSERTED = {
    "en": "UNHCR could not complete the planned verification of refugee households in the Ménaka region because of "
          "insecurity on the roads.",
    "fr": "Le HCR n'a pas pu achever la vérification prévue des ménages réfugiés dans la région de Ménaka en raison "
          "de l'insécurité sur les routes.",
}
FIRST = {"en": "UNHCR was unable to register 17,041", "fr": "Le HCR n'a pas pu enregistrer"}


def kb(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def texts(content: Path, lang: str) -> dict[str, str]:
    """Identifier -> text of the section's paragraphs in `lang`, as the file says now."""
    _raw, body, _line = split_front_matter((content / f"{SECTION}.{lang}.md").read_text(encoding="utf-8"))
    return {p.id: p.text for p in split_paragraphs(body) if p.id}


def permalinks(client: FlaskClient, lang: str) -> dict[str, str]:
    """Permalink -> paragraph identifier, for every paragraph of the section as the site serves it now."""
    paragraphs = client.get(f"/api/sections/{lang}/{SECTION}").get_json()["paragraphs"]
    return {p["permalink"]: p["id"] for p in paragraphs}


def assert_all_land(client: FlaskClient, content: Path, links: dict[str, dict[str, str]]) -> None:
    """Each permalink lands on the paragraph it was made for, in the words the file gives it now."""
    for lang, made in links.items():
        now = texts(content, lang)
        for url, identifier in made.items():
            assert landing(client, url) == (now[identifier], ""), url


@pytest.fixture()
def site(built_site: Site, tmp_path: Path) -> tuple[Path, Path, FlaskClient]:
    """A built copy of the site, to edit."""
    content, instance = clone_site(built_site, tmp_path)
    return content, instance, make_app(instance).test_client()


def test_insert_above_reword_and_reimport_keep_every_permalink(site: tuple[Path, Path, FlaskClient],
                                                               tmp_path: Path) -> None:
    content, instance, client = site
    before = {lang: permalinks(client, lang) for lang in ("en", "fr")}
    en, fr = content / f"{SECTION}.en.md", content / f"{SECTION}.fr.md"

    # by hand: a paragraph above the first, in both languages; a rewording in English; then kb ids
    for lang, path in (("en", en), ("fr", fr)):
        edit(path, f"\n- {FIRST[lang]}", f"\n- {INSERTED[lang]}\n- {FIRST[lang]}")
    edit(en, "Conditions for promoting the voluntary return", "Conditions for encouraging the voluntary return")
    assert kb("ids", "--content", str(content)).exit_code == 0
    assert kb("check", "--content", str(content)).exit_code == 0
    build(content, instance)
    assert_all_land(client, content, before)
    assert landing(client, f"/en/{SECTION}/p/1")[0] == INSERTED["en"]  # a positional link means "¶1 now": it moved
    new = next(i for i, text in texts(content, "en").items() if text == INSERTED["en"])
    assert texts(content, "fr")[new] == INSERTED["fr"]  # the paragraph and its translation share the identifier
    after_edit = {lang: permalinks(client, lang) for lang in ("en", "fr")}

    # the page itself now says so (and rewords one more paragraph): re-imported over the edited file with --force
    page = tmp_path / SEED.name
    source = SEED.read_text(encoding="utf-8")
    page.write_text(source.replace(f"  • {FIRST['en']}", f"  • {INSERTED['en']}\n  • {FIRST['en']}")
                    .replace("Conditions for promoting", "Conditions for encouraging")
                    .replace("Durable shelter solutions and support", "Lasting shelter solutions and support"),
                    encoding="utf-8")
    imported = kb("import", str(page), "--content", str(content), "--force")
    assert imported.exit_code == 0 and "overwritten (--force)" in imported.output
    assert texts(content, "en")[new] == INSERTED["en"]
    assert any(text.startswith("Lasting shelter solutions") for text in texts(content, "en").values())
    assert kb("ids", "--content", str(content)).output.endswith("kb ids: 0 files written, 0 skipped\n")
    assert kb("check", "--content", str(content)).exit_code == 0
    build(content, instance)
    assert_all_land(client, content, before)
    assert_all_land(client, content, after_edit)
    assert len(before["en"]) == 5 and len(after_edit["en"]) == len(after_edit["fr"]) == 6


def test_a_removed_paragraph_lands_on_the_section_with_a_notice(site: tuple[Path, Path, FlaskClient],
                                                                tmp_path: Path) -> None:
    content, instance, client = site
    before = {lang: permalinks(client, lang) for lang in ("en", "fr")}
    removed = "Child documentation remained a critical issue."
    gone = next(i for i, text in texts(content, "en").items() if text.startswith(removed))
    page = tmp_path / SEED.name
    lines = SEED.read_text(encoding="utf-8").split("\n")
    page.write_text("\n".join(line for line in lines if removed not in line), encoding="utf-8")
    assert kb("import", str(page), "--content", str(content)).exit_code == 0  # untouched since import: no --force
    french = content / f"{SECTION}.fr.md"  # the translator follows: the paragraph's line goes
    lines = french.read_text(encoding="utf-8").split("\n")
    french.write_text("\n".join(line for line in lines if not line.endswith(f"{{#{gone}}}")), encoding="utf-8")
    assert kb("check", "--content", str(content)).exit_code == 0
    build(content, instance)
    for lang, made in before.items():
        now = texts(content, lang)
        for url, identifier in made.items():
            if identifier == gone:
                text, notice = landing(client, url)
                said = {"en": f"({gone}) was removed from this", "fr": f"({gone}) a été retiré de cette"}[lang]
                assert text is None and said in notice  # in the page's own language
            else:
                assert landing(client, url) == (now[identifier], "")
    english_ui = client.get(f"/fr/{SECTION}/p/{gone}?ui=en", follow_redirects=True).get_data(as_text=True)
    assert f"The paragraph this link points to ({gone}) was removed" in english_ui


def test_older_links_and_odd_addresses(site: tuple[Path, Path, FlaskClient]) -> None:
    content, _instance, client = site
    third = list(texts(content, "en"))[2]
    html = client.get(f"/en/{SECTION}").get_data(as_text=True)
    assert f'id="{third}" data-ref="{third}" data-n="3">' in html and '<span class="anchor" id="p3"></span>' in html
    assert client.get(f"/en/{SECTION}/p/3").headers["Location"] == f"/en/{SECTION}?para={third}#{third}"
    assert client.get(f"/en/{SECTION}/p/{third}?ui=fr").headers["Location"] == (
        f"/en/{SECTION}?ui=fr&para={third}#{third}")  # the interface language stays
    for odd in ("p3", "03", "ABCDE", "abcde", "k3f9a9", "%3Cscript%3E", "3%00", "１"):
        assert client.get(f"/en/{SECTION}/p/{odd}").status_code == 404, odd
    assert client.get(f"/en/mali/2020/no-such-section/p/{third}").status_code == 404
    assert client.get(f"/en/{SECTION}/p/{third}/").status_code == 404


def test_a_section_without_identifiers_is_linked_by_position(built_site: Site, tmp_path: Path) -> None:
    """Older or hand-written files still work: their permalinks name paragraphs by number until kb ids is run."""
    content, instance = clone_site(built_site, tmp_path)
    for lang in ("en", "fr"):
        path = content / f"{SECTION}.{lang}.md"
        path.write_text(re.sub(r" \{#[a-z0-9]{5}\}$", "", path.read_text(encoding="utf-8"), flags=re.M),
                        encoding="utf-8")
    build(content, instance)
    client = make_app(instance).test_client()
    assert permalinks(client, "fr") == {f"/fr/{SECTION}/p/{n}": None for n in range(1, 6)}
    assert client.get(f"/fr/{SECTION}/p/2").headers["Location"] == f"/fr/{SECTION}?para=2#p2"
    assert landing(client, f"/fr/{SECTION}/p/2")[0].startswith("Les besoins en infrastructures scolaires")
    html = client.get(f"/fr/{SECTION}?para=2").get_data(as_text=True)
    assert f'value="http://localhost/fr/{SECTION}/p/2"' in html and 'id="p2" data-ref="2" data-n="2"' in html
