"""What every verb shares: finding the documents a command line names, preparing the
files it writes, and the one line it prints when it cannot run.

Nothing heavy is imported at module level: the parser is built from these modules on
every run, including ``--help``.
"""

from __future__ import annotations

from pathlib import Path

from mockserver.errors import MockserverError, UsageError

#: The report formats of the shared reporters (``mockserver.report.reporters.FORMATS``),
#: listed here, as the two below, so building the parser does not import the reporters.
REPORT_FORMATS = ("github", "json", "junit", "sarif", "text")
#: The severities, least first (``mockserver.report.findings.SEVERITIES``).
SEVERITIES = ("info", "warning", "error")
#: The files ``validate``'s configuration is read from (``mockserver.report.config``).
CONFIG_NAMES = (".mockserver.yaml", "pyproject.toml")


def spec_path(name: str, specs_dir: Path) -> Path:
    """The document ``name`` names: a path, or a file stem in ``specs_dir``."""
    from mockserver.spec.loader import find_spec

    found = find_spec(name, specs_dir)
    if found is None:
        raise UsageError(
            None, f"no document {name!r}", hint=f"give a path, or the name of a file in {specs_dir}"
        )
    return found


def spec_files(paths: list[Path]) -> list[Path]:
    """The documents named by ``paths``: files as given, folders' YAML/JSON files sorted."""
    from mockserver.spec.loader import SPEC_SUFFIXES

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(path, "no such file or folder")
    if not found:
        raise UsageError(None, "no documents to serve", hint="give a path to an OpenAPI file")
    names = [p.stem for p in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(
            None,
            f"two documents are named {duplicates[0]!r}; each API is "
            "served under /<file name>, so names must differ",
        )
    return found


def local_documents(names: list[str]) -> list[Path]:
    """Command-line documents as files: paths as given, ``http(s)`` URLs downloaded into
    the user's cache folder first."""
    from mockserver.errors import LoadError
    from mockserver.spec.loader import fetch_document, is_url

    found = []
    for name in names:
        if not is_url(name):
            found.append(Path(name))
            continue
        try:
            found.append(fetch_document(name))
        except LoadError as error:
            raise UsageError(
                None, error.message, hint="check the URL, or download it and give the file"
            ) from None
    return found


def named_spec_files(names: list[str], specs_dir: Path) -> list[Path]:
    """``--spec`` values (names in ``specs_dir`` or paths) as documents; all of
    ``specs_dir`` when none is given."""
    from mockserver.spec.loader import find_spec

    if not names:
        return spec_files([specs_dir])
    return spec_files([find_spec(name, specs_dir) or Path(name) for name in names])


def fixtures_folder(given: Path | None) -> Path:
    """``--fixtures`` as given (it must be a folder), else ``fixtures/`` when there is one."""
    if given is None:
        return Path("fixtures")
    if not given.is_dir():
        raise UsageError(
            given,
            "--fixtures is not a folder",
            hint="give the folder holding one sub-folder of fixtures per document",
        )
    return given


def writable(path: Path | None, option: str) -> Path | None:
    """``path`` once its folder exists (made if missing), checked before the run starts so
    a long run never ends in a report it cannot write."""
    if path is None:
        return None
    if path.is_dir():
        raise UsageError(path, f"{option} is a folder", hint="give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            path, f"{option}: cannot create its folder: {error.strerror or error}"
        ) from None
    return path


def error_line(verb: str, error: MockserverError) -> str:
    """What the command prints when it cannot run: one line for an option's mistake
    (``mockserver serve: port 8000 is already in use (stop it, ...)``), the file:line
    form ``validate`` uses for a file's."""
    if isinstance(error, UsageError) and error.position is None:
        where = f"{error.file}: " if error.file else ""
        fix = f" ({error.hint})" if error.hint else ""
        return f"{verb}: {where}{error.message}{fix}"
    return f"{verb}: {error}"
