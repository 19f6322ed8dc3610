"""The wheel build hook (hatch_build.py): what it adds, and what it leaves behind."""

import os
import subprocess
import zipfile
from pathlib import Path

from aegis.tasks import uv_executable

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_a_wheel_build_ships_the_bundle_and_leaves_no_temporary_directory(
    tmp_path: Path,
) -> None:
    scratch = tmp_path / "tmp"  # the build's temporary directories are made here
    scratch.mkdir()
    dist = tmp_path / "dist"
    subprocess.run(
        [uv_executable(), "build", "--wheel", "--quiet", "--out-dir", str(dist)],
        cwd=REPO_ROOT, check=True, capture_output=True, timeout=300,
        env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip

    [wheel] = dist.glob("aegis-*.whl")
    assert "aegis/_template/template.bundle" in zipfile.ZipFile(wheel).namelist()
    assert sorted(path.name for path in scratch.glob("aegis-bundle-*")) == []
