"""MkDocs hook: writes the rule-code table of rules.md from the rule registry itself.

The codes are the contract CI configurations key on, so the page is generated from the
same registry the reporters read and can never list a code the tool does not have. Each verb
owns its registry (``mockserver.validate.rules`` and ``mockserver.diff.rules``); the page
lists their union.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

MARKER = "<!-- rules: generated from the registry -->"


def rule_registry() -> list[tuple[str, str, str, str, str]]:
    """Every rule as (code, name, default level, summary, fix), by code."""
    # Imported when called, after on_config has put this checkout first on sys.path.
    rules = {
        rule.code: rule
        for module in ("mockserver.validate.rules", "mockserver.diff.rules")
        for rule in importlib.import_module(module).RULES
    }
    ordered = sorted(rules.values(), key=lambda r: r.code)
    return [(r.code, r.name, r.severity, r.summary, r.hint) for r in ordered]


def rules_table() -> str:
    """The registry as a Markdown table."""
    rows = ["| code | rule | level | what it means | usual fix |", "|---|---|---|---|---|"]
    for code, name, level, summary, hint in rule_registry():
        cells = (code, f"`{name}`", level, summary, hint)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


def on_config(config: Any) -> Any:
    """Import this checkout's ``mockserver``, whichever environment runs mkdocs."""
    root = str(Path(config.config_file_path).parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return config


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace the marker in rules.md with the generated table."""
    if page.file.src_uri != "rules.md":
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"rules.md lost its marker {MARKER!r}")
    return markdown.replace(MARKER, rules_table())
