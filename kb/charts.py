"""Bar charts as inline SVG, drawn on the server: no script, no external resource, no inline style.

Pure functions from numbers and labels to SVG markup, and the chart block a page shows (`Chart`: the SVG and its
data table). Every chart is `<svg role="img" aria-labelledby=...>` with a `<title>` and a `<desc>`; every bar carries
`data-series`, `data-category` and `data-value` (the exact number it was drawn from) so tests, and curious readers,
can check the picture against the data. A missing value (None) is never drawn as zero: its slot gets no bar, only a
visible marker (`n/a`, `n.d.`) with `data-missing="true"`.

Numbers are written in the chart's language: `12,345.6` in English, `12 345,6` in French (narrow no-break space,
decimal comma). Colours and sizes are SVG presentation attributes; fonts come from classes in kb.css.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

NARROW_NBSP = "\u202f"
FONT = 12  # px, value and category labels
TICK_FONT = 11
CHAR_W = 0.6  # average glyph width in em, for layout estimates (generous for digits and Latin text)
INK, MUTED, GRID, AXIS = "#1a1a1a", "#4a4a4a", "#e3e3e3", "#767676"


@dataclass(frozen=True)
class Style:
    """How one series is painted: a fill, and an outline that keeps 3:1 contrast against white."""

    fill: str
    stroke: str


# Light fill with a dark outline, then solid dark, then two more: distinguishable without colour vision too.
STYLES: tuple[Style, ...] = (
    Style("#8fb8de", "#0b4f8a"),
    Style("#0b4f8a", "#0b4f8a"),
    Style("#f2b36b", "#8a4b00"),
    Style("#8a4b00", "#8a4b00"),
)
SINGLE = Style("#2f6fa8", "#1f5485")


@dataclass(frozen=True)
class Series:
    key: str  # machine name, written to data-series
    label: str  # shown in the legend and the description
    values: Sequence[float | None]  # one per category; None is missing


@dataclass(frozen=True)
class BarChart:
    """What to draw. `categories` are the axis labels; `keys` (default: the labels) go to data-category."""

    chart_id: str
    title: str
    desc: str
    categories: Sequence[str]
    series: Sequence[Series]
    lang: str = "en"
    decimals: int = 0  # of the value labels
    missing: str = "n/a"  # the marker of a missing value
    scale_max: float | None = None  # a shared scale for small multiples
    keys: Sequence[str] | None = None
    value_suffixes: Sequence[str] | None = None  # extra text after each value label of the first series
    whole_numbers: bool = False  # values are counts: ticks at whole numbers only

    def category_key(self, i: int) -> str:
        return str((self.keys or self.categories)[i])


@dataclass
class Cell:
    """One cell of a chart's data table."""

    text: str
    value: Any = None  # the raw value, written to data-value
    missing: bool = False


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[Cell]]  # the first cell of a row is its header


@dataclass
class Chart:
    """What templates/_chart.html shows: the drawn SVG and, next to it, the same numbers as a table."""

    id: str
    title: str
    svg: Markup
    table: Table
    csv: str | None = None  # the dataset offered as CSV next to it


# ----------------------------------------------------------------------------------------------- numbers


def format_number(value: float, lang: str = "en", decimals: int = 0) -> str:
    """`1234567.891` -> `1,234,567.9` (en) or `1 234 567,9` (fr, narrow no-break spaces, decimal comma)."""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-"):
        text = "\u2212" + text[1:]
    return text.replace(",", NARROW_NBSP).replace(".", ",") if lang == "fr" else text


def format_signed(value: float, lang: str = "en", decimals: int = 0) -> str:
    return ("+" if value > 0 else "") + format_number(value, lang, decimals)


def format_percent(value: float, lang: str = "en", decimals: int = 0, signed: bool = False) -> str:
    """`47.9` -> `47.9%` (en) or `47,9 %` (fr)."""
    number = format_signed(value, lang, decimals) if signed else format_number(value, lang, decimals)
    return f"{number}{NARROW_NBSP}%" if lang == "fr" else f"{number}%"


