"""A large synthetic programme, for measuring the dashboard at scale.

    python benchmarks/generate.py --db sqlite:///data/large.db            # full size
    python benchmarks/generate.py --db URL --scale 0.02                   # smoke size

Full size (``--scale 1``): 30 countries, 3,000 facilities, 100,000 findings
with about 500,000 status-history entries over 40 quarters (2017-Q1 to
2026-Q4), 600 priorities with 24,000 quarterly updates and 3,000 milestones,
50,000 activities. Seeded (``--seed``): the same arguments give the same
data. It writes through the data layer's schema (``data_access.db.connect``
creates and migrates the database; rows go into the ORM models' tables with
SQLAlchemy Core bulk inserts, one upload record per country and quarter as
the source of every value), not through the workbook importer, which would
take hours for 1,200 returns of this size. Everything it makes is fictional.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time

import numpy as np
from sqlalchemy import Engine, func, insert, select

from data_access import (
    db,
    summary,
)
from data_access.models import (
    Activity,
    Country,
    Facility,
    Finding,
    FindingUpdate,
    IndicatorValue,
    Milestone,
    MilestoneUpdate,
    Priority,
    PriorityUpdate,
    Upload,
)
from data_access.rules import reference as ref
from data_access.rules.quarters import Quarter
from data_access.sql import refresh_spans

FIRST = Quarter(2017, 1)
N_QUARTERS = 40
FULL = dict(countries=30, facilities=3_000, findings=100_000, priorities=600, milestones=3_000, activities=50_000)
USER = "benchmark generator"
CHUNK = 20_000


def sizes(scale: float) -> dict[str, int]:
    out = {k: max(1, int(round(v * scale))) for k, v in FULL.items()}
    out["countries"] = max(4, min(FULL["countries"], int(round(FULL["countries"] * max(scale, 0.14)))))
    return out


def _inside(value: float, low: float, high: float) -> float:
    """City-level precision (2 decimals) that stays inside the country's box
    (rounding alone can step over its edge)."""
    return min(max(round(float(value), 2), math.ceil(low * 100) / 100), math.floor(high * 100) / 100)


def _bulk(conn, model, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(model), rows[i : i + CHUNK])


def generate(engine: Engine, scale: float = 1.0, seed: int = 20261126, progress=lambda msg: None) -> dict[str, int]:
    """Fill an empty database; returns the row counts written."""
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Upload)).scalar_one():
            raise SystemExit("the database already holds data: generate into an empty one")
    rng = np.random.default_rng(seed)
    n = sizes(scale)
    quarters = [FIRST.shift(i) for i in range(N_QUARTERS)]
    counts: dict[str, int] = {}
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

    with engine.begin() as conn:
        # ---------------------------------------------------------------- countries (four real + fictional)
        codes = [c.code for c in ref.COUNTRIES]
        extra = []
        for i in range(n["countries"] - len(codes)):
            code = f"X{i:02d}"
            lat0, lon0 = float(rng.uniform(-40, 50)), float(rng.uniform(-100, 120))
            extra.append(
                dict(
                    code=code,
                    name=f"Synthetic country {i + 1:02d}",
                    lat_min=lat0,
                    lat_max=lat0 + 6,
                    lon_min=lon0,
                    lon_max=lon0 + 8,
                )
            )
            codes.append(code)
        if extra:
            conn.execute(insert(Country), extra)
        bbox = {c["code"]: c for c in conn.execute(select(Country.__table__)).mappings()}

        # ---------------------------------------------------------------- one upload per country and quarter
        upload_rows, upload_id = [], {}
        for ci, code in enumerate(codes):
            for q in quarters:
                upload_rows.append(
                    dict(
                        kind="return",
                        country_code=code,
                        quarter=str(q),
                        quarter_idx=q.index,
                        uploaded_at=now,
                        uploaded_by=USER,
                        file_name=f"{code}_{q}.xlsx",
                        sha256=f"{ci:04d}{q.index:08d}".ljust(64, "0"),
                        size_bytes=0,
                        status="current",
                        notes="Synthetic benchmark data",
                    )
                )
        _bulk(conn, Upload, upload_rows)
        for r in conn.execute(select(Upload.id, Upload.country_code, Upload.quarter_idx)):
            upload_id[(r.country_code, r.quarter_idx)] = r.id
        counts["uploads"] = len(upload_rows)
        progress(f"{len(codes)} countries, {len(upload_rows):,} uploads")

        # ---------------------------------------------------------------- indicators: every country, every quarter
        ind_rows = []
        for code in codes:
            base = float(rng.integers(3_000, 80_000))
            for qi, q in enumerate(quarters):
                total = int(base * (1 + 0.01 * qi))
                values = dict(
                    prisoners_total=total,
                    prisoners_female=int(total * 0.06),
                    prisoners_pretrial=int(total * 0.2),
                    prisons_total=int(20 + total / 2000),
                    pretrial_centres=5,
                    ve_prisoners=int(total * 0.04),
                    ftf_detainees=int(total * 0.004),
                )
                for ind, v in values.items():
                    ind_rows.append(
                        dict(
                            country_code=code,
                            indicator_code=ind,
                            quarter=str(q),
                            quarter_idx=q.index,
                            value=float(v),
                            approximate=ind == "ftf_detainees",
                            note=None,
                            upload_id=upload_id[(code, q.index)],
                        )
                    )
        _bulk(conn, IndicatorValue, ind_rows)
        counts["indicator_values"] = len(ind_rows)

        # ---------------------------------------------------------------- facilities
        fac_country = rng.integers(0, len(codes), n["facilities"])
        fac_rows, fac_ids = [], []
        for i, ci in enumerate(fac_country):
            code = codes[ci]
            b = bbox[code]
            fid = f"{code}-F{i:05d}"
            fac_ids.append(fid)
            fac_rows.append(
                dict(
                    facility_id=fid,
                    country_code=code,
                    name=f"Facility {i:05d}",
                    type=ref.FACILITY_TYPES[i % 3],
                    city=f"City {i % 400:03d}",
                    latitude=_inside(rng.uniform(b["lat_min"], b["lat_max"]), b["lat_min"], b["lat_max"]),
                    longitude=_inside(rng.uniform(b["lon_min"], b["lon_max"]), b["lon_min"], b["lon_max"]),
                    pilot=bool(i % 10 == 0),
                    notes=None,
                    created_upload_id=upload_id[(code, FIRST.index)],
                    updated_upload_id=upload_id[(code, FIRST.index)],
                )
            )
        _bulk(conn, Facility, fac_rows)
        counts["facilities"] = len(fac_rows)

        # ---------------------------------------------------------------- findings and their status history
        nf = n["findings"]
        f_fac = rng.integers(0, len(fac_ids), nf)
        f_start = rng.integers(0, N_QUARTERS - 2, nf)  # quarter index (0-based) of the audit
        f_rows, fu_rows = [], []
        statuses = ("open", "in progress", "remediated", "verified")
        for i in range(nf):
            fid_fac = fac_ids[f_fac[i]]
            code = codes[fac_country[f_fac[i]]]
            q0 = int(f_start[i])
            audit = quarters[q0].start + dt.timedelta(days=int(rng.integers(0, 80)))
            due = audit + dt.timedelta(days=int(rng.integers(60, 400)))
            f_id = f"{code}-A{i:06d}"
            f_rows.append(
                dict(
                    finding_id=f_id,
                    country_code=code,
                    facility_id=fid_fac,
                    audit_date=audit,
                    domain=ref.FINDING_DOMAINS[i % 4],
                    severity=ref.FINDING_SEVERITIES[int(rng.integers(4))],
                    title=f"Synthetic finding {i}",
                    recommendation=None,
                    created_upload_id=upload_id[(code, quarters[q0].index)],
                    updated_upload_id=upload_id[(code, quarters[q0].index)],
                )
            )
            # about five entries: open, then forward moves spaced by 1-3 quarters
            q = q0
            steps = int(rng.integers(3, 8))
            for s in range(steps):
                if q >= N_QUARTERS:
                    break
                status = statuses[min(s, 3)] if s < 4 else ("in progress" if s % 2 else "remediated")
                fu_rows.append(
                    dict(
                        finding_id=f_id,
                        quarter=str(quarters[q]),
                        quarter_idx=quarters[q].index,
                        status=status,
                        due_date=due,
                        owner="Security officer",
                        status_note=f"step {s}",
                        upload_id=upload_id[(code, quarters[q].index)],
                    )
                )
                q += int(rng.integers(1, 4))
        _bulk(conn, Finding, f_rows)
        progress(f"{len(f_rows):,} findings")
        _bulk(conn, FindingUpdate, fu_rows)
        counts["findings"], counts["finding_updates"] = len(f_rows), len(fu_rows)
        progress(f"{len(fu_rows):,} finding status entries")

        # ---------------------------------------------------------------- priorities, updates, milestones
        npri = n["priorities"]
        p_rows, pu_rows, m_rows = [], [], []
        per_priority = max(1, round(n["milestones"] / npri))
        updates_per = max(1, min(N_QUARTERS, round(24_000 * (npri / FULL["priorities"]) / npri)))
        for i in range(npri):
            code = codes[i % len(codes)]
            pid = f"{code}-P{i:04d}"
            start = N_QUARTERS - updates_per
            p_rows.append(
                dict(
                    priority_id=pid,
                    country_code=code,
                    title=f"Synthetic priority {i}",
                    theme=("training", "security", "intelligence", "infrastructure")[i % 4],
                    target_date=quarters[-1].end,
                    created_upload_id=upload_id[(code, quarters[start].index)],
                    updated_upload_id=upload_id[(code, quarters[start].index)],
                )
            )
            progress_pct = 0.0
            for k in range(updates_per):
                q = quarters[start + k]
                progress_pct = min(100.0, progress_pct + float(rng.integers(0, 6)))
                status = ref.PRIORITY_STATUSES[1 + int(rng.integers(0, 3))] if progress_pct < 100 else "completed"
                pu_rows.append(
                    dict(
                        priority_id=pid,
                        quarter=str(q),
                        quarter_idx=q.index,
                        status=status,
                        progress_pct=progress_pct,
                        narrative=f"Quarter {q}: work continued.",
                        next_steps="Continue.",
                        upload_id=upload_id[(code, q.index)],
                    )
                )
            for m in range(per_priority):
                m_rows.append(
                    dict(
                        priority_id=pid,
                        name=f"Milestone {m + 1}",
                        name_key=f"milestone {m + 1}",
                        created_upload_id=upload_id[(code, quarters[start].index)],
                    )
                )
        _bulk(conn, Priority, p_rows)
        _bulk(conn, PriorityUpdate, pu_rows)
        _bulk(conn, Milestone, m_rows)
        mu_rows = []
        for r in conn.execute(select(Milestone.id, Milestone.priority_id)):
            code = r.priority_id.split("-P")[0]
            q = quarters[N_QUARTERS - updates_per]
            mu_rows.append(
                dict(
                    milestone_id=r.id,
                    quarter=str(q),
                    quarter_idx=q.index,
                    due_date=quarters[-4].end,
                    status="planned",
                    completed_on=None,
                    upload_id=upload_id[(code, q.index)],
                )
            )
        _bulk(conn, MilestoneUpdate, mu_rows)
        counts.update(
            priorities=len(p_rows),
            priority_updates=len(pu_rows),
            milestones=len(m_rows),
            milestone_updates=len(mu_rows),
        )
        progress(f"{len(p_rows):,} priorities, {len(pu_rows):,} updates, {len(m_rows):,} milestones")

        # ---------------------------------------------------------------- activities
        na = n["activities"]
        a_q = rng.integers(0, N_QUARTERS, na)
        a_c = rng.integers(0, len(codes), na)
        parts = rng.integers(5, 60, na)
        a_rows = []
        for i in range(na):
            q, code = quarters[int(a_q[i])], codes[int(a_c[i])]
            p = int(parts[i])
            a_rows.append(
                dict(
                    activity_id=f"{code}-T{i:06d}",
                    country_code=code,
                    quarter=str(q),
                    quarter_idx=q.index,
                    date=q.start + dt.timedelta(days=int(i % 85)),
                    type=ref.ACTIVITY_TYPES[i % 5],
                    title=f"Synthetic activity {i}",
                    participants=p,
                    female_participants=p // 4,
                    facility_id=None,
                    notes=None,
                    upload_id=upload_id[(code, q.index)],
                )
            )
        _bulk(conn, Activity, a_rows)
        counts["activities"] = len(a_rows)
        progress(f"{len(a_rows):,} activities")
        for kind in ("findings", "priorities", "milestones"):
            refresh_spans(conn, kind)
        progress("status spans computed")
        summary.refresh(conn)
        progress("finding counts computed")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="SQLAlchemy URL of an empty database")
    ap.add_argument("--scale", type=float, default=1.0, help="1 = full size; 0.02 = smoke size")
    ap.add_argument("--seed", type=int, default=20261126)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    engine = db.connect(args.db)
    counts = generate(
        engine, args.scale, args.seed, progress=lambda m: print(f"[{time.perf_counter() - t0:6.1f}s] {m}", flush=True)
    )
    print(f"done in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
