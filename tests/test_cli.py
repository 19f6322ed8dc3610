import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from aegis import __version__, tasks

Run = Callable[..., Result]


def test_help_lists_every_command(run_aegis: Run) -> None:
    result = run_aegis("--help")
    assert result.exit_code == 0
    panel = result.output.partition("Commands")[2]
    listed = re.findall(r"^│ (\w+) {2,}", panel, flags=re.MULTILINE)
    assert listed == ["init", "add", "remove", "update", "version", "components", "services"]


def test_init_help_lists_its_options(run_aegis: Run) -> None:
    result = run_aegis("init", "--help")
    assert result.exit_code == 0
    for option in (
        "--services", "--components", "--output-dir", "--force", "--no-interactive",
        "--yes", "--skip-tasks", "--skip-tests", "--python-version",
    ):  # fmt: skip
        assert option in result.output


@pytest.mark.parametrize("command", [[], ["init"], ["add"], ["remove"], ["update"]])
def test_dash_h_is_help(run_aegis: Run, command: list[str]) -> None:
    result = run_aegis(*command, "-h")
    assert result.exit_code == 0
    assert result.output == run_aegis(*command, "--help").output


@pytest.mark.parametrize("args", [["--version"], ["version"]])
def test_version(run_aegis: Run, args: list[str]) -> None:
    result = run_aegis(*args)
    assert result.exit_code == 0
    assert result.output.strip() == f"aegis {__version__}"


def test_components_table_shows_requirements(run_aegis: Run) -> None:
    result = run_aegis("components")
    assert result.exit_code == 0
    assert "backend" in result.output and "database" in result.output
    assert "auth" not in result.output


def test_services_table_shows_auth_requires_database(run_aegis: Run) -> None:
    result = run_aegis("services")
    assert result.exit_code == 0
    row = next(line for line in result.output.splitlines() if "│ auth" in line)
    assert "database" in row


