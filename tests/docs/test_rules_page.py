"""The rule-codes page is generated from the registry, so it lists exactly the codes there are.

The hook lives with the site (docs/hooks/rules.py) and is loaded from its file, as MkDocs
loads it; the registry is read through the code, never retyped here.
"""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

from tests.conftest import ROOT

HOOK = ROOT / "docs" / "hooks" / "rules.py"


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_rules_hook", HOOK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_has_one_row_per_code_of_validate_and_diff() -> None:
    table = _hook().rules_table()
    codes = re.findall(r"^\| (MS\d{3}) \|", table, re.MULTILINE)
    assert codes == sorted(set(codes))
    assert {"MS001", "MS104", "MS131", "MS201", "MS301", "MS401", "MS499"} <= set(codes)


def test_the_page_keeps_its_marker() -> None:
    hook = _hook()
    assert hook.MARKER in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_each_row_names_the_rule_s_default_level() -> None:
    table = _hook().rules_table()
    levels = dict(re.findall(r"^\| (MS\d{3}) \| `[^`]+` \| (\w+) \|", table, re.MULTILINE))
    assert levels["MS104"] == "error" and levels["MS132"] == "warning"
