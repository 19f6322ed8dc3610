"""The only module that talks to Copier: render new projects, update existing ones.

A project is rendered into a temporary directory beside its destination, given its
``.env`` and first git commit there, and only then moved into place, so a failure at
any step leaves nothing half-written.

Where the template comes from decides whether projects can be updated later. Copier
3-way merges an update only against a template that is a git repository root or a
git bundle holding the project's old version (its tag, recorded as ``_commit`` in the
project's answers file). So:

- a source checkout of Aegis renders its own repository at the ``HEAD`` commit
  (uncommitted template edits are included as a draft commit, which later updates
  cannot find again: commit them first);
- an installed wheel renders ``aegis/_template/template.bundle``, a ``git bundle
  --all`` of this repository made by ``hatch_build.py`` at build time. It works with
  no network, and installing a newer wheel replaces the bundle at the same path with
  one that still holds every older tag, which is exactly what ``copier update`` needs;
- a package built without git history (from an sdist) falls back to the plain
  template copy: it renders, but its projects cannot be updated.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aegis import _lazy_prompts
from aegis.errors import RenderError
from aegis.git import commit_all, run_git
from aegis.project import ProjectSpec

_PACKAGE_DIR = Path(__file__).resolve().parent
_lazy_prompts.install()
_SECRET_LINE = re.compile(r"^JWT_SECRET_KEY=.*$", re.MULTILINE)


@dataclass(frozen=True)
class TemplateSource:
    """Where the template comes from and which revision to render.

    Attributes:
        path: A directory holding ``copier.yml`` (a git checkout or a plain copy).
        ref: The git revision to render, or ``None`` for a plain directory.
    """

    path: Path
    ref: str | None


def template_source() -> TemplateSource:
    """Return the template this installation of Aegis renders.

    A source checkout renders its own repository (see :func:`_checkout_ref`); an
    installed package renders the bundle shipped inside it, or the plain copy when it
    was built without git history.
    """
    checkout = _PACKAGE_DIR.parent
    if (checkout / "copier.yml").is_file() and (checkout / ".git").exists():
        return TemplateSource(checkout, _checkout_ref(checkout))
    bundle = _PACKAGE_DIR / "_template" / "template.bundle"
    if bundle.is_file():
        return TemplateSource(bundle, "HEAD")
    return TemplateSource(_PACKAGE_DIR / "_template", None)


def _checkout_ref(checkout: Path) -> str:
    """Return the commit to render from a source checkout.

    A clean template renders its exact ``HEAD`` commit, so projects record a version
    that later updates can find, whatever else in the checkout is untracked (such as
    a project generated inside it). Uncommitted template edits render as ``HEAD``,
    which Copier turns into a throwaway draft commit.
    """
    try:
        template_changes = run_git(
            "status", "--porcelain", "--", "copier.yml", "templates", cwd=checkout
        )
        if not template_changes.strip():
            return run_git("rev-parse", "HEAD", cwd=checkout).strip()
    except (subprocess.CalledProcessError, OSError):
        pass  # Copier's own handling of HEAD reports a broken checkout as a render error
    return "HEAD"


def generate(spec: ProjectSpec, destination: Path, *, force: bool = False) -> Path:
    """Render ``spec`` into ``destination`` with a ``.env`` and an initial commit.

    Args:
        spec: What to render.
        destination: The project directory to create.
        force: Render over an existing non-empty directory, overwriting the files
            the template writes and keeping the others.

    Returns:
        The project directory.

    Raises:
        RenderError: Copier or git failed; nothing was written to ``destination``.
    """
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}.aegis-", dir=destination.parent) as tmp:
        staging = Path(tmp) / spec.name
        _render(spec, staging)
        if force and destination.exists() and any(destination.iterdir()):
            shutil.copytree(staging, destination, dirs_exist_ok=True)
            write_env(destination)
            _commit(destination, "Generate project with aegis")
        else:
            write_env(staging)
            _commit(staging, "Initial commit from aegis")
            if destination.exists():
                destination.rmdir()
            staging.rename(destination)
    return destination


def _render(spec: ProjectSpec, staging: Path) -> None:
    """Run Copier into ``staging``, turning any failure into a ``RenderError``."""
    from copier import run_copy  # imported late: copier is the slowest import we have

    source = template_source()
    try:
        with warnings.catch_warnings():
            # A dirty source checkout is expected while developing the template.
            warnings.simplefilter("ignore")
            run_copy(
                str(source.path),
                staging,
                data=spec.answers(),
                vcs_ref=source.ref,
                defaults=True,
                quiet=True,
                unsafe=False,
            )
    except Exception as error:  # copier raises many unrelated types; all mean "render failed"
        raise RenderError(f"rendering the template failed: {_one_line(error)}") from error


def update(project_dir: Path, *, data: dict[str, Any], vcs_ref: str | None) -> None:
    """Run ``copier update`` on ``project_dir`` with inline conflict markers.

    Copier takes the template from the answers file's ``_src_path``, which the
    caller points at :func:`template_source` first.

    Args:
        project_dir: A clean git work tree whose answers name this template.
        data: Answers to change (for example a longer ``services`` list).
        vcs_ref: Template revision to move to; ``None`` for this installation's own.

    Raises:
        RenderError: Copier refused or failed; the caller restores the tree.
    """
    from copier import run_update

    source = template_source()
    if source.ref is None:
        raise RenderError(
            "this Aegis installation has no template history (built without git), "
            "so projects cannot be updated with it"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_update(
                project_dir,
                data=data,
                vcs_ref=vcs_ref or source.ref,
                defaults=True,
                overwrite=True,
                quiet=True,
                conflict="inline",
                unsafe=False,
                skip_answered=True,
            )
    except Exception as error:  # see _render: any copier failure is one message
        raise RenderError(f"updating from the template failed: {_one_line(error)}") from error


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())


def write_env(project_dir: Path) -> Path:
    """Write ``.env`` from ``.env.example``, with a fresh random ``JWT_SECRET_KEY``.

    An existing ``.env`` is never rewritten (it may hold the user's own secrets): only
    settings it lacks are appended, so a service added later gets its own. The secret
    is ``secrets.token_urlsafe(48)``: 48 bytes (384 bits) of randomness.
    """
    env_path = project_dir / ".env"
    example = project_dir / ".env.example"
    if not example.is_file():
        return env_path
    template = example.read_text(encoding="utf-8")
    existing = env_path.read_text(encoding="utf-8") if env_path.exists() else ""
    present = {_setting_name(line) for line in existing.splitlines()}
    missing = [
        line
        for line in template.splitlines()
        if (name := _setting_name(line)) is not None and name not in present
    ]
    if existing and not missing:
        return env_path
    # Only new lines get a generated secret: an existing key is the user's to keep.
    fresh = _SECRET_LINE.sub(
        f"JWT_SECRET_KEY={secrets.token_urlsafe(48)}",
        "\n".join(missing) + "\n" if existing else template,
    )
    env_path.write_text(existing.rstrip("\n") + "\n" + fresh if existing else fresh, "utf-8")
    env_path.chmod(0o600)
    return env_path


def _setting_name(line: str) -> str | None:
    """Return ``NAME`` for a ``NAME=value`` line, ``None`` for comments and blanks."""
    if line.lstrip().startswith("#") or "=" not in line:
        return None
    return line.split("=", 1)[0].strip()


def _commit(project_dir: Path, message: str) -> None:
    try:
        commit_all(project_dir, message)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise RenderError(f"git could not commit the project: {detail.strip()}") from error
