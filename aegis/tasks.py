"""Post-generation steps (install, test) run as processes, each shown with its duration."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from aegis.errors import TaskFailedError
from aegis.git import commit_file, dirty_files

_TAIL_LINES = 30


@dataclass(frozen=True)
class Step:
    """One command run inside the project.

    Attributes:
        label: What the user sees while it runs.
        command: The argument vector, starting with the program name as the user
            would type it (``uv``), so it can be shown for re-running.
        reads: Turns the step's output into what the user is shown of its result.
        fallback: Run when ``command`` fails; if it succeeds, so does the step, and
            ``fallback_note`` is shown. If it fails too, ``command``'s failure is shown.
    """

    label: str
    command: tuple[str, ...]
    reads: Callable[[str], Result] | None = None
    fallback: tuple[str, ...] | None = None
    fallback_note: str = ""


@dataclass(frozen=True)
class Result:
    """What a step's output says about its result.

    Attributes:
        summary: One line, such as ``165 passed``; empty when the output has none.
        failures: What failed, worst first, shown before the output's tail.
        notes: Said after a success, e.g. which tests were skipped and why.
    """

    summary: str = ""
    failures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# pytest's last line, e.g. "== 2 failed, 163 passed in 6.61s ==" (decorated or not).
_PYTEST_TOTALS = re.compile(r"^=*\s*(?P<totals>\d+ \w+.*?) in [\d.]+s")


def read_pytest(output: str) -> Result:
    """Return pytest's totals line and the tests it names as failed or in error."""
    lines = output.splitlines()
    summary = next(
        (m.group("totals") for line in reversed(lines) if (m := _PYTEST_TOTALS.match(line))), ""
    )
    failures = tuple(line for line in lines if line.startswith(("FAILED ", "ERROR ")))
    # e.g. the tests that need a Redis server, when there is none.
    return Result(summary, failures, notes=tuple(skipped_tests(output)))


def uv_executable() -> str:
    """Return the uv binary shipped with Aegis' ``uv`` dependency, else ``uv`` on PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return "uv"


def post_generation_steps(*, python_version: str, run_tests: bool) -> list[Step]:
    """Return the steps that install a generated project and, optionally, test it."""
    sync = ("uv", "sync", "--python", python_version)
    steps = [
        Step(
            "Installing dependencies (uv sync)",
            sync,
            # With no network uv cannot check its cached package index; what the cache
            # holds (e.g. from an earlier project) still installs the project.
            fallback=(*sync, "--offline"),
            fallback_note="installed offline, from uv's cache: the online install failed",
        )
    ]
    if run_tests:
        steps.append(
            Step("Running the project's tests", ("uv", "run", "pytest", "-q"), reads=read_pytest)
        )
    return steps


def run_steps(steps: Sequence[Step], project_dir: Path, console: Console) -> None:
    """Run ``steps`` in order inside ``project_dir``, reporting each one.

    Raises:
        TaskFailedError: A step exited non-zero; its output tail and the command to
            re-run it have been printed, and the project is left in place.
    """
    for step in steps:
        started = time.perf_counter()
        with console.status(f"{step.label}..."):
            result, fell_back = _run_step(step, project_dir)
        elapsed = time.perf_counter() - started
        read = step.reads(result.stdout) if step.reads else Result()
        shown = escape(f"{step.label}: {read.summary}" if read.summary else step.label)
        if result.returncode == 0:
            console.print(f"[green]✓[/] {shown} [dim]({elapsed:.1f}s)[/]", highlight=False)
            if fell_back:
                read = replace(read, notes=(step.fallback_note, *read.notes))
            _show_notes(read, console)
            continue
        console.print(f"[red]✗[/] {shown} [dim]({elapsed:.1f}s)[/]", highlight=False)
        # The install step's lock is good whatever the tests say: left uncommitted, it
        # would make the next 'aegis add' or 'update' refuse the project as changed.
        _commit_lock_file(project_dir)
        tail = result.stdout.splitlines()[-_TAIL_LINES:]
        console.print("\n".join([*read.failures, "", *tail] if read.failures else tail),
                      markup=False, highlight=False)  # fmt: skip
        rerun = f"cd {shlex.quote(str(project_dir))} && {shlex.join(step.command)}"
        raise TaskFailedError(
            f"'{shlex.join(step.command)}' failed (exit {result.returncode}); "
            f"the project is kept, re-run with: {rerun}"
        )
    _commit_lock_file(project_dir)


def _run_step(step: Step, cwd: Path) -> tuple[subprocess.CompletedProcess[str], bool]:
    """Run a step's command, then its fallback if it failed; say if the fallback served."""
    result = _run(step.command, cwd)
    if result.returncode == 0 or step.fallback is None:
        return result, False
    second = _run(step.fallback, cwd)
    return (second, True) if second.returncode == 0 else (result, False)


def _show_notes(read: Result, console: Console) -> None:
    """Print what a successful step's output notes (indented, in yellow), if anything."""
    for line in read.notes:
        console.print(f"  [yellow]{escape(line)}[/]", highlight=False)


_SKIPPED = re.compile(r"^SKIPPED \[(\d+)\] [^:]+:\d+: (.+)$")


def skipped_tests(output: str) -> list[str]:
    """Sum pytest's ``-ra`` lines of skipped tests by reason: one line per reason."""
    counts: Counter[str] = Counter()
    for line in output.splitlines():
        if match := _SKIPPED.match(line):
            counts[match[2]] += int(match[1])
    return [f"skipped {n} test{'s' * (n > 1)}: {reason}" for reason, n in counts.items()]


def _argv(command: tuple[str, ...]) -> list[str]:
    """Resolve ``uv`` to Aegis' own binary."""
    return [uv_executable() if command[0] == "uv" else command[0], *command[1:]]


def _environment() -> dict[str, str]:
    """The environment of a step: the project's own .venv, with bytecode caching."""
    env = dict(os.environ)
    # Aegis may itself run inside `uv run`; the project must use its own .venv.
    env.pop("VIRTUAL_ENV", None)
    # The .venv was created by this very command, so Python may cache bytecode in it:
    # without the cache the first test run compiles every import in memory (~7 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run(command: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a step with uv resolved to Aegis' own binary, output merged for the tail."""
    program, *arguments = _argv(command)
    try:
        return subprocess.run(
            [program, *arguments],
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    except OSError as error:
        return subprocess.CompletedProcess(command, 127, stdout=f"{program}: {error}")


def _commit_lock_file(project_dir: Path) -> None:
    """Commit the ``uv.lock`` that ``uv sync`` wrote, so the tree stays clean for updates.

    Only ``uv.lock``: anything else a step changed is the user's to look at.

    Raises:
        TaskFailedError: git could not commit it (the command to do it is named).
    """
    try:
        if "uv.lock" in dirty_files(project_dir):
            commit_file(project_dir, "uv.lock", "Lock dependencies with uv")
    except (subprocess.CalledProcessError, OSError) as error:
        detail = " ".join((getattr(error, "stderr", "") or str(error)).split())
        raise TaskFailedError(
            f"git could not commit uv.lock ({detail}); commit it with: "
            f"git -C {shlex.quote(str(project_dir))} add uv.lock && "
            f"git -C {shlex.quote(str(project_dir))} commit -m 'Lock dependencies with uv'"
        ) from error
