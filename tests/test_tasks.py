"""Post-generation steps: results read, failures reported, fallbacks taken."""

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from aegis import tasks
from aegis.errors import TaskFailedError
from aegis.tasks import Step


@pytest.fixture
def project(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def _quiet() -> Console:
    return Console(file=io.StringIO())


def _python(code: str) -> tuple[str, ...]:
    return (sys.executable, "-c", code)


def test_failing_step_names_the_command_to_rerun(project: Path) -> None:
    step = Step("work", _python("import sys; print('boom'); sys.exit(3)"))

    with pytest.raises(TaskFailedError, match=r"failed \(exit 3\).*re-run with: cd "):
        tasks.run_steps([step], project, _quiet())


def test_successful_step_shows_its_notes(project: Path) -> None:
    step = Step(
        "work",
        _python("print('12 passed')"),
        reads=lambda out: tasks.Result(notes=(out.strip() + "!",)),
    )
    console = _quiet()

    tasks.run_steps([step], project, console)

    assert "12 passed!" in console.file.getvalue()  # type: ignore[attr-defined]


def test_a_failed_command_is_served_by_its_fallback_and_says_so(project: Path) -> None:
    step = Step(
        "work",
        _python("import sys; print('no network'); sys.exit(2)"),
        fallback=_python("import pathlib; pathlib.Path('done').touch(); print('12 passed')"),
        fallback_note="from the cache",
        reads=lambda out: tasks.Result(summary=out.strip()),
    )
    console = _quiet()

    tasks.run_steps([step], project, console)

    assert (project / "done").exists()
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "✓ work: 12 passed" in shown
    assert "from the cache" in shown


def test_a_fallback_runs_only_when_the_command_fails(project: Path) -> None:
    step = Step(
        "work",
        _python("print('ok')"),
        fallback=_python("import pathlib; pathlib.Path('fallback-ran').touch()"),
        fallback_note="from the cache",
    )
    console = _quiet()

    tasks.run_steps([step], project, console)

    assert not (project / "fallback-ran").exists()
    assert "from the cache" not in console.file.getvalue()  # type: ignore[attr-defined]


def test_when_the_fallback_fails_too_the_commands_own_failure_is_shown(project: Path) -> None:
    step = Step(
        "work",
        _python("import sys; print('first failure'); sys.exit(3)"),
        fallback=_python("import sys; print('second failure'); sys.exit(4)"),
    )
    console = _quiet()

    with pytest.raises(TaskFailedError, match=r"failed \(exit 3\)"):
        tasks.run_steps([step], project, console)

    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "first failure" in shown
    assert "second failure" not in shown


def test_install_falls_back_to_uv_cache_when_pypi_cannot_be_reached() -> None:
    install = tasks.post_generation_steps(python_version="3.12", run_tests=False)[0]

    assert install.fallback == ("uv", "sync", "--python", "3.12", "--offline")
    assert "offline" in install.fallback_note


def test_skipped_tests_are_summed_by_reason() -> None:
    # Guards the post-generation report of skipped tests (e.g. no Redis to test against).
    output = (
        "SKIPPED [1] tests/a.py:49: no Redis: set TEST_REDIS_URL\n"
        "SKIPPED [2] tests/b.py:13: no Redis: set TEST_REDIS_URL\n"
        "SKIPPED [1] tests/c.py:5: sqlite only\n"
        "12 passed, 4 skipped\n"
    )
    assert tasks.skipped_tests(output) == [
        "skipped 3 tests: no Redis: set TEST_REDIS_URL",
        "skipped 1 test: sqlite only",
    ]
    assert tasks.skipped_tests("12 passed\n") == []


def test_the_test_step_reports_what_pytest_skipped() -> None:
    steps = tasks.post_generation_steps(python_version="3.11", run_tests=True)
    reads = steps[-1].reads
    assert reads is not None
    output = "SKIPPED [2] tests/b.py:13: no Redis\n10 passed, 2 skipped in 1.0s\n"
    assert reads(output).notes == ("skipped 2 tests: no Redis",)


class _RecordingConsole(Console):
    """A console that also remembers the status (spinner) texts it was given."""

    def __init__(self, file: io.StringIO) -> None:
        super().__init__(file=file, width=200, soft_wrap=True)
        self.statuses: list[object] = []

    def status(self, status: object, **kwargs: Any) -> Any:
        self.statuses.append(status)
        return super().status(status, **kwargs)  # type: ignore[arg-type]


def _recording() -> tuple[_RecordingConsole, io.StringIO]:
    out = io.StringIO()
    return _RecordingConsole(out), out


def test_the_steps_install_with_the_chosen_python_then_run_the_tests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: assume one core

    steps = tasks.post_generation_steps(python_version="3.12", run_tests=True)

    assert [(step.label, step.command) for step in steps] == [
        ("Installing dependencies (uv sync)", ("uv", "sync", "--python", "3.12")),
        ("Running the project's tests", ("uv", "run", "pytest", "-q")),
    ]
    assert tasks.post_generation_steps(python_version="3.12", run_tests=False) == steps[:1]


def test_every_step_runs_and_is_reported_with_its_duration(project: Path) -> None:
    console, out = _recording()
    first = Step("first", _python("import pathlib; pathlib.Path('one').touch()"))
    second = Step("second", _python("import pathlib; pathlib.Path('two').touch()"))

    tasks.run_steps([first, second], project, console)

    assert (project / "one").exists() and (project / "two").exists()
    assert console.statuses == ["first...", "second..."]
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == ["✓ first", "✓ second"]
    durations = [float(line.rsplit("(", 1)[1].removesuffix("s)")) for line in lines]
    assert all(0 <= seconds < 60 for seconds in durations), durations


def test_failing_step_shows_the_last_lines_verbatim_and_a_quoted_rerun(tmp_path: Path) -> None:
    project = tmp_path / "my app"
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    console, out = _recording()
    script = "for i in range(40): print(f'[red]line {i}')\nraise SystemExit(3)"
    step = Step("work", _python(script))

    with pytest.raises(TaskFailedError) as failure:
        tasks.run_steps([step], project, console)

    shown = out.getvalue().splitlines()
    assert shown[0].startswith("✗ work (")
    assert shown[1:] == [f"[red]line {i}" for i in range(10, 40)]  # the last 30, markup as text
    assert f"re-run with: cd '{project}' && " in str(failure.value)


def test_steps_run_with_aegis_uv_and_without_the_callers_venv_or_bytecode_switch(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_uv = project / "fake-uv"
    fake_uv.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        "print(json.dumps([sys.argv[1:], os.environ.get('VIRTUAL_ENV'),"
        " os.environ.get('PYTHONDONTWRITEBYTECODE')]), file=open('uv-call', 'w'))\n"
    )
    fake_uv.chmod(0o755)
    monkeypatch.setattr(tasks, "uv_executable", lambda: str(fake_uv))
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/else")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")

    tasks.run_steps([Step("sync", ("uv", "sync"))], project, _quiet())

    assert (project / "uv-call").read_text().strip() == '[["sync"], null, null]'


