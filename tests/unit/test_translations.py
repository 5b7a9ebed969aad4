"""Every sentence the GUI shows can be translated: Qt's own extractor finds each one, in the
context the program asks for it, and there is one placeholder style.

`pyside6-lupdate` reads source text, not running code, so it sees only a literal passed straight
to `self.tr(...)` or `QCoreApplication.translate("Context", ...)`: a wrapper (`def _tr(text)`),
an f-string or a sentence built by concatenation reaches the screen untranslatable. The check runs
the real `pyside6-lupdate` (shipped with PySide6, a dependency: missing, the test fails) and
compares what it extracted with what an AST walk of `app/gui` finds.

Placeholders: `{0}` filled by `str.format`, never Qt's `%1` filled by `.replace`. PySide6 has no
`QString.arg`, and chained `.replace("%1", a).replace("%2", b)` puts `b` inside `a` when outside
text (a member's name) contains "%2"; `str.format` fills every field in one pass. `%n` plurals
need a loaded translation to read right in English, so counts go through `members.text.plural`
with two `{0}` sentences instead, and numerus calls (the `n` argument) are not used.
"""

from __future__ import annotations

import ast
import re
import string
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.core import vocabulary
from tests.fixtures.translations import lupdate_ts, sources

ROOT = Path(__file__).parents[2]
GUI = ROOT / "app" / "gui"
#: The one place a word that is not a literal is translated: the core vocabulary's words, each
#: marked in `app/core/vocabulary.py` with `QT_TRANSLATE_NOOP("Vocabulary", …)`.
VOCABULARY_SHOWN = ROOT / "app" / "gui" / "widgets" / "vocabulary.py"
#: Receivers of a static `translate(context, text)`.
_APPS = {"QCoreApplication", "QApplication", "QGuiApplication"}
#: Functions that take finished `{0}` sentences and fill them (`plural(count, one, many)`).
_FILLERS = {"plural"}
_QT_PLACEHOLDER = re.compile(r"%(L?\d+|n)")


@dataclass
class Found:
    """What the AST walk found: the extractable messages, and every rule broken, with its place."""

    messages: set[tuple[str, str]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _fields(text: str) -> list[str] | None:
    """The replacement fields of a `str.format` template (None: it is not a valid template)."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None


class _Walker(ast.NodeVisitor):
    def __init__(self, path: Path, found: Found) -> None:
        self.path = path.relative_to(ROOT).as_posix()
        self.found = found
        self.classes: list[str] = []
        self.parents: dict[ast.AST, ast.AST] = {}

    def walk(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.visit(tree)

    def problem(self, node: ast.AST, what: str) -> None:
        self.found.problems.append(f"{self.path}:{getattr(node, 'lineno', 0)}: {what}")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "QT_TRANSLATE_NOOP":
            self._translate(node)
        elif isinstance(func, ast.Name) and func.id in {"tr", "_tr", "translate", "_translate"}:
            self.problem(node, f"a translation wrapper `{func.id}(...)`: lupdate cannot see it")
        elif isinstance(func, ast.Attribute) and func.attr == "tr":
            self._tr(node, func)
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "translate"
            and isinstance(func.value, ast.Name)
            and func.value.id in _APPS
        ):
            self._translate(node)
        self.generic_visit(node)

    def _tr(self, node: ast.Call, func: ast.Attribute) -> None:
        if not (isinstance(func.value, ast.Name) and func.value.id == "self") or not self.classes:
            self.problem(node, "`tr` on something other than `self` in a class: context unknown")
            return
        self._message(node, self.classes[-1], node.args[0] if node.args else None, node.args[1:])

    def _translate(self, node: ast.Call) -> None:
        context = _literal(node.args[0]) if node.args else None
        if context is None:
            self.problem(node, "`translate` without a literal context")
            return
        if self.path == VOCABULARY_SHOWN.relative_to(ROOT).as_posix() and context == "Vocabulary":
            return  # a marked word of the core's (test_every_vocabulary_word_is_marked)
        self._message(node, context, node.args[1] if len(node.args) > 1 else None, node.args[2:])

    def _message(
        self, node: ast.Call, context: str, text_node: ast.expr | None, rest: list[ast.expr]
    ) -> None:
        text = _literal(text_node)
        if text is None:
            self.problem(node, "a translation call whose text is not one string literal")
            return
        if node.keywords or len(rest) > 1 or (rest and _literal(rest[0]) is None):
            self.problem(node, "a disambiguation that is not a literal, or a numerus call")
            return
        if rest:
            self.problem(node, "a disambiguation comment (not used in this program)")
            return
        self.found.messages.add((context, text))
        if _QT_PLACEHOLDER.search(text):
            self.problem(node, f"Qt placeholder in {text!r}: use {{0}} and .format")
        self._filled(node, text)

    def _filled(self, node: ast.Call, text: str) -> None:
        """A template's fields are filled by `.format` on the call itself (or by `plural`)."""
        fields = _fields(text)
        if fields is None:
            self.problem(node, f"{text!r} is not a valid str.format template")
            return
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            call = self.parents.get(parent)
            if parent.attr == "replace":
                self.problem(node, "`.replace` on a translated text: use {0} and .format")
            elif parent.attr == "format" and isinstance(call, ast.Call):
                self._format_args(node, text, fields, call)
                return
        if isinstance(parent, ast.Call) and node in parent.args:
            callee = parent.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            if name in _FILLERS:
                numbers = sorted({int(f) for f in fields if f.isdigit()})
                if (
                    "0" not in fields
                    or len(fields) != len(set(fields))
                    or numbers != list(range(len(numbers)))
                    or len(numbers) != len(fields)
                ):
                    self.problem(node, f"{text!r}: a plural sentence has {{0}}, then {{1}}, …")
                return
        if fields:
            self.problem(node, f"{text!r} has fields but is not filled by .format right here")

    def _format_args(self, node: ast.Call, text: str, fields: list[str], call: ast.Call) -> None:
        if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
            keyword.arg is None for keyword in call.keywords
        ):
            return  # filled from a sequence or mapping: not checkable here
        names = {keyword.arg for keyword in call.keywords}
        automatic = [name for name in fields if name == ""]
        numbered = {int(name) for name in fields if name.isdigit()}
        named = {name for name in fields if name and not name.isdigit()}
        used = set(range(len(automatic))) | numbered
        if automatic and numbered:
            self.problem(node, f"{text!r} mixes {{}} and {{0}}")
        if used != set(range(len(call.args))) or named != names:
            self.problem(node, f"{text!r}: its fields and the .format arguments differ")


