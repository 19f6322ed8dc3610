"""Where the template comes from, and the snapshot shortcut that skips Copier's clone."""

import filecmp
import shutil
from pathlib import Path

import pytest

from aegis import catalog, render, source
from aegis.git import commit_all, run_git
from aegis.project import ProjectSpec, read_answers
from aegis.source import Snapshot, TemplateSource


def _release(repo: Path, tag: str) -> str:
    """Commit everything in ``repo`` as its first commit, tag it; return the sha."""
    commit_all(repo, "template")
    run_git("tag", tag, cwd=repo)
    return run_git("rev-parse", "HEAD", cwd=repo).strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A tiny template repository with one commit and a tag."""
    repo = tmp_path / "checkout"
    (repo / "templates").mkdir(parents=True)
    (repo / "copier.yml").write_text("_subdirectory: templates\nname: {type: str}\n")
    (repo / "templates" / "{{name}}.txt.jinja").write_text("hello {{ name }}\n")
    (repo / "templates" / "{{_copier_conf.answers_file}}.jinja").write_text(
        "# header\n{{ _copier_answers|to_nice_yaml -}}\n"
    )
    _release(repo, "v1.0.0")
    return repo


def test_clean_checkout_renders_its_head_from_a_snapshot(checkout: Path) -> None:
    (checkout / "my-app").mkdir()  # a project generated inside the checkout
    (checkout / "my-app" / "x.py").write_text("x = 1\n")

    found = source._checkout_source(checkout)

    sha = run_git("rev-parse", "HEAD", cwd=checkout).strip()
    assert found == TemplateSource(checkout, sha, Snapshot(checkout, "v1.0.0"))


def test_untagged_checkout_records_its_abbreviated_commit(checkout: Path) -> None:
    run_git("tag", "-d", "v1.0.0", cwd=checkout)

    found = source._checkout_source(checkout)

    sha = run_git("rev-parse", "HEAD", cwd=checkout).strip()
    assert found.snapshot is not None and sha.startswith(found.snapshot.commit)
    assert found.ref == sha


def test_template_edits_render_through_copier_draft_commit(checkout: Path) -> None:
    (checkout / "templates" / "{{name}}.txt.jinja").write_text("edited\n")

    found = source._checkout_source(checkout)

    assert (found.ref, found.snapshot, found.draft) == ("HEAD", None, True)
    assert source.draft_warning(found, "my-app") is not None


def test_broken_checkout_falls_back_to_head(checkout: Path) -> None:
    # git cannot read this repository: Copier, given HEAD, reports it as a render error.
    shutil.rmtree(checkout / ".git")
    (checkout / ".git").write_text("gitdir: /nonexistent\n")

    assert source._checkout_source(checkout) == TemplateSource(checkout, "HEAD")


def test_checkout_without_git_installed_falls_back_to_head(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_git(*args: str, cwd: Path) -> str:
        raise FileNotFoundError("git")

    monkeypatch.setattr(source, "run_git", no_git)

    assert source._checkout_source(checkout) == TemplateSource(checkout, "HEAD")


def test_wheel_uses_the_commit_recorded_at_build_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "aegis"
    (package / "_template").mkdir(parents=True)
    (package / "_template" / "template.bundle").write_bytes(b"bundle")
    monkeypatch.setattr(source, "PACKAGE_DIR", package)
    assert source.template_source().snapshot is None  # built without a clean commit

    (package / "_template" / source.COMMIT_FILE).write_text("v2.0.0\n")
    found = source.template_source()

    assert found == TemplateSource(
        package / "_template" / "template.bundle",
        "HEAD",
        Snapshot(package / "_template", "v2.0.0"),
    )


def test_sdist_install_without_bundle_renders_the_plain_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "aegis"
    (package / "_template").mkdir(parents=True)
    monkeypatch.setattr(source, "PACKAGE_DIR", package)

    assert source.template_source() == TemplateSource(package / "_template", None)


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts)


def test_snapshot_render_equals_copier_clone_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real template, committed on its own so the test does not depend on the
    # state of this checkout.
    repo = source.copy_template_files(source.PACKAGE_DIR.parent, tmp_path / "repo")
    sha = _release(repo, "v9.9.9")
    spec = ProjectSpec(
        name="my-app",
        package="my_app",
        selection=catalog.resolve(services=["auth"]),
        python_version="3.11",
    )

    monkeypatch.setattr(
        render, "template_source", lambda: TemplateSource(repo, sha, Snapshot(repo, "v9.9.9"))
    )
    fast = render.generate(spec, tmp_path / "fast" / "my-app")
    monkeypatch.setattr(render, "template_source", lambda: TemplateSource(repo, sha))
    cloned = render.generate(spec, tmp_path / "cloned" / "my-app")

    assert _tree(fast) == _tree(cloned)
    files = [name for name in _tree(fast) if (fast / name).is_file() and name != ".env"]
    _, mismatch, errors = filecmp.cmpfiles(fast, cloned, files, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert read_answers(fast)["_commit"] == "v9.9.9"
    assert read_answers(fast)["_src_path"] == str(repo)


@pytest.mark.parametrize("existing", [False, True])
def test_template_files_are_copied_to_a_new_or_empty_directory(
    checkout: Path, tmp_path: Path, existing: bool
) -> None:
    destination = tmp_path / "nested" / "copy"
    if existing:
        destination.mkdir(parents=True)

    assert source.copy_template_files(checkout, destination) == destination

    templates = [f"templates/{name}" for name in _tree(checkout / "templates")]
    assert _tree(destination) == sorted(["copier.yml", "templates", *templates])


def test_a_source_checkout_renders_its_own_repository(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (checkout / "aegis").mkdir()
    monkeypatch.setattr(source, "PACKAGE_DIR", checkout / "aegis")

    sha = run_git("rev-parse", "HEAD", cwd=checkout).strip()
    assert source.template_source() == TemplateSource(checkout, sha, Snapshot(checkout, "v1.0.0"))


def test_a_package_inside_some_other_repository_uses_its_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Aegis copied into another project's repository root: that is not its checkout.
    package = tmp_path / "project" / "aegis"
    (package / "_template").mkdir(parents=True)
    (package / "_template" / "template.bundle").write_bytes(b"bundle")
    (tmp_path / "project" / ".git").mkdir()
    monkeypatch.setattr(source, "PACKAGE_DIR", package)

    found = source.template_source()

    assert found == TemplateSource(package / "_template" / "template.bundle", "HEAD")


def test_user_owned_paths_are_the_templates_skip_if_exists_rendered() -> None:
    owned = source.user_owned_patterns({"package_name": "shop"})
    assert {"src/shop/routers/__init__.py", "src/shop/settings.py"} <= owned
    assert not any("{{" in path for path in owned)


def test_a_checkout_reads_its_own_template_before_a_bundled_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The template being edited wins over a stale copy left under the package.
    package = tmp_path / "checkout" / "aegis"
    (package / "_template").mkdir(parents=True)
    (package / "_template" / "copier.yml").write_text("_skip_if_exists: ['stale.py']\n")
    (package.parent / "copier.yml").write_text("_skip_if_exists: ['current.py']\n")
    monkeypatch.setattr(source, "PACKAGE_DIR", package)
    assert source.user_owned_patterns({}) == {"current.py"}


@pytest.mark.parametrize(
    ("config", "owned"),
    [("_skip_if_exists:\n  - '{{ package_name }}/mine.py'\n", {"shop/mine.py"}), ("", set())],
    ids=["listed", "none"],
)
def test_an_installed_aegis_reads_its_bundled_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, owned: set[str]
) -> None:
    # A wheel has no copier.yml beside the package, only the copy under _template.
    package = tmp_path / "site-packages" / "aegis"
    (package / "_template").mkdir(parents=True)
    (package / "_template" / "copier.yml").write_text("_subdirectory: templates\n" + config)
    monkeypatch.setattr(source, "PACKAGE_DIR", package)
    assert source.user_owned_patterns({"package_name": "shop"}) == owned


def test_template_versions_of_a_checkout_and_of_a_bundle_newest_first(
    checkout: Path, tmp_path: Path
) -> None:
    for tag in ("v1.10.0", "v1.9.0"):
        commit_all(checkout, tag)
        run_git("tag", tag, cwd=checkout)
    expected = ["v1.10.0", "v1.9.0", "v1.0.0"]
    assert source.template_versions(TemplateSource(checkout, "HEAD")) == expected
    bundle = tmp_path / "template.bundle"
    run_git("bundle", "create", str(bundle), "--all", cwd=checkout)
    assert source.template_versions(TemplateSource(bundle, "HEAD")) == expected
    assert source.template_versions(TemplateSource(tmp_path, None)) == []
    assert source.template_versions(TemplateSource(tmp_path / "missing.bundle", "HEAD")) == []
