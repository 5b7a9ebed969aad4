"""Text helpers for wizard pages: wrapped paragraphs, numbered steps, help links.

Labels start with Qt's defaults (rich text recognised automatically) and get their text format and
interaction flags in `finish_text_setup`, which the wizard calls after its first paint: touching
any `Qt.*` enum from Python builds all of the `Qt` namespace's enums at once (~50 ms), more than
painting the first page costs.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

#: The kinds of label `finish_text_setup` knows (a dynamic property on each label).
_KIND = "scim_text"
_LINKS_HTML = "scim_links_html"
_ready = False


def paragraph(text: str, parent: QWidget | None = None, *, rich: bool = False) -> QLabel:
    """A word-wrapped, selectable paragraph; `rich` for the small HTML the pages use."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.linkActivated.connect(lambda url: _open_link(url, label))
    _register(label, "rich" if rich else "plain")
    return label


def steps(items: list[str], parent: QWidget | None = None) -> QLabel:
    """A numbered list of steps; items may contain <b> for the console's own words."""
    body = "".join(f"<li>{item}</li>" for item in items)
    label = paragraph(f'<ol style="margin-left:0">{body}</ol>', parent, rich=True)
    label.setAccessibleName(" ".join(_strip(item) for item in items))
    return label


def links(pairs: list[tuple[str, str]], parent: QWidget | None = None) -> QLabel:
    """Links (text, url), opened in the browser and reachable with the keyboard."""
    anchors = " · ".join(f'<a href="{escape(url)}">{escape(text)}</a>' for text, url in pairs)
    # Plain words until `finish_text_setup`: an HTML label costs the first paint a few ms.
    label = paragraph(" · ".join(text for text, _ in pairs), parent)
    label.setProperty(_LINKS_HTML, anchors)
    _register(label, "links")
    label.setAccessibleName(", ".join(text for text, _ in pairs))
    return label


def _open_link(url: str, label: QLabel) -> None:
    from app.gui.widgets.browser import open_in_browser

    open_in_browser(url, label.window())


def selectable(label: QLabel, kind: str = "rich") -> None:
    """Give another label (e.g. a message) the same treatment as the paragraphs."""
    _register(label, kind)


def bold(text: str) -> str:
    """The console's own words, escaped and emphasised."""
    return f"<b>{escape(text)}</b>"


def code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def finish_text_setup(root: QWidget) -> None:
    """Set text formats and interaction flags on `root`'s labels; later labels get them at once."""
    global _ready
    _ready = True
    for label in root.findChildren(QLabel):
        _apply(label)


def _register(label: QLabel, kind: str) -> None:
    label.setProperty(_KIND, kind)
    if _ready:
        _apply(label)


def _apply(label: QLabel) -> None:
    from PySide6.QtCore import Qt

    kind = label.property(_KIND)
    if kind is None:
        return
    flags = Qt.TextInteractionFlag
    if kind == "links":
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText(str(label.property(_LINKS_HTML)))
        label.setTextInteractionFlags(
            flags.LinksAccessibleByMouse | flags.LinksAccessibleByKeyboard
        )
        return
    if kind != "message":  # messages switch between plain and rich text themselves
        plain = kind == "plain"
        label.setTextFormat(Qt.TextFormat.PlainText if plain else Qt.TextFormat.RichText)
    label.setTextInteractionFlags(flags.TextSelectableByMouse | flags.LinksAccessibleByMouse)


def escape(text: str) -> str:
    """HTML-escape `text` (as `html.escape`, whose entity table costs ~6 ms to import)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _strip(html_text: str) -> str:
    for tag in ("<b>", "</b>", "<code>", "</code>", "<i>", "</i>"):
        html_text = html_text.replace(tag, "")
    return html_text
