"""Copier's update recipe against a throwaway template repository with tagged versions."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

from aegis import catalog, existing, render, source
from aegis.errors import RenderError
from aegis.project import ProjectSpec
from aegis.source import TemplateSource

Run = Callable[..., Result]

COPIER_YML = """\
_subdirectory: templates
_templates_suffix: .jinja
project_name: {type: str, default: my-app}
package_name: {type: str, default: my_app}
python_version: {type: str, default: "3.11"}
components: {type: yaml, default: [backend]}
services: {type: yaml, default: []}
retained_data: {type: yaml, default: []}
dropped_data: {type: yaml, default: []}
"""
ANSWERS = "# managed by copier\n{{ _copier_answers|to_nice_yaml -}}\n"
NOTES_V1 = "title {{ project_name }}\nmiddle\nend\n"


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def _release(repo: Path, tag: str, files: dict[str, str]) -> None:
    _write(repo, files)
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", tag, cwd=repo)
    _git("tag", tag, cwd=repo)


@pytest.fixture
def template_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A template repository at v1.0.0 that Aegis renders instead of its own."""
    repo = tmp_path / "template"
    repo.mkdir()
    _git("init", "-q", "-b", "main", cwd=repo)
    _release(
        repo,
        "v1.0.0",
        {
            "copier.yml": COPIER_YML,
            "templates/{{_copier_conf.answers_file}}.jinja": ANSWERS,
            "templates/notes.txt.jinja": NOTES_V1,
            "templates/{% if 'database' in components %}db.txt{% endif %}.jinja": "db\n",
        },
    )
    monkeypatch.setattr(render, "template_source", lambda: TemplateSource(repo, "HEAD"))
    return repo


def _spec() -> ProjectSpec:
    return ProjectSpec("my-app", "my_app", catalog.resolve(), "3.11")


