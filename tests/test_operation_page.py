"""The operation page `/<lang>/mali` and its downloads, against content/mali/2020/figures.yaml.

Every number a chart draws (the `data-value` of its bars) must be the number in figures.yaml; a null (the 2021
expenditure) must be drawn as missing, shown as missing in the table, empty in CSV and null in JSON, never zero.
Also: the search page's trend chart draws the API's trend.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import waitress
from flask.testing import FlaskClient

from indexer.figures import Figures, load_figures
from kb.charts import NARROW_NBSP
from kb.model import PILLARS
from tests.support import CHROMIUM, CHROMIUM_ARGS, Site, build, clone_site, make_app

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    return built_site.client()


@pytest.fixture(scope="module")
def figures(built_site: Site) -> Figures:
    found, problems = load_figures(built_site.content / "mali" / "2020" / "figures.yaml")
    assert found is not None, problems
    return found


@pytest.fixture(scope="module")
def pages(client: FlaskClient) -> dict[str, str]:
    out = {}
    for lang in ("en", "fr"):
        response = client.get(f"/{lang}/mali")
        assert response.status_code == 200
        out[lang] = response.get_data(as_text=True)
    return out


# ------------------------------------------------------------------------------------------------ helpers


def svg(html: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg [^>]*id="{re.escape(chart_id)}".*?</svg>', html, re.S)
    assert match, f"no svg #{chart_id}"
    return ET.fromstring(match.group(0))


def drawn(chart: ET.Element) -> dict[tuple[str, str], float]:
    return {(r.get("data-series"), r.get("data-category")): float(r.get("data-value"))
            for r in chart.iter(f"{SVG}rect") if r.get("class") == "bar"}


def markers(chart: ET.Element) -> dict[tuple[str, str], str]:
    return {(t.get("data-series"), t.get("data-category")): t.text
            for t in chart.iter(f"{SVG}text") if t.get("data-missing") == "true"}


def expected(years: list[int], named: dict[str, list[float | None]]) -> tuple[dict, set]:
    """The bars a chart must draw ({(series, year): value}) and the slots it must mark missing."""
    values = {(name, str(y)): v for name, vs in named.items() for y, v in zip(years, vs, strict=True) if v is not None}
    gaps = {(name, str(y)) for name, vs in named.items() for y, v in zip(years, vs, strict=True) if v is None}
    return values, gaps


def table(html: str, chart_id: str) -> list[list[ET.Element]]:
    """The data table of a chart: rows of cells (th and td elements)."""
    match = re.search(rf'<table class="data" data-chart="{re.escape(chart_id)}">.*?</table>', html, re.S)
    assert match, f"no table for {chart_id}"
    root = ET.fromstring(match.group(0))
    assert root.find("caption") is not None and (root.find("caption").text or "").strip()
    return [list(row) for row in root.iter("tr")]


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()


def csv_rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so that spreadsheets read the accents
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def number(field: str) -> float | None:
    return None if field == "" else float(field)


def csv_number(field: str) -> float | None:
    """A CSV number as a reader would write it (12 significant digits: 41.007531648, never 41.007531648000004)."""
    assert len(field.replace("-", "").replace(".", "").lstrip("0")) <= 12, field
    return number(field)


def shown(values: list[float | None]) -> list[float | None]:
    """figures.yaml's numbers as a reader sees them (the float noise of the source left out)."""
    return [None if v is None else float(f"{v:.12g}") for v in values]


# ------------------------------------------------------------------------------------------------ charts = data


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_budget_chart_draws_exactly_the_budget_and_expenditure_of_figures_yaml(
    pages: dict[str, str], figures: Figures, lang: str,
) -> None:
    budget = figures.budget
    values, gaps = expected(budget.years, {"budget": budget.budget, "expenditure": budget.expenditure})
    chart = svg(pages[lang], "chart-budget")
    assert drawn(chart) == values
    assert set(markers(chart)) == gaps == {("expenditure", "2021")}


@pytest.mark.parametrize("pillar", list(PILLARS))
def test_each_pillar_chart_draws_exactly_its_budget_and_expenditure(
    pages: dict[str, str], figures: Figures, pillar: str,
) -> None:
    budget = figures.budget
    values, gaps = expected(budget.years, {"budget": budget.budget_by_pillar[pillar],
                                           "expenditure": budget.expenditure_by_pillar[pillar]})
    chart = svg(pages["en"], f"chart-pillar-{pillar}")
    assert drawn(chart) == values
    assert set(markers(chart)) == gaps


def test_people_of_concern_charts_draw_the_totals_and_the_breakdown(pages: dict[str, str], figures: Figures) -> None:
    people = figures.people_of_concern
    assert drawn(svg(pages["en"], "chart-people")) == {("total", str(t.year)): t.total for t in people.totals}
    assert drawn(svg(pages["en"], "chart-population-types")) == {("count", p.type): p.count for p in people.breakdown}


