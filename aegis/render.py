"""Render new projects and update existing ones: the only module that uses Copier.

Copying goes through ``aegis._fresh_copy``, a Copier worker tuned for new directories.

A project is rendered into a temporary directory beside its destination, given its
``.env`` and first git commit there, and only then moved into place, so a failure at
any step leaves nothing half-written. Where the template comes from, and why, is
explained in :mod:`aegis.source`.
"""

from __future__ import annotations

import importlib
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

from aegis import _lazy_prompts
from aegis.errors import (
    DirtyProjectError,
    OutputDirectoryError,
    RenderError,
    TargetExistsError,
    UnknownVersionError,
)
from aegis.git import commit_all, uncommitted_changes
from aegis.project import ProjectSpec, read_answers, record_template_origin
from aegis.source import (
    Snapshot,
    TemplateSource,
    copy_template_files,
    template_source,
    template_versions,
)

__all__ = ["check_target", "generate", "template_source", "update", "write_env"]

_lazy_prompts.install()
_SECRET_LINE = re.compile(r"^JWT_SECRET_KEY=.*$", re.MULTILINE)
# `git describe --tags --always` of a commit that is not a tag: `abc1234` or `v1.0-3-gabc1234`.
_UNTAGGED_COMMIT = re.compile(r"^(?:.+-\d+-g)?[0-9a-f]{7,40}$")


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
        TargetExistsError: ``destination`` is a file, or a non-empty directory
            without ``force``; nothing was written.
        OutputDirectoryError: ``destination`` cannot be created or written to (a
            file where a directory should be, no permission).
        DirtyProjectError: ``force`` over a git work tree with uncommitted changes;
            nothing was written.
        RenderError: Copier or git failed; nothing was written to ``destination``.
    """
    destination = destination.resolve()
    check_target(destination, force=force)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        workspace = tempfile.TemporaryDirectory(
            prefix=f".{spec.name}.aegis-", dir=destination.parent
        )
    except OSError as error:
        raise OutputDirectoryError(f"cannot create {destination}: {_os_reason(error)}") from None
    with workspace as tmp:
        staging = Path(tmp) / spec.name
        _render(spec, staging)
        try:
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
        except OSError as error:
            raise OutputDirectoryError(f"cannot write {destination}: {_os_reason(error)}") from None
    return destination


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a ``target`` that :func:`generate` may not render into.

    Raises:
        TargetExistsError: ``target`` is a file, or a non-empty directory without ``force``.
        DirtyProjectError: ``force`` over a git work tree with uncommitted changes.
        OutputDirectoryError: A directory above ``target`` is a file, or the nearest
            existing one cannot be written to.
    """
    try:
        _check_target(target, force=force)
    except OSError as error:  # e.g. a directory on the way that may not be read
        raise OutputDirectoryError(f"cannot create {target}: {_os_reason(error)}") from None


