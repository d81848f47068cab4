"""System software a heavy test needs (Debian packages), installed on demand.

Where it cannot be installed the test is skipped, except on CI (CI=true), where a skipped
heavy test would hide a failure: there it fails.
"""

from __future__ import annotations

import glob
import os
import subprocess
from pathlib import Path

import pytest

INSTALLER = Path(__file__).resolve().parent.parent / "scripts" / "apt_install.sh"


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: a skipped heavy test is a failure)")
    pytest.skip(reason)


def ensure(wanted: str, *packages: str) -> list[str]:
    """The paths matching the glob `wanted`, after apt-installing `packages` if none do."""
    if not glob.glob(wanted):
        result = subprocess.run(["bash", str(INSTALLER), wanted, *packages], capture_output=True,
                                text=True, timeout=900, check=False)
        if result.returncode != 0 or not glob.glob(wanted):
            skip_or_fail(f"nothing at {wanted} and {INSTALLER.name} could not install "
                         f"{' '.join(packages)}: {result.stderr.strip()[-500:]}")
    return sorted(glob.glob(wanted))
