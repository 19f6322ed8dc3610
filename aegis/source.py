"""Where this installation of Aegis finds its template, and which version it is.

Copier 3-way merges an update only against a template that is a git repository root
or a git bundle holding the project's old version (its tag, recorded as ``_commit``
in the project's answers file). So:

- a source checkout of Aegis renders its own repository at the ``HEAD`` commit
  (uncommitted template edits are included as a draft commit, which later updates
  cannot find again: commit them first);
- an installed wheel renders ``aegis/_template/template.bundle``, a ``git bundle
  --all`` of this repository made by ``hatch_build.py`` at build time. It works with
  no network, and installing a newer wheel replaces the bundle at the same path with
  one that still holds every older tag, which is exactly what ``copier update`` needs;
- a package built without git history (from an sdist) falls back to the plain
  template copy: it renders, but its projects cannot be updated.

Rendering from git makes Copier clone the template first, which costs a third of
``aegis init``. When a plain copy of exactly the rendered commit is at hand (a clean
checkout's own files, or the wheel's ``_template`` directory with the commit recorded
at build time), new projects are rendered from that :class:`Snapshot` instead and
given the same ``_commit`` and ``_src_path`` that the clone would have recorded.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from aegis.git import run_git

PACKAGE_DIR = Path(__file__).resolve().parent
# Written into the wheel by hatch_build.py: `git describe` of the bundled HEAD.
COMMIT_FILE = "template.commit"
_TEMPLATE_FILES = ("copier.yml", "templates")


@dataclass(frozen=True)
class Snapshot:
    """The template's files at a known commit, outside any git work tree.

    Attributes:
        files: The directory holding ``copier.yml`` and ``templates/`` as committed
            (for a checkout, its own root: the caller copies them out first).
        commit: The commit as Copier records it (``git describe --tags --always``).
    """

    files: Path
    commit: str


@dataclass(frozen=True)
class TemplateSource:
    """Where the template comes from and which revision to render.

    Attributes:
        path: A directory holding ``copier.yml`` (a git checkout or a plain copy), or
            a git bundle.
        ref: The git revision to render, or ``None`` for a plain directory.
        snapshot: Plain files of exactly ``ref``, when known: new projects render
            from them without cloning.
        draft: A source checkout whose template has uncommitted changes: rendering
            ``HEAD`` records a draft commit that exists in no history, so a project
            made from it cannot be updated later.
    """

    path: Path
    ref: str | None
    snapshot: Snapshot | None = None
    draft: bool = False


def template_source() -> TemplateSource:
    """Return the template this installation of Aegis renders.

    A source checkout renders its own repository (see :func:`_checkout_source`); an
    installed package renders the bundle shipped inside it, or the plain copy when it
    was built without git history.
    """
    checkout = PACKAGE_DIR.parent
    if (checkout / "copier.yml").is_file() and (checkout / ".git").exists():
        return _checkout_source(checkout)
    plain = PACKAGE_DIR / "_template"
    bundle = plain / "template.bundle"
    if bundle.is_file():
        commit_file = plain / COMMIT_FILE
        commit = commit_file.read_text(encoding="utf-8").strip() if commit_file.is_file() else ""
        return TemplateSource(bundle, "HEAD", Snapshot(plain, commit) if commit else None)
    return TemplateSource(plain, None)


def _checkout_source(checkout: Path) -> TemplateSource:
    """Return a source checkout's template at the commit to render.

    A clean template renders its exact ``HEAD`` commit, so projects record a version
    that later updates can find, whatever else in the checkout is untracked (such as
    a project generated inside it); its working files are that commit, so they are
    also its snapshot. Uncommitted template edits render as ``HEAD``, which Copier
    turns into a throwaway draft commit (a ``draft`` source: see :func:`draft_warning`).
    """
    try:
        template_changes = run_git("status", "--porcelain", "--", *_TEMPLATE_FILES, cwd=checkout)
        if not template_changes.strip():
            sha = run_git("rev-parse", "HEAD", cwd=checkout).strip()
            commit = run_git("describe", "--tags", "--always", sha, cwd=checkout).strip()
            return TemplateSource(checkout, sha, Snapshot(checkout, commit))
    except (subprocess.CalledProcessError, OSError):
        # Copier's own handling of HEAD reports a broken checkout as a render error.
        return TemplateSource(checkout, "HEAD")
    return TemplateSource(checkout, "HEAD", draft=True)


def draft_warning(source: TemplateSource, project: str) -> str | None:
    """Return the one-line warning for rendering ``source``'s draft into ``project``.

    ``None`` when ``source`` is no draft: what it records can be found again later.
    """
    if not source.draft:
        return None
    return (
        f"the template in {source.path} has uncommitted changes: {project} records them "
        "as a draft version that later 'aegis add', 'remove' and 'update' cannot find "
        "(commit the template changes first to avoid this)"
    )


def template_versions(source: TemplateSource) -> list[str]:
    """Return the tagged versions ``source`` holds, newest first (empty if none or unreadable)."""
    try:
        if source.ref is None:
            return []
        if source.path.is_file():  # a bundle: its tags are among the refs it lists
            heads = run_git("bundle", "list-heads", str(source.path), cwd=source.path.parent)
            refs = (line.split()[-1] for line in heads.splitlines() if line.strip())
            tags = [ref.removeprefix("refs/tags/") for ref in refs if ref.startswith("refs/tags/")]
        else:
            tags = run_git("tag", "--list", cwd=source.path).split()
    except (subprocess.CalledProcessError, OSError):
        return []
    return sorted(set(tags), key=_version_key, reverse=True)


def _version_key(tag: str) -> tuple[tuple[int, str], ...]:
    """Order tags like versions: ``v1.10.0`` after ``v1.9.0``."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part)
        for part in re.split(r"[.-]", tag.lstrip("v"))
    )


def copy_template_files(files: Path, destination: Path) -> Path:
    """Copy ``copier.yml`` and ``templates/`` from ``files`` into ``destination``.

    Copier clones any git repository root it is given, so a checkout's files are
    rendered from a copy outside it.
    """
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(files / "copier.yml", destination / "copier.yml")
    shutil.copytree(files / "templates", destination / "templates")
    return destination


def template_files() -> Path:
    """Return the directory holding the template's ``copier.yml`` and ``templates/``.

    The working files of a source checkout, or the plain copy inside an installed package.
    """
    checkout = PACKAGE_DIR.parent
    return checkout if (checkout / "copier.yml").is_file() else PACKAGE_DIR / "_template"


def user_owned_patterns(answers: dict[str, object]) -> set[str]:
    """Return the paths the template renders once and leaves to the user (rendered).

    They are Copier's ``_skip_if_exists`` in ``copier.yml``, with the project's answers
    filled in.
    """
    from jinja2 import Template  # only needed when a project is changed

    config = template_files() / "copier.yml"
    patterns = yaml.safe_load(config.read_text(encoding="utf-8")).get("_skip_if_exists", [])
    return {Template(pattern).render(answers) for pattern in patterns}
