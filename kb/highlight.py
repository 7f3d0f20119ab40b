"""Highlighting: which paragraph of a section best matches a query, and its text with the matched words marked.

Matching is on analysed terms (stems, accent-folded for French) but the marks go around the words as written, found
through the analyzer's character offsets. Everything else in the text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from kb.engine.schema import analyzer_for

SNIPPET_CHARS = 320


def matched_spans(text: str, terms: set[str], lang: str) -> list[tuple[int, int]]:
    """Character spans of the words in `text` whose analysed form is one of `terms`."""
    return [(start, end) for _, start, end in analyzer_for(lang).matches(text, terms)]


def best_paragraph(paragraphs: Sequence[Sequence], terms: set[str], lang: str) -> tuple[int, list[tuple[int, int]]]:
    """The number of the paragraph with the most distinct matched terms (the first on ties), and its spans."""
    best_n, best_spans, best_key = (paragraphs[0][0] if paragraphs else 1), [], (0, 0)
    if not terms:
        return best_n, []
    analyzer = analyzer_for(lang)
    for para in paragraphs:
        found = analyzer.matches(para[1], terms)
        key = (len({term for term, _, _ in found}), len(found))
        if key > best_key:
            best_n, best_spans, best_key = para[0], [(start, end) for _, start, end in found], key
    return best_n, best_spans


def mark(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """`text` escaped, with each span wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def window(text: str, spans: list[tuple[int, int]], limit: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A window of at most `limit` characters around the first match, as plain text with ellipses where cut, and the
    matched spans in it (code-point offsets into that text, in order, never overlapping)."""
    if len(text) <= limit:
        return text, _tidy(spans, len(text))
    first = min((s for s, _ in spans), default=0)
    start = max(0, min(first - limit // 4, len(text) - limit))
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + limit)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    prefix = "… " if start else ""
    shift = len(prefix) - start
    inside = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    plain = prefix + text[start:end] + (" …" if end < len(text) else "")
    return plain, _tidy(inside, len(plain))


def _tidy(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if start >= (out[-1][1] if out else 0) and start < end <= length:
            out.append((start, end))
    return out


def snippet(text: str, spans: list[tuple[int, int]], limit: int = SNIPPET_CHARS) -> Markup:
    """The window of `window`, escaped, its matches wrapped in <mark>."""
    return mark(*window(text, spans, limit))