def _use_stock_copier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render as with a Copier whose internals moved: through stock `run_copy`."""
    from aegis import _fresh_copy  # imported late: it imports Copier

    monkeypatch.setattr(_fresh_copy, "supported", lambda: False)


@pytest.fixture
def project(tmp_path: Path, template_repo: Path) -> Path:
    return render.generate(_spec(), tmp_path / "my-app")


def _commit_edit(project: Path, relative: str, content: str) -> None:
    (project / relative).write_text(content)
    _git("commit", "-qam", "user edit", cwd=project)


def _answers(project: Path) -> dict[str, object]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _add_auth_then_drop_it(run_aegis: Run, project: Path) -> None:
    """Add auth, then remove it with --drop-tables: a drop migration is pending."""
    assert run_aegis("add", "auth", "-p", str(project), "--yes", "--skip-tasks").exit_code == 0
    result = run_aegis(
        "remove", "auth", "--drop-tables", "-p", str(project), "--yes", "--skip-tasks"
    )
    assert result.exit_code == 0, result.output
    assert _answers(project)["dropped_data"] == ["auth"]


def test_stock_copier_renders_the_exact_commit_and_quietly(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _use_stock_copier(monkeypatch)
    # HEAD is a commit past the last tag.
    _write(template_repo, {"templates/notes.txt.jinja": "after the tag\n"})
    _git("commit", "-qam", "untagged", cwd=template_repo)
    capfd.readouterr()
    project = render.generate(_spec(), tmp_path / "my-app")
    assert (project / "notes.txt").read_text() == "after the tag\n"
    assert capfd.readouterr().err == ""  # Copier's file list stays out of Aegis's output


@pytest.mark.parametrize("tuned", [True, False], ids=["tuned", "stock"])
def test_init_refuses_a_template_that_would_run_commands(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tuned: bool
) -> None:
    if not tuned:
        _use_stock_copier(monkeypatch)
    ran = tmp_path / "ran"
    _release(template_repo, "v1.1.0", {"copier.yml": COPIER_YML + f"_tasks: ['touch {ran}']\n"})
    with pytest.raises(RenderError, match="unsafe feature: tasks"):
        render.generate(_spec(), tmp_path / "my-app")
    assert not ran.exists()
    assert not (tmp_path / "my-app").exists()


def test_init_records_the_template_version(project: Path) -> None:
    assert _answers(project)["_commit"] == "v1.0.0"


def test_update_keeps_user_edits_and_brings_template_changes(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    _commit_edit(project, "notes.txt", "title my-app\nmiddle\nend edited by user\n")
    _release(
        template_repo,
        "v2.0.0",
        {"templates/notes.txt.jinja": "title {{ project_name }} v2\nmiddle\nend\n"},
    )
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert (project / "notes.txt").read_text() == "title my-app v2\nmiddle\nend edited by user\n"
    assert _answers(project)["_commit"] == "v2.0.0"
    assert _git("status", "--porcelain", cwd=project) == ""
    assert "v1.0.0 -> v2.0.0" in result.output
    # Copier's own progress lines stay out of Aegis's summary.
    assert "Updating to template version" not in result.stdout + result.stderr


def test_a_new_question_takes_its_default_without_asking(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    _release(
        template_repo,
        "v1.1.0",
        {
            "copier.yml": COPIER_YML + "flavour: {type: str, default: plain}\n",
            "templates/flavour.txt.jinja": "{{ flavour }}\n",
        },
    )
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks", input="")
    assert result.exit_code == 0, result.output
    assert (project / "flavour.txt").read_text() == "plain\n"


def test_a_template_that_would_run_commands_is_refused(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    head = _git("rev-parse", "HEAD", cwd=project)
    _release(template_repo, "v1.1.0", {"copier.yml": COPIER_YML + "_tasks: ['touch ran']\n"})
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert "unsafe feature: tasks" in result.stderr
    assert not (project / "ran").exists()
    assert _git("rev-parse", "HEAD", cwd=project) == head


def _update_into_a_conflict(run_aegis: Run, project: Path, template_repo: Path) -> Result:
    """The user and a new template release change the same line; update to it."""
    _commit_edit(project, "notes.txt", "title by user\nmiddle\nend\n")
    _release(
        template_repo, "v2.0.0", {"templates/notes.txt.jinja": "title by template\nmiddle\nend\n"}
    )
    return run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")


def test_conflicting_edit_exits_non_zero_with_markers(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    result = _update_into_a_conflict(run_aegis, project, template_repo)
    assert result.exit_code == 1
    text = (project / "notes.txt").read_text()
    assert "<<<<<<<" in text and "title by user" in text and "title by template" in text
    conflicted = result.stdout.partition("with conflicts in:")[2].partition("Next:")[0]
    assert conflicted.split() == ["notes.txt"]
    assert "conflict markers" in result.stderr and "commit" in result.stderr
    assert _git("log", "-1", "--format=%s", cwd=project) == "user edit\n", "nothing committed"
    assert "UU notes.txt" in _git("status", "--porcelain", cwd=project).splitlines()


def test_update_uses_the_installed_template_when_the_recorded_one_moved(
    run_aegis: Run, project: Path, template_repo: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # The project was generated from another checkout (or a wheel since uninstalled).
    installed = tmp_path / "installed-template"
    _git("clone", "-q", str(template_repo), str(installed), cwd=tmp_path)
    _git("rm", "-rq", "templates", cwd=template_repo)
    _git("commit", "-qm", "the old location moved on", cwd=template_repo)
    monkeypatch.setattr(render, "template_source", lambda: TemplateSource(installed, "HEAD"))
    _release(installed, "v2.0.0", {"templates/notes.txt.jinja": "title {{ project_name }} v2\n"})

    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")

    assert result.exit_code == 0, result.output
    assert (project / "notes.txt").read_text() == "title my-app v2\n"
    assert _answers(project)["_src_path"] == str(installed)
    assert _answers(project)["_commit"] == "v2.0.0"
    assert _git("status", "--porcelain", cwd=project) == ""
    # The change of source is its own commit, before the update's, and says what it is.
    subjects = _git("log", "--format=%s", "-2", cwd=project).splitlines()
    assert subjects[1] == "Use the installed Aegis template as the update source"


@pytest.mark.parametrize("command", [["update"], ["add", "database", "--skip-tasks"]])
def test_a_project_inside_another_repository_is_refused(
    run_aegis: Run, project: Path, template_repo: Path, tmp_path: Path, command: list[str]
) -> None:
    # The project's own .git is gone and an enclosing repository holds its files:
    # committing the update there would mix it into someone else's history.
    _release(template_repo, "v2.0.0", {"templates/notes.txt.jinja": "v2\n"})
    outer = tmp_path / "outer"
    _git("init", "-q", str(outer), cwd=tmp_path)
    inner = outer / "my-app"
    _git("clone", "-q", str(project), str(inner), cwd=tmp_path)
    shutil.rmtree(inner / ".git")
    _git("add", "-A", cwd=outer)
    _git("commit", "-qm", "vendored", cwd=outer)
    head = _git("rev-parse", "HEAD", cwd=outer)

    result = run_aegis(*command, "-p", str(inner), "--yes")

    assert result.exit_code == 1
    assert "is not the top of a git repository" in result.stderr
    assert _git("rev-parse", "HEAD", cwd=outer) == head
    assert (inner / "notes.txt").read_text().startswith("title my-app")


def test_dirty_tree_is_refused_naming_the_files(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    (project / "notes.txt").write_text("uncommitted\n")
    _release(template_repo, "v2.0.0", {"templates/notes.txt.jinja": "v2\n"})
    for command in (["update"], ["add", "database"]):
        result = run_aegis(*command, "-p", str(project), "--yes")
        assert result.exit_code == 1
        assert "uncommitted changes (notes.txt)" in result.stderr
    assert (project / "notes.txt").read_text() == "uncommitted\n"


@pytest.mark.parametrize(
    ("files", "shown"),
    [
        (5, "d0.txt, d1.txt, d2.txt, d3.txt, d4.txt"),
        (6, "d0.txt, d1.txt, d2.txt, d3.txt, d4.txt and 1 more"),
        (7, "d0.txt, d1.txt, d2.txt, d3.txt, d4.txt and 2 more"),
    ],
)
def test_a_dirty_tree_names_five_files_and_counts_the_rest(
    run_aegis: Run, project: Path, files: int, shown: str
) -> None:
    for n in range(files):
        (project / f"d{n}.txt").write_text("new\n")
    result = run_aegis("update", "-p", str(project), "--yes")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {project} has uncommitted changes ({shown}): commit or stash them first"
    )


def test_not_an_aegis_project_is_refused(run_aegis: Run, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for command in (["update"], ["add", "auth"]):
        result = run_aegis(*command, "-p", str(plain), "--yes")
        assert result.exit_code == 1
        assert "is not an Aegis project" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"components: [backend]\n_src_path: caf\xe9\n", "not UTF-8 text (line 2)"),
        (b"components: database\n_src_path: x\n", "'components' must be a list of names"),
        (b"components: [backend]\n_src_path: x\n_commit: 12345\n", "'_commit' must be a string"),
        (b"components: [backend]\nservices: [1]\n_src_path: x\n", "'services' must be a list"),
        (b"components: [backend]\n_src_path: x\npython_version: 3.12\n", "'python_version'"),
        (b"", ".copier-answers.yml is empty"),
        (b"- backend\n", "expected a mapping of answers, found a list"),
        (b"_src_path: x\nservices: []\n", "'components' is missing"),
        (b"components: [backend]\n", "has no '_src_path'"),
        (
            b"components: [backend\n_src_path: x\n",
            "invalid YAML: expected ',' or ']', but got ':' (line 2, column 10)",
        ),
    ],
)
def test_bad_answers_are_named_in_one_line(
    run_aegis: Run, project: Path, content: bytes, expected: str
) -> None:
    (project / ".copier-answers.yml").write_bytes(content)
    _git("commit", "-qam", "answers edited by hand", cwd=project)
    head = _git("rev-parse", "HEAD", cwd=project)
    for command in (["update"], ["add", "database"], ["remove", "database"]):
        result = run_aegis(*command, "-p", str(project), "--yes", "--skip-tasks")
        assert result.exit_code == 1, result.output
        [line] = result.stderr.splitlines()
        assert line.startswith("error: ") and expected in line, line
        assert _git("rev-parse", "HEAD", cwd=project) == head


@pytest.mark.parametrize("command", [["update"], ["add", "auth"], ["remove", "database"]])
def test_a_path_that_is_no_directory_is_named(
    run_aegis: Run, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere"
    result = run_aegis(*command, "-p", str(missing), "--yes")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {missing} is not a directory"


def test_already_current_says_so(run_aegis: Run, project: Path) -> None:
    head = _git("rev-parse", "HEAD", cwd=project)
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert "Already up to date (v1.0.0)" in result.output
    assert _git("rev-parse", "HEAD", cwd=project) == head


def test_dry_run_lists_changes_and_writes_nothing(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    head = _git("rev-parse", "HEAD", cwd=project)
    _release(template_repo, "v2.0.0", {"templates/notes.txt.jinja": "v2\n"})
    result = run_aegis("update", "-p", str(project), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would update v1.0.0 -> v2.0.0" in result.output
    assert "notes.txt" in result.output
    assert _git("rev-parse", "HEAD", cwd=project) == head
    assert (project / "notes.txt").read_text().startswith("title my-app")


def test_to_version_picks_a_named_release(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    _release(template_repo, "v2.0.0", {"templates/notes.txt.jinja": "two\n"})
    _release(template_repo, "v3.0.0", {"templates/notes.txt.jinja": "three\n"})
    result = run_aegis(
        "update", "-p", str(project), "--to-version", "2.0.0", "--yes", "--skip-tasks"
    )
    assert result.exit_code == 0, result.output
    assert (project / "notes.txt").read_text() == "two\n"


def test_unknown_version_is_one_line_error_and_changes_nothing(
    run_aegis: Run, project: Path
) -> None:
    head = _git("rev-parse", "HEAD", cwd=project)
    result = run_aegis(
        "update", "-p", str(project), "--to-version", "9.9.9", "--yes", "--skip-tasks"
    )
    assert result.exit_code == 1
    # The version asked for is named; the project's own (v1.0.0) is one this Aegis has.
    assert result.stderr.strip() == (
        "error: unknown template version 'v9.9.9' (available, newest first: v1.0.0)"
    )
    assert _git("rev-parse", "HEAD", cwd=project) == head
    assert _git("status", "--porcelain", cwd=project) == ""


def test_failure_mid_update_restores_the_tree(
    run_aegis: Run, project: Path, template_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = _git("rev-parse", "HEAD", cwd=project)

    def half_update(project_dir: Path, **_: object) -> None:
        (project_dir / "notes.txt").write_text("half\n")
        (project_dir / "new.txt").write_text("half\n")
        raise render.RenderError("updating from the template failed: boom")

    monkeypatch.setattr(render, "update", half_update)
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert "boom" in result.stderr
    assert _git("rev-parse", "HEAD", cwd=project) == head
    assert _git("status", "--porcelain", cwd=project) == ""


def test_add_switches_on_the_new_part_and_keeps_edits(run_aegis: Run, project: Path) -> None:
    _commit_edit(project, "notes.txt", "title my-app\nmiddle\nmine\n")
    result = run_aegis("add", "database", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert (project / "db.txt").read_text() == "db\n"
    assert (project / "notes.txt").read_text().endswith("mine\n")
    assert _answers(project)["components"] == ["backend", "database"]
    assert _answers(project)["_commit"] == "v1.0.0", "add must not change the template version"
    assert _git("status", "--porcelain", cwd=project) == ""


def test_add_and_update_print_a_markup_like_project_path_as_it_is(
    run_aegis: Run, tmp_path: Path, template_repo: Path
) -> None:
    project = render.generate(_spec(), tmp_path / "[red]x" / "my-app")
    result = run_aegis("add", "database", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert f"'git -C {project} show --stat'" in result.output
    _release(template_repo, "v2.0.0", {"templates/[red]new[/].txt": "new\n"})
    result = run_aegis("update", "-p", str(project), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "  [red]new[/].txt\n" in result.output


@pytest.mark.parametrize(
    "command", [["add", "database"], ["update"], ["remove", "database"]], ids=lambda c: c[0]
)
def test_answering_no_says_nothing_changed(
    run_aegis: Run, project: Path, template_repo: Path, monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:  # fmt: skip
    if command[0] == "remove":
        assert run_aegis("add", "database", "-p", str(project), "--skip-tasks").exit_code == 0
    _release(template_repo, "v2.0.0", {"templates/notes.txt.jinja": "v2\n"})
    head = _git("rev-parse", "HEAD", cwd=project)
    monkeypatch.setattr("aegis.commands.common._stdin_is_terminal", lambda: True)
    result = run_aegis(*command, "-p", str(project), "--skip-tasks", input="n\n")
    assert result.exit_code == 1
    assert result.stderr == "Aborted: nothing changed.\n"
    assert _git("rev-parse", "HEAD", cwd=project) == head
    assert _git("status", "--porcelain", cwd=project) == ""


def test_add_something_present_says_so(run_aegis: Run, project: Path) -> None:
    result = run_aegis("add", "backend", "-p", str(project), "--yes")
    assert result.exit_code == 0
    assert "already in my-app" in result.output


def test_remove_something_absent_is_nothing_to_do_like_add(run_aegis: Run, project: Path) -> None:
    head = _git("rev-parse", "HEAD", cwd=project)
    for names in (["auth"], ["auth", "redis"]):
        result = run_aegis("remove", *names, "-p", str(project), "--yes")
        assert result.exit_code == 0, result.output
        assert result.stdout == f"{', '.join(names)}: not in my-app, nothing to do\n"
        assert _git("rev-parse", "HEAD", cwd=project) == head


def test_remove_of_present_and_absent_names_removes_the_present_ones(
    run_aegis: Run, db_project: Path
) -> None:
    result = run_aegis(
        "remove", "redis", "database", "-p", str(db_project), "--yes", "--skip-tasks"
    )
    assert result.exit_code == 0, result.output
    assert "  redis: not in my-app\n" in result.stdout
    assert "Removed database" in result.stdout
    assert _answers(db_project)["components"] == ["backend"]


def test_add_unknown_name_lists_valid_names(run_aegis: Run, project: Path) -> None:
    result = run_aegis("add", "kafka", "-p", str(project), "--yes")
    assert result.exit_code == 1
    assert "valid: backend, database, redis, auth" in result.stderr


def test_failure_after_repointing_the_source_undoes_that_commit_too(
    run_aegis: Run, project: Path, template_repo: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    head = _git("rev-parse", "HEAD", cwd=project)
    installed = tmp_path / "installed-template"
    _git("clone", "-q", str(template_repo), str(installed), cwd=tmp_path)
    monkeypatch.setattr(render, "template_source", lambda: TemplateSource(installed, "HEAD"))

    def failing_update(project_dir: Path, **_: object) -> None:
        raise render.RenderError("updating from the template failed: boom")

    monkeypatch.setattr(render, "update", failing_update)
    result = run_aegis("update", "-p", str(project), "--yes")
    assert result.exit_code == 1
    assert _git("rev-parse", "HEAD", cwd=project) == head
    assert _answers(project)["_src_path"] == str(template_repo)


def test_dry_run_previews_the_named_version(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    _release(template_repo, "v2.0.0", {"templates/notes.txt.jinja": "two\n"})
    _release(template_repo, "v3.0.0", {"templates/notes.txt.jinja": "three\n"})
    result = run_aegis("update", "-p", str(project), "--to-version", "2.0.0", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would update v1.0.0 -> v2.0.0" in result.output


def test_preview_applies_the_changed_answers(project: Path) -> None:
    opened = existing.open_project(project)
    outcome = existing.preview_update(
        opened, data={"components": ["backend", "database"]}, vcs_ref="v1.0.0"
    )
    assert "db.txt" in outcome.changed
    assert not (project / "db.txt").exists()


@pytest.fixture
def db_project(run_aegis: Run, project: Path) -> Path:
    result = run_aegis("add", "database", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    return project


def test_remove_takes_the_part_out_and_commits(run_aegis: Run, db_project: Path) -> None:
    result = run_aegis("remove", "database", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert not (db_project / "db.txt").exists()
    assert _answers(db_project)["components"] == ["backend"]
    assert _git("status", "--porcelain", cwd=db_project) == ""
    assert "Removed database" in result.output


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["backend"], "backend is part of every project and cannot be removed"),
        (["kafka"], "unknown name 'kafka' (valid: backend, database, redis, auth)"),
        ([","], "nothing to remove: name it, as in 'aegis remove NAME' (removable: database)"),
        ([], "nothing to remove: name it, as in 'aegis remove NAME' (removable: database)"),
    ],
)
def test_remove_refuses_bad_names_in_one_line(
    run_aegis: Run, db_project: Path, names: list[str], message: str
) -> None:
    head = _git("rev-parse", "HEAD", cwd=db_project)
    result = run_aegis("remove", *names, "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _git("rev-parse", "HEAD", cwd=db_project) == head


@pytest.mark.parametrize("names", [[], [","]])
def test_add_without_a_name_is_a_one_line_error(
    run_aegis: Run, db_project: Path, names: list[str]
) -> None:
    head = _git("rev-parse", "HEAD", cwd=db_project)
    result = run_aegis("add", *names, "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: nothing to add: name it, as in 'aegis add NAME' (addable: redis, auth)"
    )
    assert _git("rev-parse", "HEAD", cwd=db_project) == head


def test_remove_refuses_what_a_remaining_part_requires(run_aegis: Run, db_project: Path) -> None:
    result = run_aegis("add", "auth", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    result = run_aegis("remove", "database", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert "cannot remove database: auth requires it" in result.stderr


def test_drop_tables_of_a_part_without_tables_is_refused(run_aegis: Run, db_project: Path) -> None:
    result = run_aegis(
        "remove", "database", "--drop-tables", "-p", str(db_project), "--yes", "--skip-tasks"
    )
    assert result.exit_code == 1
    assert "database owns no database tables" in result.stderr
    assert (db_project / "db.txt").exists()


def test_remove_keeps_a_user_file_the_user_changed(
    run_aegis: Run, db_project: Path, template_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The part also brings a template-owned file whose path sorts before the user's:
    # the search for the user's files goes on past it.
    _release(
        template_repo,
        "v1.1.0",
        {"templates/{% if 'database' in components %}b.txt{% endif %}.jinja": "b\n"},
    )
    assert run_aegis("update", "-p", str(db_project), "--yes", "--skip-tasks").exit_code == 0
    monkeypatch.setattr(existing, "user_owned_patterns", lambda answers: {"db.txt"})
    # The same commit adds a file of the user's: db.txt is compared with the commit
    # that added db.txt, not with the last commit that added anything.
    (db_project / "mine.txt").write_text("mine\n")
    _git("add", "mine.txt", cwd=db_project)
    _commit_edit(db_project, "db.txt", "my tables\n")
    result = run_aegis("remove", "database", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert (db_project / "db.txt").read_text() == "my tables\n"
    assert not (db_project / "b.txt").exists()
    assert "kept db.txt" in result.output


def test_remove_keeps_a_user_file_changed_after_its_part_came_back(
    run_aegis: Run, db_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(existing, "user_owned_patterns", lambda answers: {"db.txt"})
    for command in ("remove", "add"):  # db.txt goes untouched, then is rendered again
        result = run_aegis(command, "database", "-p", str(db_project), "--yes", "--skip-tasks")
        assert result.exit_code == 0, result.output
    _commit_edit(db_project, "db.txt", "my tables\n")
    result = run_aegis("remove", "database", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert (db_project / "db.txt").read_text() == "my tables\n"
    assert "kept db.txt" in result.output


def test_remove_lets_an_untouched_user_file_go(
    run_aegis: Run, db_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(existing, "user_owned_patterns", lambda answers: {"db.txt"})
    result = run_aegis("remove", "database", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert not (db_project / "db.txt").exists()


def test_conflict_says_what_to_do_next_and_blocks_the_next_run(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    result = _update_into_a_conflict(run_aegis, project, template_repo)
    assert result.exit_code == 1
    assert "git add -A && git commit" in result.stdout and "uv sync && make test" in result.stdout

    for command in (["update"], ["add", "database"], ["remove", "database"]):
        again = run_aegis(*command, "-p", str(project), "--yes", "--skip-tasks")
        assert again.exit_code == 1
        assert "still has conflicts from an earlier update (notes.txt)" in again.stderr

    _git("add", "-A", cwd=project)
    _git("commit", "-qm", "markers committed by mistake", cwd=project)
    again = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert again.exit_code == 1
    assert "still has conflicts from an earlier update (notes.txt)" in again.stderr


def test_a_conflict_whose_markers_are_gone_but_not_added_still_blocks(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    assert _update_into_a_conflict(run_aegis, project, template_repo).exit_code == 1
    # Edited by hand, markers removed, but never `git add`-ed: git still holds it unmerged.
    # Without Copier's markers nothing tells whose conflict it was, and it needs no naming.
    (project / "notes.txt").write_text("title by user and template\nmiddle\nend\n")
    again = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert again.exit_code == 1
    assert "has unresolved merge conflicts in: notes.txt; resolve them and commit" in again.stderr


def test_a_merge_conflict_of_the_users_own_is_not_called_an_update(
    run_aegis: Run, project: Path
) -> None:
    _git("checkout", "-qb", "feature", cwd=project)
    _commit_edit(project, "notes.txt", "title feature\nmiddle\nend\n")
    _git("checkout", "-q", "main", cwd=project)
    _commit_edit(project, "notes.txt", "title main\nmiddle\nend\n")
    merge = subprocess.run(["git", "merge", "-q", "feature"], cwd=project, capture_output=True)
    assert merge.returncode == 1, "the merge must conflict"
    for command in (["update"], ["add", "database"], ["remove", "database"]):
        result = run_aegis(*command, "-p", str(project), "--yes", "--skip-tasks")
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"error: {project} has unresolved merge conflicts in: notes.txt; resolve them and "
            "commit first"
        )


@pytest.mark.parametrize(
    ("files", "shown"),
    [
        (5, "c0.txt, c1.txt, c2.txt, c3.txt, c4.txt"),
        (7, "c0.txt, c1.txt, c2.txt, c3.txt, c4.txt ..."),
    ],
)
def test_files_with_committed_markers_are_named_up_to_five(
    run_aegis: Run, project: Path, files: int, shown: str
) -> None:
    for n in range(files):
        (project / f"c{n}.txt").write_text(
            "<<<<<<< before updating\nmine\n>>>>>>> after updating\n"
        )
    _git("add", "-A", cwd=project)
    _git("commit", "-qm", "markers committed by mistake", cwd=project)
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {project} still has conflicts from an earlier update ({shown}): remove the "
        "<<<<<<< / >>>>>>> markers, then 'git add -A && git commit'"
    )


def test_a_version_this_aegis_lacks_is_named(run_aegis: Run, project: Path) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v1.0.0", "_commit: v9.9.9"))
    _git("commit", "-qam", "from the future", cwd=project)
    head = _git("rev-parse", "HEAD", cwd=project)
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert "my-app was made with template v9.9.9, which this Aegis (" in result.stderr
    assert _git("rev-parse", "HEAD", cwd=project) == head


def test_tables_of_a_removed_part_are_recorded_and_a_dropped_part_cannot_return(
    run_aegis: Run, db_project: Path
) -> None:
    assert run_aegis("add", "auth", "-p", str(db_project), "--yes", "--skip-tasks").exit_code == 0
    result = run_aegis("remove", "auth", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    tables = ", ".join(catalog.get("auth").tables)
    assert f"tables {tables} stay in the database" in result.output
    assert _answers(db_project)["retained_data"] == ["auth"]

    result = run_aegis("add", "auth", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert _answers(db_project)["retained_data"] == []

    result = run_aegis(
        "remove", "auth", "--drop-tables", "-p", str(db_project), "--yes", "--skip-tasks"
    )
    assert result.exit_code == 0, result.output
    assert _answers(db_project)["dropped_data"] == ["auth"]
    result = run_aegis("add", "auth", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert "auth cannot come back: its tables were dropped by a migration" in result.stderr


def test_a_dropped_part_is_refused_before_any_question(
    run_aegis: Run, db_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_auth_then_drop_it(run_aegis, db_project)
    head = _git("rev-parse", "HEAD", cwd=db_project)
    monkeypatch.setattr("aegis.commands.common._stdin_is_terminal", lambda: True)
    # "y": were the question asked, the answer would not be what stops the command.
    result = run_aegis("add", "auth", "-p", str(db_project), "--skip-tasks", input="y\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "error: auth cannot come back: its tables were dropped by a migration "
        "(aegis remove --drop-tables)"
    )
    assert _git("rev-parse", "HEAD", cwd=db_project) == head


def test_removing_database_with_a_drop_migration_needs_discard_drops_then_auth_can_return(
    run_aegis: Run, db_project: Path
) -> None:
    _add_auth_then_drop_it(run_aegis, db_project)
    head = _git("rev-parse", "HEAD", cwd=db_project)
    result = run_aegis("remove", "database", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: database's migrations include the one that drops the tables of auth "
        "(aegis remove --drop-tables): run 'make migrate' first if they should go, then "
        "'aegis remove database --discard-drops'"
    )
    assert _git("rev-parse", "HEAD", cwd=db_project) == head

    result = run_aegis(
        "remove", "database", "--discard-drops", "-p", str(db_project), "--yes", "--skip-tasks"
    )
    assert result.exit_code == 0, result.output
    tables = ", ".join(catalog.get("auth").tables)
    assert (
        f"the migration dropping tables {tables} went with database: they are dropped if "
        "'make migrate' ran it before, and stay in the database file otherwise"
    ) in result.output
    assert "should database come back, give it a new database" in result.output
    assert _answers(db_project)["dropped_data"] == []

    result = run_aegis("add", "auth", "-p", str(db_project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    assert "database added (required by auth)" in result.output
    assert _answers(db_project)["services"] == ["auth"]


def test_discard_drops_without_removing_database_is_refused(
    run_aegis: Run, db_project: Path
) -> None:
    assert run_aegis("add", "auth", "-p", str(db_project), "--yes", "--skip-tasks").exit_code == 0
    head = _git("rev-parse", "HEAD", cwd=db_project)
    result = run_aegis(
        "remove", "auth", "--discard-drops", "-p", str(db_project), "--yes", "--skip-tasks"
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: --discard-drops applies only to removing database"
    assert _git("rev-parse", "HEAD", cwd=db_project) == head


def test_retained_tables_stay_recorded_when_database_goes(run_aegis: Run, db_project: Path) -> None:
    # Their migrations come back with database, so a database file that has them migrates.
    assert run_aegis("add", "auth", "-p", str(db_project), "--yes", "--skip-tasks").exit_code == 0
    for names in (["auth"], ["database"]):
        result = run_aegis("remove", *names, "-p", str(db_project), "--yes", "--skip-tasks")
        assert result.exit_code == 0, result.output
    assert _answers(db_project)["retained_data"] == ["auth"]


def test_a_draft_of_uncommitted_template_edits_is_warned_about_and_named_later(
    run_aegis: Run, template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A source checkout whose template has uncommitted edits: Copier renders them as a
    # draft commit that no history holds, so the project cannot be updated later.
    monkeypatch.setattr(render, "template_source", lambda: source._checkout_source(template_repo))
    _write(template_repo, {"templates/notes.txt.jinja": "draft\n"})

    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", "--yes")

    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    assert warning.startswith(f"warning: the template in {template_repo} has uncommitted changes")
    project = tmp_path / "my-app"
    recorded = str(_answers(project)["_commit"])
    assert recorded != "v1.0.0"  # the draft's own describe, e.g. v1.0.0-1-g1234abc
    result = run_aegis("update", "-p", str(project), "--yes", "--skip-tasks")
    assert result.stderr.startswith("warning: the template in ")

    _git("checkout", "--", ".", cwd=template_repo)  # the template is clean again
    for command in (["add", "database"], ["update"]):
        result = run_aegis(*command, "-p", str(project), "--yes", "--skip-tasks")
        assert result.exit_code == 1
        [line] = result.stderr.splitlines()
        assert line.startswith(
            f"error: my-app was made with template {recorded}, a commit that is not in the "
            f"history of this Aegis' template ({template_repo}): most likely a draft of "
            "uncommitted template changes"
        ), line


def test_a_clean_template_checkout_warns_about_nothing(
    run_aegis: Run, template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "template_source", lambda: source._checkout_source(template_repo))
    result = run_aegis("init", "my-app", "-o", str(tmp_path), "--skip-tasks", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert _answers(tmp_path / "my-app")["_commit"] == "v1.0.0"


def test_an_unknown_version_lists_the_available_ones_newest_first(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    for tag in ("v1.2.0", "v1.10.0", "v1.9.0"):
        _release(template_repo, tag, {"templates/notes.txt.jinja": f"{tag}\n"})
    result = run_aegis("update", "-p", str(project), "--to-version", "nope", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown template version 'nope' "
        "(available, newest first: v1.10.0, v1.9.0, v1.2.0, v1.0.0)\n"
    )


def test_an_unknown_version_of_a_template_without_tags_says_how_to_update(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    _git("tag", "-d", "v1.0.0", cwd=template_repo)
    result = run_aegis("update", "-p", str(project), "--to-version", "nope", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown template version 'nope': this Aegis' template has no tagged versions "
        "(leave --to-version out to update to the installed one)\n"
    )


def test_an_older_version_is_refused_in_aegis_words(
    run_aegis: Run, project: Path, template_repo: Path
) -> None:
    _release(template_repo, "v2.0.0", {"templates/notes.txt.jinja": "two\n"})
    assert run_aegis("update", "-p", str(project), "--yes", "--skip-tasks").exit_code == 0
    head = _git("rev-parse", "HEAD", cwd=project)
    for asked in ("HEAD~1", "1.0.0"):
        result = run_aegis("update", "-p", str(project), "--to-version", asked, "--yes")
        assert result.exit_code == 1
        shown = "v1.0.0" if asked == "1.0.0" else asked
        assert result.stderr == (
            f"error: cannot update my-app to '{shown}': it is older than the template version "
            "v2.0.0 the project already has, and updates only move forward\n"
        )
        assert _git("rev-parse", "HEAD", cwd=project) == head


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_to_version_is_refused(run_aegis: Run, project: Path, empty: str) -> None:
    result = run_aegis("update", "-p", str(project), "--to-version", empty, "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --to-version is empty: name a template version")


def test_add_shows_what_it_brings_along_without_stray_highlighting(
    run_aegis: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from aegis.commands import add

    terminal = io.StringIO()
    monkeypatch.setattr(add, "console", Console(file=terminal, force_terminal=True, width=200))
    result = run_aegis("add", "auth", "-p", str(project), "--yes", "--skip-tasks")
    assert result.exit_code == 0, result.output
    [line] = [line for line in terminal.getvalue().splitlines() if "database added" in line]
    # Only the '+' is styled (yellow): Rich's highlighter would make '(' and ')' bold.
    assert line == "  \x1b[33m+\x1b[0m database added (required by auth)"


@pytest.mark.parametrize("command", [["add", "database"], ["remove", "database"], ["update"]])
def test_without_git_the_project_commands_say_git_is_missing(
    run_aegis: Run, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:  # fmt: skip
    head = _git("rev-parse", "HEAD", cwd=project)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run_aegis(*command, "-p", str(project), "--yes", "--skip-tasks")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.startswith("error: git is not installed (no 'git' on PATH)")
    assert len(result.stderr.splitlines()) == 1
    assert _git("rev-parse", "HEAD", cwd=project) == head
