#!/usr/bin/env python3
"""Generate the ILLUSTRATIVE quarterly returns in ``sample_data/returns/``.

One workbook per country and quarter, 2024-Q1 .. 2026-Q3 (4 x 11 = 44 files),
following ``quarterly-return.md`` (sheets Return, Indicators, Facilities,
Findings, Priorities, Milestones, Activities).

Starting point: ``sample_data/baseline.json`` (real figures of the programme's
2019-2023 achievements report, as at 2023-Q4). Everything after that is made
up for demonstration: indicator drift, extra facilities, audit findings,
priority progress, milestones and activities.

Deterministic: ``python sample_data/make_returns.py`` rewrites byte-identical
files (fixed random seeds, fixed workbook timestamps, fixed zip entry times).
At the end the script runs ``check_returns.py`` on what it wrote.

Options: ``--no-check`` skips the self-check; ``--out DIR`` writes elsewhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from data_access.rules.reference import (
    ACTIVITY_TYPES,
    COUNTRY_BY_CODE,
    FACILITY_TYPES,
    FINDING_DOMAINS,
    FINDING_SEVERITIES,
    FINDING_STATUSES,
    INDICATOR_CODES,
    MILESTONE_STATUSES,
    PRIORITY_STATUSES,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

SEED = 20231231
BASELINE_PATH = HERE / "baseline.json"
OUT_DIR = HERE / "returns"
COUNTRIES = ("IRQ", "KAZ", "KGZ", "TJK")
FIXED_DOC_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
RETURN_NOTE = "Illustrative sample data generated for demonstration; not real figures."
DATE_FORMAT = "yyyy-mm-dd"

# Column order of every sheet (names exactly as in the spec).
COLUMNS = {
    "Return": ("field", "value"),
    "Indicators": ("indicator", "value", "approximate", "note"),
    "Facilities": ("facility_id", "name", "type", "city", "latitude", "longitude", "pilot", "notes"),
    "Findings": (
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
    ),
    "Priorities": (
        "priority_id",
        "title",
        "theme",
        "status",
        "progress_pct",
        "target_date",
        "narrative",
        "next_steps",
    ),
    "Milestones": ("priority_id", "milestone", "due_date", "status", "completed_on"),
    "Activities": (
        "activity_id",
        "date",
        "type",
        "title",
        "participants",
        "female_participants",
        "facility_id",
        "notes",
    ),
}
SHEETS = tuple(COLUMNS)


# --------------------------------------------------------------------------
# Quarters (kept local so the generator depends only on reference.py)
# --------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Q:
    year: int
    q: int

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def index(self) -> int:
        return self.year * 4 + self.q - 1

    @classmethod
    def from_index(cls, i: int) -> Q:
        return cls(i // 4, i % 4 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        return month_end(dt.date(self.year, 3 * self.q, 1))

    @property
    def tag(self) -> str:  # used in ids: 2024Q1
        return f"{self.year}Q{self.q}"


def quarter_of(d: dt.date) -> Q:
    return Q(d.year, (d.month - 1) // 3 + 1)


def month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, month_end(dt.date(y, m, 1)).day))


FIRST_Q, LAST_Q = Q(2024, 1), Q(2026, 3)
QUARTERS = [Q.from_index(i) for i in range(FIRST_Q.index, LAST_Q.index + 1)]
NQ = len(QUARTERS)  # 11


def qpos(q: Q) -> int:
    """Position of a quarter in QUARTERS (0 = 2024-Q1)."""
    return q.index - FIRST_Q.index


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def rng_for(section: str) -> random.Random:
    # str seeds are hashed with SHA-512 by random.seed: stable across runs and
    # independent of PYTHONHASHSEED. One stream per section, so editing one
    # section does not reshuffle the others.
    return random.Random(f"{SEED}:{section}")


# --------------------------------------------------------------------------
# Facilities
# --------------------------------------------------------------------------

# Extra illustrative facilities, listed with the baseline ones in each
# country's returns. City-centre coordinates (2 decimals) only.
EXTRA_FACILITIES = [
    # IRQ
    dict(
        facility_id="IRQ-BGD-01",
        country="IRQ",
        name="Federal pilot prison, Baghdad (illustrative)",
        type="prison",
        city="Baghdad",
        latitude=33.32,
        longitude=44.37,
        pilot=True,
    ),
    dict(
        facility_id="IRQ-SUL-01",
        country="IRQ",
        name="Reformatory pilot prison, Sulaymaniyah (illustrative)",
        type="prison",
        city="Sulaymaniyah",
        latitude=35.56,
        longitude=45.43,
        pilot=True,
    ),
    dict(
        facility_id="IRQ-BSR-01",
        country="IRQ",
        name="Pre-trial detention centre, Basra (illustrative)",
        type="pre-trial centre",
        city="Basra",
        latitude=30.51,
        longitude=47.78,
        pilot=False,
    ),
    # KAZ
    dict(
        facility_id="KAZ-KRG-01",
        country="KAZ",
        name="Pilot prison, Karaganda (illustrative)",
        type="prison",
        city="Karaganda",
        latitude=49.8,
        longitude=73.11,
        pilot=True,
    ),
    dict(
        facility_id="KAZ-ALA-01",
        country="KAZ",
        name="Pre-trial detention centre, Almaty (illustrative)",
        type="pre-trial centre",
        city="Almaty",
        latitude=43.24,
        longitude=76.88,
        pilot=False,
    ),
    dict(
        facility_id="KAZ-AST-01",
        country="KAZ",
        name="Medium-security prison, Astana (illustrative)",
        type="prison",
        city="Astana",
        latitude=51.17,
        longitude=71.45,
        pilot=False,
    ),
    # KGZ
    dict(
        facility_id="KGZ-BSK-02",
        country="KGZ",
        name="Pre-trial detention centre, Bishkek (illustrative)",
        type="pre-trial centre",
        city="Bishkek",
        latitude=42.87,
        longitude=74.57,
        pilot=False,
    ),
    dict(
        facility_id="KGZ-JLB-01",
        country="KGZ",
        name="Prison, Jalal-Abad (illustrative)",
        type="prison",
        city="Jalal-Abad",
        latitude=40.93,
        longitude=73.0,
        pilot=False,
    ),
    # TJK
    dict(
        facility_id="TJK-KHJ-01",
        country="TJK",
        name="Prison, Khujand (illustrative)",
        type="prison",
        city="Khujand",
        latitude=40.28,
        longitude=69.62,
        pilot=False,
    ),
    dict(
        facility_id="TJK-BKH-01",
        country="TJK",
        name="Pre-trial detention centre, Bokhtar (illustrative)",
        type="pre-trial centre",
        city="Bokhtar",
        latitude=37.84,
        longitude=68.78,
        pilot=False,
    ),
]
for _f in EXTRA_FACILITIES:
    _f["notes"] = "Illustrative facility, not named in the report; city-centre coordinates."
    _f["illustrative"] = True


def facilities_by_country(baseline: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {c: [] for c in COUNTRIES}
    for f in list(baseline["facilities"]) + EXTRA_FACILITIES:
        out[f["country"]].append(f)
    return out


# --------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------

# Largest relative change per quarter, by indicator (prisons change rarely).
DRIFT = {
    "prisoners_total": (-0.03, 0.04),
    "prisoners_female": (-0.04, 0.04),
    "prisoners_pretrial": (-0.04, 0.04),
    "ve_prisoners": (-0.03, 0.03),
    "ftf_detainees": (-0.04, 0.04),
}
INDICATOR_NOTES = {
    "prisons_total": {
        "IRQ": "Federal and Kurdistan Region prisons combined.",
        "KAZ": "Counted as in the baseline (includes pre-trial detention centres).",
    },
    "ftf_detainees": "Approximate.",
    "repatriated_total": "Cumulative since 2019.",
}


def simulate_indicators(baseline: dict) -> dict[str, list[list[dict]]]:
    """country -> per quarter -> rows {indicator, value, approximate, note}."""
    rng = rng_for("indicators")
    out: dict[str, list[list[dict]]] = {}
    for code in COUNTRIES:
        base = {i["indicator"]: i for i in baseline["countries"][code]["indicators"]}
        cur = {k: v["value"] for k, v in base.items()}
        approx = {k: v["approximate"] for k, v in base.items()}
        per_q = []
        for _q in QUARTERS:
            prev = dict(cur)
            for k in ("prisoners_total", "prisoners_female", "prisoners_pretrial", "ve_prisoners", "ftf_detainees"):
                if k not in cur:
                    continue
                lo, hi = DRIFT[k]
                new = round(prev[k] * (1 + rng.uniform(lo, hi)))
                cap = int(prev[k] * 0.04)  # never more than 4 % in either direction
                cur[k] = max(prev[k] - cap, min(prev[k] + cap, new))
            for part in ("prisoners_female", "prisoners_pretrial", "ve_prisoners"):
                if part in cur:
                    cur[part] = min(cur[part], cur["prisoners_total"])
            if "prisons_total" in cur and rng.random() < 0.25:
                step = rng.choice([-1, 1]) * (rng.randint(1, 3) if cur["prisons_total"] > 100 else 1)
                if abs(step) / prev["prisons_total"] <= 0.04:
                    cur["prisons_total"] += step
            if "pretrial_centres" in cur:
                cur["pretrial_centres"] = min(cur["pretrial_centres"], cur["prisons_total"])
            if "repatriated_total" in cur and rng.random() < 0.3:
                # each part grows by at most 4 % (so does the total)
                men = rng.randint(0, int(cur["repatriated_men"] * 0.04))
                women = rng.randint(1, max(1, int(cur["repatriated_women"] * 0.04)))
                children = rng.randint(2, max(2, int(cur["repatriated_children"] * 0.02)))
                cur["repatriated_men"] += men
                cur["repatriated_women"] += women
                cur["repatriated_children"] += children
                cur["repatriated_total"] += men + women + children
            rows = []
            for k in INDICATOR_CODES:
                if k not in cur:
                    continue
                note = INDICATOR_NOTES.get(k)
                if isinstance(note, dict):
                    note = note.get(code)
                rows.append(dict(indicator=k, value=int(cur[k]), approximate="yes" if approx[k] else "no", note=note))
            per_q.append(rows)
        out[code] = per_q
    return out


# --------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingTemplate:
    key: str
    domain: str
    severity: str  # typical severity; may shift by one step
    title: str
    recommendation: str
    start: str  # status note when work starts
    done: str  # status note when remediated


T = FindingTemplate
FINDING_TEMPLATES = [
    # physical
    T(
        "cctv",
        "physical",
        "high",
        "CCTV coverage gaps in perimeter",
        "Extend camera coverage and connect all cameras to the control room.",
        "Survey of camera positions done; equipment requested.",
        "Additional cameras installed and recording.",
    ),
    T(
        "lighting",
        "physical",
        "medium",
        "Perimeter lighting insufficient at night",
        "Repair and add lighting along the perimeter; check it on every night shift.",
        "Faulty lamps replaced; new fittings ordered.",
        "Lighting repaired and extended.",
    ),
    T(
        "fire",
        "physical",
        "critical",
        "Fire alarm system not working in residential units",
        "Repair the alarm system and test it monthly; train staff in evacuation.",
        "Contractor appointed to repair the alarm system.",
        "Alarm system repaired and tested.",
    ),
    T(
        "radio",
        "physical",
        "high",
        "Radio communication unreliable between posts",
        "Provide working radios and spare batteries to all posts; test daily.",
        "Radios ordered through the programme.",
        "New radios issued to all posts.",
    ),
    T(
        "power",
        "physical",
        "high",
        "Control room has no backup power supply",
        "Install a backup power supply for the control room and critical systems.",
        "Generator specification agreed.",
        "Backup power supply installed and tested.",
    ),
    T(
        "fence",
        "physical",
        "medium",
        "Perimeter fence in poor repair",
        "Repair damaged sections and inspect the fence weekly.",
        "Damaged sections recorded; repair budget requested.",
        "Damaged fence sections repaired.",
    ),
    T(
        "gate",
        "physical",
        "medium",
        "No dedicated vehicle search area at main gate",
        "Set up a marked vehicle search area with mirrors and lighting.",
        "Layout of search area agreed.",
        "Vehicle search area marked and equipped.",
    ),
    T(
        "locks",
        "physical",
        "high",
        "Cell door locks worn in older accommodation",
        "Replace worn locks and keep a maintenance schedule.",
        "Worn locks listed; replacement started.",
        "Worn locks replaced.",
    ),
    T(
        "phones",
        "physical",
        "low",
        "No landline link between some posts",
        "Install internal telephone lines to all fixed posts.",
        "Cabling work started.",
        "Internal telephone lines installed.",
    ),
    T(
        "visitsearch",
        "physical",
        "medium",
        "Search equipment for visitors outdated",
        "Replace hand-held detectors and repair the walk-through detector.",
        "New detectors requested.",
        "New search equipment in use.",
    ),
    T(
        "sightlines",
        "physical",
        "low",
        "Sightlines from watch posts obstructed",
        "Clear obstructions and keep the perimeter zone free of storage.",
        "Clearing work scheduled.",
        "Obstructions removed.",
    ),
    # procedural
    T(
        "keys",
        "procedural",
        "high",
        "Key control log not maintained",
        "Introduce a key register and daily key checks at shift change.",
        "Key register introduced at the gate.",
        "Key register kept at all posts; checks recorded.",
    ),
    T(
        "count",
        "procedural",
        "medium",
        "Headcount procedure not standardised",
        "Adopt one written count procedure and record each count.",
        "Draft count procedure circulated.",
        "Written count procedure adopted and in use.",
    ),
    T(
        "parcels",
        "procedural",
        "medium",
        "Search of parcels and deliveries inconsistent",
        "Write a search procedure for parcels and train gate staff on it.",
        "Search procedure drafted.",
        "Search procedure approved; gate staff briefed.",
    ),
    T(
        "incidents",
        "procedural",
        "medium",
        "Incident reporting not used consistently",
        "Use one incident form and review reports weekly.",
        "Standard incident form introduced.",
        "Incident reports reviewed weekly by management.",
    ),
    T(
        "contingency",
        "procedural",
        "high",
        "Contingency plans out of date",
        "Update contingency plans and hold a table-top exercise.",
        "Review of contingency plans started.",
        "Contingency plans updated and exercised.",
    ),
    T(
        "evacuation",
        "procedural",
        "critical",
        "No written emergency evacuation procedure",
        "Write and rehearse an evacuation procedure for each unit.",
        "Evacuation procedure being drafted.",
        "Evacuation procedure approved and rehearsed.",
    ),
    T(
        "visitors",
        "procedural",
        "low",
        "Visitor registration incomplete",
        "Record identity, purpose and times of every visit.",
        "New visitor register in use at the gate.",
        "Visitor register complete and checked.",
    ),
    T(
        "intel_records",
        "procedural",
        "high",
        "Security information not recorded centrally",
        "Set up a central security information log managed by a designated officer.",
        "Designated officer appointed.",
        "Central security log in use.",
    ),
    T(
        "movements",
        "procedural",
        "medium",
        "Prisoner movement records incomplete",
        "Record all internal movements and check them against counts.",
        "Movement book introduced in two units.",
        "Movement records kept in all units.",
    ),
    T(
        "shifts",
        "procedural",
        "medium",
        "Posts left unstaffed at shift change",
        "Adjust the handover schedule so that no post is left unstaffed.",
        "New handover schedule trialled.",
        "Handover schedule adopted.",
    ),
    T(
        "contraband",
        "procedural",
        "low",
        "Contraband seizures not analysed",
        "Analyse seizure records monthly and act on patterns.",
        "Seizure data being compiled.",
        "Monthly seizure analysis produced.",
    ),
    T(
        "tools",
        "procedural",
        "medium",
        "Tool control in workshops not enforced",
        "Introduce shadow boards and tool checks before and after each session.",
        "Shadow boards ordered.",
        "Tool control in place in all workshops.",
    ),
    T(
        "classification",
        "procedural",
        "high",
        "Classification decisions not documented",
        "Record the reasons for each classification decision and review them regularly.",
        "Recording form agreed.",
        "Classification decisions recorded and reviewed.",
    ),
    # dynamic
    T(
        "interaction",
        "dynamic",
        "high",
        "Staff–prisoner interaction limited to escort duties",
        "Assign unit officers and plan daily contact with prisoners.",
        "Unit officers assigned in one unit.",
        "Unit officer model in place in all units.",
    ),
    T(
        "ds_training",
        "dynamic",
        "medium",
        "Limited staff training in dynamic security",
        "Train all unit staff in dynamic security and refresh yearly.",
        "First staff group trained.",
        "All unit staff trained.",
    ),
    T(
        "grievances",
        "dynamic",
        "medium",
        "Prisoner requests and complaints not recorded",
        "Keep a register of requests and complaints and answer each in writing.",
        "Register of requests opened.",
        "Requests and complaints recorded and answered.",
    ),
    T(
        "observation",
        "dynamic",
        "medium",
        "No structured observation of prisoner behaviour",
        "Introduce observation notes for unit staff and review them weekly.",
        "Observation note form trialled.",
        "Observation notes kept and reviewed.",
    ),
    T(
        "radicalisation",
        "dynamic",
        "high",
        "Staff unfamiliar with signs of radicalisation to violence",
        "Brief all staff on indicators and on how to report concerns.",
        "Awareness briefings started.",
        "All staff briefed; reporting route in use.",
    ),
    T(
        "ratio",
        "dynamic",
        "high",
        "Low staffing level in high-risk unit",
        "Review staffing of the high-risk unit and fill vacant posts.",
        "Staffing review under way.",
        "Additional officers posted to the unit.",
    ),
    T(
        "activities",
        "dynamic",
        "medium",
        "Few structured activities in high-risk unit",
        "Offer education, work or other structured activities to high-risk prisoners.",
        "Activity schedule drafted.",
        "Structured activities offered weekly.",
    ),
    T(
        "info_flow",
        "dynamic",
        "medium",
        "Staff observations not passed to security staff",
        "Set a simple route for unit staff to pass observations to security staff.",
        "Reporting route agreed.",
        "Observations passed on and logged.",
    ),
    T(
        "case_officers",
        "dynamic",
        "low",
        "No case officers for high-risk prisoners",
        "Name a case officer for each high-risk prisoner.",
        "Case officers being selected.",
        "Case officers assigned.",
    ),
    # other
    T(
        "health",
        "other",
        "medium",
        "Health screening on admission incomplete",
        "Screen every new admission within 24 hours and record the result.",
        "Admission screening form agreed with medical unit.",
        "Screening done and recorded for new admissions.",
    ),
    T(
        "welfare",
        "other",
        "low",
        "No staff welfare support after serious incidents",
        "Offer debriefing and support to staff after serious incidents.",
        "Support arrangement discussed with headquarters.",
        "Debriefing offered after incidents.",
    ),
]
TEMPLATE_BY_KEY = {t.key: t for t in FINDING_TEMPLATES}

OWNERS = {
    "physical": ("Deputy director, security", "Head of logistics", "Chief engineer"),
    "procedural": ("Deputy director, security", "Head of operations", "Head of records unit"),
    "dynamic": ("Head of regime", "Head of training unit", "Deputy director, rehabilitation"),
    "other": ("Facility director", "Head of medical unit"),
}
NOTE_STILL_OPEN = (
    "No action yet; awaiting budget allocation.",
    "Not started; included in next year's work plan.",
    "Awaiting decision from prison service headquarters.",
    "No change this quarter.",
    "Discussed at management meeting; no action yet.",
)
NOTE_IN_PROGRESS = {
    "physical": (
        "Work continuing; about half done.",
        "Delayed by procurement.",
        "Equipment delivered; installation pending.",
        "Contractor on site.",
    ),
    "procedural": (
        "Draft under review by headquarters.",
        "Applied in some units; others to follow.",
        "Staff briefings continuing.",
        "Awaiting approval of the revised procedure.",
    ),
    "dynamic": (
        "Further staff sessions held.",
        "Applied in one unit so far.",
        "Delayed by staff shortages.",
        "Progress slow; staff rotation.",
    ),
    "other": ("Work continuing.", "Awaiting partner input."),
}
NOTE_OVERDUE = (
    "Past due date; revised plan requested.",
    "Overdue; escalated to prison service headquarters.",
    "Past due date; funding still awaited.",
)
NOTE_WAIT_VERIFY = (
    "Awaiting verification visit.",
    "Verification visit postponed.",
    "Evidence submitted; verification pending.",
)
NOTE_VERIFIED = ("Verified at follow-up visit.", "Checked by the audit team; closed.", "Verified on site; closed.")

# Audits: (facility, date, number of findings). Wave 1 in early 2024 (Iraq a
# quarter later), wave 2 in 2025-Q2: follow-ups of the pilot prisons plus
# first audits of a few other facilities. Counts per pilot prison: 8-14.
AUDITS = [
    ("KAZ-TRZ-01", dt.date(2024, 2, 14), 10),
    ("KAZ-KRG-01", dt.date(2024, 3, 6), 8),
    ("KGZ-BSK-01", dt.date(2024, 2, 20), 9),
    ("KGZ-OSH-01", dt.date(2024, 2, 27), 7),
    ("KGZ-TKM-01", dt.date(2024, 3, 12), 8),
    ("TJK-DUS-01", dt.date(2024, 2, 7), 11),
    ("TJK-VAK-01", dt.date(2024, 2, 21), 9),
    ("IRQ-BGD-01", dt.date(2024, 5, 15), 9),
    ("IRQ-SUL-01", dt.date(2024, 4, 24), 7),
    # wave 2
    ("KAZ-TRZ-01", dt.date(2025, 4, 16), 3),
    ("KAZ-KRG-01", dt.date(2025, 5, 7), 3),
    ("KAZ-ALA-01", dt.date(2025, 5, 20), 4),
    ("KGZ-BSK-01", dt.date(2025, 4, 9), 2),
    ("KGZ-OSH-01", dt.date(2025, 4, 23), 3),
    ("KGZ-TKM-01", dt.date(2025, 5, 14), 4),
    ("KGZ-BSK-02", dt.date(2025, 4, 10), 4),
    ("TJK-DUS-01", dt.date(2025, 4, 2), 3),
    ("TJK-VAK-01", dt.date(2025, 4, 30), 2),
    ("TJK-KHJ-01", dt.date(2025, 6, 10), 5),
    ("IRQ-BGD-01", dt.date(2025, 5, 28), 3),
    ("IRQ-SUL-01", dt.date(2025, 6, 4), 3),
    ("IRQ-BSR-01", dt.date(2025, 5, 6), 3),
]
# Scripted stories (facility, template key) -> profile.
FORCED = {
    ("TJK-DUS-01", "keys"): "backwards",  # verified 2024-Q4, reopened 2025-Q2
    ("KGZ-OSH-01", "fence"): "risk_accepted",
    ("IRQ-BGD-01", "gate"): "risk_accepted",
}
SEVERITY_DUE_MONTHS = {"critical": (3,), "high": (3, 6), "medium": (6, 9), "low": (9, 12)}


@dataclass
class Finding:
    finding_id: str
    facility_id: str
    country: str
    audit_date: dt.date
    domain: str
    severity: str
    title: str
    recommendation: str
    due_date: dt.date
    owner: str
    # quarter position -> (status, status_note); only quarters where it is listed
    timeline: dict[int, tuple[str, str]] = field(default_factory=dict)


def _shift_severity(sev: str, rng: random.Random) -> str:
    i = FINDING_SEVERITIES.index(sev)
    r = rng.random()
    if r < 0.2:
        i = max(0, i - 1)
    elif r < 0.4:
        i = min(len(FINDING_SEVERITIES) - 1, i + 1)
    return FINDING_SEVERITIES[i]


def _status_path(profile: str, a: int, due_pos: int, rng: random.Random) -> list[tuple[int, str]]:
    """(quarter position, status) for each quarter the finding is listed.

    ``a`` is the audit quarter, ``due_pos`` the quarter of the due date. Most
    findings are remediated by their due quarter, some late, a few never.
    """
    if profile == "backwards":
        seq = ["open", "in progress", "remediated", "verified", None, "in progress", "remediated", "verified"]
        return [(a + i, s) for i, s in enumerate(seq) if s and a + i < NQ]
    if profile == "risk_accepted":
        n_open = rng.randint(2, 3)
        seq = ["open"] * n_open + ["risk accepted"]
        return [(a + i, s) for i, s in enumerate(seq) if a + i < NQ]
    if profile == "stuck":
        seq = ["open"] * rng.randint(2, 4) + ["in progress"] * NQ
        return [(a + i, s) for i, s in enumerate(seq) if a + i < NQ]
    if profile == "late":
        rem = due_pos + rng.randint(1, 3)
    else:  # on time: remediated in or before the due quarter
        rem = rng.randint(min(a + 2, due_pos), due_pos) if due_pos > a else a + 1
    span = rem - a  # quarters before remediation (>= 1)
    n_open = rng.randint(1, max(1, span // 2))
    seq = (
        ["open"] * n_open
        + ["in progress"] * (span - n_open)
        + ["remediated"] * rng.choice([1, 1, 1, 2, 3])
        + ["verified"]
    )
    return [(a + i, s) for i, s in enumerate(seq) if a + i < NQ]


def simulate_findings(facilities: dict[str, list[dict]]) -> list[Finding]:
    rng = rng_for("findings")
    fac_country = {f["facility_id"]: f["country"] for fs in facilities.values() for f in fs}
    used_keys: dict[str, list[str]] = {}
    counters: dict[str, int] = {}
    findings: list[Finding] = []
    domain_weights = {"physical": 0.34, "procedural": 0.36, "dynamic": 0.26, "other": 0.04}
    for fac, audit_date, n in AUDITS:
        country = fac_country[fac]
        used = used_keys.setdefault(fac, [])
        forced_keys = [k for (f, k) in FORCED if f == fac and k not in used and (audit_date.year == 2024)]
        chosen: list[str] = list(forced_keys)
        pool = [t for t in FINDING_TEMPLATES if t.key not in used and t.key not in chosen]
        while len(chosen) < n:
            weights = [domain_weights[t.domain] for t in pool]
            t = rng.choices(pool, weights=weights)[0]
            pool.remove(t)
            chosen.append(t.key)
        rng.shuffle(chosen)
        a = qpos(quarter_of(audit_date))
        for key in chosen:
            used.append(key)
            t = TEMPLATE_BY_KEY[key]
            counters[fac] = counters.get(fac, 0) + 1
            fid = f"{fac}-F{counters[fac]:02d}"
            sev = _shift_severity(t.severity, rng)
            months = rng.choice(SEVERITY_DUE_MONTHS[sev])
            due = add_months(audit_date, months)
            owner = rng.choice(OWNERS[t.domain])
            profile = FORCED.get((fac, key))
            if profile is None:
                r = rng.random()
                profile = "stuck" if r < 0.05 else "late" if r < 0.18 else "on_time"
            path = _status_path(profile, a, qpos(quarter_of(due)), rng)
            f = Finding(fid, fac, country, audit_date, t.domain, sev, t.title, t.recommendation, due, owner)
            prev = None
            for pos, status in path:
                qend = QUARTERS[pos].end
                overdue = status in ("open", "in progress") and due < qend
                if prev is None:
                    note = f"Raised at the security audit on {audit_date.isoformat()}."
                elif profile == "backwards" and prev == "verified":
                    note = "Follow-up audit found the register no longer kept; reopened."
                elif status == prev:
                    if overdue and rng.random() < 0.6:
                        note = rng.choice(NOTE_OVERDUE)
                    elif status == "open":
                        note = rng.choice(NOTE_STILL_OPEN)
                    elif status == "in progress":
                        note = rng.choice(NOTE_IN_PROGRESS[t.domain])
                    else:
                        note = rng.choice(NOTE_WAIT_VERIFY)
                elif status == "in progress":
                    note = t.start
                elif status == "remediated":
                    note = f"{t.done} Awaiting verification."
                elif status == "verified":
                    note = rng.choice(NOTE_VERIFIED)
                elif status == "risk accepted":
                    note = (
                        "Full remedy needs major construction; risk accepted by prison service "
                        "leadership with extra patrols as a compensating measure."
                    )
                else:  # pragma: no cover
                    note = "Status updated."
                f.timeline[pos] = (status, note)
                prev = status
            findings.append(f)
    return findings


# --------------------------------------------------------------------------
# Priorities and milestones
# --------------------------------------------------------------------------

# Progress per quarter 2024-Q1 .. 2026-Q3 and status per quarter.
NS, OT, AR, OF, CO = "not started", "on track", "at risk", "off track", "completed"
TRAJECTORIES = {
    "IRQ-P1": ([5, 10, 15, 15, 15, 25, 35, 45, 55, 60, 70], [OT, OT, OT, AR, AR, OT, OT, OT, OT, OT, OT]),
    "IRQ-P2": ([0, 0, 5, 10, 20, 20, 20, 30, 40, 45, 55], [NS, NS, OT, OT, OT, AR, AR, AR, OT, OT, AR]),
    "IRQ-P3": ([10, 25, 35, 50, 60, 70, 80, 90, 100, 100, 100], [OT] * 8 + [CO] * 3),
    "KAZ-P1": ([10, 15, 25, 30, 40, 45, 50, 55, 60, 70, 80], [OT] * 6 + [AR] + [OT] * 4),
    "KAZ-P2": ([0, 5, 15, 25, 30, 30, 30, 50, 70, 100, 100], [NS, OT, OT, OT, OT, AR, AR, OT, OT, CO, CO]),
    "KAZ-P3": ([10, 20, 30, 45, 55, 65, 100, 100, 100, 100, 100], [OT] * 6 + [CO] * 5),
    "KGZ-P1": ([10, 20, 30, 40, 50, 60, 75, 90, 100, 100, 100], [OT] * 8 + [CO] * 3),
    "KGZ-P2": ([0, 5, 10, 20, 25, 30, 35, 35, 35, 45, 50], [NS, OT, OT, OT, OT, OT, AR, AR, AR, OT, AR]),
    "KGZ-P3": ([10, 20, 30, 40, 50, 55, 60, 65, 65, 70, 75], [OT] * 4 + [AR] * 3 + [OF] * 4),
    "TJK-P1": ([5, 15, 25, 35, 45, 50, 60, 70, 85, 100, 100], [OT] * 9 + [CO] * 2),
    "TJK-P2": ([0, 10, 20, 25, 25, 25, 35, 45, 55, 65, 75], [NS, OT, OT, OT, AR, AR, OT, OT, OT, OT, OT]),
    "TJK-P3": ([15, 30, 45, 60, 80, 100, 100, 100, 100, 100, 100], [OT] * 5 + [CO] * 6),
}

# Per priority: a short topic and stages (narrative, next steps) used in order
# as progress is made; afterwards generic sentences take over.
STORIES = {
    "IRQ-P1": (
        "prison intelligence",
        [
            (
                "Inter-agency working group on prison intelligence held its first meeting.",
                "Agree terms of reference for an intelligence unit.",
            ),
            (
                "Terms of reference for a pilot intelligence unit drafted with the Ministry of Justice.",
                "Submit the unit concept for approval.",
            ),
            ("Intelligence unit concept approved for two pilot prisons.", "Select and train unit staff."),
            (
                "First group of intelligence officers trained with international experts.",
                "Start information exchange with partner agencies.",
            ),
            (
                "Draft information-sharing agreement discussed with partner agencies.",
                "Finalise and sign the agreement.",
            ),
        ],
    ),
    "IRQ-P2": (
        "intake and classification",
        [
            (
                "Review of current intake practice started in federal and Kurdistan Region facilities.",
                "Draft a standard intake and classification procedure.",
            ),
            (
                "Draft intake procedure shared with the Reformatory Directorate for comments.",
                "Consolidate comments and test the draft.",
            ),
            ("Classification criteria agreed at a technical workshop.", "Prepare training for intake staff."),
            ("Intake staff of the pilot site trained on the new procedure.", "Test the procedure on new admissions."),
            ("Procedure tested on new admissions at the pilot site.", "Plan set-up of the central intake unit."),
        ],
    ),
    "IRQ-P3": (
        "facility mapping",
        [
            ("Mapping methodology and questionnaire agreed with the authorities.", "Start data collection."),
            ("Data collection under way in federal facilities.", "Extend data collection to the Kurdistan Region."),
            ("Capacity and population data received from most facilities.", "Clean and analyse the data."),
            ("Initial analysis shows the most overcrowded facilities.", "Validate findings with facility directors."),
            ("Draft mapping report shared with the Ministry of Justice.", "Present the final report."),
        ],
    ),
    "KAZ-P1": (
        "the regional learning hub",
        [
            ("Hub concept discussed with the Academy and the prison service.", "Agree hub governance."),
            ("Hub governance and course catalogue agreed.", "Deliver the first regional course."),
            (
                "First regional course delivered with participants from neighbouring countries.",
                "Build a roster of regional trainers.",
            ),
            ("Regional trainer roster set up with trainers from three countries.", "Prepare the online platform."),
            ("Online learning platform tested with a pilot group.", "Launch the platform."),
        ],
    ),
    "KAZ-P2": (
        "the dynamic security training centre",
        [
            ("Needs assessment for the training centre completed.", "Draft the curriculum."),
            ("Curriculum for the centre drafted with international experts.", "Equip the training premises."),
            ("Training premises selected and equipment ordered.", "Certify the instructors."),
            ("Instructors certified after a training-of-trainers course.", "Train the first cohort."),
            ("First cohort of security officers trained at the centre.", "Plan the annual course programme."),
        ],
    ),
    "KAZ-P3": (
        "partnerships and monitoring",
        [
            ("Potential regional and international partners identified.", "Draft partnership agreements."),
            ("Two partnership agreements drafted.", "Sign the agreements."),
            ("Partnership agreements signed; monitoring framework drafted.", "Adopt the monitoring framework."),
            ("Monitoring and evaluation framework adopted by the prison service.", "Run the first evaluation."),
            ("First evaluation of training courses under way.", "Publish the evaluation."),
        ],
    ),
    "KGZ-P1": (
        "the training programme",
        [
            ("Course modules on high-risk prisoners and dynamic security reviewed.", "Submit modules for approval."),
            ("Course modules approved by the prison service.", "Certify national trainers."),
            ("National trainers certified.", "Include the courses in the annual training plan."),
            ("Courses included in the training centre's annual plan.", "Launch research on training impact."),
            ("Research on training impact started with a local university.", "Complete the study."),
        ],
    ),
    "KGZ-P2": (
        "prison intelligence",
        [
            ("Review of international prison intelligence practice started.", "Complete the review."),
            ("Practice review completed and discussed with the prison service.", "Train intelligence officers."),
            ("First intelligence officers trained.", "Introduce standard reporting forms."),
            ("Standard reporting forms drafted.", "Pilot the intelligence function."),
            ("Intelligence function piloted in one pilot prison.", "Extend the pilot."),
        ],
    ),
    "KGZ-P3": (
        "the dynamic security protocol review",
        [
            ("Review methodology for dynamic security protocols drafted.", "Adopt the methodology."),
            ("Review methodology adopted.", "Run the first review round."),
            ("First review round held in the pilot prisons.", "Organise the expert exchange."),
            ("Exchange visit with international practitioners held.", "Draft revised protocols."),
            ("Revised protocols drafted.", "Get the revised protocols approved."),
        ],
    ),
    "TJK-P1": (
        "intelligence units",
        [
            ("Draft information-sharing protocol prepared with partner services.", "Pilot the protocol."),
            ("Protocol pilot started in the two pilot prisons.", "Review the pilot."),
            ("Pilot review done; intelligence unit structure agreed.", "Establish the units."),
            ("Intelligence units established in the pilot prisons.", "Train unit staff."),
            ("Unit staff trained in analysis and reporting.", "Prepare roll-out proposal."),
        ],
    ),
    "TJK-P2": (
        "the standard high-risk offender course",
        [
            ("Working group on the standard course formed.", "Draft the curriculum."),
            ("Standard curriculum drafted.", "Submit the curriculum to the Ministry of Justice."),
            ("Curriculum approved by the Ministry of Justice.", "Deliver the first course."),
            ("First course delivered to prison and probation officers.", "Evaluate the first course."),
            ("First course evaluated; materials revised.", "Make the course part of mandatory training."),
        ],
    ),
    "TJK-P3": (
        "national trainers",
        [
            ("Candidates for the national trainer pool selected.", "Run the training-of-trainers course."),
            ("Training-of-trainers course held.", "Co-deliver courses with international experts."),
            ("National trainers co-delivered two courses.", "Let trainers deliver courses independently."),
            ("National trainers delivered first courses on their own.", "Agree long-term funding for the pool."),
        ],
    ),
}
COMPLETION = {
    "IRQ-P3": "Final mapping report presented to the Ministry of Justice.",
    "KAZ-P2": "Training centre running its regular course programme.",
    "KAZ-P3": "First evaluation of training courses published; partnerships in place.",
    "KGZ-P1": "Courses are now part of the regular training plan; impact study finished.",
    "TJK-P1": "Intelligence units working in the pilot prisons with trained staff.",
    "TJK-P3": "National trainers now deliver the courses without external support.",
}
GENERIC_PROGRESS = (
    "Work on {topic} continued with national counterparts.",
    "Further steps on {topic} agreed at a coordination meeting.",
    "Steady progress on {topic}; no major issues.",
    "Technical support on {topic} provided by international experts.",
    "National counterparts took the lead on {topic} this quarter.",
    "Progress on {topic} reviewed with the prison service leadership.",
)
GENERIC_NEXT = (
    "Continue according to the work plan.",
    "Report progress at the next steering committee.",
    "Agree the next steps with the prison service.",
    "Prepare the next round of activities.",
)
STALL = (
    "No progress on {topic}: awaiting approval from the ministry.",
    "Work on {topic} paused after staff changes at headquarters.",
    "No progress on {topic}: funding for the next step not yet released.",
    "Work on {topic} delayed by competing priorities.",
)
STALL_NEXT = (
    "Raise the delay with senior management.",
    "Seek a decision at the next steering committee.",
    "Agree a revised timeline.",
)
NOT_STARTED = (
    "Not started; preparatory discussions only.",
    "Not started; waiting for the national focal point to be appointed.",
)
AT_RISK = (
    "Progress on {topic} slower than planned: key staff reassigned.",
    "Some progress on {topic}, but the schedule is slipping.",
    "Progress on {topic} held back by a delayed budget decision.",
    "Limited progress on {topic}; counterpart capacity stretched.",
)
AT_RISK_NEXT = (
    "Agree a recovery plan with the prison service.",
    "Raise the delay at the next steering committee.",
    "Re-plan the remaining milestones.",
)
OFF_TRACK = (
    "Target date passed; revised protocols still awaiting approval.",
    "Still off track: approval of revised protocols delayed again.",
    "Off track; the prison service asked for a further round of consultations.",
    "Off track; approval expected next quarter.",
)
AFTER_COMPLETION = (
    "Completed; results being maintained by the national counterpart.",
    "Completed; no further reporting needed.",
)

MILESTONES = {
    "IRQ-P1": [
        "Inter-agency working group on prison intelligence set up",
        "Intelligence unit concept approved",
        "Intelligence officers trained",
        "Information-sharing agreement signed with partner agencies",
    ],
    "IRQ-P2": [
        "Standard intake and classification procedure drafted",
        "Regulation on intake of transferred prisoners drafted",
        "Classification criteria approved",
        "Intake staff trained",
        "Central intake unit operational",
    ],
    "IRQ-P3": [
        "Mapping methodology agreed",
        "Data collected from federal facilities",
        "Data collected from Kurdistan Region facilities",
        "Capacity and overcrowding report presented",
    ],
    "KAZ-P1": [
        "Hub concept and governance agreed",
        "First regional course delivered",
        "Regional trainer roster established",
        "Online learning platform launched",
    ],
    "KAZ-P2": [
        "Training centre curriculum approved",
        "Training premises equipped",
        "Instructors certified",
        "First cohort trained",
    ],
    "KAZ-P3": [
        "Partnership agreements signed",
        "Monitoring and evaluation framework adopted",
        "First evaluation of training courses published",
    ],
    "KGZ-P1": [
        "Course modules approved by the prison service",
        "National trainers certified",
        "Courses included in the annual training plan",
        "Study of training impact completed",
    ],
    "KGZ-P2": [
        "Review of prison intelligence practice completed",
        "Intelligence officers trained",
        "Standard reporting forms introduced",
        "Intelligence function piloted",
    ],
    "KGZ-P3": [
        "Review methodology adopted",
        "First review round in pilot prisons",
        "Exchange visit with international practitioners",
        "Revised protocols approved",
    ],
    "TJK-P1": [
        "Information-sharing protocol drafted",
        "Protocol piloted in pilot prisons",
        "Intelligence units established",
        "Unit staff trained",
    ],
    "TJK-P2": [
        "Standard curriculum drafted",
        "Curriculum approved by the Ministry of Justice",
        "First course delivered",
        "Course part of mandatory in-service training",
    ],
    "TJK-P3": [
        "National trainers selected",
        "Training-of-trainers course completed",
        "Trainers deliver courses on their own",
    ],
}
# (priority, milestone) -> quarter from which it is dropped.
DROPPED = {("IRQ-P2", "Regulation on intake of transferred prisoners drafted"): Q(2025, 3)}


def simulate_priorities(baseline: dict) -> tuple[dict, dict]:
    """Returns (updates, milestones):
    updates[pid][pos] = dict(status, progress_pct, narrative, next_steps)
    milestones[pid] = list of dict(name, due_date, done_pos, completed_on, dropped_pos)
    """
    rng = rng_for("priorities")
    updates: dict[str, list[dict]] = {}
    for p in baseline["priorities"]:
        pid = p["priority_id"]
        progress, statuses = TRAJECTORIES[pid]
        topic, stages = STORIES[pid]
        stage = -1  # index of the last story stage told
        used_generic: set[str] = set()
        rows = []
        done_q = None
        for pos in range(NQ):
            pct, st = progress[pos], statuses[pos]
            prev = progress[pos - 1] if pos else None
            if st == CO:
                if done_q is None:
                    done_q = QUARTERS[pos]
                    narrative, nxt = COMPLETION[pid], "Close the priority; keep results under review."
                else:
                    narrative = rng.choice(AFTER_COMPLETION)
                    nxt = "None; priority closed."
            elif st == OF:
                narrative = OFF_TRACK[min(pos - statuses.index(OF), len(OFF_TRACK) - 1)]
                nxt = "Secure approval and agree a new target date."
            elif pct == 0:
                narrative, nxt = rng.choice(NOT_STARTED), "Agree a work plan with the national counterpart."
            elif prev is not None and pct == prev:
                narrative = rng.choice(STALL).format(topic=topic)
                nxt = rng.choice(STALL_NEXT)
            elif min(len(stages) - 1, pct * len(stages) // 100) > stage:
                # tell the story stage matching the progress band reached
                stage = min(len(stages) - 1, pct * len(stages) // 100)
                narrative, nxt = stages[stage]
            elif st == AR:
                narrative = rng.choice(AT_RISK).format(topic=topic)
                nxt = rng.choice(AT_RISK_NEXT)
            else:
                choices = [g for g in GENERIC_PROGRESS if g not in used_generic] or list(GENERIC_PROGRESS)
                g = rng.choice(choices)
                used_generic.add(g)
                narrative, nxt = g.format(topic=topic), rng.choice(GENERIC_NEXT)
            narrative = narrative[0].upper() + narrative[1:]
            rows.append(dict(status=st, progress_pct=pct, narrative=narrative, next_steps=nxt))
        updates[pid] = rows

    milestones: dict[str, list[dict]] = {}
    for p in baseline["priorities"]:
        pid = p["priority_id"]
        target = dt.date.fromisoformat(p["target_date"])
        t_pos = qpos(quarter_of(target))
        progress = TRAJECTORIES[pid][0]
        names = MILESTONES[pid]
        live = [m for m in names if (pid, m) not in DROPPED]
        n = len(live)
        out = []
        for name in names:
            dropped_q = DROPPED.get((pid, name))
            k = (live.index(name) + 1) if dropped_q is None else (names.index(name) + 1)
            due_pos = -(-k * (t_pos + 1) // n) - 1 if dropped_q is None else min(k * 2, t_pos)
            due_pos = max(due_pos, 0)
            if k == n and dropped_q is None:
                due = target
            else:
                dq = Q.from_index(FIRST_Q.index + due_pos)
                due = month_end(dt.date(dq.year, 3 * dq.q - rng.choice([0, 0, 1]), 1))
            done_pos = completed_on = None
            if dropped_q is None:
                # milestone k of n is reached with the k-th progress band, like the
                # story stages (so narratives and milestones agree)
                threshold = round(100 * k / (n + 1))
                hit = [i for i, v in enumerate(progress) if v >= threshold]
                if hit:
                    done_pos = hit[0]
                    dq = QUARTERS[done_pos]
                    hi = min(dq.end, due) if dq.start <= due <= dq.end and rng.random() < 0.7 else dq.end
                    completed_on = rand_date(rng, dq.start, hi)
            out.append(
                dict(
                    name=name,
                    due_date=due,
                    done_pos=done_pos,
                    completed_on=completed_on,
                    dropped_pos=qpos(dropped_q) if dropped_q else None,
                )
            )
        milestones[pid] = out
    return updates, milestones


def milestone_status(m: dict, pos: int) -> str:
    if m["dropped_pos"] is not None and pos >= m["dropped_pos"]:
        return "dropped"
    if m["done_pos"] is not None and pos >= m["done_pos"]:
        return "done"
    if m["due_date"] < QUARTERS[pos].end:
        return "late"
    return "planned"


# --------------------------------------------------------------------------
# Activities
# --------------------------------------------------------------------------

PEOPLE_TYPES = ("training", "e-learning", "workshop", "exchange visit", "other")
ACTIVITY_WEIGHTS = {
    "training": 40,
    "workshop": 18,
    "e-learning": 8,
    "exchange visit": 8,
    "equipment": 15,
    "infrastructure": 6,
    "other": 5,
}
ACTIVITY_TITLES = {
    "training": [
        "Dynamic security training for unit staff",
        "Risk and needs assessment refresher",
        "Prison intelligence analysis course",
        "Motivational interviewing follow-up training",
        "Training of trainers: managing high-risk prisoners",
        "Human-rights-compliant interviewing",
        "Security audit methodology for inspectors",
        "Recognising signs of radicalisation to violence",
        "Gender-responsive management of women prisoners",
        "Incident management and de-escalation",
    ],
    "workshop": [
        "Inter-agency information-sharing workshop",
        "Review of dynamic security protocols",
        "Curriculum design workshop",
        "Monitoring and evaluation workshop",
        "Workshop on remediation of audit findings",
        "Workshop with civil society on reintegration support",
    ],
    "e-learning": [
        "Nelson Mandela Rules e-learning course (new cohort)",
        "E-learning: basics of prison intelligence",
        "E-learning: dynamic security refresher",
    ],
    "exchange visit": [
        "Study visit on dynamic security practice",
        "Peer exchange with a European prison service",
        "Exchange visit to Kostanay Academy",
    ],
    "equipment": [
        "Delivery of radios and handsets",
        "CCTV monitors and recorders delivered",
        "Fire alarm components delivered",
        "IT equipment for the intelligence function",
        "Perimeter lighting equipment delivered",
        "Training room equipment delivered",
    ],
    "infrastructure": [
        "Refurbishment of the central control room",
        "Renovation of a training classroom",
        "Upgrade of the visitor search area",
    ],
    "other": ["Project steering committee meeting", "Coordination meeting with donor and partners"],
}
COUNTRY_TITLES = {
    "IRQ": {
        "workshop": ["Civil society network coordination meeting"],
        "other": ["Facility mapping data validation meeting"],
    },
    "KAZ": {
        "exchange visit": ["Regional delegation hosted at Kostanay Academy"],
        "training": ["Regional course at the Kostanay learning hub"],
    },
    "KGZ": {"training": ["High-risk prisoner management course"]},
    "TJK": {"training": ["Intelligence unit staff training"]},
}
ACTIVITY_NOTES = {
    "training": (
        "Delivered by national trainers.",
        "With an international expert.",
        "Follow-up to an earlier course.",
        "Includes a practical exercise.",
    ),
    "workshop": ("Hosted by the prison service.", "Government and civil society participants."),
    "e-learning": ("Online course; completions counted.",),
    "exchange visit": ("Officers from several countries.", "Study visit abroad."),
    "equipment": ("Handed over to the facility.", "Delivered under the programme."),
    "infrastructure": ("Works completed and handed over.",),
    "other": ("Progress of the priorities reviewed.",),
}


def simulate_activities(facilities: dict[str, list[dict]]) -> dict[str, list[list[dict]]]:
    rng = rng_for("activities")
    out: dict[str, list[list[dict]]] = {}
    types = list(ACTIVITY_WEIGHTS)
    weights = [ACTIVITY_WEIGHTS[t] for t in types]
    for code in COUNTRIES:
        facs = facilities[code]
        pilots = [f["facility_id"] for f in facs if f["pilot"]]
        centres = [f["facility_id"] for f in facs if f["type"] == "training centre"]
        per_q = []
        for q in QUARTERS:
            n = rng.randint(2, 6)
            acts = []
            used_titles: set[str] = set()
            while len(acts) < n:
                typ = rng.choices(types, weights=weights)[0]
                titles = ACTIVITY_TITLES[typ] + COUNTRY_TITLES.get(code, {}).get(typ, [])
                if code in ("KAZ", "IRQ"):  # the Kostanay hub serves Central Asia
                    titles = [t for t in titles if t != "Exchange visit to Kostanay Academy"]
                titles = [t for t in titles if t not in used_titles]
                if not titles:
                    continue
                title = rng.choice(titles)
                used_titles.add(title)
                participants = female = None
                if typ in PEOPLE_TYPES:
                    participants = rng.randint(8, 60)
                    share = rng.uniform(0.10, 0.45)
                    lo, hi = -(-participants * 10 // 100), participants * 45 // 100
                    female = max(lo, min(hi, round(participants * share)))
                facility = None
                if "Kostanay" in title and code == "KAZ":
                    facility = "KAZ-KST-01"
                elif title == "Training room equipment delivered":
                    facility = rng.choice(centres) if centres else None
                elif typ in ("equipment", "infrastructure"):
                    cands = pilots + (centres if typ == "infrastructure" else [])
                    facility = rng.choice(cands) if cands and rng.random() < 0.85 else None
                elif typ == "training" and rng.random() < 0.45:
                    facility = rng.choice(centres + pilots) if (centres + pilots) else None
                acts.append(
                    dict(
                        date=rand_date(rng, q.start, q.end),
                        type=typ,
                        title=title,
                        participants=participants,
                        female_participants=female,
                        facility_id=facility,
                        notes="Illustrative. " + rng.choice(ACTIVITY_NOTES[typ]),
                    )
                )
            acts.sort(key=lambda a: (a["date"], a["title"]))
            for i, a in enumerate(acts, 1):
                a["activity_id"] = f"{code}-{q.tag}-A{i:02d}"
            per_q.append(acts)
        out[code] = per_q
    return out


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _sheet(wb: Workbook, name: str, rows: list[dict] | list[tuple]) -> None:
    ws = wb.create_sheet(name)
    cols = COLUMNS[name]
    ws.append(list(cols))
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([r.get(c) for c in cols] if isinstance(r, dict) else list(r))
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, dt.date):
                c.number_format = DATE_FORMAT
    widths = {
        "title": 48,
        "narrative": 60,
        "next_steps": 40,
        "status_note": 50,
        "recommendation": 50,
        "notes": 50,
        "note": 40,
        "name": 44,
        "milestone": 48,
        "value": 30 if name == "Return" else 12,
    }
    for i, c in enumerate(cols):
        ws.column_dimensions[chr(ord("A") + i)].width = widths.get(c, 16)
    ws.freeze_panes = "A2"


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and fixed zip entry timestamps."""
    wb.properties.created = FIXED_DOC_TIME
    wb.properties.modified = FIXED_DOC_TIME
    wb.properties.creator = "sample_data/make_returns.py"
    wb.properties.lastModifiedBy = "sample_data/make_returns.py"
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # not save_workbook(): that stamps "modified" with now()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    path.write_bytes(out.getvalue())


