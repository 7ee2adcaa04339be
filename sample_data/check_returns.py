#!/usr/bin/env python3
"""Self-check of the sample data: ``baseline.json`` and the illustrative
returns in ``sample_data/returns/``.

Reads the workbooks back with openpyxl (independently of the generator) and
asserts the checks of ``quarterly-return.md`` plus the properties the sample
data promises (figures of the report stored as given, plausible drift, one
backwards finding status, exactly one off-track priority, ...). Prints a
summary, then every failed check. Exit code 0 when all checks pass.

    python sample_data/check_returns.py [--dir sample_data/returns] [--quiet]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl

from data_access.rules.reference import (
    ACTIVITY_TYPES,
    COUNTRY_BY_CODE,
    FACILITY_TYPES,
    FINDING_DOMAINS,
    FINDING_SEVERITIES,
    FINDING_STATUS_RANK,
    FINDING_STATUSES,
    INDICATOR_BOUNDS,
    INDICATOR_CHANGE_WARNING,
    INDICATOR_CODES,
    MILESTONE_STATUSES,
    OPEN_FINDING_STATUSES,
    PRIORITY_STATUSES,
    REPATRIATION_PARTS,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

COUNTRIES = ("IRQ", "KAZ", "KGZ", "TJK")
QUARTERS = [f"{y}-Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)][:11]  # 2024-Q1..2026-Q3
RETURN_NOTE = "Illustrative sample data generated for demonstration; not real figures."
COLUMNS = {
    "Return": ["field", "value"],
    "Indicators": ["indicator", "value", "approximate", "note"],
    "Facilities": ["facility_id", "name", "type", "city", "latitude", "longitude", "pilot", "notes"],
    "Findings": [
        "finding_id",
        "facility_id",
        "audit_date",
        "domain",
        "severity",
        "title",
        "recommendation",
        "status",
        "due_date",
        "owner",
        "status_note",
    ],
    "Priorities": ["priority_id", "title", "theme", "status", "progress_pct", "target_date", "narrative", "next_steps"],
    "Milestones": ["priority_id", "milestone", "due_date", "status", "completed_on"],
    "Activities": [
        "activity_id",
        "date",
        "type",
        "title",
        "participants",
        "female_participants",
        "facility_id",
        "notes",
    ],
}
DATE_COLS = {"audit_date", "due_date", "target_date", "completed_on", "date"}
INT_COLS = {"progress_pct", "participants", "female_participants"}
FLOAT_COLS = {"latitude", "longitude"}

# Figures of the 2019-2023 report, exactly as given.
REPORT_FIGURES = {
    "IRQ": {"prisoners_total": 73715, "prisons_total": 34},
    "KAZ": {
        "prisoners_total": 35228,
        "prisoners_pretrial": 7140,
        "prisoners_female": 2457,
        "prisons_total": 808,
        "pretrial_centres": 16,
        "ve_prisoners": 673,
        "ftf_detainees": 50,
        "repatriated_total": 654,
        "repatriated_men": 37,
        "repatriated_women": 164,
        "repatriated_children": 453,
    },
    "KGZ": {
        "prisoners_total": 7569,
        "prisoners_female": 352,
        "prisons_total": 28,
        "ve_prisoners": 200,
        "ftf_detainees": 38,
    },
    "TJK": {
        "prisoners_total": 12491,
        "prisoners_female": 362,
        "prisons_total": 19,
        "ve_prisoners": 2133,
        "ftf_detainees": 281,
    },
}

errors: list[str] = []


def check(cond: bool, msg: str) -> bool:
    if not cond:
        errors.append(msg)
    return bool(cond)


def q_end(quarter: str) -> dt.date:
    y, q = int(quarter[:4]), int(quarter[-1])
    nxt = dt.date(y + (q == 4), (3 * q) % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def q_start(quarter: str) -> dt.date:
    y, q = int(quarter[:4]), int(quarter[-1])
    return dt.date(y, 3 * q - 2, 1)


def in_bbox(code: str, lat: float, lon: float) -> bool:
    c = COUNTRY_BY_CODE[code]
    return c.lat_min <= lat <= c.lat_max and c.lon_min <= lon <= c.lon_max


def as_date(v):
    return v.date() if isinstance(v, dt.datetime) else v


# --------------------------------------------------------------------------


def check_baseline(b: dict) -> dict:
    check(b.get("quarter") == "2023-Q4", "baseline: quarter must be 2023-Q4")
    check(set(b["countries"]) == set(COUNTRIES), "baseline: four countries expected")
    for code, figures in REPORT_FIGURES.items():
        got = {i["indicator"]: i for i in b["countries"][code]["indicators"]}
        check(set(got) == set(figures), f"baseline {code}: indicators {sorted(got)} != report {sorted(figures)}")
        for k, v in figures.items():
            if k in got:
                check(got[k]["value"] == v, f"baseline {code}.{k} = {got[k]['value']}, report says {v}")
                check(got[k]["approximate"] == (k == "ftf_detainees"), f"baseline {code}.{k}: approximate flag")
        for key in ("background", "achievements"):
            text = b["countries"][code][key]
            n = len(re.findall(r"[.!?](\s|$)", text))
            check(2 <= n <= 4, f"baseline {code}.{key}: {n} sentences, expected 2-4")
            check('"' not in text, f"baseline {code}.{key}: no quotes")
    check(
        "24" in next(i for i in b["countries"]["IRQ"]["indicators"] if i["indicator"] == "prisons_total")["note"],
        "baseline IRQ prisons_total note must give the 24/10 split",
    )
    ids = set()
    for f in b["facilities"]:
        fid = f["facility_id"]
        check(len(fid) <= 40 and fid not in ids, f"baseline facility id {fid}")
        ids.add(fid)
        check(fid.startswith(f["country"] + "-"), f"baseline facility {fid}: prefix")
        check(f["type"] in FACILITY_TYPES, f"baseline facility {fid}: type")
        check(in_bbox(f["country"], f["latitude"], f["longitude"]), f"baseline facility {fid}: outside bbox")
        check(
            round(f["latitude"], 2) == f["latitude"] and round(f["longitude"], 2) == f["longitude"],
            f"baseline facility {fid}: coordinates must have <= 2 decimals",
        )
    check(
        sum(1 for f in b["facilities"] if f["country"] == "KGZ" and f["illustrative"] and f["pilot"]) == 3,
        "baseline: three illustrative KGZ pilot prisons",
    )
    for a in b["activities"]:
        aid = a["activity_id"]
        check(len(aid) <= 40 and aid not in ids, f"baseline activity id {aid}")
        ids.add(aid)
        check(a["type"] in ACTIVITY_TYPES, f"baseline activity {aid}: type")
        dt.date.fromisoformat(a["date"])
        if a["female_participants"] is not None:
            check(
                a["participants"] is not None and a["female_participants"] <= a["participants"],
                f"baseline activity {aid}: female > participants",
            )
        if a["facility_id"] is not None:
            check(
                a["facility_id"] in {f["facility_id"] for f in b["facilities"] if f["country"] == a["country"]},
                f"baseline activity {aid}: unknown facility",
            )
    acts = {(a["country"], a["participants"], a["female_participants"]) for a in b["activities"]}
    for t in [("KAZ", 535, 160), ("KAZ", 5593, None), ("IRQ", 115, 20), ("KGZ", 100, None), ("KAZ", 68, 33)]:
        check(t in acts, f"baseline: reported training {t} missing")
    check(len(b["priorities"]) == 12, "baseline: 12 priorities")
    for p in b["priorities"]:
        check(Counter(x["country"] for x in b["priorities"])[p["country"]] == 3, "baseline: 3 priorities/country")
        check(len(p["title"]) <= 80, f"baseline priority {p['priority_id']}: title > 80 chars")
        check("2025-06-30" <= p["target_date"] <= "2026-12-31", f"baseline priority {p['priority_id']}: target")
        check(p["priority_id"] not in ids, f"baseline priority id {p['priority_id']} not unique")
        ids.add(p["priority_id"])
    return b


def read_workbook(path: Path) -> dict[str, list[dict]]:
    wb = openpyxl.load_workbook(path)  # full mode: cell types are visible
    check(wb.sheetnames == list(COLUMNS), f"{path.name}: sheets {wb.sheetnames}")
    out = {}
    for name, cols in COLUMNS.items():
        if name not in wb.sheetnames:
            continue
        ws = wb[name]
        rows = list(ws.iter_rows(values_only=False))
        header = [c.value for c in rows[0]]
        check(header == cols, f"{path.name}!{name}: header {header}")
        recs = []
        for row in rows[1:]:
            rec = {}
            for h, c in zip(header, row, strict=False):
                v = c.value
                where = f"{path.name}!{name}!{c.coordinate}"
                if v is None:
                    rec[h] = None
                    continue
                if h in DATE_COLS or (name == "Return" and rec.get("field") == "submitted_on"):
                    check(isinstance(v, dt.datetime) and c.is_date, f"{where}: expected a date cell, got {v!r}")
                    v = as_date(v)
                elif h in INT_COLS or (name == "Indicators" and h == "value"):
                    check(isinstance(v, int) and not isinstance(v, bool), f"{where}: expected whole number, got {v!r}")
                elif h in FLOAT_COLS:
                    check(isinstance(v, (int, float)), f"{where}: expected number, got {v!r}")
                else:
                    check(isinstance(v, str), f"{where}: expected text, got {v!r}")
                    if isinstance(v, str):
                        check(v == v.strip() and len(v) <= 2000, f"{where}: untrimmed or too long text")
                rec[h] = v
            if any(v is not None for v in rec.values()):
                recs.append(rec)
        out[name] = recs
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=HERE / "returns")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    errors.clear()

    baseline = check_baseline(json.loads((HERE / "baseline.json").read_text(encoding="utf-8")))
    base_ind = {c: {i["indicator"]: i["value"] for i in baseline["countries"][c]["indicators"]} for c in COUNTRIES}
    base_prio = {p["priority_id"]: p for p in baseline["priorities"]}
    base_fac = {f["facility_id"]: f for f in baseline["facilities"]}

    expected = {f"{c}_{q}.xlsx" for c in COUNTRIES for q in QUARTERS}
    present = {p.name for p in args.dir.glob("*.xlsx")}
    check(present == expected, f"files: missing {sorted(expected - present)}, extra {sorted(present - expected)}")

    data: dict[tuple[str, str], dict] = {}
    for c in COUNTRIES:
        for q in QUARTERS:
            p = args.dir / f"{c}_{q}.xlsx"
            if p.exists():
                data[c, q] = read_workbook(p)

    facility_country: dict[str, str] = {f["facility_id"]: f["country"] for f in baseline["facilities"]}
    facility_rows: dict[str, dict] = {}
    finding_country: dict[str, str] = {}
    finding_fixed: dict[str, tuple] = {}
    finding_hist: dict[str, list[tuple[str, str]]] = defaultdict(list)
    activity_ids: set[str] = {a["activity_id"] for a in baseline["activities"]}
    prio_hist: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    ms_hist: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    summary_rows = []
    fstat_by_q: dict[str, Counter] = defaultdict(Counter)
    overdue_by_q: Counter = Counter()
    pstat_by_q: dict[str, Counter] = defaultdict(Counter)
    mstat_by_q: dict[str, Counter] = defaultdict(Counter)

    for c in COUNTRIES:
        prev_ind = dict(base_ind[c])
        for qi, q in enumerate(QUARTERS):
            if (c, q) not in data:
                continue
            wb = data[c, q]
            name = f"{c}_{q}.xlsx"
            qe, qs = q_end(q), q_start(q)
            summary_rows.append((name, {s: len(wb.get(s, [])) for s in COLUMNS}))

            try:
                # Return
                ret = {r["field"]: r["value"] for r in wb["Return"]}
                check(ret.get("country") == c, f"{name}!Return: country {ret.get('country')}")
                check(ret.get("quarter") == q, f"{name}!Return: quarter {ret.get('quarter')}")
                check(ret.get("notes") == RETURN_NOTE, f"{name}!Return: notes")
                check("illustrative" in str(ret.get("prepared_by", "")).lower(), f"{name}!Return: prepared_by")
                sub = ret.get("submitted_on")
                check(isinstance(sub, dt.date) and 14 <= (sub - qe).days <= 28, f"{name}!Return: submitted_on {sub}")

                # Facilities
                facs = wb.get("Facilities", [])
                for f in facs:
                    fid = f["facility_id"]
                    check(fid and len(fid) <= 40, f"{name}!Facilities: id {fid}")
                    check(
                        facility_country.setdefault(fid, c) == c, f"{name}!Facilities: {fid} belongs to another country"
                    )
                    check(f["type"] in FACILITY_TYPES, f"{name}!Facilities: {fid} type {f['type']}")
                    check(f["pilot"] in ("yes", "no"), f"{name}!Facilities: {fid} pilot")
                    check(in_bbox(c, f["latitude"], f["longitude"]), f"{name}!Facilities: {fid} outside bbox")
                    check(
                        round(f["latitude"], 2) == f["latitude"] and round(f["longitude"], 2) == f["longitude"],
                        f"{name}!Facilities: {fid} coordinates must be city-level (2 decimals)",
                    )
                    if fid in facility_rows:
                        check(facility_rows[fid] == f, f"{name}!Facilities: {fid} changed between returns")
                    facility_rows[fid] = f
                    if fid in base_fac:
                        b = base_fac[fid]
                        check(
                            b["name"] == f["name"] and b["pilot"] == (f["pilot"] == "yes"),
                            f"{name}!Facilities: {fid} differs from baseline",
                        )
                if qi == 0:
                    ids = {f["facility_id"] for f in facs}
                    check(
                        {k for k, v in base_fac.items() if v["country"] == c} <= ids,
                        f"{name}: first return must list the baseline facilities",
                    )
                    extra = len(ids) - sum(1 for v in base_fac.values() if v["country"] == c)
                    check(2 <= extra <= 4, f"{name}: {extra} extra facilities, expected 2-4")
                check(len({f["facility_id"] for f in facs}) == len(facs), f"{name}!Facilities: duplicate id")
                known_here = {k for k, v in facility_country.items() if v == c}

                # Indicators
                ind = {}
                for r in wb["Indicators"]:
                    k = r["indicator"]
                    check(k in INDICATOR_CODES, f"{name}!Indicators: unknown code {k}")
                    check(k not in ind, f"{name}!Indicators: {k} twice")
                    check(isinstance(r["value"], int) and r["value"] >= 0, f"{name}!Indicators: {k} value")
                    check(r["approximate"] in ("yes", "no"), f"{name}!Indicators: {k} approximate")
                    check(
                        (r["approximate"] == "yes") == (k == "ftf_detainees"),
                        f"{name}!Indicators: {k} approximate flag",
                    )
                    ind[k] = r["value"]
                check(
                    set(ind) == set(base_ind[c]), f"{name}!Indicators: {sorted(ind)} != baseline {sorted(base_ind[c])}"
                )
                for part, whole in INDICATOR_BOUNDS:
                    if part in ind:
                        check(ind[part] <= ind.get(whole, prev_ind.get(whole, 0)), f"{name}: {part} > {whole}")
                if "repatriated_total" in ind:
                    check(
                        sum(ind[p] for p in REPATRIATION_PARTS) <= ind["repatriated_total"],
                        f"{name}: repatriated parts",
                    )
                    for k in ("repatriated_total", *REPATRIATION_PARTS):
                        check(ind[k] >= prev_ind[k], f"{name}: cumulative {k} decreased")
                for k, v in ind.items():
                    pv = prev_ind.get(k)
                    if pv:
                        ch = abs(v - pv) / pv
                        check(ch <= INDICATOR_CHANGE_WARNING, f"{name}: {k} changed by {ch:.0%} (spec warning)")
                        check(ch <= 0.045, f"{name}: {k} changed by {ch:.1%} (> 4 %)")
                prev_ind.update(ind)

                # Findings
                seen = set()
                for r in wb["Findings"]:
                    fid = r["finding_id"]
                    where = f"{name}!Findings {fid}"
                    check(fid and len(fid) <= 40 and fid not in seen, f"{where}: id missing, too long or repeated")
                    seen.add(fid)
                    check(finding_country.setdefault(fid, c) == c, f"{where}: id used by another country")
                    check(r["facility_id"] in known_here, f"{where}: facility {r['facility_id']} not of {c}")
                    for col in ("audit_date", "domain", "severity", "title", "status"):
                        check(r[col] is not None, f"{where}: {col} missing")
                    check(r["domain"] in FINDING_DOMAINS, f"{where}: domain")
                    check(r["severity"] in FINDING_SEVERITIES, f"{where}: severity")
                    check(r["status"] in FINDING_STATUSES, f"{where}: status")
                    check(r["due_date"] >= r["audit_date"], f"{where}: due_date before audit_date")
                    months = (
                        (r["due_date"].year - r["audit_date"].year) * 12 + r["due_date"].month - r["audit_date"].month
                    )
                    check(3 <= months <= 12, f"{where}: due {months} months after audit")
                    check(r["audit_date"] <= qe, f"{where}: audit after the quarter")
                    check(r["owner"] and r["status_note"], f"{where}: owner/status_note")
                    fixed = (r["facility_id"], r["audit_date"], r["domain"], r["severity"], r["title"], r["due_date"])
                    check(finding_fixed.setdefault(fid, fixed) == fixed, f"{where}: fixed fields changed")
                    finding_hist[fid].append((q, r["status"]))
                    fstat_by_q[q][r["status"]] += 1
                    if r["status"] in OPEN_FINDING_STATUSES and r["due_date"] < qe:
                        overdue_by_q[q] += 1

                # Priorities
                prios = wb["Priorities"]
                check(len(prios) == 3, f"{name}!Priorities: {len(prios)} rows")
                for r in prios:
                    pid = r["priority_id"]
                    where = f"{name}!Priorities {pid}"
                    b = base_prio.get(pid)
                    if not check(b is not None and b["country"] == c, f"{where}: not a baseline priority of {c}"):
                        continue
                    check(r["title"] == b["title"] and r["theme"] == b["theme"], f"{where}: title/theme differ")
                    check(r["target_date"] == dt.date.fromisoformat(b["target_date"]), f"{where}: target_date")
                    check(r["status"] in PRIORITY_STATUSES, f"{where}: status")
                    check(0 <= r["progress_pct"] <= 100, f"{where}: progress")
                    check((r["status"] == "completed") == (r["progress_pct"] == 100), f"{where}: completed <-> 100 %")
                    check(r["narrative"] and r["next_steps"], f"{where}: narrative/next_steps")
                    if r["status"] == "off track":
                        check(r["target_date"] < qe, f"{where}: off track before target date")
                    if r["target_date"] < qe and r["status"] != "completed":
                        check(r["status"] == "off track", f"{where}: target passed, not completed, not off track")
                    prio_hist[pid].append((q, r["status"], r["progress_pct"]))
                    pstat_by_q[q][r["status"]] += 1
                    pstat_done = r["status"] == "completed"
                    ms = [m for m in wb["Milestones"] if m["priority_id"] == pid]
                    check(3 <= len(ms) <= 5, f"{name}!Milestones {pid}: {len(ms)} milestones")
                    if pstat_done:
                        check(
                            all(m["status"] in ("done", "dropped") for m in ms),
                            f"{name}!Milestones {pid}: priority completed with open milestones",
                        )

                # Milestones
                keys = set()
                listed = {r["priority_id"] for r in prios}
                for m in wb["Milestones"]:
                    key = (m["priority_id"], m["milestone"])
                    where = f"{name}!Milestones {key}"
                    check(key not in keys, f"{where}: twice")
                    keys.add(key)
                    check(m["priority_id"] in listed, f"{where}: priority not listed")
                    check(m["status"] in MILESTONE_STATUSES, f"{where}: status")
                    if m["status"] == "done":
                        check(
                            isinstance(m["completed_on"], dt.date) and m["completed_on"] <= qe,
                            f"{where}: done needs completed_on within the quarter",
                        )
                    else:
                        check(m["completed_on"] is None, f"{where}: completed_on but not done")
                    if m["status"] == "late":
                        check(m["due_date"] < qe, f"{where}: late before due date")
                    if m["status"] == "planned":
                        check(m["due_date"] >= qe, f"{where}: planned but due date passed")
                    ms_hist[key].append((q, m["status"]))
                    mstat_by_q[q][m["status"]] += 1

                # Activities
                acts = wb["Activities"]
                check(2 <= len(acts) <= 6, f"{name}!Activities: {len(acts)} rows")
                for a in acts:
                    aid = a["activity_id"]
                    where = f"{name}!Activities {aid}"
                    check(aid and len(aid) <= 40 and aid not in activity_ids, f"{where}: id missing/long/duplicate")
                    activity_ids.add(aid)
                    check(aid.startswith(f"{c}-{q.replace('-', '')}-A"), f"{where}: id convention")
                    check(qs <= a["date"] <= qe, f"{where}: date outside quarter")
                    check(a["type"] in ACTIVITY_TYPES, f"{where}: type")
                    check(a["title"], f"{where}: title")
                    if a["type"] in ("equipment", "infrastructure"):
                        check(a["participants"] is None and a["female_participants"] is None, f"{where}: participants")
                    else:
                        p, fp = a["participants"], a["female_participants"]
                        check(p is not None and 8 <= p <= 60, f"{where}: participants {p}")
                        check(fp is not None and fp <= p and 0.10 <= fp / p <= 0.45, f"{where}: female {fp}/{p}")
                    if a["facility_id"] is not None:
                        check(a["facility_id"] in known_here, f"{where}: facility {a['facility_id']} not of {c}")
            except Exception as exc:  # a malformed cell must not hide the other errors
                errors.append(f"{name}: check crashed on malformed data ({exc!r})")

    # ---- across quarters
    n_backwards = 0
    for fid, hist in finding_hist.items():
        qs_ = [QUARTERS.index(q) for q, _ in hist]
        for (_q1, s1), (_q2, s2) in zip(hist, hist[1:], strict=False):
            if FINDING_STATUS_RANK[s2] < FINDING_STATUS_RANK[s1]:
                n_backwards += 1
            if s1 in ("verified", "risk accepted"):
                check(
                    FINDING_STATUS_RANK[s2] < FINDING_STATUS_RANK[s1] or s2 != s1,
                    f"Findings {fid}: listed again after {s1} without change",
                )
        # listed every quarter from first appearance until closed (except the reopened one)
        gaps = [b - a for a, b in zip(qs_, qs_[1:], strict=False) if b - a != 1]
        check(
            len(gaps) == 0
            or (
                len(gaps) == 1
                and hist[[i for i in range(len(qs_) - 1) if qs_[i + 1] - qs_[i] != 1][0]][1] == "verified"
            ),
            f"Findings {fid}: gap in listing",
        )
        if hist[-1][1] not in ("verified", "risk accepted"):
            check(QUARTERS.index(hist[-1][0]) == len(QUARTERS) - 1, f"Findings {fid}: disappears while open")
    check(n_backwards == 1, f"Findings: {n_backwards} backward status moves, expected exactly 1")
    n_ra = sum(1 for h in finding_hist.values() if any(s == "risk accepted" for _, s in h))
    check(1 <= n_ra <= 2, f"Findings: {n_ra} risk accepted, expected 1-2")
    per_fac = Counter(finding_fixed[f][0] for f in finding_fixed)
    for fid, row in facility_rows.items():
        if row["pilot"] == "yes" and row["type"] == "prison":
            check(8 <= per_fac[fid] <= 15, f"Findings: pilot prison {fid} has {per_fac[fid]} findings")
    check(max(overdue_by_q.values(), default=0) >= 3, "Findings: several should become overdue")
    sevs = Counter(finding_fixed[f][3] for f in finding_fixed)
    check(all(sevs[s] for s in FINDING_SEVERITIES), f"Findings: severities {dict(sevs)}")

    off = [pid for pid, h in prio_hist.items() if any(s == "off track" for _, s, _ in h)]
    check(len(off) == 1, f"Priorities: off track {off}, expected exactly one")
    completed = [pid for pid, h in prio_hist.items() if h[-1][1] == "completed"]
    check(len(completed) >= 2, "Priorities: some should be completed")
    check(any(s == "at risk" for h in prio_hist.values() for _, s, _ in h), "Priorities: none at risk")
    stalls = 0
    for pid, h in prio_hist.items():
        pcts = [p for _, _, p in h]
        check(all(b >= a for a, b in zip(pcts, pcts[1:], strict=False)), f"Priorities {pid}: progress decreases")
        stalls += any(pcts[i] == pcts[i + 1] == pcts[i + 2] < 100 and pcts[i] > 0 for i in range(len(pcts) - 2))
    check(stalls >= 2, "Priorities: some should stall for two quarters")
    ms_all = Counter(s for h in ms_hist.values() for _, s in h)
    check(all(ms_all[s] for s in MILESTONE_STATUSES), f"Milestones: statuses {dict(ms_all)}")
    check(sum(1 for h in ms_hist.values() if h[-1][1] == "dropped") == 1, "Milestones: exactly one dropped")
    for key, h in ms_hist.items():
        seq = [s for _, s in h]
        if "done" in seq:
            check(all(s == "done" for s in seq[seq.index("done") :]), f"Milestones {key}: done then undone")

    # ---- summary
    if not args.quiet:
        print("Rows per sheet (Return/Indicators/Facilities/Findings/Priorities/Milestones/Activities):")
        for name, counts in summary_rows:
            print(f"  {name:20s} " + " ".join(f"{counts[s]:3d}" for s in COLUMNS))
        print("\nFinding statuses listed per quarter (all countries); overdue = open/in progress past due:")
        for q in QUARTERS:
            c_ = fstat_by_q[q]
            print(f"  {q}: " + ", ".join(f"{s} {c_[s]}" for s in FINDING_STATUSES) + f" | overdue {overdue_by_q[q]}")
        print("\nPriority statuses per quarter:")
        for q in QUARTERS:
            c_ = pstat_by_q[q]
            print(f"  {q}: " + ", ".join(f"{s} {c_[s]}" for s in PRIORITY_STATUSES if c_[s]))
        print("\nMilestone statuses per quarter:")
        for q in QUARTERS:
            c_ = mstat_by_q[q]
            print(f"  {q}: " + ", ".join(f"{s} {c_[s]}" for s in MILESTONE_STATUSES if c_[s]))
        print(
            f"\nTotals: facilities {len(facility_rows)} (baseline {len(base_fac)}), findings {len(finding_fixed)}"
            f" (risk accepted {n_ra}, backwards moves {n_backwards}), priorities {len(prio_hist)},"
            f" milestones {len(ms_hist)}, activities {len(activity_ids) - len(baseline['activities'])}"
            f" (+{len(baseline['activities'])} baseline)"
        )
        print("Findings per facility: " + ", ".join(f"{k} {v}" for k, v in sorted(per_fac.items())))

    if errors:
        print(f"\n{len(errors)} CHECK(S) FAILED:")
        for e in errors[:200]:
            print("  - " + e)
        return 1
    print("\nAll checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
