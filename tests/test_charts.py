"""kb.charts: numbers in English and French, tick steps, and SVG bar charts that draw exactly their data.

Every bar must carry the exact value it was drawn from, a missing value (None) must be drawn as missing (no bar, a
visible marker) and never as zero, and the SVG must be accessible (role, title, desc) and self-contained.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from kb.charts import (
    NARROW_NBSP,
    BarChart,
    Series,
    format_number,
    format_percent,
    format_signed,
    horizontal_bars,
    nice_ticks,
    tick_decimals,
    vertical_bars,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def bars(svg: ET.Element) -> dict[tuple[str, str], float]:
    return {(r.get("data-series"), r.get("data-category")): float(r.get("data-value"))
            for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"}


def missing(svg: ET.Element) -> dict[tuple[str, str], str]:
    return {(t.get("data-series"), t.get("data-category")): t.text
            for t in svg.iter(f"{SVG}text") if t.get("data-missing") == "true"}


def texts(svg: ET.Element, cls: str) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == cls]


CHART = BarChart(
    "chart-test", "Budget & expenditure", "Columns <by year>.", ["2019", "2020", "2021"],
    [Series("budget", "Budget", [17.33224968, 0.0, 57.59650997]),
     Series("expenditure", "Expenditure", [13.1037125, 29.50609437, None])],
    decimals=1,
)


@pytest.mark.parametrize(("value", "lang", "decimals", "expected"), [
    (408016, "en", 0, "408,016"),
    (408016, "fr", 0, f"408{NARROW_NBSP}016"),
    (1234567.891, "fr", 1, f"1{NARROW_NBSP}234{NARROW_NBSP}567,9"),
    (49.1719132, "en", 1, "49.2"),
    (49.1719132, "fr", 2, "49,17"),
    (-3.25, "en", 1, "\u22123.2"),
    (0, "fr", 0, "0"),
])
def test_format_number_uses_the_language_separators(value: float, lang: str, decimals: int, expected: str) -> None:
    assert format_number(value, lang, decimals) == expected


def test_percent_and_signed_numbers() -> None:
    assert format_percent(47.94, "en", 1) == "47.9%"
    assert format_percent(36, "fr") == f"36{NARROW_NBSP}%"
    assert format_percent(48.0, "fr", 1, signed=True) == f"+48,0{NARROW_NBSP}%"
    assert format_signed(132237, "fr") == f"+132{NARROW_NBSP}237"
    assert format_signed(-5, "en") == "\u22125"


@pytest.mark.parametrize("maximum", [0.3, 1.245, 7, 57.59650997, 408016, 332957])
def test_ticks_start_at_zero_reach_the_maximum_and_are_evenly_spaced(maximum: float) -> None:
    ticks = nice_ticks(maximum)
    assert ticks[0] == 0 and ticks[-1] >= maximum
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    assert 3 <= len(ticks) <= 8


@pytest.mark.parametrize("maximum", [1, 2, 3, 7, 12, 14, 24, 130])
def test_counts_get_whole_number_ticks(maximum: int) -> None:
    ticks = nice_ticks(maximum, whole=True)
    assert ticks[0] == 0 and ticks[-1] >= maximum and all(float(t).is_integer() for t in ticks)
    assert len({round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}) == 1


def test_the_search_trend_labels_its_axis_with_whole_numbers() -> None:
    from flask import Flask
    from flask_babel import Babel

    from kb.search import TrendPoint
    from kb.trend import trend_chart

    app = Flask(__name__)
    Babel(app)
    with app.test_request_context("/"):
        svg = str(trend_chart([TrendPoint(2020, 2, 14), TrendPoint(2021, 1, 10)], "en").svg)
    ticks = [t.text for t in parse(svg).iter(f"{SVG}text") if "tick" in (t.get("class") or "")]
    assert ticks and all(t.isdigit() for t in ticks), ticks


def test_tick_decimals_follow_the_step() -> None:
    assert tick_decimals([0, 100000, 200000]) == 0
    assert tick_decimals([0, 0.5, 1.0]) == 1
    assert tick_decimals([0, 0.25, 0.5]) == 2
    assert tick_decimals([0, 2.5, 5]) == 1


def test_wrap_keeps_short_labels_and_splits_long_ones_in_two() -> None:
    assert wrap("Refugees") == ["Refugees"]
    assert wrap("Personnes dans une situation assimilable à celle des réfugiés") == [
        "Personnes dans une", "situation assimilable à celle des réfugiés"]


@pytest.mark.parametrize("draw", [vertical_bars, horizontal_bars])
def test_every_value_is_a_bar_with_its_exact_number(draw: Callable[..., str]) -> None:
    svg = parse(draw(CHART))
    assert bars(svg) == {
        ("budget", "2019"): 17.33224968, ("budget", "2020"): 0.0, ("budget", "2021"): 57.59650997,
        ("expenditure", "2019"): 13.1037125, ("expenditure", "2020"): 29.50609437,
    }


@pytest.mark.parametrize("draw", [vertical_bars, horizontal_bars])
def test_a_missing_value_has_no_bar_but_a_visible_marker(draw: Callable[..., str]) -> None:
    svg = parse(draw(CHART))
    assert ("expenditure", "2021") not in bars(svg)
    assert missing(svg) == {("expenditure", "2021"): "n/a"}
    french = parse(draw(BarChart(**{**CHART.__dict__, "lang": "fr", "missing": "n.d."})))
    assert missing(french) == {("expenditure", "2021"): "n.d."}


def test_zero_is_a_bar_of_no_height_not_a_missing_marker() -> None:
    svg = parse(vertical_bars(CHART))
    zero = next(r for r in svg.iter(f"{SVG}rect") if r.get("data-category") == "2020" and r.get("data-series") ==
                "budget")
    assert float(zero.get("height")) == 0
    assert ("budget", "2020") not in missing(svg)


def test_bar_lengths_are_proportional_to_the_values() -> None:
    svg = parse(vertical_bars(CHART))
    ratios = [float(r.get("height")) / float(r.get("data-value")) for r in svg.iter(f"{SVG}rect")
              if r.get("class") == "bar" and float(r.get("data-value")) > 0]
    assert max(ratios) - min(ratios) < 0.05 * max(ratios)  # within the 0.1 px rounding of the attributes


def test_value_labels_are_written_in_the_chart_language() -> None:
    french = parse(vertical_bars(BarChart(**{**CHART.__dict__, "lang": "fr"})))
    assert texts(french, "value") == ["17,3", "13,1", "0,0", "29,5", "57,6"]
    people = parse(horizontal_bars(BarChart("c", "t", "d", ["IDPs"], [Series("count", "People", [332957])],
                                            lang="fr")))
    assert texts(people, "value") == [f"332{NARROW_NBSP}957"]
    assert f"100{NARROW_NBSP}000" in texts(people, "tick")


@pytest.mark.parametrize("draw", [vertical_bars, horizontal_bars])
def test_the_svg_is_accessible_and_self_contained(draw: Callable[..., str]) -> None:
    markup = str(draw(CHART))
    svg = parse(markup)
    assert svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    found = {el.get("id"): el for el in svg.iter() if el.get("id")}
    assert [found[i].tag for i in ids] == [f"{SVG}title", f"{SVG}desc"]
    assert found[ids[0]].text == "Budget & expenditure" and found[ids[1]].text == "Columns <by year>."
    for forbidden in ("<script", "style=", "<style", "href", "url(", "<image", "<foreignObject"):
        assert forbidden not in markup


def test_several_series_are_named_in_the_chart() -> None:
    svg = parse(vertical_bars(CHART))
    assert texts(svg, "legend-label") == ["Budget", "Expenditure"]
    single = parse(vertical_bars(BarChart("c", "t", "d", ["2020"], [Series("total", "Total", [1.0])])))
    assert texts(single, "legend-label") == []
