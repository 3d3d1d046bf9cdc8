"""LibreOffice headless and poppler for the tests that print a file and read it back."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGES = "libreoffice-calc-nogui libreoffice-writer-nogui libreoffice-draw-nogui poppler-utils"


def tools(*names: str) -> list[str]:
    """The paths of `names` (soffice, pdfinfo, pdftotext); the test skips without them, and
    fails under CI, which installs them: a skip there would hide a broken set-up."""
    found = [shutil.which(name) for name in names]
    if not all(found):
        reason = f"LibreOffice or poppler is not installed: apt-get install {PACKAGES}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def run(*command: str | Path) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=180).stdout


def to_pdf(soffice: str, folder: Path, *files: Path) -> Path:
    """`files` printed to PDF by LibreOffice into folder/out, in one start; a profile of its
    own, so parallel runs and a running LibreOffice never collide."""
    profile = f"-env:UserInstallation={(folder / 'profile').as_uri()}"
    out = folder / "out"
    run(
        soffice,
        profile,
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        *map(str, files),
    )
    return out
