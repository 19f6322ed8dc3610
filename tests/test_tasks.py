"""Post-generation steps: failures reported, and the helper run alongside the tests."""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

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


def test_helper_runs_alongside_the_step_and_is_stopped_with_it(project: Path) -> None:
    helper = _python(
        "import os, pathlib, time; pathlib.Path('helper.pid').write_text(str(os.getpid()));"
        "time.sleep(60)"
    )
    step = Step("work", _python("import time; time.sleep(1)"), alongside=helper)

    tasks.run_steps([step], project, _quiet())

    pid = int((project / "helper.pid").read_text())
    time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_helper_that_cannot_start_does_not_fail_the_step(project: Path) -> None:
    step = Step(
        "work",
        _python("import pathlib; pathlib.Path('done').touch()"),
        alongside=(str(project / "no-such-program"),),
    )

    tasks.run_steps([step], project, _quiet())

    assert (project / "done").exists()


def test_failing_step_names_the_command_to_rerun(project: Path) -> None:
    step = Step("work", _python("import sys; print('boom'); sys.exit(3)"))

    with pytest.raises(TaskFailedError, match=r"failed \(exit 3\).*re-run with: cd "):
        tasks.run_steps([step], project, _quiet())


def test_successful_step_shows_what_it_reports(project: Path) -> None:
    step = Step("work", _python("print('12 passed')"), report=lambda out: [out.strip() + "!"])
    console = _quiet()

    tasks.run_steps([step], project, console)

    assert "12 passed!" in console.file.getvalue()  # type: ignore[attr-defined]


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
    assert steps[-1].report is tasks.skipped_tests


@pytest.mark.parametrize(("cores", "compiles"), [(1, False), (2, True)])
def test_tests_compile_bytecode_alongside_only_with_a_spare_core(
    monkeypatch: pytest.MonkeyPatch, cores: int, compiles: bool
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)

    steps = tasks.post_generation_steps(python_version="3.11", run_tests=True)

    assert steps[0].alongside is None  # uv sync
    assert (steps[-1].alongside is not None) is compiles
