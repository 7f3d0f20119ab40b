"""bench/corpus.py: the synthetic benchmark corpus is deterministic, complete, bilingual and valid content."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from indexer.content import split_front_matter, split_paragraphs
from kb.model import FRONT_MATTER_ORDER, SECTIONS

CORPUS_PATH = Path(__file__).resolve().parent.parent / "bench" / "corpus.py"
YAML_ARGS = {"sort_keys": False, "allow_unicode": True, "width": 1000}
OPERATIONS, YEARS = 2, 2


def load_corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    return load_corpus_module()


@pytest.fixture(scope="module")
def tiny(corpus: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "content"
    corpus.generate(out, operations=OPERATIONS, years=YEARS, seed=42)
    return out


def read_tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def english_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.en.md"))


def test_two_runs_are_byte_identical(corpus: ModuleType, tiny: Path, tmp_path: Path) -> None:
    corpus.generate(tmp_path / "again", operations=OPERATIONS, years=YEARS, seed=42)
    assert read_tree(tiny) == read_tree(tmp_path / "again")


def test_another_seed_gives_other_text(corpus: ModuleType, tiny: Path, tmp_path: Path) -> None:
    corpus.generate(tmp_path / "other", operations=OPERATIONS, years=YEARS, seed=43)
    first, other = read_tree(tiny), read_tree(tmp_path / "other")
    assert first.keys() == other.keys()
    assert first != other


def test_expected_files(corpus: ModuleType, tiny: Path) -> None:
    sections = len(corpus.CORPUS_SECTIONS)
    assert sections == 7
    assert len(list(tiny.rglob("*.md"))) == OPERATIONS * YEARS * sections * 2
    assert len(list(tiny.rglob("figures.yaml"))) == OPERATIONS * YEARS
    assert (tiny / "operations.yaml").is_file()
    assert (tiny / "themes.yaml").is_file() == corpus.THEMES_SOURCE.is_file()
    years = sorted({path.parent.name for path in tiny.rglob("*.md")})
    assert years == ["2020", "2021"]


def test_every_english_file_has_a_french_twin_with_the_same_paragraphs(tiny: Path) -> None:
    for en_path in english_files(tiny):
        fr_path = en_path.with_name(en_path.name.replace(".en.md", ".fr.md"))
        assert fr_path.is_file(), fr_path
        en_meta, en_body, _ = split_front_matter(en_path.read_text(encoding="utf-8"))
        fr_meta, fr_body, _ = split_front_matter(fr_path.read_text(encoding="utf-8"))
        en_paras, fr_paras = split_paragraphs(en_body), split_paragraphs(fr_body)
        assert 2 <= len(en_paras) <= 10
        assert [p.kind for p in en_paras] == [p.kind for p in fr_paras], en_path
        en_fields, fr_fields = yaml.safe_load(en_meta), yaml.safe_load(fr_meta)
        assert fr_fields["translated_from"] == "en" and "import_checksum" not in fr_fields
        assert fr_fields["title"] == SECTIONS[fr_fields["section"]].title("fr")
        assert en_fields["title"] == SECTIONS[en_fields["section"]].title("en")
        assert en_fields["translation_key"] == fr_fields["translation_key"]


def test_front_matter_is_what_safe_dump_writes_and_the_checksum_matches(tiny: Path) -> None:
    for path in sorted(tiny.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and not text.endswith("\n\n")
        raw, _body, _ = split_front_matter(text)
        fields = yaml.safe_load(raw)
        assert list(fields) == [key for key in FRONT_MATTER_ORDER if key in fields]
        assert raw + "\n" == yaml.safe_dump(fields, **YAML_ARGS)
        if "import_checksum" in fields:
            line = f"import_checksum: {fields['import_checksum']}\n"
            unsigned = text.replace(line, "", 1).encode("utf-8")
            assert fields["import_checksum"] == "sha256:" + hashlib.sha256(unsigned).hexdigest()


def test_figures_are_what_safe_dump_writes(tiny: Path) -> None:
    for path in sorted(tiny.rglob("figures.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        assert text == yaml.safe_dump(data, **YAML_ARGS)
        assert {figure["kind"] for figure in data["key_figures"]} == {"year-end", "plan"}
        if data["budget"]:
            width = len(data["budget"]["years"])
            lists = [data["budget"]["budget"], data["budget"]["expenditure"]]
            for by_pillar in ("budget_by_pillar", "expenditure_by_pillar"):
                lists += list(data["budget"][by_pillar].values())
            assert all(len(values) == width for values in lists)


def test_operations_table(corpus: ModuleType, tiny: Path) -> None:
    table = yaml.safe_load((tiny / "operations.yaml").read_text(encoding="utf-8"))
    assert sorted(table) == sorted(path.name for path in tiny.iterdir() if path.is_dir())
    for entry in table.values():
        assert entry["en"] and entry["fr"]
        assert all(re.fullmatch(r"[A-Z]{3}", code) for code in entry["country"])


def test_scale_ten_has_1500_distinct_operations(corpus: ModuleType) -> None:
    operations = corpus.make_operations(150 * 10, seed=42)
    slugs = [op.slug for op in operations]
    assert len(set(slugs)) == 1500
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) for slug in slugs)
    assert "afghanistan-2" in slugs


def test_paragraphs_are_detected_in_their_language(corpus: ModuleType, tiny: Path) -> None:
    results = corpus.language_check(tiny, 60)
    for name, (right, total) in results.items():
        assert total >= 40
        assert right == total, name


def test_kb_check_accepts_the_corpus(tiny: Path) -> None:
    pytest.importorskip("indexer.check", reason="indexer/check.py (kb check) has not landed yet")
    from click.testing import CliRunner

    from kb.cli import main

    result = CliRunner().invoke(main, ["check", "--content", str(tiny)])
    assert result.exit_code == 0, result.output
