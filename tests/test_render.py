import subprocess
from pathlib import Path

import pytest
import yaml

from aegis import catalog, render
from aegis.errors import RenderError, TargetExistsError
from aegis.project import ProjectSpec, read_answers
from aegis.source import TemplateSource


def _spec(*services: str) -> ProjectSpec:
    return ProjectSpec(
        name="my-app",
        package="my_app",
        selection=catalog.resolve(services=services),
        python_version="3.11",
    )


def test_generate_commits_everything_but_the_env_file(tmp_path: Path) -> None:
    project = render.generate(_spec("auth"), tmp_path / "my-app")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=project, capture_output=True, text=True
    ).stdout
    assert status.strip() == "!! .env"
    log = subprocess.run(["git", "log", "--oneline"], cwd=project, capture_output=True, text=True)
    assert len(log.stdout.splitlines()) == 1


@pytest.mark.parametrize("force", [False, True])
def test_a_new_directory_gets_the_initial_commit(tmp_path: Path, force: bool) -> None:
    # --force only changes what happens to a directory that already has files.
    project = render.generate(_spec(), tmp_path / "my-app", force=force)
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=project, capture_output=True, text=True, check=True
    )
    assert log.stdout == "Initial commit from aegis\n"


def test_answers_record_selection_and_template_source(tmp_path: Path) -> None:
    project = render.generate(_spec("auth"), tmp_path / "my-app")
    answers = read_answers(project)
    assert answers["components"] == ["backend", "database"]
    assert answers["services"] == ["auth"]
    assert Path(answers["_src_path"]).is_absolute()
    assert "with_auth" not in answers


def test_env_file_is_private(tmp_path: Path) -> None:
    project = render.generate(_spec("auth"), tmp_path / "my-app")
    assert (project / ".env").stat().st_mode & 0o777 == 0o600


def test_existing_env_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("JWT_SECRET_KEY=change-me\n")
    (tmp_path / ".env").write_text("JWT_SECRET_KEY=mine\n")
    render.write_env(tmp_path)
    assert (tmp_path / ".env").read_text() == "JWT_SECRET_KEY=mine\n"


def test_render_failure_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_render(spec: ProjectSpec, staging: Path) -> None:
        staging.mkdir(parents=True)
        (staging / "half.txt").write_text("partial")
        raise RenderError("rendering the template failed: boom")

    monkeypatch.setattr(render, "_render", half_render)
    with pytest.raises(RenderError, match="boom"):
        render.generate(_spec(), tmp_path / "my-app")
    assert list(tmp_path.iterdir()) == []


def test_generate_refuses_a_non_empty_directory_unless_forced(tmp_path: Path) -> None:
    # Library callers get the same refusal as `aegis init`; force is never the default.
    (tmp_path / "my-app").mkdir()
    (tmp_path / "my-app" / "mine.txt").write_text("keep")
    with pytest.raises(TargetExistsError, match="not empty"):
        render.generate(_spec(), tmp_path / "my-app")
    assert [p.name for p in (tmp_path / "my-app").iterdir()] == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-app"]


def test_generate_creates_missing_parent_directories(tmp_path: Path) -> None:
    project = render.generate(_spec(), tmp_path / "a" / "b" / "my-app")
    assert (project / ".copier-answers.yml").is_file()


def test_staging_is_a_hidden_directory_beside_the_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beside it, so the final rename never crosses filesystems (/tmp is often tmpfs);
    # hidden and named after the project, so a killed run's leftover is recognisable.
    real_render = render._render
    seen: list[Path] = []

    def recording_render(spec: ProjectSpec, staging: Path) -> None:
        seen.append(staging)
        real_render(spec, staging)

    monkeypatch.setattr(render, "_render", recording_render)
    render.generate(_spec(), tmp_path / "out" / "my-app")
    [staging] = seen
    assert staging.name == "my-app"
    assert staging.parent.parent == tmp_path / "out"
    assert staging.parent.name.startswith(".my-app.aegis-")


def test_copier_exception_becomes_render_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        render, "template_source", lambda: TemplateSource(tmp_path / "missing", None)
    )
    with pytest.raises(RenderError, match="rendering the template failed"):
        render.generate(_spec(), tmp_path / "out" / "my-app")
    assert list((tmp_path / "out").iterdir()) == []


def test_answers_file_is_valid_yaml_with_comment_header(tmp_path: Path) -> None:
    project = render.generate(_spec(), tmp_path / "my-app")
    text = (project / ".copier-answers.yml").read_text()
    assert text.startswith("# ")
    assert yaml.safe_load(text)["project_name"] == "my-app"