def test_the_2021_expenditure_is_missing_not_zero_in_chart_and_table(pages: dict[str, str]) -> None:
    for lang, marker in (("en", "n/a"), ("fr", "n.d.")):
        chart = svg(pages[lang], "chart-budget")
        assert ("expenditure", "2021") not in drawn(chart)
        assert markers(chart)[("expenditure", "2021")] == marker
        rows = {text_of(row[0]): row for row in table(pages[lang], "budget")[1:]}
        cell = rows["2021"][2]
        assert cell.get("class") == "missing" and cell.get("data-value") == ""
        assert text_of(cell).startswith("—") and "0" not in text_of(cell)
        assert rows["2021"][1].get("data-value") == "57.59650997"


def test_tables_hold_the_same_numbers_as_the_charts(pages: dict[str, str], figures: Figures) -> None:
    budget = figures.budget
    rows = table(pages["en"], "budget")[1:]
    assert [int(text_of(r[0])) for r in rows] == budget.years
    assert [float(r[1].get("data-value")) for r in rows] == budget.budget
    assert [number(r[2].get("data-value")) for r in rows] == budget.expenditure
    people = table(pages["en"], "people-of-concern")[1:]
    assert {text_of(r[0]): int(r[1].get("data-value")) for r in people} == {
        str(t.year): t.total for t in figures.people_of_concern.totals}


def test_key_figures_are_listed_per_year_with_anchors(pages: dict[str, str], figures: Figures) -> None:
    html = pages["en"]
    for year in {kf.year for kf in figures.key_figures}:
        assert f'id="figures-{year}"' in html
    for kf in figures.key_figures:
        assert f"{kf.display}</strong> {kf.text['en']}" in html.replace("&#39;", "'")
    french = pages["fr"].replace("&#39;", "'")
    assert f"4{NARROW_NBSP}265</strong> {figures.key_figures[0].text['fr']}" in french
    assert f"100{NARROW_NBSP}%</strong>" in french


# ------------------------------------------------------------------------------------------------ downloads


def test_budget_csv_matches_figures_yaml(client: FlaskClient, figures: Figures) -> None:
    rows = csv_rows(client, "/en/mali/figures/budget.csv")
    budget = figures.budget
    assert [int(r["year"]) for r in rows] == budget.years
    assert [csv_number(r["budget_usd_millions"]) for r in rows] == shown(budget.budget)
    assert [csv_number(r["expenditure_usd_millions"]) for r in rows] == shown(budget.expenditure)
    assert rows[-1]["expenditure_usd_millions"] == ""  # missing, not 0


def test_pillar_csv_matches_figures_yaml(client: FlaskClient, figures: Figures) -> None:
    rows = csv_rows(client, "/fr/mali/figures/budget-by-pillar.csv")
    budget = figures.budget
    for pillar in PILLARS:
        mine = [r for r in rows if r["pillar"] == pillar]
        assert {r["label"] for r in mine} == {PILLARS[pillar][1]}
        assert [csv_number(r["budget_usd_millions"]) for r in mine] == shown(budget.budget_by_pillar[pillar])
        assert [csv_number(r["expenditure_usd_millions"]) for r in mine] == shown(budget.expenditure_by_pillar[pillar])


def test_people_and_key_figure_csvs_match_figures_yaml(client: FlaskClient, figures: Figures) -> None:
    people = figures.people_of_concern
    totals = csv_rows(client, "/en/mali/figures/people-of-concern.csv")
    assert {int(r["year"]): int(r["total"]) for r in totals} == {t.year: t.total for t in people.totals}
    types = csv_rows(client, "/en/mali/figures/population-types.csv")
    assert [(r["type"], int(r["count"])) for r in types] == [(p.type, p.count) for p in people.breakdown]
    key = csv_rows(client, "/fr/mali/figures/key-figures.csv")
    assert [(int(r["year"]), float(r["value"]), r["text"]) for r in key] == [
        (kf.year, kf.value, kf.text["fr"]) for kf in figures.key_figures]


def test_json_matches_figures_yaml_with_nulls_kept(client: FlaskClient, figures: Figures) -> None:
    data = client.get("/en/mali/figures.json").get_json()
    budget = figures.budget
    assert data["budget"]["years"] == budget.years
    assert data["budget"]["budget"] == budget.budget
    assert data["budget"]["expenditure"] == budget.expenditure and data["budget"]["expenditure"][-1] is None
    for pillar in PILLARS:
        assert data["budget"]["by_pillar"][pillar]["budget"] == budget.budget_by_pillar[pillar]
        assert data["budget"]["by_pillar"][pillar]["expenditure"] == budget.expenditure_by_pillar[pillar]
    people = figures.people_of_concern
    assert data["people_of_concern"]["totals"] == [{"year": t.year, "total": t.total} for t in sorted(
        people.totals, key=lambda t: t.year)]
    assert [(b["type"], b["count"]) for b in data["people_of_concern"]["breakdown"]] == [
        (p.type, p.count) for p in people.breakdown]
    assert [kf["value"] for kf in data["key_figures"]] == [kf.value for kf in figures.key_figures]
    assert data["contributions"]["items"][0] == {"date": figures.contributions.items[0].date,
                                                 "donors": figures.contributions.items[0].donors}
    for name, url in data["downloads"].items():
        assert client.get(url).status_code == 200, name


