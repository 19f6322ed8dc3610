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


def test_successful_step_shows_the_lines_it_asks_for(project: Path) -> None:
    # Guards the post-generation report of skipped tests (e.g. no Redis to test against).
    output = "print('12 passed'); print('SKIPPED [3] tests/redis_server.py:25: no Redis')"
    step = Step("work", _python(output), shown="SKIPPED")
    console = _quiet()

    tasks.run_steps([step], project, console)

    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "SKIPPED [3] tests/redis_server.py:25: no Redis" in shown
    assert "12 passed" not in shown


def test_the_test_step_shows_what_pytest_skipped() -> None:
    steps = tasks.post_generation_steps(python_version="3.11", run_tests=True)
    assert steps[-1].shown == "SKIPPED"


@pytest.mark.parametrize(("cores", "compiles"), [(1, False), (2, True)])
def test_tests_compile_bytecode_alongside_only_with_a_spare_core(
    monkeypatch: pytest.MonkeyPatch, cores: int, compiles: bool
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)

    steps = tasks.post_generation_steps(python_version="3.11", run_tests=True)

    assert steps[0].alongside is None  # uv sync
    assert (steps[-1].alongside is not None) is compiles
