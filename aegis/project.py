"""What a project is made of: the spec used to render it and the answers it records."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aegis.catalog import Selection
from aegis.errors import NotAProjectError

ANSWERS_FILE = ".copier-answers.yml"


def default_python_version() -> str:
    """Return ``major.minor`` of the interpreter running Aegis."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True)
class ProjectSpec:
    """Everything needed to render one project.

    Attributes:
        name: Project (directory and distribution) name, e.g. ``my-app``.
        package: Python package name, e.g. ``my_app``.
        selection: Resolved components and services.
        python_version: ``major.minor`` the project targets.
    """

    name: str
    package: str
    selection: Selection
    python_version: str

    def answers(self) -> dict[str, Any]:
        """Return the template answers for this spec."""
        return {
            "project_name": self.name,
            "package_name": self.package,
            "python_version": self.python_version,
            "components": list(self.selection.components),
            "services": list(self.selection.services),
        }


def read_answers(project_dir: Path) -> dict[str, Any]:
    """Return the answers an Aegis project recorded when it was generated.

    Raises:
        NotAProjectError: There is no readable answers file naming an Aegis selection.
    """
    answers_path = project_dir / ANSWERS_FILE
    if not answers_path.is_file():
        raise NotAProjectError(f"{project_dir} is not an Aegis project (no {ANSWERS_FILE})")
    try:
        answers = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise NotAProjectError(f"cannot read {answers_path}: {error}") from None
    if not isinstance(answers, dict) or "components" not in answers or "_src_path" not in answers:
        raise NotAProjectError(f"{project_dir} is not an Aegis project ({ANSWERS_FILE} differs)")
    return answers


def record_template_origin(project_dir: Path, *, src_path: str, commit: str | None = None) -> None:
    """Set where the project's template lives (and its version) in the answers file.

    The file is written the way Copier writes it (its ``to_nice_yaml``), so a later
    ``copier update`` rewrites it without spurious differences.
    """
    answers_path = project_dir / ANSWERS_FILE
    header = answers_path.read_text(encoding="utf-8").partition("\n")[0]
    answers = read_answers(project_dir)
    answers["_src_path"] = src_path
    if commit is not None:
        answers["_commit"] = commit
    body = yaml.safe_dump(answers, indent=4, allow_unicode=True, default_flow_style=False)
    answers_path.write_text(f"{header}\n{body}", encoding="utf-8")