def build(out_dir: Path) -> list[Path]:
    baseline = json.loads(BASELINE_PATH.read_text(encoding="utf-8"))
    facilities = facilities_by_country(baseline)
    indicators = simulate_indicators(baseline)
    findings = simulate_findings(facilities)
    updates, milestones = simulate_priorities(baseline)
    activities = simulate_activities(facilities)
    priorities = {c: [p for p in baseline["priorities"] if p["country"] == c] for c in COUNTRIES}
    rng = rng_for("return")

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for code in COUNTRIES:
        for pos, q in enumerate(QUARTERS):
            wb = Workbook()
            wb.remove(wb.active)
            submitted = q.end + dt.timedelta(days=rng.randint(14, 28))
            _sheet(
                wb,
                "Return",
                [
                    ("country", code),
                    ("quarter", str(q)),
                    ("prepared_by", f"Country coordinator, {COUNTRY_BY_CODE[code].name} (illustrative)"),
                    ("submitted_on", submitted),
                    ("notes", RETURN_NOTE),
                ],
            )
            _sheet(wb, "Indicators", indicators[code][pos])
            _sheet(
                wb,
                "Facilities",
                [
                    {k: (("yes" if f[k] else "no") if k == "pilot" else f[k]) for k in COLUMNS["Facilities"]}
                    for f in facilities[code]
                ],
            )
            frows = []
            for f in findings:
                if f.country == code and pos in f.timeline:
                    status, note = f.timeline[pos]
                    frows.append(
                        dict(
                            finding_id=f.finding_id,
                            facility_id=f.facility_id,
                            audit_date=f.audit_date,
                            domain=f.domain,
                            severity=f.severity,
                            title=f.title,
                            recommendation=f.recommendation,
                            status=status,
                            due_date=f.due_date,
                            owner=f.owner,
                            status_note=note,
                        )
                    )
            _sheet(wb, "Findings", frows)
            prow, mrow = [], []
            for p in priorities[code]:
                u = updates[p["priority_id"]][pos]
                prow.append(
                    dict(
                        priority_id=p["priority_id"],
                        title=p["title"],
                        theme=p["theme"],
                        status=u["status"],
                        progress_pct=u["progress_pct"],
                        target_date=dt.date.fromisoformat(p["target_date"]),
                        narrative=u["narrative"],
                        next_steps=u["next_steps"],
                    )
                )
                for m in milestones[p["priority_id"]]:
                    st = milestone_status(m, pos)
                    mrow.append(
                        dict(
                            priority_id=p["priority_id"],
                            milestone=m["name"],
                            due_date=m["due_date"],
                            status=st,
                            completed_on=m["completed_on"] if st == "done" else None,
                        )
                    )
            _sheet(wb, "Priorities", prow)
            _sheet(wb, "Milestones", mrow)
            _sheet(wb, "Activities", activities[code][pos])
            path = out_dir / f"{code}_{q}.xlsx"
            save_deterministic(wb, path)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args(argv)
    # sanity on the enumerations used above
    assert set(FINDING_STATUSES) >= {"open", "in progress", "remediated", "verified", "risk accepted"}
    assert {t.domain for t in FINDING_TEMPLATES} <= set(FINDING_DOMAINS)
    assert {f["type"] for f in EXTRA_FACILITIES} <= set(FACILITY_TYPES)
    assert set(ACTIVITY_WEIGHTS) <= set(ACTIVITY_TYPES)
    assert {s for _, ss in TRAJECTORIES.values() for s in ss} <= set(PRIORITY_STATUSES)
    assert {"planned", "done", "late", "dropped"} <= set(MILESTONE_STATUSES)
    written = build(args.out)
    print(f"wrote {len(written)} workbooks to {args.out}")
    if not args.no_check:
        from sample_data import check_returns

        return check_returns.main(["--dir", str(args.out)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
