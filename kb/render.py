"""Rendering a section's paragraphs: Markdown (raw HTML off) to HTML, with the query's words marked.

Each stored paragraph is a Markdown fragment (a prose paragraph or one list item); it is rendered inline by
markdown-it-py with HTML disabled, so `<script>` stays text and `javascript:` links are refused by its link
validation. Marks are applied to text tokens only, never inside tags or URLs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from kb.engine.stored import Anchored, StoredParagraph
from kb.highlight import mark, matched_spans
from kb.markdown import markdown_parser

_MD = markdown_parser()


def _render_text(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]  # markdown-it rule
    content = tokens[idx].content
    terms = env.get("terms")
    if not terms:
        return str(escape(content))
    return str(mark(content, matched_spans(content, terms, env["lang"])))


_MD.add_render_rule("text", _render_text)


def _render_image(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]  # markdown-it rule
    """An image is never shown (nothing is fetched from elsewhere, no `data:` image): its description, as text."""
    alt = "".join(child.content for child in tokens[idx].children or [])
    return str(escape(f"[{alt}]")) if alt else ""


_MD.add_render_rule("image", _render_image)


@dataclass
class RenderedParagraph(Anchored):
    n: int
    kind: str
    html: Markup
    themes: list[str]
    marked: bool
    id: str | None = None  # its stable identifier, None in documents without them



def render_paragraphs(
    paragraphs: Sequence[StoredParagraph], lang: str, terms: set[str] | None = None
) -> list[RenderedParagraph]:
    """Stored paragraphs -> HTML, marking `terms` (analysed) where given."""
    out = []
    for para in paragraphs:
        html = _MD.renderInline(para.text, {"terms": terms or set(), "lang": lang})
        out.append(RenderedParagraph(para.n, para.kind, Markup(html), list(para.themes), "<mark>" in html, para.id))
    return out


def plain_text(markdown_text: str) -> str:
    """A paragraph's text without Markdown markup (for citations and CSV)."""
    tokens = _MD.parseInline(markdown_text)
    parts = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return "".join(parts)
