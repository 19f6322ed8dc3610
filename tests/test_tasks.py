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


@pytest.mark.parametrize(("cores", "compiles"), [(1, False), (2, True)])
def test_tests_compile_bytecode_alongside_only_with_a_spare_core(
    monkeypatch: pytest.MonkeyPatch, cores: int, compiles: bool
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)

    steps = tasks.post_generation_steps(python_version="3.11", run_tests=True)

    assert steps[0].alongside is None  # uv sync
    assert (steps[-1].alongside is not None) is compiles


PYTEST_FAILED = """\
..F.E
=========================== short test summary info ============================
FAILED tests/test_a.py::test_one - assert 1 == 2
ERROR tests/test_b.py::test_two - RuntimeError: boom
==================== 1 failed, 3 passed, 1 error in 0.52s ======================
"""


def test_test_step_shows_the_totals() -> None:
    assert tasks.read_pytest("....\n165 passed in 6.61s\n").summary == "165 passed"


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
    assert lines[1:3] == [
        "FAILED tests/test_a.py::test_one - assert 1 == 2",
        "ERROR tests/test_b.py::test_two - RuntimeError: boom",
    ]
