"""Read and extend Rasa NLU training files as text, so staff edits keep their formatting.

The files in data/nlu/ use Rasa's layout: `- intent: <name>` followed by `  examples: |`
and one `    - <example>` per line. This module knows where each example sits (file and line)
for the data checks, and appends new examples to the right block for `clinic review --apply`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

_INTENT = re.compile(r"^- intent:\s*(?P<name>\S+)\s*$")
_EXAMPLE = re.compile(r"^(?P<indent>\s+)- (?P<text>.*\S)\s*$")
_TOP_LEVEL = re.compile(r"^\S")
# Entity annotations: [text](entity) or [text]{"entity": ...}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](\([^)]*\)|\{[^}]*\})")


@dataclass
class Example:
    text: str  # as written, annotations included
    line: int  # 1-based

    @property
    def plain(self) -> str:
        return _ANNOTATION.sub(lambda m: m.group("text"), self.text)


@dataclass
class IntentBlock:
    intent: str
    path: Path
    line: int  # the `- intent:` line, 1-based
    examples: List[Example] = field(default_factory=list)
    indent: str = "    "

    @property
    def last_line(self) -> int:
        return self.examples[-1].line if self.examples else self.line + 1


def normalise(text: str) -> str:
    """The form two examples are compared in: case, spacing and end punctuation ignored."""
    text = _ANNOTATION.sub(lambda m: m.group("text"), text)
    text = re.sub(r"\s+", " ", text.lower()).strip()
    return text.strip(" .!?,;:")


def read_blocks(path: Path) -> List[IntentBlock]:
    blocks: List[IntentBlock] = []
    current: Optional[IntentBlock] = None
    in_examples = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _INTENT.match(line)
        if match:
            current = IntentBlock(intent=match.group("name"), path=path, line=number)
            blocks.append(current)
            in_examples = False
            continue
        if current is None:
            continue
        if line.strip().startswith("examples:"):
            in_examples = True
            continue
        if _TOP_LEVEL.match(line):
            current, in_examples = None, False
            continue
        example = _EXAMPLE.match(line)
        if in_examples and example:
            current.indent = example.group("indent")
            current.examples.append(Example(text=example.group("text"), line=number))
    return blocks


def read_all(files: Iterable[Path]) -> Dict[str, IntentBlock]:
    """Every intent block by intent name (an intent split over two files: the first)."""
    blocks: Dict[str, IntentBlock] = {}
    for path in files:
        for block in read_blocks(path):
            blocks.setdefault(block.intent, block)
    return blocks


def nlu_files(data_dir: Path) -> List[Path]:
    return sorted((data_dir / "nlu").rglob("*.yml"))


def append_examples(block: IntentBlock, texts: List[str]) -> None:
    """Insert `texts` after the last example of `block`, in the file's own indentation."""
    lines = block.path.read_text(encoding="utf-8").splitlines(keepends=True)
    insert_at = block.last_line  # index just after the last example line
    newline = "\n"
    new_lines = [f"{block.indent}- {text}{newline}" for text in texts]
    if insert_at > 0 and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += newline
    lines[insert_at:insert_at] = new_lines
    block.path.write_text("".join(lines), encoding="utf-8")
