"""Wheel build hook: ship the template's git history as a bundle inside the package.

Copier can 3-way merge an update only against a template that is a git repository or
a git bundle holding the project's old version, so an installed Aegis carries
``aegis/_template/template.bundle`` (``git bundle create --all`` of this repository).

When the template is committed, ``aegis/_template/template.commit`` also records which
commit the wheel's plain template files are (as ``git describe --tags --always``), so
``aegis init`` can render them directly instead of cloning the bundle.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TemplateBundleHook(BuildHookInterface):  # type: ignore[type-arg]
    """Add ``template.bundle`` to wheels built from a git checkout."""

    PLUGIN_NAME = "template-bundle"
    _workdir: Path | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Create the bundle and add it to the wheel (skipped outside a git checkout)."""
        root = Path(self.root)
        if self.target_name != "wheel" or not (root / ".git").exists():
            return
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "copier.yml", "templates"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        # Removed in finalize, once the wheel holds the files (or here, if this fails).
        self._workdir = Path(tempfile.mkdtemp(prefix="aegis-bundle-"))
        try:
            self._add_bundle(root, status, self._workdir, build_data)
        except BaseException:
            self._remove_workdir()
            raise

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary directory the bundle was made in."""
        self._remove_workdir()

    def _remove_workdir(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _add_bundle(
        self, root: Path, status: str, workdir: Path, build_data: dict[str, Any]
    ) -> None:
        """Write the bundle (and the commit, for a clean template) into ``workdir``."""
        if status.strip():
            self.app.display_warning(
                "template has uncommitted changes: the bundle holds the last commit only"
            )
        else:
            commit = subprocess.run(
                ["git", "describe", "--tags", "--always", "HEAD"],
                cwd=root, capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            commit_file = workdir / "template.commit"
            commit_file.write_text(commit.strip() + "\n", encoding="utf-8")
            build_data["force_include"][str(commit_file)] = "aegis/_template/template.commit"
        bundle = workdir / "template.bundle"
        subprocess.run(
            ["git", "bundle", "create", str(bundle), "--all"],
            cwd=root, check=True, capture_output=True,
        )  # fmt: skip
        build_data["force_include"][str(bundle)] = "aegis/_template/template.bundle"
