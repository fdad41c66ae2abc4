"""The runnable blocks of the documentation, read from the Markdown as a reader sees it.

A pasted command must work, so the tests run what the pages show; this module only finds
it. A fenced block is a shell block when its language is ``sh``, ``bash``, ``shell`` or
``console``, or when it has no language (or ``text``) and shows a ``$ `` prompt; a
``python`` block is a Python block. ``<!-- not-run: reason -->`` on the line before a
block exempts it, with its reason; ``<!-- output-not-compared: reason -->`` runs it but
does not compare what it prints (times, ids, a live stream).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)")
MARK = re.compile(r"<!--\s*(not-run|output-not-compared):\s*(.+?)\s*-->")
EXIT = re.compile(r"#\s*exits?\s+(\d+)")
CURL_ERROR = re.compile(r"^curl: \((\d+)\)")


@dataclass(frozen=True)
class Command:
    """One command of a shell block and the output the page shows under it."""

    line: str
    output: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        """The exit the page claims: a ``# exits N`` comment, a curl's error shown, or 0."""
        if match := EXIT.search(self.line):
            return int(match.group(1))
        if self.line.startswith("curl "):
            for out in self.output:
                if match := CURL_ERROR.match(out):
                    return int(match.group(1))
        return 0


@dataclass(frozen=True)
class Block:
    """A fenced block: where it is, its language, its text and its marks."""

    path: Path
    line: int
    language: str
    text: str
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def runnable(self) -> bool:
        return "not-run" not in self.marks

    @property
    def compare_output(self) -> bool:
        return "output-not-compared" not in self.marks

    def commands(self) -> list[Command]:
        """The commands, joined across trailing backslashes, each with its shown output."""
        lines = self.text.splitlines()
        prompted = any(line.startswith("$ ") for line in lines)
        found: list[tuple[list[str], list[str]]] = []
        continued = False
        for raw in lines:
            if continued:
                found[-1][0].append(raw)
            elif prompted and raw.startswith("$ "):
                found.append(([raw[2:]], []))
            elif prompted and found:
                found[-1][1].append(raw)
            elif not prompted and raw.strip() and not raw.lstrip().startswith("#"):
                found.append(([raw], []))
            continued = raw.endswith("\\") and bool(found)
        return [Command(_join(parts), tuple(out)) for parts, out in found]


def _join(parts: list[str]) -> str:
    return " ".join(part.rstrip("\\").strip() for part in parts)


def read_blocks(path: Path) -> list[Block]:
    """Every fenced shell or Python block of one Markdown file."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, language = match.group(1), match.group(2).lower()
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith("```"):
            end += 1
        body = "\n".join(line[len(indent) :] for line in lines[index + 1 : end])
        marks = _marks(lines, index)
        if _is_runnable_kind(language, body):
            kind = "python" if language == "python" else "shell"
            blocks.append(Block(path, index + 1, kind, body, marks))
        elif "not-run" in marks:  # any language: a marked block is listed all the same
            blocks.append(Block(path, index + 1, language, body, marks))
        index = end + 1
    return blocks


def _is_runnable_kind(language: str, body: str) -> bool:
    if language in SHELL_LANGUAGES or language == "python":
        return True
    return language in {"", "text"} and any(line.startswith("$ ") for line in body.splitlines())


def _marks(lines: list[str], fence: int) -> dict[str, str]:
    """The ``<!-- ... -->`` marks on the lines right before a fence."""
    marks: dict[str, str] = {}
    above = fence - 1
    while above >= 0 and (match := MARK.search(lines[above])):
        marks[match.group(1)] = match.group(2)
        above -= 1
    return marks
