"""A Docker daemon and a local base image, for building generated projects' images offline.

No container registry is reachable, so the image a generated Dockerfile starts ``FROM``
is made here: Debian bookworm (``debootstrap --variant=minbase``) with ``python3``,
imported under that name, carrying this machine's CA bundle so that pip and uv reach
PyPI during the build. The Dockerfile itself is built unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aegis"
SUITE = "bookworm"
PACKAGES = "python3,python3-venv,ca-certificates"
TOOLS = ("dockerd", "debootstrap")


def missing_tools() -> list[str]:
    """Return what this machine lacks to build images (root and the tools)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    return missing + ([] if os.geteuid() == 0 else ["root"])


@dataclass
class Docker:
    """The docker client of the daemon's own package, talking to one daemon."""

    client: str
    env: dict[str, str] = field(default_factory=dict)

    def run(
        self, *args: str | Path, check: bool = True, stdin: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a docker command; a failure shows its output."""
        result = subprocess.run(
            [self.client, *map(str, args)],
            env=self.env, stdin=stdin, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"docker {' '.join(map(str, args))}:\n{result.stderr[-4000:]}")
        return result


@contextmanager
def daemon() -> Iterator[Docker]:
    """Use the running daemon, or start ``dockerd`` and stop it on exit."""
    dockerd = shutil.which("dockerd")
    assert dockerd is not None
    docker = Docker(_client(Path(dockerd)), {**os.environ, "DOCKER_BUILDKIT": "1"})
    if docker.run("info", check=False).returncode == 0:
        yield docker
        return
    state = Path(tempfile.mkdtemp(prefix="aegis-dockerd-"))
    socket = f"unix://{state}/docker.sock"
    # No bridge and no iptables rules: containers use the host's network, the host's
    # firewall is left alone.
    command = [dockerd, "--storage-driver=vfs", "--iptables=false", "--ip6tables=false",
               "--bridge=none", f"--host={socket}", f"--exec-root={state}/exec",
               f"--pidfile={state}/dockerd.pid"]  # fmt: skip
    with (state / "dockerd.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    docker.env["DOCKER_HOST"] = socket
    try:
        deadline = time.monotonic() + 60
        while docker.run("info", check=False).returncode != 0:
            log_tail = (state / "dockerd.log").read_text(errors="replace")[-2000:]
            assert process.poll() is None, f"dockerd exited:\n{log_tail}"
            assert time.monotonic() < deadline, f"dockerd did not start:\n{log_tail}"
            time.sleep(0.5)
        yield docker
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(state, ignore_errors=True)


def _client(dockerd: Path) -> str:
    """Return the daemon package's own client: it builds with the daemon's BuildKit.

    A newer client found first on PATH may lack the buildx plugin it needs for BuildKit.
    """
    for client in (dockerd.with_name("docker"), dockerd.parent.parent / "bin" / "docker"):
        if client.is_file():
            return str(client)
    return shutil.which("docker") or "docker"


def base_image_name(dockerfile: Path) -> str:
    """Return the image the Dockerfile's first stage starts from."""
    match = re.search(r"^FROM\s+(\S+)", dockerfile.read_text("utf-8"), re.MULTILINE)
    assert match, f"no FROM in {dockerfile}"
    return match.group(1)


def ensure_base_image(docker: Docker, name: str) -> None:
    """Import the cached Debian file system as ``name``, unless it is there already."""
    ca_digest = hashlib.sha256(CA_BUNDLE.read_bytes()).hexdigest()[:16]
    label = docker.run(
        "image", "inspect", "--format", '{{ index .Config.Labels "aegis.ca" }}', name, check=False
    )
    if label.returncode == 0 and label.stdout.strip() == ca_digest:
        return
    rootfs = _rootfs()
    shutil.copyfile(CA_BUNDLE, rootfs / CA_BUNDLE.relative_to("/"))
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    changes = [f"ENV SSL_CERT_FILE={CA_BUNDLE}", f"ENV PIP_CERT={CA_BUNDLE}",
               f"LABEL aegis.ca={ca_digest}", 'CMD ["python3"]']  # fmt: skip
    args = [arg for change in changes for arg in ("--change", change)]
    docker.run("import", *args, "-", name, stdin=tar.stdout.fileno() if tar.stdout else None)
    assert tar.wait() == 0, "tar of the base file system failed"


def _rootfs() -> Path:
    """Return the cached Debian file system, made by debootstrap on the first call."""
    rootfs = CACHE / f"{SUITE}-python3-rootfs"
    if rootfs.is_dir():
        return rootfs
    partial = rootfs.with_name(rootfs.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={PACKAGES}", SUITE, str(partial),
         _debian_mirror()],
        check=True, capture_output=True,
    )  # fmt: skip
    # What a slim image leaves out: every container is a full copy under vfs.
    for unused in ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale"):
        shutil.rmtree(partial / unused, ignore_errors=True)
    for apt_cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for path in (partial / apt_cache).glob("*"):
            if path.is_file():
                path.unlink()
    partial.rename(rootfs)  # only a complete file system is ever cached
    return rootfs


def _debian_mirror() -> str:
    """Return the Debian mirror apt uses on this machine."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for source in sources:
        text = source.read_text("utf-8") if source.is_file() else ""
        for url in re.findall(r"(https?://\S+/debian)/?\s", text):
            return str(url)
    return "http://deb.debian.org/debian"


def render_project(root: Path, name: str) -> Path:
    """Render an auth + database project and lock it, as `aegis init` leaves it."""
    subprocess.run(
        [sys.executable, "-m", "aegis", "init", name, "-s", "auth", "--skip-tasks",
         "-o", str(root)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(["uv", "lock", "--quiet"], cwd=root / name, env=env, check=True)
    return root / name


class Deployment:
    """Containers of one image with one database; all are removed by `close`."""

    def __init__(self, docker: Docker, image: str, **settings: str) -> None:
        self.docker, self.image = docker, image
        self.settings = {"JWT_SECRET_KEY": secrets.token_urlsafe(48), **settings}
        self.volume = f"aegis-test-{uuid.uuid4().hex[:12]}"
        self.containers: list[str] = []
        self.port = _free_port()

    def _options(self) -> list[str]:
        options = ["--network", "host", "--volume", f"{self.volume}:/data"]
        for name, value in self.settings.items():
            options += ["--env", f"{name}={value}"]
        return options

    def command(self, *args: str) -> str:
        """Run a one-off command in a fresh container (as a release job would)."""
        result = self.docker.run("run", "--rm", *self._options(), self.image, *args)
        return result.stdout + result.stderr

    def serve(self) -> tuple[float, float]:
        """Start the image's own command and wait for /health.

        Returns:
            Seconds until `docker run` returned (the container made and started), and
            from then to the first healthy answer (the server's own start-up).
        """
        started = time.monotonic()
        port = ["--env", "UVICORN_HOST=127.0.0.1", "--env", f"UVICORN_PORT={self.port}"]
        container = self.docker.run("run", "--detach", *self._options(), *port, self.image)
        self.containers.append(container.stdout.strip())
        running = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                    assert answer.status == 200
                    return running - started, time.monotonic() - running
            except OSError:
                assert time.monotonic() - started < 60, self.logs()
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return "\n".join(self.docker.run("logs", c, check=False).stderr for c in self.containers)

    def close(self) -> None:
        for container in self.containers:
            self.docker.run("rm", "--force", "--volumes", container, check=False)
        self.containers = []
        self.docker.run("volume", "rm", "--force", self.volume, check=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
