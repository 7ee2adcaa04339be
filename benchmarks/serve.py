"""A Streamlit server for the browser benchmarks, started as the browser
tests start theirs (``tests/browser/conftest.py``: free port, local address
only, no usage statistics, wait for ``/_stcore/health``)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import _free_port, _wait_healthy  # noqa: E402


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
    """The environment of the dashboard on ``db_url``, never loading the sample."""
    return dict(os.environ, DASHBOARD_DATABASE_URL=db_url, DASHBOARD_LOAD_SAMPLE="0")


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log: Path) -> Iterator[Server]:
    """``python -m streamlit run <script>`` in the script's folder, its output
    in ``log``; stopped on leaving the block."""
    port = _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script.name, "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],  # an edit elsewhere must not rerun the pages being timed
            cwd=script.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