def test_steps_run_when_neither_variable_is_set(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    step = Step("work", _python("import pathlib; pathlib.Path('done').touch()"))

    tasks.run_steps([step], project, _quiet())

    assert (project / "done").exists()


def _log(project: Path) -> list[str]:
    return subprocess.run(
        ["git", "log", "--format=%s"], cwd=project, capture_output=True, text=True, check=False
    ).stdout.splitlines()


def test_the_lock_file_written_by_the_steps_is_committed(project: Path) -> None:
    step = Step("lock", _python("import pathlib; pathlib.Path('uv.lock').write_text('x')"))

    tasks.run_steps([step], project, _quiet())

    assert _log(project) == ["Lock dependencies with uv"]


def test_other_changes_are_left_for_the_user(project: Path) -> None:
    step = Step("other", _python("import pathlib; pathlib.Path('notes.txt').write_text('x')"))

    tasks.run_steps([step], project, _quiet())

    assert _log(project) == []


def _status(project: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def test_the_lock_file_is_committed_alone_even_when_a_later_step_fails(project: Path) -> None:
    # `aegis add` installs (writing uv.lock), then the tests fail: a lock left
    # untracked would make the next 'aegis add' or 'update' refuse the project.
    install = Step("install", _python("import pathlib; pathlib.Path('uv.lock').write_text('x')"))
    tests = Step(
        "tests",
        _python("import pathlib, sys; pathlib.Path('out.txt').write_text('x'); sys.exit(1)"),
    )

    with pytest.raises(TaskFailedError):
        tasks.run_steps([install, tests], project, _quiet())

    assert _log(project) == ["Lock dependencies with uv"]
    assert _status(project) == "?? out.txt\n"


def test_a_lock_file_git_cannot_commit_is_a_one_line_error(project: Path) -> None:
    step = Step("lock", _python("import pathlib; pathlib.Path('uv.lock').write_text('x')"))
    (project / ".git" / "index.lock").write_text("")  # another git is at work

    with pytest.raises(
        TaskFailedError, match=r"^git could not commit uv.lock \(.*index.lock"
    ) as raised:
        tasks.run_steps([step], project, _quiet())

    assert "add uv.lock && git -C" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_step_runs_detached_from_the_terminal_with_output_merged(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def record(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.update(kwargs)
        return subprocess.CompletedProcess(argv, 0, stdout="")

    monkeypatch.setattr(tasks, "_commit_lock_file", lambda project_dir: None)
    monkeypatch.setattr(tasks.subprocess, "run", record)
    tasks.run_steps([Step("work", ("true",))], project, _quiet())

    # No terminal input (a prompt would hang `aegis init`); stderr in the output tail.
    assert seen["stdin"] == subprocess.DEVNULL and seen["stderr"] == subprocess.STDOUT
    assert seen["stdout"] == subprocess.PIPE and seen["text"] is True
    assert seen["check"] is False and seen["cwd"] == project


def test_a_step_whose_program_is_missing_fails_like_a_shell(project: Path) -> None:
    console, out = _recording()
    missing = str(project / "no-such-program")

    with pytest.raises(TaskFailedError, match=r"failed \(exit 127\)"):
        tasks.run_steps([Step("work", (missing, "--flag"))], project, console)

    assert f"{missing}: " in out.getvalue()


PYTEST_FAILED = """\
..F.E
=========================== short test summary info ============================
FAILED tests/test_a.py::test_one - assert 1 == 2
ERROR tests/test_b.py::test_two - RuntimeError: boom
==================== 1 failed, 3 passed, 1 error in 0.52s ======================
"""


def test_test_step_shows_the_totals() -> None:
    assert tasks.read_pytest("....\n165 passed in 6.61s\n").summary == "165 passed"


def test_output_without_totals_gives_no_summary() -> None:
    # e.g. pytest stopped by a broken conftest before it counted anything
    assert tasks.read_pytest("ImportError while loading conftest\n").summary == ""


def test_failed_tests_are_named_first_then_the_tail(project: Path) -> None:
    step = Step(
        "Running the project's tests",
        _python(f"import sys; print({PYTEST_FAILED!r}); sys.exit(1)"),
        reads=tasks.read_pytest,
    )
    output = io.StringIO()

    with pytest.raises(TaskFailedError):
        tasks.run_steps([step], project, Console(file=output, width=200))

    lines = output.getvalue().splitlines()
    assert lines[0].startswith("✗ Running the project's tests: 1 failed, 3 passed, 1 error (")
    assert lines[1:5] == [
        "FAILED tests/test_a.py::test_one - assert 1 == 2",
        "ERROR tests/test_b.py::test_two - RuntimeError: boom",
        "",  # then the output's tail, set apart
        "..F.E",
    ]


def test_without_the_uv_package_steps_run_the_uv_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uv", None)  # importing it now raises ImportError
    assert tasks.uv_executable() == "uv"


def test_getting_started_shows_the_steps_as_they_are_printed() -> None:
    # The example output of `aegis init` in the docs, against the real step labels.
    docs = Path(__file__).resolve().parent.parent / "docs" / "getting-started.md"
    example = docs.read_text(encoding="utf-8").partition("Creating my-app with")[2]
    shown = [line for line in example.partition("Next steps:")[0].splitlines() if "✓" in line]
    install, run_tests = tasks.post_generation_steps(python_version="3.12", run_tests=True)
    totals = tasks.read_pytest("=== 513 passed, 6 skipped in 43.55s ===").summary
    assert shown[1:] == [f"✓ {install.label} (1.8s)", f"✓ {run_tests.label}: {totals} (43.6s)"]