def _walk_gui() -> Found:
    found = Found()
    for path in sources():
        _Walker(path, found).walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return found


def _extracted(tmp_path: Path) -> set[tuple[str, str]]:
    """What `pyside6-lupdate` extracts from `app/gui`, as (context, source text)."""
    messages: set[tuple[str, str]] = set()
    # lupdate wrote this file from our own sources a moment ago: not outside data.
    for context in ET.parse(lupdate_ts(tmp_path)).getroot().iter("context"):  # noqa: S314
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            messages.add((name, message.findtext("source") or ""))
    return messages


@pytest.fixture(scope="module")
def walked() -> Found:
    return _walk_gui()


def test_lupdate_extracts_every_translated_literal_in_its_context(
    walked: Found, tmp_path: Path
) -> None:
    extracted = _extracted(tmp_path)
    assert len(walked.messages) > 300  # the walk found the GUI's sentences at all
    missing = sorted(walked.messages - extracted)
    assert not missing, f"{len(missing)} sentences lupdate does not see: {missing[:20]}"
    extra = sorted(extracted - walked.messages)
    assert not extra, f"lupdate extracts sentences the program never asks for: {extra[:20]}"


def test_every_translation_call_is_extractable_with_one_placeholder_style(walked: Found) -> None:
    assert not walked.problems, "\n".join(walked.problems)


def _vocabulary_words() -> set[str]:
    """Every word `app.core.vocabulary` has for people (its mappings' values, its constants)."""
    words: set[str] = set()
    for name, value in vars(vocabulary).items():
        if name.startswith("_") or isinstance(value, type):
            continue
        if isinstance(value, Mapping):
            words |= {v for v in value.values() if isinstance(v, str)}
        elif isinstance(value, str) and name.isupper():
            words.add(value)
    return words


def test_every_vocabulary_word_is_marked_for_translation(walked: Found) -> None:
    words = _vocabulary_words()
    assert {"Needs confirmation", "Owner", "On", "Waiting since (first seen)"} <= words
    marked = {text for context, text in walked.messages if context == "Vocabulary"}
    assert sorted(words - marked) == []


def _problems_in(source: str) -> list[str]:
    """The rules the walk finds broken in `source`, as if it were a module of app/gui."""
    found = Found()
    _Walker(GUI / "example.py", found).walk(ast.parse(source))
    return found.problems


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("def _tr(t):\n    return QCoreApplication.translate('M', t)\n", "not one string"),
        ("_tr('Hello')\n", "wrapper"),
        ("class A:\n    def f(self, x):\n        self.tr(f'Hi {x}')\n", "not one string"),
        ("class A:\n    def f(self, x):\n        self.tr('Hi ' + x)\n", "not one string"),
        ("class A:\n    def f(self, p):\n        p.tr('Hi')\n", "other than `self`"),
        ("QCoreApplication.translate(NAME, 'Hi')\n", "literal context"),
        ("QCoreApplication.translate('M', 'Hi %1').replace('%1', x)\n", "Qt placeholder"),
        ("QCoreApplication.translate('M', 'Hi %1').replace('%1', x)\n", "`.replace`"),
        ("class A:\n    def f(self, n):\n        self.tr('%n items', '', n)\n", "numerus"),
        ("class A:\n    def f(self):\n        self.tr('Hi {0}')\n", "not filled"),
        ("class A:\n    def f(self):\n        self.tr('Hi {0} {1}').format(1)\n", "differ"),
        ("class A:\n    def f(self):\n        self.tr('Hi {name}').format(x=1)\n", "differ"),
        ("plural(3, QCoreApplication.translate('M', '{0} to {0}'), b)\n", "then {1}"),
        ("plural(3, QCoreApplication.translate('M', 'to {1}'), b)\n", "then {1}"),
    ],
)
def test_the_walk_finds_each_broken_rule(source: str, why: str) -> None:
    problems = _problems_in(source)
    assert any(why in problem for problem in problems), problems


def test_the_walk_accepts_the_house_style() -> None:
    source = (
        "class A:\n"
        "    def f(self, x):\n"
        "        self.tr('Hi {0}, {1}').format(x, 2)\n"
        "        self.tr('Done.')\n"
        "        self.tr('Hi {who}').format(who=x)\n"
        "        plural(x, self.tr('{0} day'), self.tr('{0} days'))\n"
        "QCoreApplication.translate('Members', 'All ({0})').format(3)\n"
    )
    assert _problems_in(source) == []
