"""Mutation testing with mutmut: how many deliberate bugs the test suites catch, per module.

Usage (from the repository root; not part of .ci/run, it is slow):

    python bench/mutation.py [--target generator|auth|all] [--module NAME ...]
        [--max-children N] [--timeout-multiplier X] [--out bench/results] [--keep]
        [--repo CHECKOUT] [--components NAME ...] [--resume DIR]

Two targets, each run in a scratch copy so nothing here is ever mutated in place:

- ``generator``: ``aegis/render.py``, ``existing.py``, ``tasks.py``, ``source.py``
  against the generator's fast suite (``tests/``, ``-m 'not slow'``);
- ``auth``: ``src/my_app/auth/*.py`` of the headline project (``aegis init my-app
  --services auth --components database``), against that project's own pytest suite.

mutmut runs, per mutant, only the tests that reach the mutated function, in a process
forked from one that has already imported everything, and stops a mutant whose tests
run far past their clean duration (``--timeout-multiplier``); a mutant's tests run
fastest first (``bench/mutation_order.py``), so most killed mutants die in seconds.
A run stopped part-way (``--time-limit``, or by hand with ``--keep``) goes on with
``--resume DIR`` and the same target and modules. It is run as
``uv run --with mutmut==MUTMUT_VERSION``, so it never becomes a dependency of Aegis or
of the generated project. Writes ``mutation.json`` and ``mutation.md`` (killed /
survived / timed-out per module, and each survivor's diff) to ``--out``, merged
with the figures already there for the target not run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MUTMUT_VERSION = "3.8.1"
REPO = Path(__file__).resolve().parent.parent
GENERATOR_MODULES = ("render", "existing", "tasks", "source")
PACKAGE = "my_app"
# mutmut's exit-code meanings (mutmut/stats.py, status_by_exit_code), folded into the
# three columns this report keeps; anything else is counted as "other".
_STATUS = {1: "killed", 3: "killed", 0: "survived", 36: "timeout", 24: "timeout", -24: "timeout"}
_STATUS |= {152: "timeout", 255: "timeout", 5: "no tests", 33: "no tests", None: "not run"}
_COLUMNS = ("killed", "survived", "timeout", "no tests", "not run", "other")
# A git directory that does not exist: every git command run in the scratch copy
# fails, so a mutant that points git at the wrong directory cannot `git init` or
# `git clean` the copy (and delete the mutants it is being tested with).
_GIT_GUARD = "gitdir: /nonexistent/aegis-mutation-guard\n"


def _run(command: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``command`` outside any virtual environment this script was started in."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    kwargs.setdefault("check", False)
    return subprocess.run(command, cwd=cwd, env=env, text=True, **kwargs)  # type: ignore[call-overload]


def _mutmut_command(*args: str) -> list[str]:
    """mutmut at low priority (the machine is shared), never a dependency of the target."""
    command = ["nice", "-n", "10", "uv", "run", "--no-sync", "-q"]
    return [*command, "--with", f"mutmut=={MUTMUT_VERSION}", "mutmut", *args]


def _setup_cfg(source: str, modules: list[str], settings: dict[str, str]) -> str:
    lines = ["[mutmut]", f"source_paths={source}", "only_mutate="]
    lines += [f"    {module}" for module in modules]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def prepare_generator(
    repo: Path, workdir: Path, modules: list[str], settings: dict[str, str]
) -> Path:
    """Copy the checkout ``repo`` (uncommitted files too) to ``workdir``, configure mutmut."""
    copy = workdir / "generator"
    listed = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        repo, capture_output=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.split("\0")):
        if (repo / name).is_file() and not name.startswith("bench/results/"):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / name, copy / name)
    # Rendered from a plain template copy (as an sdist install would), so that the
    # mutants' directory needs no git repository of its own (see _GIT_GUARD).
    plain = copy / "aegis" / "_template"
    plain.mkdir()
    shutil.copy2(copy / "copier.yml", plain / "copier.yml")
    shutil.copytree(copy / "templates", plain / "templates")
    targets = [f"aegis/{module}.py" for module in modules]
    settings = {
        # test_build_hook builds a wheel, which bundles the template with git: the guard
        # below stops that, and the hook is not one of the modules mutated.
        "pytest_add_cli_args": "\n    -m\n    not slow\n    -p\n    no:cacheprovider"
        "\n    --ignore\n    tests/test_build_hook.py",
        # tests/test_source.py renders the template found beside the package; the
        # docs tests read docs/.
        "also_copy": "\n    copier.yml\n    templates\n    docs",
        **settings,
    }
    (copy / "setup.cfg").write_text(_setup_cfg("aegis", targets, settings), encoding="utf-8")
    _run(["uv", "sync", "--locked", "-q"], copy, check=True)  # before the guard: it builds aegis
    (copy / ".git").write_text(_GIT_GUARD, encoding="utf-8")
    return copy


def prepare_auth(
    workdir: Path, modules: list[str], settings: dict[str, str], components: list[str]
) -> Path:
    """Render and install the headline project (with ``components``) and configure mutmut."""
    command = ["uv", "run", "-q", "aegis", "init", "my-app", "-s", "auth", "-c", "database"]
    for component in components:
        command += ["-c", component]
    _run([*command, "--skip-tasks", "-o", str(workdir)], REPO, check=True, capture_output=True)
    project = workdir / "my-app"
    _run(["uv", "sync", "-q"], project, check=True)
    auth = project / "src" / PACKAGE / "auth"
    names = modules or sorted(path.stem for path in auth.glob("*.py"))
    targets = [f"src/{PACKAGE}/auth/{name}.py" for name in names]
    # The suite reads more than its code: .env.example, the README, the Makefile...
    skipped = {".venv", ".git", "src", "tests", "setup.cfg", "mutants"}
    extra = sorted(path.name for path in project.iterdir() if path.name not in skipped)
    settings = {
        "also_copy": "\n" + "\n".join(f"    {name}" for name in extra),
        # mutmut runs the suite in its own process: not on pytest-xdist's workers.
        "pytest_add_cli_args": "\n    -n0\n    -p\n    no:cacheprovider",
        **settings,
    }
    (project / "setup.cfg").write_text(_setup_cfg("src", targets, settings), encoding="utf-8")
    return project


def collect(root: Path, prefix: str) -> dict[str, dict[str, str]]:
    """Read mutmut's per-file ``.meta`` results: module -> mutant -> status."""
    modules: dict[str, dict[str, str]] = {}
    for meta in sorted((root / "mutants" / prefix).glob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:  # nothing to mutate (an __init__.py)
            continue
        module = f"{prefix}/{meta.name.removesuffix('.meta')}"
        modules[module] = {key: _STATUS.get(code, "other") for key, code in sorted(codes.items())}
    return modules


def summarise(statuses: dict[str, str], diffs: dict[str, str]) -> dict[str, object]:
    """Counts per column, and each survivor with its diff."""
    counts: dict[str, object] = dict.fromkeys(_COLUMNS, 0)
    for status in statuses.values():
        column = status if status in counts else "other"
        counts[column] = int(counts[column]) + 1  # type: ignore[call-overload]
    survivors = {
        key: diffs.get(key, "") for key, status in statuses.items() if status == "survived"
    }
    return {**counts, "statuses": statuses, "survivors": survivors}


# `mutmut show`, for many mutants in one process (one `uv run` each costs seconds).
_SHOW = """
import json, sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
names = json.load(sys.stdin)
print(json.dumps({name: get_diff_for_mutant(name, path=find_mutant(name).path) for name in names}))
"""


def diffs(root: Path, names: list[str]) -> dict[str, str]:
    """The changed lines of each mutant in ``names``."""
    if not names:
        return {}
    command = _mutmut_command()[:-1] + ["python", "-c", _SHOW]
    shown = _run(command, root, input=json.dumps(names), capture_output=True, check=True).stdout
    return {
        name: "\n".join(
            line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"
        )
        for name, diff in json.loads(shown).items()
    }


def score(counts: dict[str, object]) -> float:
    """Killed and timed-out mutants as a share of those that ran."""
    ran = sum(int(counts[c]) for c in ("killed", "survived", "timeout"))  # type: ignore[call-overload]
    caught = int(counts["killed"]) + int(counts["timeout"])  # type: ignore[call-overload]
    return round(100 * caught / ran, 1) if ran else 0.0


def markdown(report: dict[str, dict[str, object]]) -> str:
    """The results table, then every survivor with the line it changes."""
    lines = ["# Mutation testing (mutmut)", ""]
    lines += ["| target | module | killed | survived | timeout | no tests | not run | score |"]
    lines += ["|---|---|---:|---:|---:|---:|---:|---:|"]
    for target, result in report.items():
        for module, c in result["modules"].items():  # type: ignore[attr-defined]
            cells = [c["killed"], c["survived"], c["timeout"], c["no tests"], c["not run"]]
            cells.append(f"{score(c)}%")
            lines.append(f"| {target} | `{module}` | " + " | ".join(map(str, cells)) + " |")
    lines += ["", "Score: killed and timed-out mutants as a share of those that ran."]
    for target, result in report.items():
        lines += ["", f"{target}: mutmut {result['mutmut']}, {result['note']}"]
    lines += ["", "## Survivors", ""]
    for target, result in report.items():
        for c in result["modules"].values():  # type: ignore[attr-defined]
            for mutant, diff in c["survivors"].items():
                lines += [f"- {target} `{mutant}`", "", "  ```diff"]
                lines += [f"  {line}" for line in diff.splitlines()] + ["  ```"]
    return "\n".join(lines) + "\n"


def run_mutmut(
    root: Path, names: list[str], *, max_children: int, limit: float | None
) -> tuple[str, bool]:
    """Run ``mutmut run`` in ``root``, stopped after ``limit`` seconds.

    Returns:
        mutmut's output, and whether the time limit stopped it.
    """
    log = root.parent / f"{root.name}.log"
    print(f"mutating in {root} (progress: {log}) ...", flush=True)
    command = _mutmut_command("run", "--max-children", str(max_children), *names)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    # Each mutant's tests fastest first (bench/mutation_order.py), from a directory of
    # its own on the path so that nothing else in bench/ can shadow a module.
    plugins = root.parent / "plugins"
    plugins.mkdir(exist_ok=True)
    shutil.copy2(Path(__file__).with_name("mutation_order.py"), plugins)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugins), env.get("PYTHONPATH")]))
    env["PYTEST_ADDOPTS"] = " ".join(filter(None, [env.get("PYTEST_ADDOPTS"), "-p mutation_order"]))
    with log.open("w", encoding="utf-8") as stream:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=stream, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a time limit stops every child
        )  # fmt: skip
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            print(f"time limit reached after {limit:.0f} s: stopping mutmut", flush=True)
            os.killpg(process.pid, signal.SIGINT)  # lets mutmut finish writing its results
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return log.read_text(encoding="utf-8"), True
    return log.read_text(encoding="utf-8"), False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--target", choices=["generator", "auth", "all"], default="all")
    parser.add_argument(
        "--module", action="append", default=[], help="only this module (e.g. render); repeatable"
    )
    parser.add_argument(
        "--survivors", action="store_true", help="re-test only the survivors recorded in --out"
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--timeout-multiplier",
        type=float,
        default=5.0,
        help="a mutant times out after this many times its tests' clean duration",
    )
    parser.add_argument("--time-limit", type=float, help="stop each target after S seconds")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--resume", type=Path, metavar="DIR",
        help="go on with a run stopped in DIR (a kept scratch directory): mutmut skips "
        "the mutants it has results for",
    )  # fmt: skip
    parser.add_argument(
        "--components", action="append", default=[],
        help="render the auth target with this component as well (e.g. redis); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--repo", type=Path, default=REPO, help="the generator checkout (default: this one)"
    )
    args = parser.parse_args()

    settings = {"timeout_multiplier": str(args.timeout_multiplier), "use_git_change_detection": "0"}
    targets = ["generator", "auth"] if args.target == "all" else [args.target]
    auth_key = "+".join(["auth", *args.components])
    out_json = args.out / "mutation.json"
    report = json.loads(out_json.read_text()) if out_json.is_file() else {}
    workdir = args.resume or Path(tempfile.mkdtemp(prefix="aegis-mutation-"))
    args.keep = args.keep or args.resume is not None
    try:
        for target in targets:
            started = time.perf_counter()
            key = auth_key if target == "auth" else target
            previous = report.get(key, {}).get("modules", {})
            names = []
            if args.survivors:
                names = [key for module in previous.values() for key in module["survivors"]]
                if args.module:  # mutant names look like aegis.tasks.x__argv__mutmut_1
                    names = [name for name in names if name.split(".")[-2] in args.module]
                if not names:
                    continue
            if target == "generator":
                modules = args.module or list(GENERATOR_MODULES)
                root = (
                    workdir / "generator"
                    if args.resume
                    else prepare_generator(args.repo, workdir, modules, settings)
                )
                prefix = "aegis"
            else:
                root = (
                    workdir / "my-app"
                    if args.resume
                    else prepare_auth(workdir, args.module, settings, args.components)
                )
                prefix = f"src/{PACKAGE}/auth"
            limits = {"max_children": args.max_children, "limit": args.time_limit}
            log, stopped = run_mutmut(root, names, **limits)  # type: ignore[arg-type]
            if "Running mutation testing" not in log:
                args.keep = True
                sys.exit(f"mutmut could not start on {target}; see its log in {workdir}")
            found = collect(root, prefix)
            survived = [k for st in found.values() for k, v in st.items() if v == "survived"]
            changed = diffs(root, survived)
            results = dict(previous) if args.module or args.survivors else {}
            for module, statuses in found.items():
                old = previous.get(module, {})
                if args.survivors:  # keep the other mutants' recorded statuses
                    statuses = {
                        **old.get("statuses", {}),
                        **{k: v for k, v in statuses.items() if k in names and v != "not run"},
                    }
                results[module] = summarise(statuses, {**old.get("survivors", {}), **changed})
            seconds = round(time.perf_counter() - started)
            what = "survivors re-tested" if args.survivors else "full run"
            limit = " (stopped by --time-limit)" if stopped else ""
            when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            report[key] = {
                "mutmut": MUTMUT_VERSION,
                "note": f"{what}, {seconds} s{limit}, {when}",
                "modules": results,
            }
            for module, counts in results.items():
                survived, timeout = counts["survived"], counts["timeout"]
                print(f"{module}: {score(counts)}% ({survived} survived, {timeout} timed out)")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "mutation.md").write_text(markdown(report), encoding="utf-8")
    print(f"wrote {out_json} and {args.out / 'mutation.md'}")


if __name__ == "__main__":
    main()
