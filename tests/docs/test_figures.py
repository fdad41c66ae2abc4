"""Figures are included from the files the benchmarks write, never typed into the pages.

A figure typed twice drifts (the README once quoted two different cases/s and two
validate times); so no measured figure of bench/*.md may appear in README.md or docs/
as typed text, and the pages that show them include the files instead.
"""

from __future__ import annotations

import re

from tests.conftest import ROOT

FIGURE = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\.\d+ ?(?:s|ms|µs|x|MiB)\b")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]


def _figures(text: str) -> set[str]:
    return set(FIGURE.findall(text))


def test_no_page_retypes_a_measured_figure() -> None:
    measured = set().union(*(_figures(p.read_text("utf-8")) for p in (ROOT / "bench").glob("*.md")))
    assert measured, "the bench files hold figures"
    for page in PAGES:
        typed = _figures(page.read_text("utf-8")) & measured
        assert not typed, f"{page.name} types {sorted(typed)}: include the bench file instead"


def test_the_measurement_pages_include_the_bench_files() -> None:
    included = {
        name
        for page in PAGES
        for name in re.findall(r'^--8<-- "(bench/[\w-]+\.md)"$', page.read_text("utf-8"), re.M)
    }
    written = {f"bench/{p.name}" for p in (ROOT / "bench").glob("*.md")}
    assert included == written
