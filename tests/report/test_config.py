"""The configuration: select, ignore, levels, per-file and per-pointer exceptions, found
in .mockserver.yaml or pyproject.toml, and every mistake in it an error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.errors import UsageError
from mockserver.report.config import Policy, load_policy, parse_policy
from mockserver.report.findings import Finding, Registry, Rule

RULES = Registry(
    [
        Rule("MS001", "unreadable-file", "s", "h"),
        Rule("MS501", "one", "s", "h"),
        Rule("MS502", "two", "s", "h", severity="warning"),
    ]
)
CONFIG = Path("cfg.yaml")


def finding(code: str, file: str = "specs/a.yaml", pointer: str = "/paths/~1a") -> Finding:
    return Finding(code, Path(file), pointer, "message")


def policy(**table: object) -> Policy:
    return parse_policy(CONFIG, table, RULES)


def codes(p: Policy, *findings: Finding) -> list[str]:
    return [f.code for f in p.apply(findings)]


def test_the_default_policy_reports_everything_as_it_is() -> None:
    found = [finding("MS501"), finding("MS502")]
    assert Policy().apply(found) == found


def test_select_keeps_only_the_codes_named() -> None:
    assert codes(policy(select=["MS502"]), finding("MS501"), finding("MS502")) == ["MS502"]


def test_ignore_drops_the_codes_named() -> None:
    assert codes(policy(ignore=["MS501"]), finding("MS501"), finding("MS502")) == ["MS502"]


def test_severity_changes_a_rule_level() -> None:
    [changed] = policy(severity={"MS501": "info"}).apply([finding("MS501")])
    assert changed.severity == "info"


def test_a_file_that_could_not_be_checked_is_never_hidden() -> None:
    assert codes(policy(select=["MS501"]), finding("MS001")) == ["MS001"]


def test_per_file_ignores_match_a_glob_relative_to_the_current_folder() -> None:
    p = policy(**{"per-file-ignores": {"specs/legacy/*.yaml": ["MS501"]}})
    kept = codes(p, finding("MS501", "specs/legacy/old.yaml"), finding("MS501", "specs/new.yaml"))
    assert kept == ["MS501"]
    assert p.apply([finding("MS501", "specs/new.yaml")])[0].file == Path("specs/new.yaml")


def test_per_pointer_ignores_cover_the_subtree_and_nothing_beside_it() -> None:
    p = policy(**{"per-pointer-ignores": {"/paths/~1a": ["MS501"]}})
    inside = finding("MS501", pointer="/paths/~1a/get/responses")
    beside = finding("MS501", pointer="/paths/~1ab")
    assert p.apply([inside, beside]) == [beside]


def test_per_pointer_ignores_may_name_the_files() -> None:
    p = policy(**{"per-pointer-ignores": {"specs/b.yaml#/paths/~1a": ["MS501"]}})
    assert codes(p, finding("MS501", "specs/a.yaml"), finding("MS501", "specs/b.yaml")) == ["MS501"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"ignore": ["MS999"]}, "unknown rule code MS999 in ignore"),
        ({"select": ["MS501", "MS998"]}, "unknown rule code MS998 in select"),
        ({"severity": {"MS997": "info"}}, "unknown rule code MS997 in severity"),
        ({"per-file-ignores": {"*.yaml": ["MS996"]}}, "unknown rule code MS996"),
        ({"per-pointer-ignores": {"/a": ["MS995"]}}, "unknown rule code MS995"),
        ({"severity": {"MS501": "fatal"}}, "must be one of info, warning, error"),
        ({"fail-on": "sometimes"}, "fail-on must be one of"),
        ({"ignored": ["MS501"]}, "unknown setting 'ignored'"),
        ({"per-pointer-ignores": {"paths": ["MS501"]}}, "a JSON pointer starts with '/'"),
    ],
)
def test_mistakes_are_errors_naming_the_file(table: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_policy(CONFIG, table, RULES)
    assert message in str(caught.value)
    assert str(caught.value).startswith("cfg.yaml: ")
    assert "\n" not in str(caught.value)


def test_found_in_the_current_folder_yaml_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".mockserver.yaml").write_text("validate:\n  ignore: [MS501]\n")
    (tmp_path / "pyproject.toml").write_text('[tool.mockserver.validate]\nignore = ["MS502"]\n')
    monkeypatch.chdir(tmp_path)
    assert load_policy("validate", RULES).ignore == {"MS501"}


def test_found_in_pyproject_of_a_parent_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mockserver.validate]\nfail-on = "warning"\n'
        '[tool.mockserver.validate.severity]\nMS501 = "warning"\n'
    )
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    found = load_policy("validate", RULES)
    assert (found.source, found.levels, found.fail_on) == (
        tmp_path / "pyproject.toml",
        {"MS501": "warning"},
        "warning",
    )


def test_the_search_stops_at_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".mockserver.yaml").write_text("validate:\n  ignore: [MS501]\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo")
    assert load_policy("validate", RULES) == Policy()


def test_an_explicit_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the configuration"):
        load_policy("validate", RULES, tmp_path / "missing.yaml")