# ------------------------------------------------------------------------------------------------ languages, errors


def test_french_page_has_french_labels_and_numbers(pages: dict[str, str]) -> None:
    html = pages["fr"].replace("&#39;", "'")
    for label in ("Chiffres clés", "Dépenses", "Programme pour les réfugiés", "Projets pour les déplacés internes",
                  "Personnes déplacées internes", "Demandeurs d'asile", "Résultats de fin d'année 2020",
                  "Chiffres de planification 2021", "Dernières contributions", "Contexte opérationnel"):
        assert label in html, label
    assert f"408{NARROW_NBSP}016" in html and "49,2" in html and "n.d." in html
    assert "Expenditure" not in html and "Refugee programme" not in html
    assert 'href="/fr/mali/2020/unmet-needs"' in html
    assert '<article class="operation" lang="fr">' in html


def test_english_page_has_english_labels(pages: dict[str, str]) -> None:
    html = pages["en"]
    for label in ("Key figures", "Expenditure", "Refugee programme", "Internally displaced people", "n/a"):
        assert label in html, label
    assert "Dépenses" not in html
    assert 'href="/en/mali/2020/operational-context"' in html


def test_report_links_lead_to_section_pages(client: FlaskClient, pages: dict[str, str]) -> None:
    links = re.findall(r'href="(/en/mali/\d{4}/[a-z-]+)"', pages["en"])
    assert len(links) >= 7
    for url in links:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("url", ["/en/atlantis", "/fr/atlantis/figures.json", "/en/atlantis/figures/budget.csv",
                                 "/en/mali/figures/nothing.csv", "/en/Mali", "/de/mali"])
def test_unknown_operation_or_download_is_a_404(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_charts_are_accessible_and_the_page_keeps_to_the_csp(pages: dict[str, str]) -> None:
    for html in pages.values():
        blocks = re.findall(r"<svg .*?</svg>", html, re.S)
        assert len(blocks) == 7  # people, types, budget, four pillars
        for block in blocks:
            chart = ET.fromstring(block)
            assert chart.get("role") == "img"
            ids = {el.get("id"): el.tag for el in chart.iter() if el.get("id")}
            assert [ids[i] for i in chart.get("aria-labelledby").split()] == [f"{SVG}title", f"{SVG}desc"]
        assert " style=" not in html and "<style" not in html and "<script>" not in html
        assert html.count('<table class="data') == 8  # seven charts and the contributions


def test_figures_of_a_section_year_that_has_none_are_simply_absent(built_site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    (content / "mali" / "2020" / "figures.yaml").unlink()
    build(content, instance)
    client = make_app(instance).test_client()
    response = client.get("/en/mali")
    assert response.status_code == 200 and "<svg" not in response.get_data(as_text=True)
    assert client.get("/en/mali/figures.json").status_code == 404


# ------------------------------------------------------------------------------------------------ the search trend


@pytest.mark.parametrize("query", ["refugees", "COVID-19", "éducation"])
def test_trend_chart_draws_the_api_trend(client: FlaskClient, query: str) -> None:
    trend = client.get("/api/search", query_string={"q": query}).get_json()["trend"]
    html = client.get("/", query_string={"q": query}).get_data(as_text=True)
    chart = svg(html, "chart-trend")
    assert drawn(chart) == {("count", str(p["year"])): p["count"] for p in trend}
    rows = table(html, "trend")[1:]
    assert [(int(text_of(r[0])), int(r[1].get("data-value")), int(r[2].get("data-value"))) for r in rows] == [
        (p["year"], p["count"], p["total"]) for p in trend]
    assert [round(float(r[3].get("data-value")), 4) for r in rows] == [p["share"] for p in trend]


# ------------------------------------------------------------------------------------------------ in a browser


OVERLAPS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const boxes = [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()]);
    const svgBox = svg.getBoundingClientRect();
    for (const [text, b] of boxes) {
      if (b.left < svgBox.left - 1 || b.right > svgBox.right + 1 || b.top < svgBox.top - 1 ||
          b.bottom > svgBox.bottom + 1) out.push(`${svg.id}: "${text}" is clipped`);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [ta, a] = boxes[i], [tb, b] = boxes[j];
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) out.push(`${svg.id}: "${ta}" overlaps "${tb}"`);
    }
  }
  return out;
}"""


@pytest.mark.browser
def test_chart_labels_neither_overlap_nor_clip_in_chromium(built_site: Site) -> None:
    from playwright import sync_api

    server = waitress.create_server(built_site.app, host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            for url in ("/en/mali", "/fr/mali", "/?q=refugees"):
                page.goto(f"http://127.0.0.1:{server.effective_port}{url}")
                assert page.evaluate(OVERLAPS) == [], url
            browser.close()
        assert violations == []
    finally:
        server.close()
