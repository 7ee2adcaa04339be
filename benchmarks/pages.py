"""Benchmark: every page's full script run with AppTest, cold and warm cache,
on the sample data and on the large synthetic programme.

    python benchmarks/pages.py [--runs 5] [--scale 1] [--large-db URL] [--sample-db URL]

Cold: ``st.cache_data`` cleared just before the page runs (the database and
its engine are already open, as in a running server). Warm: the same page
run again. Each figure is the median of ``--runs``; ``ratio cold`` divides
the large programme's cold time by the sample's, measured in the same run,
and ``ratio warm`` the warm times likewise.
Without ``--large-db``/``--sample-db`` the databases are built in a temporary
folder first (the sample through the importer, the large one with
``benchmarks/generate.py``). Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)

TARGET_COLD, TARGET_WARM, TARGET_RATIO = 1.5, 0.3, 2.0


def build_sample(url: str) -> None:
    from data_access import db
    from data_access.sample import load_sample

    load_sample(db.connect(url))


def build_large(url: str, scale: float) -> None:
    from benchmarks.generate import generate
    from data_access import db

    generate(db.connect(url), scale)


def page_files() -> list[str]:
    from components import nav

    return [p.file for p in nav.available()]


def time_page(url: str, page: str, runs: int, quarter: str | None) -> tuple[float, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from data_access.config import ENV_VAR

    os.environ[ENV_VAR] = url
    cold, warm = [], []
    for _ in range(runs):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        if quarter:
            at.query_params["quarter"] = quarter
        at.run()
        at.switch_page(page)
        st.cache_data.clear()
        t0 = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - t0)
        if at.exception:
            raise SystemExit(f"{page} raised: {[e.value for e in at.exception]}")
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return statistics.median(cold), statistics.median(warm)


def options(doc: str, argv: list[str] | None) -> argparse.Namespace:
    """The options every sample-versus-large benchmark takes."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0, help="size of the large programme (1 = full)")
    ap.add_argument("--sample-db")
    ap.add_argument("--large-db")
    return ap.parse_args(argv)


def databases(args: argparse.Namespace, tmp: str | Path) -> tuple[str, str]:
    """(sample URL, large URL): the given ones, else built in ``tmp``; both
    brought to the latest schema (the app would migrate them on its first
    page anyway, and that must not be timed)."""
    from data_access import db

    sample_url = args.sample_db or f"sqlite:///{tmp}/sample.db"
    large_url = args.large_db or f"sqlite:///{tmp}/large.db"
    t0 = time.perf_counter()
    if not args.sample_db:
        build_sample(sample_url)
    if not args.large_db:
        build_large(large_url, args.scale)
    for url in (sample_url, large_url):
        db.connect(url)
    db.dispose_all()
    print(f"databases ready in {time.perf_counter() - t0:.0f} s", flush=True)
    return sample_url, large_url


def main(argv: list[str] | None = None) -> int:
    args = options(__doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        sample_url, large_url = databases(args, tmp)
        rows = []
        for page in page_files():
            s_cold, s_warm = time_page(sample_url, page, args.runs, None)
            l_cold, l_warm = time_page(large_url, page, args.runs, None)
            rows.append((page, s_cold, s_warm, l_cold, l_warm, l_cold / s_cold, l_warm / s_warm))
            print(f"  measured {page}", flush=True)
    print()
    print(
        f"AppTest full script run, median of {args.runs}, seconds (targets: large cold <= {TARGET_COLD}, "
        f"warm <= {TARGET_WARM}, large/sample <= {TARGET_RATIO})"
    )
    print(
        f"{'page':<28} {'sample cold':>11} {'sample warm':>11} {'large cold':>10} {'large warm':>10} "
        f"{'ratio cold':>10} {'ratio warm':>10}  ok"
    )
    for page, sc, sw, lc, lw, ratio, ratio_warm in rows:
        ok = lc <= TARGET_COLD and lw <= TARGET_WARM and ratio <= TARGET_RATIO and ratio_warm <= TARGET_RATIO
        print(
            f"{Path(page).stem:<28} {sc:>11.2f} {sw:>11.2f} {lc:>10.2f} {lw:>10.2f} {ratio:>10.2f} "
            f"{ratio_warm:>10.2f}  {'yes' if ok else 'NO'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