def _check_target(target: Path, *, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise TargetExistsError(f"{target} exists and is not a directory")
    if not target.exists():
        # The nearest existing directory above is where new directories get created.
        existing = next(parent for parent in target.parents if parent.exists())
        if not existing.is_dir():
            raise OutputDirectoryError(
                f"cannot create {target}: {existing} exists and is not a directory"
            )
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputDirectoryError(f"cannot create {target}: {existing} is not writable")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise TargetExistsError(
                f"{target} already exists and is not empty (use --force to render into it)"
            )
        # --force overwrites the template's files: edits git has not saved would be lost.
        dirty = uncommitted_changes(target)
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise DirtyProjectError(
                f"{target} has uncommitted changes ({shown}): commit or stash them before "
                "--force, or change an Aegis project with 'aegis update' / 'aegis add'"
            )


def _render(spec: ProjectSpec, staging: Path) -> None:
    """Run Copier into ``staging``, turning any failure into a ``RenderError``."""
    source = template_source()
    try:
        with warnings.catch_warnings():
            # A dirty source checkout is expected while developing the template.
            warnings.simplefilter("ignore")
            if source.snapshot is not None:
                _render_snapshot(spec, source.snapshot, staging, src_path=source.path)
            else:
                _copy(str(source.path), staging, data=spec.answers(), vcs_ref=source.ref)
    except Exception as error:  # copier raises many unrelated types; all mean "render failed"
        raise RenderError(f"rendering the template failed: {_one_line(error)}") from error


def _render_snapshot(
    spec: ProjectSpec, snapshot: Snapshot, staging: Path, *, src_path: Path
) -> None:
    """Render plain template files, then record the origin a clone would have recorded."""
    with tempfile.TemporaryDirectory(prefix="aegis-template-") as tmp:
        files = snapshot.files
        if (files / ".git").exists():
            files = copy_template_files(files, Path(tmp) / "template")
        _copy(str(files), staging, data=spec.answers(), vcs_ref=None)
    record_template_origin(staging, src_path=str(src_path), commit=snapshot.commit)


def _copy(src_path: str, staging: Path, *, data: dict[str, Any], vcs_ref: str | None) -> None:
    """``copier copy`` into the new directory ``staging``, tuned when this Copier allows."""
    try:  # imported late: it imports Copier
        fresh_copy = importlib.import_module("aegis._fresh_copy")
    except ImportError:  # internals moved in a newer Copier: the stock path still works
        fresh_copy = None
    if fresh_copy is not None and fresh_copy.supported():
        fresh_copy.run_fresh_copy(src_path, staging, data=data, vcs_ref=vcs_ref)
        return
    from copier import run_copy

    run_copy(src_path, staging, data=data, vcs_ref=vcs_ref, defaults=True, quiet=True, unsafe=False)


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
        _refuse_unknown_project_version(project_dir, error)
        _refuse_unknown_or_older_target(project_dir, vcs_ref, source, error)
        raise RenderError(f"updating from the template failed: {_one_line(error)}") from error


def _refuse_unknown_project_version(project_dir: Path, error: Exception) -> None:
    """Name the cause when Copier cannot find the version the project was made with.

    Raises:
        UnknownVersionError: The project's recorded version is not in this template.
    """
    recorded = read_answers(project_dir).get("_commit")
    if recorded and str(error) == f"Unknown revision: {str(recorded)!r}":
        from aegis import __version__

        if _UNTAGGED_COMMIT.match(str(recorded)):
            # No release of Aegis is tagged like this: a commit of some checkout, most
            # often Copier's draft of uncommitted template edits, which no history has.
            raise UnknownVersionError(
                f"{project_dir.name} was made with template {recorded}, a commit that is not "
                f"in the history of this Aegis' template ({template_source().path}): most "
                "likely a draft of uncommitted template changes, which cannot be updated "
                "from; set '_commit' in .copier-answers.yml to the template commit it was "
                "made from, commit that, and retry"
            ) from error
        raise UnknownVersionError(
            f"{project_dir.name} was made with template {recorded}, which this Aegis "
            f"({__version__}) does not have: install the Aegis that made it, or a newer one"
        ) from error


_SHOWN_VERSIONS = 10


def _refuse_unknown_or_older_target(
    project_dir: Path, vcs_ref: str | None, source: TemplateSource, error: Exception
) -> None:
    """Name the cause, in Aegis' words, when the version asked for cannot be moved to.

    Raises:
        UnknownVersionError: ``vcs_ref`` is not in the template (the versions it has
            are listed), or it is older than the project's version.
    """
    if vcs_ref is None:
        return
    if str(error) == f"Unknown revision: {vcs_ref!r}":
        versions = template_versions(source)
        if not versions:
            raise UnknownVersionError(
                f"unknown template version '{vcs_ref}': this Aegis' template has no tagged "
                "versions (leave --to-version out to update to the installed one)"
            ) from error
        shown = ", ".join(versions[:_SHOWN_VERSIONS])
        more = len(versions) - _SHOWN_VERSIONS
        raise UnknownVersionError(
            f"unknown template version '{vcs_ref}' (available, newest first: {shown}"
            + (f" and {more} older" if more > 0 else "")
            + ")"
        ) from error
    if "Downgrades are not supported" in str(error):
        recorded = read_answers(project_dir).get("_commit")
        raise UnknownVersionError(
            f"cannot update {project_dir.name} to '{vcs_ref}': it is older than the template "
            f"version {recorded} the project already has, and updates only move forward"
        ) from error


def _os_reason(error: OSError) -> str:
    """Return an ``OSError``'s reason with the path it names, e.g. ``Permission denied: '/x'``."""
    reason = error.strerror or _one_line(error)
    return f"{reason}: '{error.filename}'" if error.filename else reason


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
        # git's message can run over several lines; an error here is always one line.
        raise RenderError(
            f"git could not commit the project: {' '.join(detail.split())}"
        ) from error
