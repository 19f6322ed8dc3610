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
        NotAProjectError: There is no readable answers file naming an Aegis selection,
            or one of its answers has the wrong shape (the message names it).
    """
    answers_path = project_dir / ANSWERS_FILE
    if not answers_path.is_file():
        raise NotAProjectError(f"{project_dir} is not an Aegis project (no {ANSWERS_FILE})")
    try:
        answers = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise NotAProjectError(
            f"cannot read {answers_path}: not UTF-8 text (line {line})"
        ) from None
    except (OSError, yaml.YAMLError) as error:
        raise NotAProjectError(f"cannot read {answers_path}: {_reason(error)}") from None
    return _checked_answers(answers, answers_path)


def _reason(error: OSError | yaml.YAMLError) -> str:
    """One line for a read error; YAML's own message quotes the line over several."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem and error.problem_mark:
        mark = error.problem_mark
        return f"invalid YAML: {error.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())


# Answers Aegis reads, by the shape they must have: lists of names, or text.
_NAME_LISTS = ("components", "services", "retained_data", "dropped_data")
_TEXTS = ("_src_path", "_commit", "python_version")


def _checked_answers(answers: object, answers_path: Path) -> dict[str, Any]:
    """Return ``answers``, refusing ones Aegis could not use (naming the first that is wrong).

    Raises:
        NotAProjectError: Not a mapping, ``_src_path`` or ``components`` missing, or an
            answer of the wrong type.
    """
    if not isinstance(answers, dict):
        if answers is None:
            raise NotAProjectError(f"{answers_path} is empty: it should hold the answers")
        raise NotAProjectError(
            f"{answers_path}: expected a mapping of answers, found a {type(answers).__name__}"
        )
    if "_src_path" not in answers:
        raise NotAProjectError(
            f"{answers_path.parent} is not an Aegis project ({ANSWERS_FILE} has no '_src_path')"
        )
    if "components" not in answers:
        raise NotAProjectError(f"{answers_path}: 'components' is missing")
    for key in _NAME_LISTS:
        value = answers.get(key)
        if (key == "components" or value is not None) and not (
            isinstance(value, list) and all(isinstance(name, str) for name in value)
        ):
            raise NotAProjectError(
                f"{answers_path}: '{key}' must be a list of names, not {_shown(value)}"
            )
    for key in _TEXTS:
        value = answers.get(key)
        if value is not None and not isinstance(value, str):
            raise NotAProjectError(
                f"{answers_path}: '{key}' must be a string, not {_shown(value)} (quote it)"
            )
    return answers


def _shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