def _assert_one_line_error(result: Result, expected: str) -> None:
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-s", "nope"], "unknown service 'nope' (valid services: auth)"),
        (
            ["-c", "kafka,database"],
            "unknown component 'kafka' (valid components: backend, database, redis)",
        ),
        (["-c", "auth"], "'auth' is a service"),
        (["--python-version", "2.7"], "invalid --python-version '2.7'"),
        (["--python-version", "3.10"], "invalid --python-version"),
        (["--python-version", "3.99"], "invalid --python-version '3.99': expected 3.11 to 3.15"),
        (["--python-version", "3.16"], "expected 3.11 to 3.15"),
        (["--python-version", "3.012"], "invalid --python-version '3.012'"),
        (["--python-version", "3.12.1"], "as major.minor"),
    ],
)
def test_bad_options_fail_with_one_line_and_write_nothing(
    run_aegis: Run, tmp_path: Path, args: list[str], expected: str
) -> None:
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", *args)
    _assert_one_line_error(result, expected)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["123", "my app", "../x", "class", "", "mypy", "redis", "a--b", "my__app"]
)
def test_bad_names_fail_with_one_line_and_write_nothing(
    run_aegis: Run, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run_aegis("init", name, "-o", str(out), "--skip-tasks")
    _assert_one_line_error(result, "project name")
    assert list(out.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_existing_non_empty_target_is_refused_and_untouched(run_aegis: Run, tmp_path: Path) -> None:
    target = tmp_path / "my-app"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks")
    _assert_one_line_error(result, "already exists and is not empty (use --force")
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_target_that_is_a_file_is_refused(run_aegis: Run, tmp_path: Path) -> None:
    (tmp_path / "my-app").write_text("a file")
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks")
    _assert_one_line_error(result, "is not a directory")


@pytest.mark.parametrize("below", ["", "sub"])
def test_an_output_dir_below_a_file_is_one_line(run_aegis: Run, tmp_path: Path, below: str) -> None:
    afile = tmp_path / "afile"
    afile.write_text("mine")
    result = run_aegis("init", "a1", "-o", str(afile / below), "--skip-tasks")
    _assert_one_line_error(result, f"{afile} exists and is not a directory")
    assert afile.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_an_output_dir_that_is_not_writable_is_one_line(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests may run as root, whom no permission bit stops: the refusal is simulated.
    monkeypatch.setattr("aegis.render.os.access", lambda path, mode: False)
    result = run_aegis("init", "a1", "-o", str(tmp_path / "out"), "--skip-tasks")
    _assert_one_line_error(result, f"cannot create {tmp_path / 'out' / 'a1'}: ")
    assert "is not writable" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_permission_error_while_creating_the_project_is_one_line(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "out"))

    monkeypatch.setattr("aegis.render.tempfile.TemporaryDirectory", refuse)
    result = run_aegis("init", "a1", "-o", str(tmp_path / "out"), "--skip-tasks")
    _assert_one_line_error(result, f"Permission denied: '{tmp_path / 'out'}'")
    assert not (tmp_path / "out" / "a1").exists()


@pytest.mark.parametrize("parent", ["br[/b]", "[red]x", "[/x]"])
def test_paths_that_look_like_markup_are_printed_as_they_are(
    run_aegis: Run, tmp_path: Path, parent: str
) -> None:
    out = tmp_path / parent
    result = run_aegis("init", "ok2", "-o", str(out), "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert f"Rendered ok2 into {out / 'ok2'}" in result.output
    # An error naming such a path, too.
    result = run_aegis("init", "ok2", "-o", str(out), "--skip-tasks")
    _assert_one_line_error(result, f"{out / 'ok2'} already exists")


@pytest.mark.parametrize("command", [["update"], ["add", "database"], ["remove", "database"]])
def test_a_markup_like_project_path_in_an_error_is_shown_as_typed(
    run_aegis: Run, tmp_path: Path, command: list[str]
) -> None:
    for missing in (tmp_path / "[/x]", tmp_path / "[red]x"):
        result = run_aegis(*command, "-p", str(missing), "--yes")
        assert result.exit_code == 1
        assert result.stderr.strip() == f"error: {missing} is not a directory"


def test_a_refused_initial_commit_is_one_line_with_gits_reason(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user whose git signs every commit, with a signing program that fails.
    signer = tmp_path / "sign"
    signer.write_text("#!/bin/sh\necho 'the signing key is locked' >&2\nexit 1\n")
    signer.chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(f"[commit]\n\tgpgSign = true\n[gpg]\n\tprogram = {signer}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks")
    _assert_one_line_error(
        result,
        "git could not commit the project: error: gpg failed to sign the data "
        "fatal: failed to write commit object",
    )
    assert not (tmp_path / "my-app").exists()  # nothing half-made is left behind


def test_init_without_git_is_one_line(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks")
    _assert_one_line_error(result, "git is not installed (no 'git' on PATH)")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bin"]


def test_no_prompt_without_a_terminal(run_aegis: Run, tmp_path: Path) -> None:
    # stdin is not a terminal under CliRunner: init must not ask, even with no options.
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", input="")
    assert result.exit_code == 0, result.output
    assert "?" not in result.output
    assert "Creating my-app with backend" in result.output
    assert not (tmp_path / "my-app" / "src" / "my_app" / "auth").exists()


def test_prompts_when_stdin_is_a_terminal(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aegis.commands.init._stdin_is_terminal", lambda: True)
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", input="n\nn\ny\n")
    assert result.exit_code == 0, result.output
    assert "Include component 'database'" in result.output
    assert "Include service 'auth'" in result.output
    # redis and database declined, auth accepted: auth still brings database, and says so.
    assert "database added (required by auth)" in result.output


def test_enter_throughout_selects_what_yes_selects(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aegis.commands.init._stdin_is_terminal", lambda: True)
    with_yes = run_aegis("init", "my-app", "-o", str(tmp_path / "yes"), "--skip-tasks", "--yes")
    assert with_yes.exit_code == 0, with_yes.output
    entered = run_aegis(
        "init", "my-app", "-o", str(tmp_path / "enter"), "--skip-tasks", input="\n\n\n"
    )
    assert entered.exit_code == 0, entered.output
    assert "Creating my-app with backend\n" in with_yes.output
    assert "Creating my-app with backend\n" in entered.output
    assert entered.output.count("[y/N]") == 3  # the default shown is the default taken


@pytest.mark.parametrize(
    "flags", [["--skip-tests"], ["--yes", "--no-interactive"]], ids=["skip-tests", "yes"]
)
def test_redundant_flags_together_are_accepted_silently(
    run_aegis: Run, tmp_path: Path, flags: list[str]
) -> None:
    # --skip-tasks skips the tests too, as --yes already asks nothing: neither pair is
    # an error, and the pair does what the stronger flag alone does.
    result = run_aegis("init", "my-app", "-o", str(tmp_path), *flags, "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "Installing" not in result.stdout and "\n  uv sync\n" in result.stdout


@pytest.mark.parametrize("flag", ["--no-interactive", "--yes"])
def test_flags_suppress_prompts_on_a_terminal(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    monkeypatch.setattr("aegis.commands.init._stdin_is_terminal", lambda: True)
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", flag)
    assert result.exit_code == 0, result.output
    assert "Include" not in result.output


def test_init_renders_auth_project_with_secret_and_commit(run_aegis: Run, tmp_path: Path) -> None:
    result = run_aegis(
        "init", "my-app", "-s", "auth", "-c", "database", "-o", str(tmp_path), "--skip-tasks"
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "my-app"
    assert (project / "src" / "my_app" / "auth").is_dir()
    env = (project / ".env").read_text()
    secret = next(line for line in env.splitlines() if line.startswith("JWT_SECRET_KEY="))
    assert len(secret.split("=", 1)[1]) >= 64  # 48 random bytes, base64url
    assert "JWT_SECRET_KEY=change-me" in (project / ".env.example").read_text()
    assert ".env" in (project / ".gitignore").read_text().split()


def test_two_projects_get_different_secrets(run_aegis: Run, tmp_path: Path) -> None:
    for name in ("one", "two"):
        result = run_aegis("init", name, "-s", "auth", "-o", str(tmp_path), "--skip-tasks")
        assert result.exit_code == 0, result.output
    secrets = {(tmp_path / name / ".env").read_text() for name in ("one", "two")}
    assert len(secrets) == 2


def test_comma_separated_and_repeated_options_combine(run_aegis: Run, tmp_path: Path) -> None:
    result = run_aegis(
        "init", "my-app", "-c", "backend,database", "-s", "auth", "-s", "auth",
        "-o", str(tmp_path), "--skip-tasks",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Creating my-app with backend, database, auth" in result.output
    assert "added (required by" not in result.output


def test_force_renders_into_non_empty_directory_keeping_other_files(
    run_aegis: Run, tmp_path: Path
) -> None:
    target = tmp_path / "my-app"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", "--force")
    assert result.exit_code == 0, result.output
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "pyproject.toml").is_file()


def _git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout


def test_force_also_writes_the_env_file_and_commits(run_aegis: Run, tmp_path: Path) -> None:
    target = tmp_path / "my-app"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run_aegis("init", "my-app", "-s", "auth", "-o", str(tmp_path), "--skip-tasks", "-f")
    assert result.exit_code == 0, result.output
    env = (target / ".env").read_text()
    assert "JWT_SECRET_KEY=" in env and "change-me" not in env
    assert _git(target, "log", "--format=%s") == "Generate project with aegis\n"
    assert _git(target, "status", "--porcelain") == ""  # notes.txt included, .env ignored
    assert "pyproject.toml" in _git(target, "ls-files").split()


def test_force_refuses_a_git_tree_with_uncommitted_edits(run_aegis: Run, tmp_path: Path) -> None:
    assert run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks").exit_code == 0
    target = tmp_path / "my-app"
    (target / "README.md").write_text("my unsaved notes\n")
    (target / "todo.txt").write_text("untracked\n")
    head = _git(target, "rev-parse", "HEAD")
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", "--force")
    _assert_one_line_error(
        result, f"{target} has uncommitted changes (README.md, todo.txt): commit or stash them"
    )
    assert "aegis update" in result.stderr
    assert (target / "README.md").read_text() == "my unsaved notes\n"
    assert _git(target, "rev-parse", "HEAD") == head


def test_force_refuses_uncommitted_edits_in_an_enclosing_repository(
    run_aegis: Run, tmp_path: Path
) -> None:
    _git(tmp_path, "init", "-q")
    target = tmp_path / "my-app"
    target.mkdir()
    (target / "pyproject.toml").write_text("mine\n")
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", "--force")
    _assert_one_line_error(result, "has uncommitted changes (my-app/pyproject.toml)")
    assert (target / "pyproject.toml").read_text() == "mine\n"


def test_force_over_a_clean_git_tree_renders(run_aegis: Run, tmp_path: Path) -> None:
    assert run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks").exit_code == 0
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", "--force")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("output_dir", "shown"),
    [(None, "a9"), ("ro", "ro/a9"), ("with space", "'with space/a9'"), ("ABSOLUTE", "ABSOLUTE")],
)
def test_next_steps_cd_into_the_project_from_the_current_directory(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    output_dir: str | None, shown: str,
) -> None:  # fmt: skip
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    elsewhere = tmp_path / "elsewhere"
    args = (
        []
        if output_dir is None
        else ["-o", str(elsewhere) if output_dir == "ABSOLUTE" else output_dir]
    )
    result = run_aegis("init", "a9", *args, "--skip-tasks")
    assert result.exit_code == 0, result.output
    expected = str(elsewhere / "a9") if shown == "ABSOLUTE" else shown
    # Every project serves /docs: a backend-only one (as here) is pointed at it too.
    assert (
        f"Next steps:\n  cd {expected}\n  uv sync\n  make server\n"
        "Then open http://127.0.0.1:8000/docs\n"
    ) in result.output


@pytest.mark.parametrize("version", ["3.11", "3.15"])
def test_every_supported_python_version_renders(
    run_aegis: Run, tmp_path: Path, version: str
) -> None:
    result = run_aegis(
        "init", "my-app", "-o", str(tmp_path), "--skip-tasks", "--python-version", version
    )
    assert result.exit_code == 0, result.output
    assert (
        f'requires-python = ">={version}"' in (tmp_path / "my-app" / "pyproject.toml").read_text()
    )


def test_tasks_install_with_the_chosen_python_outside_the_callers_venv(
    run_aegis: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Aegis itself often runs under `uv run`: the project must get its own .venv.
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "aegis-venv"))
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def record(argv: list[str], **kwargs: object) -> object:
        if argv[0] != tasks.uv_executable():
            return real_run(argv, **kwargs)  # type: ignore[call-overload]
        calls.append((argv, kwargs["env"]))  # type: ignore[arg-type]
        return subprocess.CompletedProcess(argv, 0, stdout="")

    monkeypatch.setattr(tasks.subprocess, "run", record)
    result = run_aegis(
        "init", "my-app", "-o", str(tmp_path), "--python-version", "3.12", "--skip-tests"
    )
    assert result.exit_code == 0, result.output
    [(argv, env)] = calls
    assert argv[1:] == ["sync", "--python", "3.12"]
    assert "VIRTUAL_ENV" not in env
    assert env["PATH"] == tasks.os.environ["PATH"]  # the rest of the environment is kept
