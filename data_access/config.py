"""Where the database is.

Order of precedence: an explicit URL (``--db``), the environment variable
``DASHBOARD_DATABASE_URL``, ``url`` under ``[connections.dashboard]`` in
``.streamlit/secrets.toml`` (Streamlit's connections convention; the
project's folder first, then the user's home), and last the embedded SQLite
file ``data/dashboard.db`` in the project folder (git-ignored).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ENV_VAR = "DASHBOARD_DATABASE_URL"
CONNECTION_NAME = "dashboard"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "dashboard.db"


def _secrets_files() -> list[Path]:
    return [
        Path.cwd() / ".streamlit" / "secrets.toml",
        PROJECT_ROOT / ".streamlit" / "secrets.toml",
        Path.home() / ".streamlit" / "secrets.toml",
    ]


def url_from_secrets() -> str | None:
    for path in _secrets_files():
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        url = data.get("connections", {}).get(CONNECTION_NAME, {}).get("url")
        if url:
            return str(url)
    return None


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url(explicit: str | None = None) -> str:
    url = explicit or os.environ.get(ENV_VAR) or url_from_secrets()
    if not url:
        DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    return normalise_url(url)


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
