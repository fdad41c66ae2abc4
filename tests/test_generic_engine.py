"""The engine stays generic: vendor behaviour lives in specs/ and fixtures/ as data, so no
module of the package names a vendored API (its names are the stems of specs/)."""

from __future__ import annotations

import re

from tests.conftest import ROOT

VENDORS = sorted(path.stem for path in (ROOT / "specs").glob("*.yaml"))


def test_the_vendored_apis_are_known() -> None:
    assert len(VENDORS) >= 4


def test_no_module_of_the_package_names_a_vendor() -> None:
    named = re.compile("|".join(map(re.escape, VENDORS)), re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "mockserver").rglob("*"))
        if path.is_file() and path.suffix in {".py", ".js", ".html", ".css", ".json", ".yaml"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if named.search(line)
    ]
    assert found == [], "\n".join(found)
