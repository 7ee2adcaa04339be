"""Smoke runs of the benchmark scripts, so that they cannot rot: each runs
as a subprocess in a reduced size and must exit 0 and print its table (the
header and one row per page, or the expected rows). Times are never
asserted. One smoke-size programme (built by ``benchmarks/generate.py``,
which is the first smoke run) and one copy of the session's sample database
serve every script that accepts database URLs.

Every test here is in the ``slow`` tier; the browser benchmarks, which
drive Chromium, also in the ``browser`` tier: without Chromium they are
skipped, except under CI where that is a failure (see tests/conftest.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access import db
from data_access.integrity import check
from data_access.models import Finding

ROOT = Path(__file__).resolve().parent.parent
SMOKE_SCALE = "0.02"


def run(script: str, *args: str, timeout: float = 300) -> str:
    """Run ``benchmarks/<script>``; its output, once it has exited 0."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def table(output: str, header: str) -> list[str]:
    """First cells of the rows of the table whose header line starts with
    ``header``, up to the first blank line."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(header)), None)
    assert start is not None, f"no table headed {header!r} in:\n{output}"
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip())[0])
    return rows


def page_names() -> list[str]:
    from components import nav

    return [Path(p.file).stem for p in nav.available()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[str, str]:
    """(URL, output) of a smoke-size programme written by ``generate.py``."""
    url = f"sqlite:///{tmp_path_factory.mktemp('smoke') / 'large.db'}"
    return url, run("generate.py", "--db", url, "--scale", SMOKE_SCALE)


@pytest.fixture(scope="module")
def sample_url(sample_sqlite, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("smoke_sample") / "sample.db"
    shutil.copy(sample_sqlite, path)
    return f"sqlite:///{path}"


def test_generate_writes_a_sound_programme(generated):
    url, _ = generated
    engine = db.connect(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Finding)).scalar_one() > 0
        assert check(engine) == []
    finally:
        db.dispose_all()


def test_pages_benchmark(generated, sample_url):
    out = run("pages.py", "--runs", "1", "--sample-db", sample_url, "--large-db", generated[0])
    assert table(out, "page ") == page_names()


def test_import_benchmark():
    out = run("import_50k.py", "--rows", "200", "--runs", "1")
    assert table(out, "measure (") == ["time, s", "peak memory (process RSS), MB"]


def test_access_benchmark():
    out = run("access.py", "--accounts", "20", "--runs", "50")
    assert table(out, "measure (") == [
        "baseline: SELECT 1 on a pooled connection",
        "access.actor_for (role and countries)",
        "nav.available (the pages the person sees)",
        "rules.visible_countries",
        "access check per rerun (all three)",
    ]
    assert re.search(r"^goal: the access check costs at most 5 ms per rerun: (met|NOT met)", out, flags=re.M)


@pytest.mark.browser
def test_browser_benchmark(generated, sample_url):
    out = run("browser.py", "--runs", "1", "--sample-db", sample_url, "--large-db", generated[0])
    assert table(out, "page ") == page_names()


@pytest.mark.browser
def test_memory_benchmark(generated):
    out = run(
        "memory.py",
        "--large-db",
        generated[0],
        *("--uploads", "2", "--upload-rows", "200", "--upload-words", "0", "--after", "1"),
    )
    assert table(out, "moment ") == [
        "baseline: hello script",
        "after start",
        *[f"after {name}" for name in page_names()],
        "final",
    ]
    assert table(out, "upload moment") == [
        "2 sessions on the Upload page",
        "peak while checking",
        "every outcome shown",
        "1 s after the sessions end",
    ]
    assert "2 x The workbook is valid: Tajikistan 2024-Q1" in out
