"""The only module that talks to Copier: render a project safely into place.

A project is rendered into a temporary directory beside its destination, given its
``.env`` and first git commit there, and only then moved into place, so a failure at
any step leaves nothing half-written.
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

from aegis.errors import RenderError
from aegis.git import commit_all
from aegis.project import ProjectSpec

_PACKAGE_DIR = Path(__file__).resolve().parent
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

    A source checkout renders its own working tree (``HEAD`` plus any edits); an
    installed package renders the copy shipped inside it.
    """
    checkout = _PACKAGE_DIR.parent
    if (checkout / "copier.yml").is_file() and (checkout / ".git").exists():
        return TemplateSource(checkout, "HEAD")
    return TemplateSource(_PACKAGE_DIR / "_template", None)


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
        raise RenderError(f"rendering the template failed: {error}") from error


def write_env(project_dir: Path) -> Path:
    """Write ``.env`` from ``.env.example`` with a fresh random ``JWT_SECRET_KEY``.

    ``secrets.token_urlsafe(48)`` carries 48 bytes (384 bits) of randomness. An
    existing ``.env`` is never overwritten: it may hold the user's own secrets.
    """
    env_path = project_dir / ".env"
    example = project_dir / ".env.example"
    if env_path.exists() or not example.is_file():
        return env_path
    secret = secrets.token_urlsafe(48)
    content = _SECRET_LINE.sub(f"JWT_SECRET_KEY={secret}", example.read_text(encoding="utf-8"))
    env_path.write_text(content, encoding="utf-8")
    env_path.chmod(0o600)
    return env_path


def _commit(project_dir: Path, message: str) -> None:
    try:
        commit_all(project_dir, message)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise RenderError(f"git could not commit the project: {detail.strip()}") from error
