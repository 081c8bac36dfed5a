"""The production WSGI server (gunicorn, sync workers, whitenoise) on loopback, for benchmarks.

The server runs against a throw-away var/ directory (SQLite database, collected static
files with the manifest storage) so a benchmark never touches the developer's data. It
runs in its own process group, and ``running_server`` stops that whole group on the way
out, whether the benchmark finished, failed or was interrupted.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"

# Variables that would point the server at real services or secrets (and their ``_FILE``
# forms): the benchmark server uses SQLite in its temp dir, the local-memory cache and
# file mail, exactly as a fresh checkout does.
_STRIPPED_VARIABLES = frozenset(
    {
        "DATABASE_URL",
        "CACHE_URL",
        "CRONTASK_REDIS_URL",
        "EMAIL_HOST",
        "KAKEHASHI_S3_BUCKET",
        "SECRET_KEY",
        "KAKEHASHI_AUDIT_KEY",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
    }
)


class ServerError(RuntimeError):
    """The server could not be prepared, started or reached."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    workers: int
    command: tuple[str, ...]
    settings: dict[str, str]

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


def server_environment(var_dir: Path) -> dict[str, str]:
    """The environment for setup commands and the server: production-like, isolated."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.removesuffix("_FILE") not in _STRIPPED_VARIABLES
    }
    env.update(benchmark_settings(var_dir))
    return env


def benchmark_settings(var_dir: Path) -> dict[str, str]:
    # KAKEHASHI_ENV=production would redirect plain HTTP to HTTPS and demand real
    # secrets; development settings with DEBUG off and hashed static files are the
    # production request path minus TLS.
    return {
        "DJANGO_SETTINGS_MODULE": "kakehashi.settings",
        "KAKEHASHI_ENV": "development",
        "DEBUG": "0",
        "KAKEHASHI_VAR_DIR": str(var_dir),
        "KAKEHASHI_MANIFEST_STATIC": "1",
        "LOG_LEVEL": "WARNING",
    }


def kakehashi_command() -> list[str]:
    """``.venv/bin/kakehashi`` beside this interpreter, else ``python -m kakehashi``."""
    script = Path(sys.executable).with_name("kakehashi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kakehashi"]


def prepare(env: dict[str, str], log_path: Path) -> None:
    """Migrate the temp database and collect static files into the temp var/ dir."""
    for step in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        command = [*kakehashi_command(), *step, "-v", "0"]
        with log_path.open("ab") as log:
            try:
                done = subprocess.run(
                    command,
                    cwd=PROJECT_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=300,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise ServerError(f"{' '.join(step)} timed out") from exc
        if done.returncode != 0:
            raise ServerError(f"{' '.join(step)} failed:\n{tail(log_path)}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def gunicorn_command(port: int, workers: int) -> tuple[str, ...]:
    return (
        sys.executable,
        "-m",
        "gunicorn",
        "kakehashi.wsgi:application",
        "--bind",
        f"{LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
    )


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def wait_until_ready(process: subprocess.Popen[bytes], port: int, timeout: float) -> None:
    """Poll ``/healthz`` until it answers 200, the server dies, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn exited with status {process.returncode}")
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise ServerError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def stop_process_group(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGTERM the server's process group (arbiter and workers), SIGKILL if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # A worker orphaned by a crashed arbiter would still be in the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def running_server(
    workers: int = 4,
    startup_timeout: float = 60,
    seed: Callable[[dict[str, str]], None] | None = None,
) -> Iterator[Server]:
    """Prepare a temp var/ dir, start gunicorn on a free loopback port, stop it after.
    ``seed(env)``, if given, fills the prepared database before the server starts."""
    var_dir = Path(tempfile.mkdtemp(prefix="kakehashi-bench-"))
    log_path = var_dir / "server.log"
    try:
        env = server_environment(var_dir)
        prepare(env, log_path)
        if seed is not None:
            seed(env)
        port = free_port()
        command = gunicorn_command(port, workers)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            try:
                wait_until_ready(process, port, startup_timeout)
            except ServerError as exc:
                raise ServerError(f"{exc}\n{tail(log_path)}") from exc
            settings = {k: v for k, v in benchmark_settings(var_dir).items() if k != "LOG_LEVEL"}
            yield Server(LOOPBACK, port, workers, command, settings)
        finally:
            stop_process_group(process)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
