"""``streamlit run app.py`` on a free local port, for the browser tests
(``tests/browser/conftest.py``) and the browser benchmarks alike: local
address only (unless a test asks for another), no usage statistics, no file
watcher, ready once ``/_stcore/health`` answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {timeout}s:\n{log.read_text(errors='replace')}")


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int


def migrated(db_url: str) -> str:
    """The URL, once its database is at the latest schema: the app would
    otherwise migrate it on its first request, inside a page's first visit."""
    from data_access import db

    db.connect(db_url)
    db.dispose_all()
    return db_url


def app_env(db_url: str) -> dict[str, str]:
    """The environment of the dashboard on ``db_url``, never loading the
    sample; an unexpected error is shown as Streamlit's exception, in full
    (what the browser tests and benchmarks look for), not as the short
    message with a reference that people see."""
    return dict(
        os.environ,
        DASHBOARD_DATABASE_URL=db_url,
        DASHBOARD_LOAD_SAMPLE="0",
        DASHBOARD_RAISE_ERRORS="1",
        STREAMLIT_CLIENT_SHOW_ERROR_DETAILS="full",
    )


@contextmanager
def streamlit_server(
    script: Path,
    env: dict[str, str],
    log: Path,
    *,
    address: str | None = "127.0.0.1",
    args: Sequence[str] = (),
) -> Iterator[Server]:
    """``python -m streamlit run <script>`` in the script's folder, its output
    in ``log``; stopped on leaving the block. ``address`` is passed as
    ``--server.address`` (None: not passed, so ``.streamlit/config.toml``
    decides); ``args`` are further options (``--secrets.files PATH``). The
    server is reached at 127.0.0.1 whatever it listens on. Without
    ``--secrets.files`` in ``args`` it reads no secrets at all (a file that
    does not exist), so that a developer's ``.streamlit/secrets.toml`` with
    an ``[auth]`` section does not put a sign-in screen in front of the
    pages being tested or timed."""
    port = free_port()
    where = ["--server.address", address] if address is not None else []
    if "--secrets.files" not in args:
        args = [*args, "--secrets.files", str(log.parent / "no-secrets.toml")]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script.name,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                *where,
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",  # an edit elsewhere must not rerun the pages being timed
                *args,
            ],
            cwd=script.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log)
        yield Server(base, proc.pid)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """End a server process: politely, then, after ``timeout`` seconds, by force."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