def nice_ticks(maximum: float, count: int = 5, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least `maximum`: 0, 10, 20, … or 0, 0.5, 1, … (`whole`: 0, 1, 2, … at least)."""
    if maximum <= 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10)]
    if whole:
        steps = [step for step in steps if step >= 1 and float(step).is_integer()] or [1.0]
    step = next((step for step in steps if step >= raw), steps[-1])
    top = math.ceil(maximum / step - 1e-9) * step
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


def tick_decimals(ticks: Sequence[float]) -> int:
    """How many decimals the tick labels need to tell the ticks apart: 0 for 10, 20…; 1 for 0.5, 1.0, 1.5…"""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return next((d for d in range(4) if abs(step * 10**d - round(step * 10**d)) < 1e-9), 3)


def text_width(text: str, size: int = FONT) -> float:
    return len(text) * size * CHAR_W


def wrap(label: str, width: int = 22) -> list[str]:
    """A label in at most two lines of about `width` characters (the second line may be longer)."""
    if len(label) <= width or " " not in label:
        return [label]
    cut = label.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else label.find(" ")
    return [label[:cut], label[cut + 1:]]


# ----------------------------------------------------------------------------------------------- pieces


def _attrs(**attrs: object) -> str:
    out = []
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.1f}"
        out.append(f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"')
    return " ".join(out)


def _text(content: str, cls: str = "", **attrs: object) -> str:
    return f"<text {_attrs(class_=cls or None, **attrs)}>{escape(content)}</text>"


def _value_attr(value: float) -> str:
    """The exact number, as Python writes it back (round-trips to the same float)."""
    return repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _open(chart: BarChart, width: float, height: float) -> list[str]:
    cid = escape(chart.chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" data-chart="{cid}">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.desc)}</desc>',
    ]


def _legend(chart: BarChart, x: float, y: float) -> list[str]:
    """Swatch and name of each series, in one row (only for several series; the table names them too)."""
    if len(chart.series) < 2:
        return []
    out = ['<g class="legend">']
    for i, series in enumerate(chart.series):
        style = STYLES[i % len(STYLES)]
        out.append(f'<rect {_attrs(x=x, y=y - 10, width=12, height=12, fill=style.fill, stroke=style.stroke)}/>')
        out.append(_text(series.label, "legend-label", x=x + 17, y=y, fill=INK, font_size=FONT))
        x += 17 + text_width(series.label) + 18
    out.append("</g>")
    return out


def _value_label(chart: BarChart, s_index: int, c_index: int, value: float) -> str:
    label = format_number(value, chart.lang, chart.decimals)
    if s_index == 0 and chart.value_suffixes:
        label += chart.value_suffixes[c_index]
    return label


def _bar(chart: BarChart, s_index: int, c_index: int, value: float, box: tuple[float, float, float, float]) -> str:
    series = chart.series[s_index]
    style = SINGLE if len(chart.series) == 1 else STYLES[s_index % len(STYLES)]
    x, y, w, h = box
    return (
        f'<rect class="bar" {_attrs(x=x, y=y, width=max(w, 0.0), height=max(h, 0.0), fill=style.fill)} '
        f'stroke="{style.stroke}" data-series="{escape(series.key)}" '
        f'data-category="{escape(chart.category_key(c_index))}" data-value="{_value_attr(value)}">'
        f"<title>{escape(series.label)}, {escape(chart.categories[c_index])}: "
        f"{escape(_value_label(chart, s_index, c_index, value))}</title></rect>"
    )


def _missing(chart: BarChart, s_index: int, c_index: int, x: float, y: float, anchor: str) -> str:
    series = chart.series[s_index]
    return (
        f'<text class="missing" {_attrs(x=x, y=y, text_anchor=anchor, fill=MUTED, font_size=FONT)} '
        f'data-series="{escape(series.key)}" data-category="{escape(chart.category_key(c_index))}" '
        f'data-value="" data-missing="true">{escape(chart.missing)}</text>'
    )


def _scale_top(chart: BarChart) -> list[float]:
    values = [v for s in chart.series for v in s.values if v is not None]
    return nice_ticks(max([chart.scale_max or 0.0, *values, 0.0]), whole=chart.whole_numbers)


# ----------------------------------------------------------------------------------------------- charts


def vertical_bars(chart: BarChart, width: int = 640, height: int = 300) -> Markup:
    """Grouped columns, one group per category (years along the bottom), value labels above the bars."""
    ticks = _scale_top(chart)
    decimals = tick_decimals(ticks)
    tick_labels = [format_number(t, chart.lang, decimals) for t in ticks]
    left = max(text_width(label, TICK_FONT) for label in tick_labels) + 14
    top = 44 if len(chart.series) > 1 else 22
    bottom, right = 28, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h

    def y_of(v: float) -> float:
        return base - plot_h * v / ticks[-1]

    out = _open(chart, width, height) + _legend(chart, left, 18)
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        out.append(f'<line {_attrs(x1=left, x2=width - right, y1=y, y2=y, stroke=GRID if tick else AXIS)}/>')
        out.append(_text(label, "tick", x=left - 6, y=y + 4, text_anchor="end", fill=MUTED, font_size=TICK_FONT))
    group_w = plot_w / max(len(chart.categories), 1)
    bar_w = min(56.0, group_w * 0.78 / len(chart.series))
    for c, category in enumerate(chart.categories):
        x0 = left + c * group_w + (group_w - bar_w * len(chart.series)) / 2
        out.append(_text(category, "category", x=left + (c + 0.5) * group_w, y=base + 18, text_anchor="middle",
                         fill=INK, font_size=FONT))
        for s, series in enumerate(chart.series):
            value, x = series.values[c], x0 + s * bar_w
            if value is None:
                out.append(_missing(chart, s, c, x + bar_w / 2, base - 6, "middle"))
                continue
            y = y_of(max(value, 0.0))
            out.append(_bar(chart, s, c, value, (x + 1, y, bar_w - 2, base - y)))
            out.append(_text(_value_label(chart, s, c, value), "value", x=x + bar_w / 2, y=y - 5,
                             text_anchor="middle", fill=INK, font_size=FONT))
    out.append("</svg>")
    return Markup("\n".join(out))


def horizontal_bars(chart: BarChart, width: int = 640, bar_h: int = 18) -> Markup:
    """Grouped bars, one group per category (labels on the left), value labels at the end of each bar."""
    ticks = _scale_top(chart)
    decimals = tick_decimals(ticks)
    lines = [wrap(str(category)) for category in chart.categories]
    left = min(max(text_width(line) for label in lines for line in label) + 12, width * 0.42)
    value_w = max([text_width(_value_label(chart, s, c, v)) for s, series in enumerate(chart.series)
                   for c, v in enumerate(series.values) if v is not None] + [text_width(chart.missing)]) + 10
    top = 40 if len(chart.series) > 1 else 12
    group_h = bar_h * len(chart.series) + 12
    plot_w = width - left - value_w - 6
    height = top + group_h * len(chart.categories) + 26
    base_y = top + group_h * len(chart.categories)

    def x_of(v: float) -> float:
        return left + plot_w * v / ticks[-1]

    out = _open(chart, width, height) + _legend(chart, left, 18)
    for tick in ticks:
        x = x_of(tick)
        out.append(f'<line {_attrs(x1=x, x2=x, y1=top - 4, y2=base_y, stroke=GRID if tick else AXIS)}/>')
        out.append(_text(format_number(tick, chart.lang, decimals), "tick", x=x, y=base_y + 16, text_anchor="middle",
                         fill=MUTED, font_size=TICK_FONT))
    for c, label_lines in enumerate(lines):
        y0 = top + c * group_h + 6
        mid = y0 + bar_h * len(chart.series) / 2
        first = mid + 4 - (len(label_lines) - 1) * 7
        for i, line in enumerate(label_lines):
            out.append(_text(line, "category", x=left - 8, y=first + i * 14, text_anchor="end", fill=INK,
                             font_size=FONT))
        for s, series in enumerate(chart.series):
            value, y = series.values[c], y0 + s * bar_h
            if value is None:
                out.append(_missing(chart, s, c, left + 4, y + bar_h - 5, "start"))
                continue
            end = x_of(max(value, 0.0))
            out.append(_bar(chart, s, c, value, (left, y + 1, end - left, bar_h - 2)))
            out.append(_text(_value_label(chart, s, c, value), "value", x=end + 5, y=y + bar_h - 5, fill=INK,
                             font_size=FONT))
    out.append("</svg>")
    return Markup("\n".join(out))
