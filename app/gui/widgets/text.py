"""Text helpers for wizard pages: wrapped paragraphs, numbered steps, help links."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def paragraph(text: str, parent: QWidget | None = None, *, rich: bool = False) -> QLabel:
    """A word-wrapped, selectable paragraph. `rich` allows the small HTML the pages use."""
    label = QLabel(text if rich else escape(text), parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setOpenExternalLinks(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    return label


def steps(items: list[str], parent: QWidget | None = None) -> QLabel:
    """A numbered list of steps; items may contain <b> for the console's own words."""
    body = "".join(f"<li>{item}</li>" for item in items)
    label = paragraph(f'<ol style="margin-left:0">{body}</ol>', parent, rich=True)
    label.setAccessibleName(" ".join(_strip(item) for item in items))
    return label


def links(pairs: list[tuple[str, str]], parent: QWidget | None = None) -> QLabel:
    """'Help:' followed by links (text, url); opened in the browser, reachable by keyboard."""
    anchors = " · ".join(f'<a href="{escape(url)}">{escape(text)}</a>' for text, url in pairs)
    label = paragraph(anchors, parent, rich=True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.LinksAccessibleByMouse
        | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    )
    label.setAccessibleName(", ".join(text for text, _ in pairs))
    return label


def bold(text: str) -> str:
    """The console's own words, escaped and emphasised."""
    return f"<b>{escape(text)}</b>"


def code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def _strip(html_text: str) -> str:
    for tag in ("<b>", "</b>", "<code>", "</code>", "<i>", "</i>"):
        html_text = html_text.replace(tag, "")
    return html_text
