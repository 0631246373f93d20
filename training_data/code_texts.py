"""Find visitor-facing English sentences typed into code, where staff can't edit them.

Visitor texts belong in messages.yml, domain.yml and data/responses/faq.yml. This scans
string literals in the Python that builds replies (actions, channels, clinic rules) and in
the chat widget, and reports the ones that read like a sentence: four or more words ending
in . ! ? or …, or six or more words (f-strings are read whole). Regular expressions,
docstrings, log lines and exception messages (read by staff, not visitors)
are skipped. `make check` runs it; `python -m training_data.code_texts` prints the list.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Sequence

from clinic.paths import REPO_ROOT

VISITOR_CODE = ("actions", "channels", "clinic")
WIDGET = Path("web") / "widget.js"
# The widget's one sentence of its own: shown when the assistant can't be reached, so it
# can't come from the assistant; it carries the clinic's phone from the page.
WIDGET_ALLOWED = ("reach the clinic's assistant",)
_SENTENCE = re.compile(r"^[^\n]*\b\w+\W+\w+\W+\w+\W+\w+[^\n]*[.!?…]\s*$")
_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'')
_LOG_CALLS = {"debug", "info", "warning", "error", "exception", "critical"}


@dataclass(frozen=True)
class CodeText:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: visitor text in code: {self.text!r} (move it to messages.yml)"


_REGEX_MARKS = ("\\", "(?", "[^", "|")
_CSS_RULE = re.compile(r"\{[^}]*:[^}]*;?[^}]*\}")


def looks_like_sentence(text: str) -> bool:
    stripped = text.strip()
    if any(mark in stripped for mark in _REGEX_MARKS) or _CSS_RULE.search(stripped):
        return False
    return bool(_SENTENCE.match(stripped)) or len(re.findall(r"\b[A-Za-z']{2,}\b", stripped)) >= 6


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """ids of string nodes that are docstrings, log lines, exceptions or API error bodies.

    API errors (HTTP 400/401 bodies) are read by the developers of a client, never shown
    in the chat: the widget shows its own offline message instead.
    """
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skipped.add(id(body[0].value))
        is_log = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _LOG_CALLS
        is_error = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("Error")
        error_values = [
            value
            for key, value in (zip(node.keys, node.values) if isinstance(node, ast.Dict) else [])
            if isinstance(key, ast.Constant) and key.value == "error"
        ]
        if is_log or is_error or isinstance(node, ast.Raise):
            skipped.update(id(inner) for inner in ast.walk(node))
        for value in error_values:
            skipped.update(id(inner) for inner in ast.walk(value))
    return skipped


def python_texts(path: Path, root: Path = REPO_ROOT) -> Iterator[CodeText]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _skipped_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            # An f-string is one text: its pieces alone may each look harmless.
            skipped.update(id(part) for part in node.values)
            if id(node) not in skipped:
                whole = "".join(str(p.value) if isinstance(p, ast.Constant) else "{}" for p in node.values)
                if looks_like_sentence(str(whole)):
                    yield CodeText(path.relative_to(root), node.lineno, str(whole))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            if looks_like_sentence(node.value):
                yield CodeText(path.relative_to(root), node.lineno, node.value)


def widget_texts(path: Path, root: Path = REPO_ROOT) -> Iterator[CodeText]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith(("*", "//", "/*")):
            continue
        for match in _JS_STRING.finditer(line):
            text = match.group(1) or match.group(2) or ""
            if looks_like_sentence(text) and not any(ok in text for ok in WIDGET_ALLOWED):
                yield CodeText(path.relative_to(root), number, text)


def find_code_texts(root: Path = REPO_ROOT, packages: Sequence[str] = VISITOR_CODE) -> List[CodeText]:
    found: List[CodeText] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found.extend(python_texts(path, root))
    if (root / WIDGET).exists():
        found.extend(widget_texts(root / WIDGET, root))
    return found


def main() -> int:
    found = find_code_texts()
    for item in found:
        print(item)
    print(f"{len(found)} visitor sentence(s) in code.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