def test_missing_settings_are_appended_without_touching_existing_ones(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(
        "# comment\nAPP_NAME=demo\nJWT_SECRET_KEY=change-me\nDATABASE_URL=sqlite:///x\n"
    )
    (tmp_path / ".env").write_text("APP_NAME=mine\nJWT_SECRET_KEY=keep-this-one\n")
    render.write_env(tmp_path)
    lines = (tmp_path / ".env").read_text().splitlines()
    assert lines == ["APP_NAME=mine", "JWT_SECRET_KEY=keep-this-one", "DATABASE_URL=sqlite:///x"]


def test_a_setting_whose_value_holds_an_equals_sign_is_recognised(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("DATABASE_URL=postgresql://h/db?sslmode=require\n")
    (tmp_path / ".env").write_text("DATABASE_URL=postgresql://mine/db?sslmode=disable\n")
    render.write_env(tmp_path)
    assert (tmp_path / ".env").read_text() == "DATABASE_URL=postgresql://mine/db?sslmode=disable\n"


def test_update_without_template_history_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "template_source", lambda: TemplateSource(tmp_path, None))
    with pytest.raises(RenderError) as raised:
        render.update(tmp_path, data={}, vcs_ref=None)
    assert str(raised.value) == (
        "this Aegis installation has no template history (built without git), "
        "so projects cannot be updated with it"
    )


def test_a_new_env_is_the_example_with_a_fresh_secret(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(
        "# Settings\nAPP_NAME=démo\nJWT_SECRET_KEY=change-me\n", encoding="utf-8"
    )
    render.write_env(tmp_path)
    lines = (tmp_path / ".env").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["# Settings", "APP_NAME=démo"]
    assert lines[2].startswith("JWT_SECRET_KEY=") and len(lines[2]) == len("JWT_SECRET_KEY=") + 64
    assert len(lines) == 3


def test_a_service_added_later_gets_its_own_secret(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("APP_NAME=demo\nJWT_SECRET_KEY=change-me\n")
    (tmp_path / ".env").write_text("APP_NAME=mine\n")
    render.write_env(tmp_path)
    lines = (tmp_path / ".env").read_text().splitlines()
    assert lines[0] == "APP_NAME=mine"
    assert lines[1].startswith("JWT_SECRET_KEY=") and len(lines[1]) > 60
    assert "change-me" not in lines[1]


# Even a trailing tab, a value ending in X or a last line ending in a space is the user's.
@pytest.mark.parametrize("last", ["SIZE=XX", "NOTE=a space "])
def test_settings_added_later_are_appended_below_the_users_lines_untouched(
    tmp_path: Path, last: str
) -> None:
    (tmp_path / ".env.example").write_text("APP_NAME=demo\nNEW=1\nOTHER=2\n")
    (tmp_path / ".env").write_text(f"APP_NAME=mine\t\n{last}\n")
    render.write_env(tmp_path)
    assert (tmp_path / ".env").read_text() == f"APP_NAME=mine\t\n{last}\nNEW=1\nOTHER=2\n"


def test_commented_settings_are_not_copied_into_an_existing_env(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(
        "APP_NAME=demo\n# OPTIONAL_URL=redis://localhost\n    # INDENTED=1\nNEW=2\n"
    )
    (tmp_path / ".env").write_text("APP_NAME=mine\n")
    render.write_env(tmp_path)
    assert (tmp_path / ".env").read_text().splitlines() == ["APP_NAME=mine", "NEW=2"]


@pytest.mark.parametrize(
    ("error", "shown"),
    [(ValueError("bad\n   template  line"), "bad template line"), (ValueError(" "), "ValueError")],
)
def test_copier_errors_are_shown_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, shown: str
) -> None:
    def failing_copy(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(render, "_copy", failing_copy)
    with pytest.raises(RenderError) as raised:
        render.generate(_spec(), tmp_path / "my-app")
    assert str(raised.value) == f"rendering the template failed: {shown}"


@pytest.mark.parametrize("mismatch", ["not_cached", "import_fails"])
def test_a_copier_without_the_tuned_internals_renders_with_stock_copier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mismatch: str
) -> None:
    """Guards `aegis init` against a Copier release that moves what _fresh_copy overrides."""
    import sys

    from copier._main import Worker

    from aegis import _fresh_copy

    if mismatch == "not_cached":
        monkeypatch.setattr(Worker, "jinja_env", property(Worker.jinja_env.func))
    else:
        monkeypatch.setitem(sys.modules, "aegis._fresh_copy", None)
    tuned = []
    monkeypatch.setattr(_fresh_copy, "run_fresh_copy", lambda *a, **k: tuned.append(a))

    project = render.generate(_spec("auth"), tmp_path / "my-app")

    assert tuned == []
    assert (project / "src" / "my_app" / "auth" / "routes.py").is_file()
    assert read_answers(project)["services"] == ["auth"]
